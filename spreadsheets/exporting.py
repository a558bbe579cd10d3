"""Exports: the rows of a list page, its filters applied, as a CSV, XLSX or ODS file.

    if export_format(request):
        return export_response(request, DeviceResource, filtered_devices, "devices")

CSV is written for a spreadsheet on a French computer: UTF-8 with a BOM (without it
Excel reads the accents as Windows-1252), `;` between cells (the comma is the decimal
separator there), CRLF line ends, dates as 31/12/2026 and decimals as the widgets write
them in the interface's language (1,5). XLSX and ODS cells hold real dates and numbers,
so that a column can be sorted and summed; text stays text, never a formula. Either way
the file imports back as "unchanged" (tests/exchange/test_exports.py).

Identifiers (serial numbers, ICCIDs, SIRENs, postcodes, phone numbers: the columns whose
widget is an `identifier`) are text cells in XLSX and ODS, with the text format ("@") in
XLSX so that a cell typed again stays text. A spreadsheet opening a CSV guesses instead:
every CSV cell is quoted (LibreOffice can then keep quoted fields as text), but 20-digit
ICCIDs still turn into 8,93301261E+018 with the default options, so the export links say
XLSX or ODS is the safe choice for editing; on import such values are refused
(values.check_identifier).

A CSV cell that a spreadsheet would take for a formula (a leading "=", "+", "-", "@",
tab or carriage return: "=HYPERLINK(…)", "+cmd|…") gets a quote ahead of it, the OWASP
way (values.neutralised); a number alone ("-3") is left as it is, and reading a CSV
removes the added quote (reading.read_csv), so "+33 6 12 34 56 78" imports back
unchanged. XLSX and ODS cells are typed as text, which spreadsheets never evaluate:
they get no quote.
"""

import datetime
import decimal
import io

from django.core.exceptions import FieldError, PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from spreadsheets.resources import ExchangeResource
from spreadsheets.values import neutralised
from spreadsheets.widgets import DecimalWidget, IntegerWidget

CSV, XLSX, ODS = "csv", "xlsx", "ods"
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ODS: "application/vnd.oasis.opendocument.spreadsheet",
}
FORMATS = list(CONTENT_TYPES)
# Rows fetched (and their prefetched relations) per query.
CHUNK = 2000


def export_format(request):
    """The format asked for with `?export=csv|xlsx|ods`, or "" for the page itself."""
    value = request.GET.get("export", "")
    return value if value in CONTENT_TYPES else ""


def narrowed(queryset, shown):
    """`queryset` (what the user may export) limited to the rows of `shown` (what the
    page lists, filters applied), in the page's order."""
    if shown is None:
        return queryset
    rows = queryset.filter(pk__in=shown.values("pk"))
    ordering = shown.query.order_by or shown.model._meta.ordering
    try:
        return rows.order_by(*ordering)
    except FieldError:
        # The page sorts on something it computes (a count): keep the export's order.
        return rows


def _rows(resource, queryset, native):
    # iterator() fetches CHUNK rows a query and runs the prefetches once per chunk:
    # the number of queries does not grow with the rows until CHUNK.
    for instance in queryset.iterator(chunk_size=CHUNK):
        yield resource.export_resource(instance, force_native_type=native)


def export_dataset(resource_class, queryset, fmt, user=None):
    """The file (bytes) of `queryset`'s rows in `fmt`, with `resource_class`'s columns."""
    resource = resource_class(user=user)
    headers = resource.get_export_headers()
    rows = _rows(resource, queryset, native=fmt != CSV)
    title = str(resource_class._meta.model._meta.verbose_name_plural)
    return write_table(
        fmt,
        headers,
        rows,
        title=title,
        text_columns=identifier_columns(resource),
        number_columns=number_columns(resource),
    )


def write_table(fmt, headers, rows, *, title="", text_columns=(), number_columns=()):
    """`headers` and `rows` (lists of values) as a file (bytes) in `fmt`, written like
    every export: French CSV with formula cells neutralised, typed XLSX and ODS."""
    writer = {CSV: _csv, XLSX: _xlsx, ODS: _ods}[fmt]
    return writer(
        headers, rows, title=title, text_columns=text_columns, number_columns=number_columns
    )


def number_columns(resource):
    """Positions of the exported columns that hold numbers (left unquoted in CSV)."""
    return {
        position
        for position, column in enumerate(resource.get_export_fields())
        if isinstance(column.widget, IntegerWidget | DecimalWidget)
    }


def identifier_columns(resource):
    """Positions of the exported columns that hold identifiers, to be kept as text."""
    return {
        position
        for position, column in enumerate(resource.get_export_fields())
        if getattr(column.widget, "identifier", False)
    }


def export_response(request, resource_class, queryset, basename):
    """The download of `queryset` (the page's rows) in the format of `?export=`, as far
    as the user may export them (the resource's export_queryset)."""
    user = request.user
    if not resource_class.may_export(user):
        raise PermissionDenied
    fmt = export_format(request) or CSV
    rows = narrowed(resource_class.export_queryset(user), queryset)
    content = export_dataset(resource_class, rows, fmt, user=user)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    filename = f"{basename}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class ExportOnlyResource(ExchangeResource):
    """The columns of a list page that has nothing to import (donations, loans,
    programmes: they are made through their own pages and workflows)."""

    @classmethod
    def may_import(cls, user):
        return False


# Writers ------------------------------------------------------------------------------


def _csv(headers, rows, title="", text_columns=(), number_columns=()):
    # Every text cell quoted (numbers are not, so that they stay numbers): a spreadsheet
    # told to keep quoted fields as text keeps the identifiers' leading zeros and digits.
    lines = [";".join(_quoted(header) for header in headers)]
    for row in rows:
        lines.append(
            ";".join(
                _csv_cell(value, position in number_columns) for position, value in enumerate(row)
            )
        )
    return "".join(f"{line}\r\n" for line in lines).encode("utf-8-sig")


def _quoted(text):
    return '"' + str(text).replace('"', '""') + '"'


def _csv_cell(value, number):
    if value is None or value == "":
        return ""
    value = neutralised(value)
    if number and ";" not in value and '"' not in value and "'" not in value:
        return value
    return _quoted(value)


def _clean_text(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Control characters (a pasted form feed) are not allowed in XML documents.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _xlsx_cell(sheet, value, identifier=False):
    from openpyxl.cell import WriteOnlyCell

    if identifier and value is not None:
        value = str(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=_clean_text(value))
        # Text that starts with "=" stays text: a formula would run in the spreadsheet.
        cell.data_type = "s"
        if identifier:
            # The text format: the cell stays text when someone types in it again.
            cell.number_format = "@"
        return cell
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        # Whole seconds, as in ODS: a spreadsheet keeps a time as a fraction of a day,
        # and LibreOffice rounds microseconds away when it saves the file again.
        cell = WriteOnlyCell(sheet, value=value.replace(microsecond=0))
        cell.number_format = "DD/MM/YYYY HH:MM"
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime.date):
        cell.number_format = "DD/MM/YYYY"
    return cell


def _xlsx(headers, rows, title="", text_columns=(), number_columns=()):
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    # Write-only: rows go to the file as they come, the workbook is not kept in memory.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    for number, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = max(12, len(header) + 4)
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = _xlsx_cell(sheet, header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(
            [
                _xlsx_cell(sheet, value, position in text_columns)
                for position, value in enumerate(row)
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ods(headers, rows, title="", text_columns=(), number_columns=()):
    """An ODS document written cell by cell (odfpy): text on several lines as one
    paragraph a line, which is how LibreOffice reads and writes line breaks in a cell."""
    from odf import table
    from odf.opendocument import OpenDocumentSpreadsheet

    document = OpenDocumentSpreadsheet()
    styles = _ods_styles(document)
    sheet = table.Table(name=_sheet_title(title))
    document.spreadsheet.addElement(sheet)
    sheet.addElement(_ods_row(headers, styles, set(range(len(headers)))))
    for row in rows:
        sheet.addElement(_ods_row(row, styles, text_columns))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _ods_styles(document):
    from odf import number, style

    def date_style(name, with_time):
        data = number.DateStyle(name=f"{name}-format")
        data.addElement(number.Day(style="long"))
        data.addElement(number.Text(text="/"))
        data.addElement(number.Month(style="long"))
        data.addElement(number.Text(text="/"))
        data.addElement(number.Year(style="long"))
        if with_time:
            data.addElement(number.Text(text=" "))
            data.addElement(number.Hours(style="long"))
            data.addElement(number.Text(text=":"))
            data.addElement(number.Minutes(style="long"))
        document.styles.addElement(data)
        cell = style.Style(name=name, family="table-cell", datastylename=f"{name}-format")
        document.automaticstyles.addElement(cell)
        return cell

    return {"date": date_style("date", False), "datetime": date_style("datetime", True)}


def _ods_row(values, styles, text_columns):
    from odf import table

    row = table.TableRow()
    for position, value in enumerate(values):
        row.addElement(_ods_cell(value, styles, position in text_columns))
    return row


def _ods_cell(value, styles, identifier):
    from odf import table

    if value is None or value == "":
        return table.TableCell()
    if identifier or isinstance(value, str):
        return _ods_text_cell(str(value))
    if isinstance(value, bool):
        return table.TableCell(valuetype="boolean", booleanvalue=str(value).lower())
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return table.TableCell(
            valuetype="date",
            datevalue=value.strftime("%Y-%m-%dT%H:%M:%S"),
            stylename=styles["datetime"],
        )
    if isinstance(value, datetime.date):
        return table.TableCell(
            valuetype="date", datevalue=value.isoformat(), stylename=styles["date"]
        )
    if isinstance(value, int | float | decimal.Decimal):
        return table.TableCell(valuetype="float", value=str(value))
    return _ods_text_cell(str(value))


def _ods_text_cell(text):
    from odf import table
    from odf.text import P

    cell = table.TableCell(valuetype="string")
    for line in _clean_text(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        cell.addElement(P(text=line))
    return cell


def _sheet_title(title):
    # Spreadsheets refuse these characters in a sheet's name, and more than 31 of them.
    return "".join(ch for ch in title if ch not in "\\/*?:[]")[:31] or "Export"

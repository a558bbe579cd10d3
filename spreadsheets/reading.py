"""Spreadsheet files read row by row: CSV (any of the encodings and separators French
offices produce), XLSX and ODS.

CSV is streamed, so a big file costs the memory of one row at a time. XLSX and ODS are
read by calamine (python-calamine), as the programs that write them do: repeated cells
(`table:number-columns-repeated`, which LibreOffice writes for equal neighbours), cells
on several lines, numbers from their stored value whatever the locale that displayed them.
calamine holds the whole sheet, in its own cells (Rust); they become Python values a row
at a time.
"""

import codecs
import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from spreadsheets.values import unneutralised

CSV, XLSX, ODS = "csv", "xlsx", "ods"
FORMATS = [CSV, XLSX, ODS]
_XLSX_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The file is not a spreadsheet we can read; the message says why."""


@dataclass
class Sheet:
    headers: list
    # (line number as the spreadsheet shows it, cells), blank lines left out.
    rows: object
    encoding: str = ""
    delimiter: str = ""
    # Data rows the file seems to hold, for a progress bar (blank lines included).
    estimated_rows: int = 0


def detect_format(filename, content):
    name = (filename or "").lower()
    if content[:4] == _XLSX_MAGIC:
        # XLSX and ODS are both ZIP files; ODS names its type in its first entry.
        return ODS if b"application/vnd.oasis.opendocument.spreadsheet" in content[:200] else XLSX
    if name.endswith((".xlsx", ".xlsm", ".ods")):
        raise UnreadableFile(_("This file is damaged or is not a spreadsheet."))
    return CSV


def encoding_of(content):
    """UTF-8 (with or without BOM) or Windows-1252, which Excel writes on French Windows.

    UTF-8 is checked piece by piece, so that a big file is never held twice as text.
    """
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(content), _PIECE):
            decoder.decode(content[start : start + _PIECE])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


_PIECE = 1 << 16


def sniff_delimiter(first_line):
    """The separator of the header line: the one that splits it into most cells."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _blank(cells):
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def _numbered(rows):
    """Data rows with the line number a person sees (the header is line 1)."""
    for number, cells in enumerate(rows, start=2):
        if not _blank(cells):
            yield number, list(cells)


def read_csv(content):
    encoding = encoding_of(content)
    head = content[:_PIECE].decode(encoding, errors="ignore")
    first = next((line for line in head.splitlines() if line.strip()), "")
    delimiter = sniff_delimiter(first)
    # Read as a stream: csv takes \n, \r\n and a lone \r (old Macs) as line ends, and a
    # quoted cell may hold line breaks (a note on several lines).
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, errors="replace", newline="")
    lines = _csv_records(csv.reader(stream, delimiter=delimiter))
    headers = []
    for row in lines:
        if not _blank(row):
            headers = row
            break
    breaks = content.count(b"\n") or content.count(b"\r")
    return Sheet(
        headers=headers,
        # The quote an export put ahead of a formula-like cell goes (exporting.py).
        rows=_numbered([unneutralised(cell) for cell in row] for row in lines),
        encoding=encoding,
        delimiter=delimiter,
        estimated_rows=max(breaks, 1) - 1 if breaks else 0,
    )


def _csv_records(reader):
    """The reader's records; UnreadableFile naming the line the csv module refuses (a
    cell of more than 128 KB, e.g. a quote never closed)."""
    try:
        yield from reader
    except csv.Error as error:
        raise UnreadableFile(
            _("Line %(line)s cannot be read as CSV: %(error)s.")
            % {"line": reader.line_num, "error": error}
        ) from None


def _workbook_sheet(content, kind):
    """The first sheet of an XLSX or ODS file, as calamine reads it."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        return book.get_sheet_by_index(0)
    except Exception as error:
        if kind == ODS:
            # calamine stops at the first number it cannot read: say where it is.
            bad = unreadable_ods_cell(content)
            if bad:
                raise UnreadableFile(
                    _("Line %(line)s, column %(column)s: “%(text)s” cannot be read as a number.")
                    % bad
                ) from None
        raise UnreadableFile(_cannot_open(kind)) from error


def _cannot_open(kind):
    return {
        XLSX: _("This XLSX file cannot be opened (it is damaged or protected)."),
        ODS: _("This ODS file cannot be opened (it is damaged or protected)."),
    }[kind]


def _sheet_rows(sheet, kind):
    """The sheet's rows as Python lists, one at a time (all at once, as to_python() gives
    them, they cost ~0.7 KB a row of 10 cells, several times calamine's own cells).
    Leading empty rows are kept, so that line numbers are the sheet's; leading empty
    columns are not, which names no column differently (headers are matched by name)."""
    try:
        yield from sheet.iter_rows()
    except Exception as error:
        raise UnreadableFile(_cannot_open(kind)) from error


def _value(cell):
    # calamine reads every number as a float: 62700 would read as "62700.0" in a text
    # column (a postcode, a serial number) and a donation number 12 as "12.0".
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if cell == "":
        return None
    return cell


def _read_workbook(content, kind):
    sheet = _workbook_sheet(content, kind)
    rows = ([_value(cell) for cell in row] for row in _sheet_rows(sheet, kind))
    headers = []
    for row in rows:
        if not _blank(row):
            headers = ["" if cell is None else str(cell) for cell in row]
            break
    # The rows from the sheet's first to its last one holding a value, header included.
    height = sheet.end[0] + 1 if sheet.end else 0
    return Sheet(headers=headers, rows=_numbered(rows), estimated_rows=max(height - 1, 0))


def read_xlsx(content):
    return _read_workbook(content, XLSX)


def read_ods(content):
    return _read_workbook(content, ODS)


def _column_name(index):
    """0 → A, 26 → AA: how a spreadsheet names a column."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def unreadable_ods_cell(content):
    """{"line", "column", "text"} of the first cell of the first sheet whose stored number
    is not a number (e.g. "0,2" written by a tool that followed the French locale)."""
    import zipfile
    from xml.etree.ElementTree import iterparse

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open("content.xml") as xml:
            line = column = 0
            for event, element in iterparse(xml, events=("start", "end")):
                tag = element.tag
                if event == "end":
                    if tag == f"{{{_TABLE}}}table":
                        return None
                    element.clear()
                    continue
                if tag == f"{{{_TABLE}}}table-row":
                    line += 1
                    column = 0
                elif tag in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
                    value = element.get(f"{{{_OFFICE}}}value")
                    if value is not None and not _is_float(value):
                        return {"line": line, "column": _column_name(column), "text": value}
                    column += int(element.get(f"{{{_TABLE}}}number-columns-repeated", "1"))
    except Exception:
        return None
    return None


def _is_float(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_sheet(filename, content):
    """The headers and rows of the first sheet of `content`; UnreadableFile otherwise."""
    if not content:
        raise UnreadableFile(_("The file is empty."))
    kind = detect_format(filename, content)
    sheet = {CSV: read_csv, XLSX: read_xlsx, ODS: read_ods}[kind](content)
    sheet.headers = [str(header or "").strip() for header in sheet.headers]
    while sheet.headers and not sheet.headers[-1]:
        sheet.headers.pop()
    if not any(sheet.headers):
        raise UnreadableFile(_("The file has no header row (the names of the columns)."))
    return sheet

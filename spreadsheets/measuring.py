"""What a spreadsheet file would cost to read, measured before reading it: the size an
XLSX or ODS file unzips to, and how many rows it holds.

XLSX and ODS are zip files: a few hundred kilobytes may unzip to gigabytes of XML (a
sheet of a million repeated rows), which the reader would then hold in memory. So the
sizes come from the zip's directory, without unzipping anything; the rows are counted
only once that size is known to be bounded, by a streaming XML parser (expat) that holds
one element at a time.

    unzipped_size(content)         # bytes; UnreadableFile for a broken zip
    count_rows(filename, content)  # data rows (the header left out), blank ones too
"""

import io
import zipfile
from xml.parsers import expat

from django.utils.translation import gettext as _

from spreadsheets.reading import CSV, ODS, XLSX, UnreadableFile, detect_format, read_csv

_PIECE = 1 << 16
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


class _Stop(Exception):
    """Raised by a parser's handler once it knows enough."""


def _archive(content):
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except Exception:
        raise UnreadableFile(
            _("This file is damaged: it should be a zip archive (XLSX or ODS) and is not one.")
        ) from None


def unzipped_size(content):
    """The bytes an XLSX or ODS file would unzip to, as its zip directory declares them
    (Python's zipfile never inflates an entry past its declared size)."""
    with _archive(content) as archive:
        return sum(info.file_size for info in archive.infolist())


def count_rows(filename, content, *, above=None):
    """The data rows of the first sheet (the header row left out). CSV: its line breaks;
    XLSX: the sheet's declared dimension, or its rows counted; ODS: its rows counted.

    The cheap counts may overcount (a note on several lines, formatted empty rows): when
    one is above `above`, the rows holding a value are counted exactly.
    """
    kind = detect_format(filename, content)
    if kind == CSV:
        rows = max((content.count(b"\n") or content.count(b"\r")) - 1, 0)
        if above is not None and rows > above:
            rows = max(sum(1 for _row in read_csv(content).rows), 0)
        return rows
    try:
        with _archive(content) as archive:
            if kind == XLSX:
                return _xlsx_rows(archive, above)
            return _ods_rows(archive)
    except UnreadableFile:
        raise
    except Exception:
        # A zip entry that does not inflate (bad CRC), XML that is not XML, a missing part.
        message = {
            XLSX: _("This XLSX file cannot be opened (it is damaged or protected)."),
            ODS: _("This ODS file cannot be opened (it is damaged or protected)."),
        }[kind]
        raise UnreadableFile(message) from None


def _parse(archive, name, start, end=None):
    """Feed the XML of entry `name` to expat, a piece at a time; handlers may raise _Stop."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    try:
        with archive.open(name) as stream:
            while piece := stream.read(_PIECE):
                parser.Parse(piece, False)
            parser.Parse(b"", True)
    except _Stop:
        pass


def _first_sheet(archive):
    """The zip entry of the workbook's first sheet (as calamine reads it)."""
    found = {}

    def workbook(name, attrs):
        if name == f"{_MAIN}}}sheet":
            found["id"] = attrs.get(f"{_RELATIONSHIPS}}}id")
            raise _Stop

    def relationships(name, attrs):
        if attrs.get("Id") == found.get("id"):
            found["target"] = attrs.get("Target", "")
            raise _Stop

    _parse(archive, "xl/workbook.xml", workbook)
    _parse(archive, "xl/_rels/workbook.xml.rels", relationships)
    target = found.get("target", "worksheets/sheet1.xml")
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _xlsx_rows(archive, above):
    sheet = _first_sheet(archive)
    declared = []

    def dimension(name, attrs):
        # <dimension ref="A1:K300001"/> comes before the rows, when the writer gives it.
        if name == f"{_MAIN}}}dimension":
            declared.append(attrs.get("ref", ""))
        if name in (f"{_MAIN}}}dimension", f"{_MAIN}}}sheetData"):
            raise _Stop

    _parse(archive, sheet, dimension)
    rows = _dimension_rows(declared[0]) if declared else None
    if rows is not None and (above is None or rows <= above):
        return rows
    return _xlsx_rows_counted(archive, sheet)


def _dimension_rows(ref):
    """300000 for "A1:K300001"; None when it names no range."""
    first, _colon, last = ref.partition(":")
    digits = [int("".join(c for c in cell if c.isdigit()) or 0) for cell in (first, last)]
    if not last or not all(digits):
        return None
    return max(digits[1] - digits[0], 0)


def _xlsx_rows_counted(archive, sheet):
    state = {"rows": 0, "value": False}

    def start(name, _attrs):
        if name == f"{_MAIN}}}row":
            state["value"] = False
        elif name in (f"{_MAIN}}}v", f"{_MAIN}}}is"):
            state["value"] = True

    def end(name):
        if name == f"{_MAIN}}}row" and state["value"]:
            state["rows"] += 1

    _parse(archive, sheet, start, end)
    return max(state["rows"] - 1, 0)


def _ods_rows(archive):
    """Rows of the first table holding a value, each as many times as it is repeated
    (LibreOffice writes equal neighbours once, with table:number-rows-repeated)."""
    state = {"tables": 0, "rows": 0, "repeated": 1, "value": False}

    def start(name, attrs):
        if name == f"{_TABLE}}}table":
            state["tables"] += 1
        elif name == f"{_TABLE}}}table-row":
            state["repeated"] = int(attrs.get(f"{_TABLE}}}number-rows-repeated", "1"))
            state["value"] = False
        elif f"{_OFFICE}}}value-type" in attrs or name == f"{_TEXT}}}p":
            state["value"] = True

    def end(name):
        if name == f"{_TABLE}}}table-row" and state["value"] and state["tables"] == 1:
            state["rows"] += state["repeated"]
        elif name == f"{_TABLE}}}table":
            raise _Stop

    _parse(archive, "content.xml", start, end)
    return max(state["rows"] - 1, 0)

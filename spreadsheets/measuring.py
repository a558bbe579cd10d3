"""What a spreadsheet file would cost to read, measured before reading it: the size an
XLSX or ODS file unzips to, and how many rows and cells it holds.

XLSX and ODS are zip files: a few hundred kilobytes may unzip to gigabytes of XML, and a
few kilobytes of ODS may stand for millions of cells (a cell "repeated 16,000 times"),
which the reader would then hold in memory, a Python object each. So the sizes come
from the zip's directory, without unzipping anything; the rows and cells are counted
only once that size is known to be bounded, by a streaming XML parser (expat) that holds
one element at a time.

    unzipped_size(content)            # bytes; UnreadableFile for a broken zip
    measure_sheet(filename, content)  # Extent: data rows, and the grid a reader builds
"""

import io
import itertools
import zipfile
from dataclasses import dataclass
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


@dataclass
class Extent:
    """How much of a sheet a reader goes through: its data rows (the header left out, blank
    ones too for CSV), and for XLSX and ODS the grid their reader builds, from the first
    cell to the last one holding a value: `height` rows of `width` cells."""

    rows: int
    height: int = 0
    width: int = 0
    # The counting stopped past the limit it was given: `rows` is a lower bound.
    more: bool = False

    @property
    def cells(self):
        return self.height * self.width


def measure_sheet(filename, content, *, rows_above=None, cells_above=None):
    """The Extent of the first sheet. CSV: its line breaks; XLSX: the sheet's declared
    dimension, or its rows and cells counted; ODS: its rows and cells counted, repeats
    included (LibreOffice writes equal neighbours once, with how many times they repeat).

    The cheap counts may overcount (a note on several lines; a dimension taking in
    formatted empty cells): when their rows are above `rows_above`, or the dimension's
    cells above `cells_above`, they are counted.
    Counting stops past `rows_above` rows (Extent.more): the file is refused anyway.
    """
    kind = detect_format(filename, content)
    if kind == CSV:
        rows = max((content.count(b"\n") or content.count(b"\r")) - 1, 0)
        if rows_above is not None and rows > rows_above:
            counted = sum(1 for _row in itertools.islice(read_csv(content).rows, rows_above + 1))
            rows = counted if counted <= rows_above else rows
        return Extent(rows)
    try:
        with _archive(content) as archive:
            if kind == XLSX:
                return _xlsx_extent(archive, rows_above, cells_above)
            return _ods_extent(archive, rows_above)
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
    """Feed the XML of entry `name` to expat, a piece at a time; True if a handler
    stopped it (_Stop) before the end."""
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
        return True
    return False


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


def _xlsx_extent(archive, rows_above, cells_above):
    sheet = _first_sheet(archive)
    declared = []

    def dimension(name, attrs):
        # <dimension ref="A1:K300001"/> comes before the rows, when the writer gives it.
        if name == f"{_MAIN}}}dimension":
            declared.append(attrs.get("ref", ""))
        if name in (f"{_MAIN}}}dimension", f"{_MAIN}}}sheetData"):
            raise _Stop

    _parse(archive, sheet, dimension)
    extent = _dimension_extent(declared[0]) if declared else None
    if extent is None:
        return _xlsx_extent_counted(archive, sheet, rows_above)
    if (rows_above is None or extent.rows <= rows_above) and (
        cells_above is None or extent.cells <= cells_above
    ):
        return extent
    # Counted only as far as the limit: past it, the dimension was right, and its
    # figure is the one to tell.
    counted = _xlsx_extent_counted(archive, sheet, rows_above)
    return extent if counted.more else counted


def _reference(cell):
    """(row, column) of "K300001", from 1: (300001, 11); (0, 0) when it is no reference."""
    letters = "".join(c for c in cell if c.isalpha()).upper()
    digits = "".join(c for c in cell if c.isdigit())
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return int(digits or 0), column


def _dimension_extent(ref):
    """Extent(300000, 300001, 11) for "A1:K300001"; None when it names no range."""
    first, _colon, last = ref.partition(":")
    (top, left), (bottom, right) = _reference(first), _reference(last)
    if not last or not (top and left and bottom and right):
        return None
    return Extent(max(bottom - top, 0), bottom, right)


def _xlsx_extent_counted(archive, sheet, rows_above):
    state = {"rows": 0, "value": False, "height": 0, "width": 0, "cell": (0, 0)}

    def start(name, attrs):
        if name == f"{_MAIN}}}row":
            state["value"] = False
        elif name == f"{_MAIN}}}c":
            state["cell"] = _reference(attrs.get("r", ""))
        elif name in (f"{_MAIN}}}v", f"{_MAIN}}}is"):
            state["value"] = True
            row, column = state["cell"]
            state["height"] = max(state["height"], row)
            state["width"] = max(state["width"], column)

    def end(name):
        if name == f"{_MAIN}}}row" and state["value"]:
            state["rows"] += 1
            if rows_above is not None and state["rows"] - 1 > rows_above:
                raise _Stop

    if _parse(archive, sheet, start, end):
        return Extent(rows_above + 1, more=True)
    return Extent(max(state["rows"] - 1, 0), state["height"], state["width"])


def _ods_extent(archive, rows_above):
    """Rows of the first table holding a value, each as many times as it is repeated
    (table:number-rows-repeated), and the grid up to the last cell holding a value,
    cells repeated too (table:number-columns-repeated): a row of one cell repeated
    16,000 times is 16,000 cells for the reader, in a few bytes of XML."""
    state = dict.fromkeys(["tables", "rows", "column", "last", "height", "tall", "width"], 0)

    def start(name, attrs):
        if name == f"{_TABLE}}}table":
            state["tables"] += 1
        elif name == f"{_TABLE}}}table-row":
            state["row"] = int(attrs.get(f"{_TABLE}}}number-rows-repeated", "1"))
            state.update(column=0, last=0)
        elif name in (f"{_TABLE}}}table-cell", f"{_TABLE}}}covered-table-cell"):
            repeated = int(attrs.get(f"{_TABLE}}}number-columns-repeated", "1"))
            state["column"] += repeated
            if f"{_OFFICE}}}value-type" in attrs:
                state["last"] = state["column"]
        elif name == f"{_TEXT}}}p":
            state["last"] = state["column"]

    def end(name):
        if name == f"{_TABLE}}}table-row" and state["tables"] == 1:
            state["height"] += state["row"]
            if state["last"]:
                state["rows"] += state["row"]
                state["tall"] = state["height"]
                state["width"] = max(state["width"], state["last"])
                if rows_above is not None and state["rows"] - 1 > rows_above:
                    state["more"] = True
                    raise _Stop
        elif name == f"{_TABLE}}}table":
            raise _Stop

    _parse(archive, "content.xml", start, end)
    if state.get("more"):
        return Extent(rows_above + 1, more=True)
    return Extent(max(state["rows"] - 1, 0), state["tall"], state["width"])

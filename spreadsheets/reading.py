"""Spreadsheet files read row by row: CSV (any of the encodings and separators French
offices produce), XLSX and ODS.

CSV and XLSX are streamed, so a big file costs the memory of one row at a time; ODS
(a zipped XML document, read by tablib/odfpy) is loaded whole.
"""

import codecs
import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

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
    lines = iter(csv.reader(stream, delimiter=delimiter))
    headers = []
    for row in lines:
        if not _blank(row):
            headers = row
            break
    breaks = content.count(b"\n") or content.count(b"\r")
    return Sheet(
        headers=headers,
        rows=_numbered(lines),
        encoding=encoding,
        delimiter=delimiter,
        estimated_rows=max(breaks, 1) - 1 if breaks else 0,
    )


def read_xlsx(content):
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:
        raise UnreadableFile(
            _("This XLSX file cannot be opened: %(error)s") % {"error": error}
        ) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    headers = []
    for row in rows:
        if not _blank(row):
            headers = ["" if cell is None else str(cell) for cell in row]
            break
    return Sheet(headers=headers, rows=_numbered(rows), estimated_rows=(sheet.max_row or 1) - 1)


def read_ods(content):
    import tablib

    try:
        dataset = tablib.Dataset().load(io.BytesIO(content), format="ods")
    except Exception as error:
        raise UnreadableFile(
            _("This ODS file cannot be opened: %(error)s") % {"error": error}
        ) from None
    return Sheet(
        headers=[str(h or "") for h in dataset.headers or []],
        rows=_numbered([_ods_value(cell) for cell in row] for row in dataset),
        estimated_rows=len(dataset),
    )


def _ods_value(cell):
    # tablib reads every ODS number as a float: 62700 would read as "62700.0" in a text
    # column (a postcode, a serial number) and a donation number 12 as "12.0".
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell


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

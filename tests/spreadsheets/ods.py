"""ODS files built cell by cell with odfpy, as LibreOffice writes them: equal neighbours
as one cell repeated, a cell on several lines as several paragraphs."""

import io

from odf import table, text
from odf.element import Element
from odf.opendocument import OpenDocumentSpreadsheet


def cell(value, repeated=1):
    """`value`: a str (text, "\\n" between paragraphs), a number, or ("float", "0,2") for
    a stored number written as is."""
    extra = {"numbercolumnsrepeated": repeated} if repeated > 1 else {}
    if isinstance(value, tuple):
        element = table.TableCell(valuetype=value[0], value=value[1], **extra)
        element.addElement(text.P(text=value[1]))
    elif isinstance(value, int | float):
        element = table.TableCell(valuetype="float", value=value, **extra)
        element.addElement(text.P(text=str(value)))
    else:
        element = table.TableCell(valuetype="string", **extra)
        for line in value.split("\n"):
            element.addElement(text.P(text=line))
    return element


def ods(rows):
    """The bytes of an ODS file whose first sheet holds `rows` (lists of cell() or values)."""
    document = OpenDocumentSpreadsheet()
    sheet = table.Table(name="Feuille1")
    document.spreadsheet.addElement(sheet)
    for cells in rows:
        row = table.TableRow()
        sheet.addElement(row)
        for value in cells:
            row.addElement(value if isinstance(value, Element) else cell(value))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

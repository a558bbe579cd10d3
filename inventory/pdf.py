"""What every Réemploi PDF shares: fonts that cover every name, paragraph styles, tables
of facts, a QR code with its quiet zone, and A4 pages with a footer. Documents are drawn
in the language active when they are rendered."""

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from inventory.models import organisation_name

# The QR code, quiet zone included. 4 blank modules around it is what the QR standard
# asks for; at 35 mm a version-3 code has modules of about 0.85 mm: any phone reads it.
QR_SIZE = 35 * mm
QR_QUIET_MODULES = 4
CAPTION_WIDTH = 62 * mm
MARGIN = 16 * mm
LINE = colors.HexColor("#c5ccd3")
SHADE = colors.HexColor("#eef1f4")

# DejaVu covers every Latin, Greek and Cyrillic name; reportlab's built-in Helvetica
# only Western European letters. Debian and its images ship DejaVu as fonts-dejavu-core.
_FONT_FOLDERS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]


@cache
def fonts():
    for folder in _FONT_FOLDERS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("Reemploi", str(regular)))
            pdfmetrics.registerFont(TTFont("Reemploi-Bold", str(bold)))
            return "Reemploi", "Reemploi-Bold"
    return "Helvetica", "Helvetica-Bold"


@cache
def styles():
    regular, bold = fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=11.5)
    return {
        "base": base,
        "small": ParagraphStyle("small", base, fontSize=7.5, leading=9.5),
        "label": ParagraphStyle("label", base, textColor=colors.HexColor("#4a5563")),
        "bold": ParagraphStyle("bold", base, fontName=bold),
        "title": ParagraphStyle("title", base, fontName=bold, fontSize=15, leading=19),
        "h2": ParagraphStyle("h2", base, fontName=bold, fontSize=11, leading=14, spaceBefore=8),
        "org": ParagraphStyle("org", base, fontName=bold, fontSize=11, leading=14),
        "caption": ParagraphStyle("caption", base, fontSize=7, leading=8.5, alignment=TA_RIGHT),
    }


def content_width(pagesize):
    # reportlab's page frame keeps 6 points of padding on each side.
    return pagesize[0] - 2 * MARGIN - 12


def text(text, style="base"):
    return Paragraph(escape(str(text)) if text not in (None, "") else "—", styles()[style])


def when(moment, fmt="SHORT_DATETIME_FORMAT"):
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment), fmt)


def person(user):
    return user.get_full_name() or user.get_username()


def qr_code(value):
    widget = QrCodeWidget(value, barLevel="M", barBorder=QR_QUIET_MODULES)
    widget.barWidth = widget.barHeight = QR_SIZE
    drawing = Drawing(QR_SIZE, QR_SIZE, hAlign="RIGHT")
    drawing.add(widget)
    return drawing


def facts(rows, widths):
    """A table of label / value pairs, several pairs a row."""
    data = [
        [text(cell, "label" if i % 2 == 0 else "base") for i, cell in enumerate(r)] for r in rows
    ]
    table = Table(data, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, LINE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )
    return table


def listing(headings, rows, fractions, width, style=()):
    """A table of items (devices, sale lines) under a shaded header row that repeats on
    each page; `fractions` of `width` per column, `style` any extra TableStyle commands."""
    data = [[text(heading, "bold") for heading in headings], *rows]
    table = Table(data, colWidths=[f * width for f in fractions], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, LINE),
                *style,
            ]
        )
    )
    return table


def render(story, *, title, footer, pagesize=A4):
    buffer = io.BytesIO()
    regular, _bold = fonts()

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.setFillColor(colors.HexColor("#4a5563"))
        canvas.drawString(MARGIN + 6, 9 * mm, footer)
        page = _("Page %(number)s") % {"number": doc.page}
        canvas.drawRightString(pagesize[0] - MARGIN - 6, 9 * mm, page)
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        author=organisation_name(),
        creator="Réemploi",
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def response(content, filename):
    """The PDF as a page's answer, opened in the browser (its viewer prints it)."""
    answer = HttpResponse(content, content_type="application/pdf")
    answer["Content-Disposition"] = f'inline; filename="{filename}"'
    return answer

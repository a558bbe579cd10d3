"""What every Réemploi PDF shares: fonts that cover every name, paragraph styles, tables
of facts, a QR code with its quiet zone, and A4 pages with a footer. Documents are drawn
in the language active when they are rendered."""

import io
import re
import unicodedata
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import formats, timezone, translation
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
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle
from reportlab.platypus import Table as _Table

from inventory.models import organisation_name

# The QR code, quiet zone included. 4 blank modules around it is what the QR standard
# asks for; at 35 mm a version-3 code has modules of about 0.85 mm: any phone reads it.
QR_SIZE = 35 * mm
QR_QUIET_MODULES = 4
CAPTION_WIDTH = 62 * mm
MARGIN = 16 * mm
LINE = colors.HexColor("#c5ccd3")
SHADE = colors.HexColor("#eef1f4")

# DejaVu Sans (free, see fonts/LICENSE) covers every Latin, Greek and Cyrillic name, where
# reportlab's built-in Helvetica has only Western European letters and is never embedded:
# a printer or viewer without it substitutes another font, with other widths. Shipped with
# the code, so that every PDF embeds the same font whatever the server has installed.
FONT_FOLDER = Path(__file__).resolve().parent / "fonts"
CREATOR = "Réemploi"
# The document language of a PDF drawn in each interface language (PDF/UA wants a region).
LANGUAGE_TAGS = {"fr": "fr-FR", "en": "en-GB"}


@cache
def fonts():
    """(regular, bold): the names of the embedded fonts, registered once per process."""
    pdfmetrics.registerFont(TTFont("Reemploi", str(FONT_FOLDER / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("Reemploi-Bold", str(FONT_FOLDER / "DejaVuSans-Bold.ttf")))
    return "Reemploi", "Reemploi-Bold"


def document_language():
    language = translation.get_language() or "fr"
    return LANGUAGE_TAGS.get(language.split("-")[0], language)


def metadata(*, title, subject):
    """What a PDF says about itself (File > Properties in a viewer, the tab's title, what
    a screen reader announces): one place, so that every document says it the same way."""
    return {
        "title": title,
        "author": organisation_name(),
        "subject": subject,
        "creator": CREATOR,
        "lang": document_language(),
    }


def canvas(buffer, *, title, subject, **options):
    """A reportlab Canvas with the documents' metadata, for PDFs drawn without platypus."""
    info = metadata(title=title, subject=subject)
    # The embedded font from the first page on: reportlab's default initial font is
    # Helvetica, which every page would then reference without embedding it.
    drawn = Canvas(buffer, lang=info["lang"], initialFontName=fonts()[0], **options)
    drawn.setTitle(info["title"])
    drawn.setAuthor(info["author"])
    drawn.setSubject(info["subject"])
    drawn.setCreator(info["creator"])
    return drawn


class Table(_Table):
    """A platypus Table whose cells start in the embedded font: reportlab sets each
    cell's font (Helvetica by default) even when the cell holds a Paragraph, so the PDF
    would name a font it does not embed. A style given later may still change it."""

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.setStyle([("FONTNAME", (0, 0), (-1, -1), fonts()[0])])


def download_name(*parts):
    """`parts` joined by dashes as an ASCII file name ending in .pdf: accents dropped and
    anything else replaced, so that every browser and file system keeps the name whole
    (download_name("reçu", "R-2026-00012") == "recu-R-2026-00012.pdf")."""
    words = []
    for part in parts:
        ascii_part = unicodedata.normalize("NFKD", str(part)).encode("ascii", "ignore").decode()
        words.append(re.sub(r"[^A-Za-z0-9._]+", "-", ascii_part).strip("-._"))
    return "-".join(word for word in words if word) + ".pdf"


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
    # reportlab's graphics start from Helvetica unless told otherwise (see Table below).
    drawing = Drawing(QR_SIZE, QR_SIZE, hAlign="RIGHT", initialFontName=fonts()[0])
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


def _heading(heading):
    """A column heading in bold; one already drawn (a Paragraph) is kept as it is."""
    return heading if isinstance(heading, Paragraph) else text(heading, "bold")


def listing(headings, rows, fractions, width, style=()):
    """A table of items (devices, sale lines) under a shaded header row that repeats on
    each page; `fractions` of `width` per column, `style` any extra TableStyle commands."""
    data = [[_heading(heading) for heading in headings], *rows]
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


def render(story, *, title, subject, footer, pagesize=A4):
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
        initialFontName=regular,
        **metadata(title=title, subject=subject),
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def response(content, filename):
    """The PDF as a page's answer, opened in the browser (its viewer prints it), saved
    under `filename` (made with download_name)."""
    answer = HttpResponse(content, content_type="application/pdf")
    answer["Content-Disposition"] = f'inline; filename="{filename}"'
    return answer

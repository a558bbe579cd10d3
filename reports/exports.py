"""A report as files: the whole page as a PDF (charts drawn with reportlab), and each of
its tables as a CSV, XLSX or ODS file (spreadsheets.exporting.write_table writes one
table a file)."""

from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import formats
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Spacer

from inventory import pdf
from reports import charts
from reports.formatting import display
from spreadsheets.exporting import CONTENT_TYPES, write_table


def period_text(period):
    return _("%(start)s to %(end)s") % {
        "start": formats.date_format(period.start, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(period.end, "SHORT_DATE_FORMAT"),
    }


def _fact(fact):
    label, value, notes = fact
    if notes:
        value = f"{value} ({', '.join(str(n) for n in notes)})"
    return [label, value]


def _pdf_rows(table, column_width):
    """The shown rows: a paragraph (which wraps) only for a text wider than its column,
    plain strings otherwise. A paragraph per cell was most of a long table's drawing."""
    regular, _bold = pdf.fonts()
    room = column_width - 2 * CELL_PADDING

    def cell(column, value):
        shown = display(value)
        if column in table.number_columns or stringWidth(shown, regular, FONT_SIZE) <= room:
            return shown
        return pdf.text(shown)

    return [[cell(column, value) for column, value in enumerate(row)] for row in table.shown_rows]


# reportlab's Table pads each cell by 6 points left and right; the rows' type size is the
# PDF's base style (inventory.pdf.styles).
CELL_PADDING = 6
FONT_SIZE = 9


def _headings(table):
    """Headings in bold, those of number columns on the right like their numbers."""
    right = ParagraphStyle("bold-right", pdf.styles()["bold"], alignment=TA_RIGHT)
    return [
        Paragraph(escape(str(heading)), right) if column in table.number_columns else heading
        for column, heading in enumerate(table.headers)
    ]


def _number_style(table):
    regular, _bold = pdf.fonts()
    style = [
        ("FONTNAME", (0, 1), (-1, -1), regular),
        ("FONTSIZE", (0, 1), (-1, -1), FONT_SIZE),
    ]
    style += [("ALIGN", (column, 0), (column, -1), "RIGHT") for column in table.number_columns]
    return style


def report_pdf(sections, filters, *, title=None, about=()):
    """The PDF bytes of the report: every section's charts then its tables.

    `filters` has the period and the site, programme and funder chosen (objects or
    names); a closed report gives its `title` and lines `about` it (number, who closed
    it, factor version), said under the heading.
    """
    width = pdf.content_width(A4)
    story = [
        pdf.text(title or _("Report"), "title"),
        *[pdf.text(line, "label") for line in about],
        pdf.text(period_text(filters.period), "label"),
    ]
    for name, value in (
        (_("Site"), filters.site),
        (_("Programme"), filters.programme),
        (_("Funder"), filters.funder),
    ):
        if value is not None:
            story.append(pdf.text(f"{name} : {value}", "label"))
    for section in sections:
        story.append(pdf.text(section.title, "h2"))
        if section.facts:
            story.append(
                pdf.facts([_fact(fact) for fact in section.facts], [width * 0.6, width * 0.4])
            )
            story.append(Spacer(1, 6))
        for chart in section.charts:
            if not chart.is_empty:
                story.extend([charts.drawing(chart, width=width), Spacer(1, 6)])
        for table in section.tables:
            story.append(pdf.text(table.title, "bold"))
            if not table.rows:
                story.append(pdf.text(_("Nothing in this period."), "small"))
                continue
            fractions = [1 / len(table.headers)] * len(table.headers)
            rows = _pdf_rows(table, width * fractions[0])
            listing = pdf.listing(_headings(table), rows, fractions, width, _number_style(table))
            story.extend([listing, Spacer(1, 6)])
            if table.more_rows:
                story.append(pdf.text(table.more_text, "small"))
        for note in section.notes:
            story.append(pdf.text(note, "small"))
        for number, text, url in section.sources:
            story.append(pdf.text(f"{number}. {text} {url}".strip(), "small"))
    title = title or _("Report %(period)s") % {"period": period_text(filters.period)}
    return pdf.render(
        story,
        title=title,
        subject=_("Impact and activity figures"),
        footer=title,
    )


def pdf_response(sections, filters):
    name = pdf.download_name("rapport", filters.period.start, filters.period.end)
    return pdf.response(report_pdf(sections, filters), name)


def table_response(table, fmt, filters):
    """`table` as a file in `fmt` (csv, xlsx, ods), downloaded. `filters` has the
    period (the file's name says it)."""
    content = write_table(
        fmt,
        table.headers,
        table.rows,
        title=table.title,
        number_columns=table.number_columns,
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    stem = pdf.download_name(table.slug, filters.period.start, filters.period.end)
    filename = stem.removesuffix(".pdf") + f".{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response

"""Erasure certificates and donation erasure summaries as PDF documents.

Vector A4 pages drawn by reportlab (text stays text, the QR code stays sharp at any
print size), in the language active when they are rendered. Nothing is stored: the
PDF is drawn again from the records each time it is asked for.
"""

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from .erasure import PASSED, PENDING, drive_states

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
def _fonts():
    for folder in _FONT_FOLDERS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("Reemploi", str(regular)))
            pdfmetrics.registerFont(TTFont("Reemploi-Bold", str(bold)))
            return "Reemploi", "Reemploi-Bold"
    return "Helvetica", "Helvetica-Bold"


@cache
def _styles():
    regular, bold = _fonts()
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


def verification_url(number):
    """The public address that confirms certificate `number` (encoded in its QR code)."""
    path = reverse("erasure:verify_certificate", args=[number])
    # SITE_URL already holds any prefix the site is served under.
    return f"{settings.SITE_URL}/{path.removeprefix(get_script_prefix())}"


def _content_width(pagesize):
    # reportlab's page frame keeps 6 points of padding on each side.
    return pagesize[0] - 2 * MARGIN - 12


def _p(text, style="base"):
    return Paragraph(escape(str(text)) if text not in (None, "") else "—", _styles()[style])


def _when(moment, fmt="SHORT_DATETIME_FORMAT"):
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment), fmt)


def _person(user):
    return user.get_full_name() or user.get_username()


def _qr_code(value):
    widget = QrCodeWidget(value, barLevel="M", barBorder=QR_QUIET_MODULES)
    widget.barWidth = widget.barHeight = QR_SIZE
    drawing = Drawing(QR_SIZE, QR_SIZE, hAlign="RIGHT")
    drawing.add(widget)
    return drawing


def _facts(rows, widths):
    """A table of label / value pairs, several pairs a row."""
    data = [[_p(cell, "label" if i % 2 == 0 else "base") for i, cell in enumerate(r)] for r in rows]
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


def _render(story, *, title, footer, pagesize=A4):
    buffer = io.BytesIO()
    regular, _bold = _fonts()

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
        author=settings.ORGANISATION_NAME,
        creator="Réemploi",
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


# The certificate of one device ---------------------------------------------------------


def certificate_pdf(certificate):
    """The erasure certificate of one device, with a QR code to its public check."""
    device = certificate.device
    erasures = list(
        certificate.erasures.select_related("drive", "operator", "log").order_by(
            "drive_id", "performed_at"
        )
    )
    url = verification_url(certificate.number)
    width = _content_width(A4)
    story = [
        _header(certificate, url, width),
        Spacer(1, 4 * mm),
        _p(_("Device"), "h2"),
        _facts(
            [
                [_("Asset tag"), device.asset_tag, _("Serial number"), device.serial_number],
                [
                    _("Make and model"),
                    f"{device.manufacturer} {device.model}".strip(),
                    _("Category"),
                    device.get_category_display(),
                ],
            ],
            [0.2 * width, 0.3 * width, 0.2 * width, 0.3 * width],
        ),
    ]
    for index, erasure in enumerate(erasures, start=1):
        story.append(KeepTogether(_erasure_block(index, erasure, width)))
    story += [Spacer(1, 5 * mm), _statement(certificate), Spacer(1, 4 * mm)]
    story.append(KeepTogether(_signature(certificate, width)))
    title = _("Data erasure certificate %(number)s") % {"number": certificate.number}
    footer = f"{settings.ORGANISATION_NAME} · {certificate.number} · {url}"
    return _render(story, title=title, footer=footer)


def _header(certificate, url, width):
    left = [
        _p(settings.ORGANISATION_NAME, "org"),
        Spacer(1, 3 * mm),
        _p(_("Data erasure certificate"), "title"),
        Spacer(1, 2 * mm),
        _p(_("Certificate number: %(number)s") % {"number": certificate.number}, "bold"),
        _p(_("Issued on %(date)s") % {"date": _when(certificate.issued_at, "DATE_FORMAT")}),
    ]
    right = [_qr_code(url), _p(_("Check this certificate:"), "caption"), _p(url, "caption")]
    table = Table([[left, right]], colWidths=[width - CAPTION_WIDTH, CAPTION_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _erasure_block(index, erasure, width):
    drive = erasure.drive
    capacity = _("%(size)s GB") % {"size": drive.capacity_gb} if drive.capacity_gb else ""
    tool = " ".join(p for p in (erasure.get_tool_display(), erasure.tool_version) if p)
    verification = erasure.get_verification_display()
    if erasure.verification != erasure.Verification.NONE:
        outcome = {True: _("passed"), False: _("failed"), None: _("result not recorded")}
        verification = f"{verification} · {outcome[erasure.verification_passed]}"
    heading = _("Drive %(number)s: %(serial)s") % {
        "number": index,
        "serial": drive.serial_number or _("no serial number"),
    }
    rows = [
        [_("Serial number"), drive.serial_number, _("Model"), drive.model],
        [_("Type"), drive.get_kind_display(), _("Capacity"), capacity],
        [_("Standard"), erasure.get_standard_display(), _("Level"), erasure.get_level_display()],
        [_("Technique"), erasure.get_method_display(), _("Tool"), tool],
        [_("Passes"), erasure.passes, _("Pattern"), erasure.pattern],
        [_("Verification"), verification, _("Outcome"), erasure.get_result_display()],
        [_("Started at"), _when(erasure.started_at), _("Finished at"), _when(erasure.performed_at)],
        [_("Operator"), _person(erasure.operator), _("Raw log"), _log_text(erasure.log)],
    ]
    widths = [0.2 * width, 0.3 * width, 0.2 * width, 0.3 * width]
    return [_p(heading, "h2"), _facts(rows, widths)]


def _log_text(log):
    if log is None:
        return ""
    return f"{log.original_name} (SHA-256 {log.sha256[:16]}…)"


def _statement(certificate):
    return _p(
        _(
            "%(organisation)s certifies that the data held on each drive listed above was "
            "erased as described, with the outcome shown, and that the device %(tag)s "
            "left no drive unerased."
        )
        % {"organisation": settings.ORGANISATION_NAME, "tag": certificate.device.asset_tag}
    )


def _signature(certificate, width):
    left = [
        _p(_("Issued by"), "label"),
        _p(_person(certificate.issued_by), "bold"),
        _p(_("On %(date)s") % {"date": _when(certificate.issued_at, "DATE_FORMAT")}),
    ]
    right = [_p(_("Signature and stamp"), "label")]
    table = Table([[left, right]], colWidths=[width / 2, width / 2], rowHeights=[30 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 0), (1, 0), 0.6, LINE),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
            ]
        )
    )
    return [HRFlowable(width="100%", thickness=0.6, color=LINE), Spacer(1, 3 * mm), table]


# The summary of a donation -------------------------------------------------------------


def donation_summary_pdf(donation, devices):
    """One line per device of `donation`: its drives' erasure state and its certificates.

    `devices` must come with `drives__erasures` and `erasure_certificates` prefetched.
    """
    pagesize = landscape(A4)
    width = _content_width(pagesize)
    now = timezone.now()
    story = [
        _p(settings.ORGANISATION_NAME, "org"),
        Spacer(1, 2 * mm),
        _p(_("Data erasure summary"), "title"),
        Spacer(1, 2 * mm),
        _p(str(donation), "bold"),
        _p(
            _("Received on %(date)s at %(site)s · %(count)s devices · drawn up on %(today)s")
            % {
                "date": formats.date_format(donation.received_on, "DATE_FORMAT"),
                "site": donation.site,
                "count": len(devices),
                "today": _when(now, "DATE_FORMAT"),
            }
        ),
        Spacer(1, 4 * mm),
        _summary_table(devices, width),
        Spacer(1, 4 * mm),
        _p(
            _(
                "“Pending”: no erasure recorded yet since the device was received or last "
                "came back. Each certificate number can be checked on %(site)s."
            )
            % {"site": settings.SITE_URL},
            "small",
        ),
    ]
    title = _("Data erasure summary: %(donation)s") % {"donation": donation}
    footer = f"{settings.ORGANISATION_NAME} · {donation}"
    return _render(story, title=title, footer=footer, pagesize=pagesize)


def _summary_table(devices, width):
    header = [
        _p(_("Asset tag"), "bold"),
        _p(_("Serial number"), "bold"),
        _p(_("Make and model"), "bold"),
        _p(_("Drives and erasure"), "bold"),
        _p(_("Certificates"), "bold"),
    ]
    rows = [header]
    for device in devices:
        certificates = ", ".join(c.number for c in device.erasure_certificates.all())
        rows.append(
            [
                _p(device.asset_tag),
                _p(device.serial_number),
                _p(_make_model(device)),
                _drive_lines(device),
                _p(certificates),
            ]
        )
    widths = [0.12 * width, 0.16 * width, 0.2 * width, 0.36 * width, 0.16 * width]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, LINE),
            ]
        )
    )
    return table


def _drive_lines(device):
    states = drive_states(device)
    if not states:
        return _p(_("No storage"))
    labels = {PASSED: _("Passed"), PENDING: _("Pending")}
    lines = []
    for state in states:
        text = f"{state.drive.serial_number or _('no serial number')}: "
        text += labels.get(state.state, _("Failed"))
        if state.erasure is not None:
            text += f" · {state.erasure.get_method_display()} · "
            text += _when(state.erasure.performed_at, "SHORT_DATE_FORMAT")
        lines.append(_p(text))
    return lines


def _make_model(device):
    return f"{device.manufacturer} {device.model}".strip() or device.get_category_display()

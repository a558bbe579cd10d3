"""Erasure certificates and donation erasure summaries as PDF documents.

Vector A4 pages drawn by reportlab (text stays text, the QR code stays sharp at any
print size), in the language active when they are rendered. Nothing is stored: the
PDF is drawn again from the records each time it is asked for.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Spacer,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from inventory import pdf
from inventory.erasure import rules
from inventory.erasure.services import PASSED, PENDING, certificate_blockers, drive_states
from inventory.models import ErasureCertificate, Organisation, organisation_name
from inventory.models.organisation import CONFIDENTIALITY_LEVELS


def verification_url(number):
    """The public address that confirms certificate `number` (encoded in its QR code)."""
    path = reverse("public:verify_certificate", args=[number])
    # SITE_URL already holds any prefix the site is served under.
    return f"{settings.SITE_URL}/{path.removeprefix(get_script_prefix())}"


# The certificate of one device ---------------------------------------------------------


def certificate_pdf(certificate):
    """The erasure certificate of one device, with a QR code to its public check.

    It carries the elements of the sample certificate of NIST SP 800-88 Rev. 1
    (appendix G): the media (make and model, serial number, type, source), the
    confidentiality of the data before, the sanitization (level, technique, tool and
    version, verification), the destination after, the person who performed it (name,
    title, date, location, contact) and the person who validated it (name, title, date).
    """
    device = certificate.device
    organisation = Organisation.current()
    erasures = list(
        certificate.erasures.select_related("drive", "operator", "log", "validated_by").order_by(
            "drive_id", "performed_at"
        )
    )
    url = verification_url(certificate.number)
    width = pdf.content_width(A4)
    quarters = [0.2 * width, 0.3 * width, 0.2 * width, 0.3 * width]
    story = [
        _header(certificate, url, width),
        Spacer(1, 4 * mm),
        pdf.text(_("Device"), "h2"),
        pdf.facts(
            [
                [_("Asset tag"), device.asset_tag, _("Serial number"), device.serial_number],
                [
                    _("Make and model"),
                    device.make_and_model,
                    _("Category"),
                    device.get_category_display(),
                ],
                [
                    _("Media source"),
                    _media_source(device),
                    _("Location"),
                    _location(device),
                ],
                [
                    _("Confidentiality before erasure"),
                    _confidentiality(certificate),
                    _("Destination after erasure"),
                    certificate.get_destination_display(),
                ],
            ],
            quarters,
        ),
    ]
    for index, erasure in enumerate(erasures, start=1):
        story.append(KeepTogether(_erasure_block(index, erasure, width, organisation)))
    exceptions = rules.stated_exceptions(erasures)
    exceptions += [e.exception for e in erasures if e.exception.strip()]
    if exceptions:
        story += [Spacer(1, 3 * mm), pdf.text(_("Stated exceptions"), "h2")]
        story += [pdf.text(text, "small") for text in dict.fromkeys(exceptions)]
    story += [Spacer(1, 5 * mm), _statement(certificate), Spacer(1, 2 * mm)]
    story.append(pdf.text(_contact(organisation), "small"))
    story.append(Spacer(1, 4 * mm))
    story.append(KeepTogether(_signature(certificate, width)))
    title = _("Data erasure certificate %(number)s") % {"number": certificate.number}
    footer = f"{organisation_name()} · {certificate.number} · {url}"
    subject = _("Certificate of the erasure of the data of the device %(tag)s") % {
        "tag": certificate.device.asset_tag
    }
    return pdf.render(story, title=title, subject=subject, footer=footer)


def _media_source(device):
    donation = device.donation
    if donation is None:
        return ""
    return _("%(donor)s, donation received on %(date)s") % {
        "donor": donation.donor.name,
        "date": formats.date_format(donation.received_on, "SHORT_DATE_FORMAT"),
    }


def _location(device):
    site = device.site
    if site is None:
        return ""
    return ", ".join(part for part in (site.name, " ".join(site.address.split())) if part)


def _confidentiality(certificate):
    return dict(CONFIDENTIALITY_LEVELS).get(certificate.confidentiality, "")


def _contact(organisation):
    parts = [organisation.name]
    if organisation.phone:
        parts.append(_("phone %(phone)s") % {"phone": organisation.phone})
    if organisation.email:
        parts.append(organisation.email)
    return _("Contact for this certificate: %(contact)s.") % {"contact": " · ".join(parts)}


def _header(certificate, url, width):
    left = [
        pdf.text(organisation_name(), "org"),
        Spacer(1, 3 * mm),
        pdf.text(_("Data erasure certificate"), "title"),
        Spacer(1, 2 * mm),
        pdf.text(_("Certificate number: %(number)s") % {"number": certificate.number}, "bold"),
        pdf.text(
            _("Issued on %(date)s") % {"date": pdf.when(certificate.issued_at, "DATE_FORMAT")}
        ),
    ]
    right = [
        pdf.qr_code(url),
        pdf.text(_("Check this certificate:"), "caption"),
        pdf.text(url, "caption"),
    ]
    table = pdf.Table([[left, right]], colWidths=[width - pdf.CAPTION_WIDTH, pdf.CAPTION_WIDTH])
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


def _erasure_block(index, erasure, width, organisation):
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
    operator = _with_title(
        pdf.person(erasure.operator),
        erasure.operator_title or organisation.erasure_operator_title,
    )
    validator = ""
    if erasure.validated_by is not None:
        validator = _with_title(pdf.person(erasure.validated_by), erasure.validator_title)
        validator += " · " + pdf.when(erasure.validated_at)
    passes = " · ".join(str(p) for p in (erasure.passes, erasure.pattern) if p)
    rows = [
        [_("Serial number"), drive.serial_number, _("Make and model"), drive.model],
        [_("Media type"), drive.get_kind_display(), _("Capacity"), capacity],
        [_("Standard"), erasure.get_standard_display(), _("Level"), erasure.get_level_display()],
        [_("Technique"), erasure.get_method_display(), _("Tool and version"), tool],
        [_("Passes and pattern"), passes, _("Raw log"), _log_text(erasure.log)],
        [_("Verification"), verification, _("Outcome"), erasure.get_result_display()],
        [
            _("Started at"),
            pdf.when(erasure.started_at),
            _("Finished at"),
            pdf.when(erasure.performed_at),
        ],
        [_("Performed by"), operator, _("Validated by"), validator],
    ]
    widths = [0.2 * width, 0.3 * width, 0.2 * width, 0.3 * width]
    return [pdf.text(heading, "h2"), pdf.facts(rows, widths)]


def _with_title(name, title):
    return f"{name}, {title}" if title else name


def _log_text(log):
    if log is None:
        return ""
    return f"{log.original_name} (SHA-256 {log.sha256[:16]}…)"


def _statement(certificate):
    return pdf.text(
        _(
            "%(organisation)s certifies that the data held on each drive listed above was "
            "erased as described, with the outcome shown, and that the device %(tag)s "
            "left no drive unerased."
        )
        % {"organisation": organisation_name(), "tag": certificate.device.asset_tag}
    )


def _signature(certificate, width):
    left = [
        pdf.text(_("Issued by"), "label"),
        pdf.text(pdf.person(certificate.issued_by), "bold"),
        pdf.text(_("On %(date)s") % {"date": pdf.when(certificate.issued_at, "DATE_FORMAT")}),
    ]
    right = [pdf.text(_("Signature and stamp"), "label")]
    table = pdf.Table([[left, right]], colWidths=[width / 2, width / 2], rowHeights=[30 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 0), (1, 0), 0.6, pdf.LINE),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
            ]
        )
    )
    return [HRFlowable(width="100%", thickness=0.6, color=pdf.LINE), Spacer(1, 3 * mm), table]


# The summary of a donation -------------------------------------------------------------


def summary_devices(donation):
    """The devices of `donation` as donation_summary_pdf needs them (one query each for
    the devices, their drives, erasures and certificates)."""
    return list(
        donation.devices.order_by("asset_tag").prefetch_related(
            "drives__erasures",
            Prefetch(
                "erasure_certificates",
                queryset=ErasureCertificate.objects.order_by("issued_at", "pk"),
            ),
        )
    )


def donation_summary_pdf(donation, devices):
    """One line per device of `donation`: its drives' erasure state and its certificates.

    `devices` must come with `drives__erasures` and `erasure_certificates` prefetched.
    """
    pagesize = landscape(A4)
    width = pdf.content_width(pagesize)
    now = timezone.now()
    story = [
        pdf.text(organisation_name(), "org"),
        Spacer(1, 2 * mm),
        pdf.text(_("Data erasure summary"), "title"),
        Spacer(1, 2 * mm),
        pdf.text(str(donation), "bold"),
        pdf.text(
            _("Received on %(date)s at %(site)s · %(count)s devices · drawn up on %(today)s")
            % {
                "date": formats.date_format(donation.received_on, "DATE_FORMAT"),
                "site": donation.site,
                "count": len(devices),
                "today": pdf.when(now, "DATE_FORMAT"),
            }
        ),
        Spacer(1, 4 * mm),
        _summary_table(devices, width),
        Spacer(1, 4 * mm),
        pdf.text(
            _(
                "“Pending”: no erasure recorded yet since the device was received or last "
                "came back. Each certificate number can be checked on %(site)s."
            )
            % {"site": settings.SITE_URL},
            "small",
        ),
    ]
    title = _("Data erasure summary: %(donation)s") % {"donation": donation}
    footer = f"{organisation_name()} · {donation}"
    subject = _("How the data of each donated device was erased")
    return pdf.render(story, title=title, subject=subject, footer=footer, pagesize=pagesize)


def _summary_table(devices, width):
    headings = [
        _("Asset tag"),
        _("Serial number"),
        _("Make and model"),
        _("Drives and erasure"),
        _("Certificates"),
    ]
    rows = [
        [
            pdf.text(device.asset_tag),
            pdf.text(device.serial_number),
            pdf.text(_make_model(device)),
            _drive_lines(device),
            _certificate_cell(device),
        ]
        for device in devices
    ]
    return pdf.listing(headings, rows, [0.1, 0.13, 0.17, 0.32, 0.28], width)


def _certificate_cell(device):
    """The device's certificate numbers, or the precise reason it has none yet."""
    numbers = [c.number for c in device.erasure_certificates.all()]
    if numbers:
        return pdf.text(", ".join(numbers))
    if not device.drives.all():
        return pdf.text(_("No storage recorded: no data to erase, no certificate."), "small")
    reasons = certificate_blockers(device)
    if not reasons:
        return pdf.text(_("Not issued yet: every condition is met, it can be issued."), "small")
    return pdf.text(_("Not issued yet.") + " " + " ".join(reasons), "small")


def _drive_lines(device):
    states = drive_states(device)
    if not states:
        return pdf.text(_("No storage"))
    labels = {PASSED: _("Passed"), PENDING: _("Pending")}
    lines = []
    for state in states:
        text = f"{state.drive.serial_number or _('no serial number')}: "
        text += labels.get(state.state, _("Failed"))
        if state.erasure is not None:
            text += f" · {state.erasure.get_method_display()} · "
            text += pdf.when(state.erasure.performed_at, "SHORT_DATE_FORMAT")
        lines.append(pdf.text(text))
    return lines


def _make_model(device):
    return device.make_and_model or device.get_category_display()

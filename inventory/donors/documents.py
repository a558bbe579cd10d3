"""Donor paperwork: the donation attestation (a PDF, re-issued at will), the erasure
summary sent to the donor's contact as a download link that needs no login, and what a
company's tax receipt (CERFA 11580) needs: the nature of the gift and its valuation.

Documents are drawn from the current records each time (nothing is stored) in the
language active when they are rendered, like inventory.erasure.certificates. What was issued
or sent, by whom and when, is a comment in the donation's history, written in the
interface's language (settings.LANGUAGE_CODE) so that everyone reads the same history.
"""

import datetime
import logging
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, TableStyle

from accounts.refusals import Refused, require
from inventory import pdf
from inventory.models import Comment, Donation, Donor, Organisation

logger = logging.getLogger(__name__)

# Signs the erasure summary's download links; a token signed for anything else (with
# another salt) is refused.
SUMMARY_LINK_SALT = "inventory.donors.documents.erasure-summary"
BLANK = "…………………………"


class DonorDocumentError(Refused):
    """A document cannot be issued or sent; the message says why."""


def _note(donation, by, body):
    return Comment.objects.create(subject=donation, author=by, body=body)


# The attestation -----------------------------------------------------------------------


@dataclass
class Totals:
    count: int
    weight_kg: Decimal
    unweighed: int


def attestation_devices(donation):
    """Every device of `donation`, as the attestation lists them."""
    return list(donation.devices.order_by("asset_tag", "pk"))


def totals_of(devices):
    """How many devices, their known weight, and how many have no weight recorded."""
    weights = [d.weight_kg for d in devices if d.weight_kg is not None]
    return Totals(len(devices), sum(weights, Decimal(0)), len(devices) - len(weights))


def issue_attestation(*, donation, by):
    """Record in `donation`'s history that `by` issues its attestation now, and return
    the PDF (bytes), drawn from the current list of its devices."""
    require(by, "inventory.view_donation")
    devices = attestation_devices(donation)
    if not devices:
        raise DonorDocumentError(
            _("This donation has no device yet: register its devices, then issue the attestation.")
        )
    # A PDF that fails to draw leaves no "issued" entry behind.
    with transaction.atomic():
        with translation.override(settings.LANGUAGE_CODE):
            body = ngettext(
                "Attestation issued (%(count)s device)",
                "Attestation issued (%(count)s devices)",
                len(devices),
            ) % {"count": len(devices)}
        comment = _note(donation, by, body)
        return attestation_pdf(donation, devices, issued_at=comment.created_at, issued_by=by)


def attestation_pdf(donation, devices, *, issued_at, issued_by):
    """The attestation (attestation de don) of `donation` listing `devices`."""
    organisation = Organisation.current()
    width = pdf.content_width(A4)
    pairs = [0.17 * width, 0.33 * width, 0.17 * width, 0.33 * width]
    totals = totals_of(devices)
    title = _("Donation attestation #%(number)s") % {"number": donation.pk}
    story = [
        *_organisation_block(organisation),
        Spacer(1, 4 * mm),
        pdf.text(_("Donation attestation"), "title"),
        pdf.text(
            _("Donation #%(number)s · issued on %(date)s")
            % {"number": donation.pk, "date": pdf.when(issued_at, "DATE_FORMAT")},
            "bold",
        ),
        pdf.text(_("The donor"), "h2"),
        pdf.facts(_donor_rows(donation.donor), pairs),
        pdf.text(_("The donation"), "h2"),
        pdf.facts(_donation_rows(donation), pairs),
        pdf.text(_("Goods received"), "h2"),
        _devices_table(devices, width),
        Spacer(1, 2 * mm),
        pdf.text(_totals_text(totals), "bold"),
        Spacer(1, 4 * mm),
        pdf.text(
            _(
                "%(organisation)s certifies that it received from %(donor)s, free of charge "
                "and without anything given in return, the goods listed above."
            )
            % {"organisation": organisation.name, "donor": donation.donor.name}
        ),
        Spacer(1, 6 * mm),
        KeepTogether(_signature(organisation, issued_at, issued_by, width)),
    ]
    footer = " · ".join(p for p in (organisation.name, title, _siret(organisation)) if p)
    subject = _("Attestation of a donation of equipment, for the donor")
    return pdf.render(story, title=title, subject=subject, footer=footer)


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _siret(organisation):
    return _("SIRET %(siret)s") % {"siret": organisation.siret} if organisation.siret else ""


def _organisation_block(organisation):
    story = [pdf.text(organisation.name, "org")]
    story += [pdf.text(line) for line in _lines(organisation.address)]
    if organisation.siret:
        story.append(pdf.text(_siret(organisation)))
    return story


def _donor_rows(donor):
    address = ", ".join(_lines(donor.address))
    rows = [[_("Name"), donor.name, _("Kind"), donor.get_kind_display()]]
    if donor.kind == Donor.Kind.COMPANY:
        reachable = " · ".join(p for p in (donor.email, donor.phone) if p)
        rows.append([_("SIREN"), donor.siren, _("Address"), address])
        rows.append([_("Contact person"), donor.contact_name, _("E-mail and phone"), reachable])
    else:
        rows.append([_("Address"), address, _("Contact person"), donor.contact_name])
        rows.append([_("E-mail"), donor.email, _("Phone"), donor.phone])
    return rows


def _donation_rows(donation):
    return [
        [
            _("Number"),
            f"#{donation.pk}",
            _("Received on"),
            formats.date_format(donation.received_on, "DATE_FORMAT"),
        ],
        [_("Site"), donation.site.name, _("Donor's reference"), donation.reference],
    ]


def kilograms(value):
    """A weight as people write it: 2,5 kg, not 2.50."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return _("%(weight)s kg") % {"weight": formats.number_format(Decimal(text), use_l10n=True)}


def _devices_table(devices, width):
    headings = [
        _("No."),
        _("Category"),
        _("Make and model"),
        _("Serial number"),
        _("Asset tag"),
        _("Weight"),
    ]
    rows = [
        [
            pdf.text(number),
            pdf.text(device.get_category_display()),
            pdf.text(device.make_and_model),
            pdf.text(device.serial_number),
            pdf.text(device.asset_tag),
            pdf.text(kilograms(device.weight_kg) if device.weight_kg is not None else ""),
        ]
        for number, device in enumerate(devices, start=1)
    ]
    return pdf.listing(headings, rows, [0.06, 0.15, 0.3, 0.22, 0.15, 0.12], width)


def _totals_text(totals):
    text = ngettext(
        "Total: %(count)s device, %(weight)s",
        "Total: %(count)s devices, %(weight)s",
        totals.count,
    ) % {"count": totals.count, "weight": kilograms(totals.weight_kg)}
    if totals.unweighed:
        text += " " + ngettext(
            "(%(count)s device has no recorded weight and is not in the total weight).",
            "(%(count)s devices have no recorded weight and are not in the total weight).",
            totals.unweighed,
        ) % {"count": totals.unweighed}
    return text


def place_of(organisation):
    """The town of the organisation's address ("75011 Paris" → "Paris"), or ""."""
    lines = _lines(organisation.address)
    match = re.fullmatch(r"\d{5}\s+(.+)", lines[-1]) if lines else None
    return match.group(1) if match else ""


def _signature(organisation, issued_at, issued_by, width):
    done = _("Done at %(place)s, on %(date)s.") % {
        "place": place_of(organisation) or BLANK,
        "date": pdf.when(issued_at, "DATE_FORMAT"),
    }
    left = [
        pdf.text(_("For %(organisation)s") % {"organisation": organisation.name}, "label"),
        pdf.text(_("Issued by %(person)s") % {"person": pdf.person(issued_by)}, "bold"),
        pdf.text(_("Name and role: %(blank)s") % {"blank": BLANK}),
    ]
    right = [pdf.text(_("Signature and stamp"), "label")]
    table = pdf.Table([[left, right]], colWidths=[width / 2, width / 2], rowHeights=[32 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 0), (1, 0), 0.6, pdf.LINE),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
            ]
        )
    )
    return [pdf.text(done), Spacer(1, 3 * mm), table]


# The erasure summary, sent to the donor ------------------------------------------------


def summary_link(donation):
    """The address that downloads `donation`'s erasure summary without login, for
    settings.DONOR_LINK_DAYS days."""
    token = signing.dumps({"donation": donation.pk}, salt=SUMMARY_LINK_SALT)
    path = reverse("donor_documents:shared_erasure_summary", args=[token])
    # SITE_URL already holds any prefix the site is served under.
    return f"{settings.SITE_URL}/{path.removeprefix(get_script_prefix())}"


def donation_of_link(token):
    """The donation a summary link was made for, or None for an unknown donation.

    Raises signing.SignatureExpired for a link older than settings.DONOR_LINK_DAYS and
    signing.BadSignature for one that was not made here (tampered, truncated).
    """
    max_age = datetime.timedelta(days=settings.DONOR_LINK_DAYS)
    payload = signing.loads(token, salt=SUMMARY_LINK_SALT, max_age=max_age)
    if not isinstance(payload, dict) or not isinstance(payload.get("donation"), int):
        raise signing.BadSignature("Unexpected payload")
    return Donation.objects.select_related("donor", "site").filter(pk=payload["donation"]).first()


def send_erasure_summary(*, donation, by):
    """E-mail the donor's contact a link to `donation`'s erasure summary; record it in
    the donation's history. Returns the history comment.

    Sent at once rather than by a task: the person who clicks learns whether it left.
    A refused or failed send records nothing.
    """
    require(by, "inventory.change_donation", "inventory.view_erasure")
    donor = donation.donor
    address = donor.email.strip()
    if not address:
        raise DonorDocumentError(
            _("%(donor)s has no e-mail address: add one to the donor's record, then send.")
            % {"donor": donor.name}
        )
    count = donation.devices.count()
    if not count:
        raise DonorDocumentError(_("This donation has no device yet: there is nothing to send."))
    until = timezone.localdate() + datetime.timedelta(days=settings.DONOR_LINK_DAYS)
    with translation.override(settings.LANGUAGE_CODE):
        message = _summary_message(donation, count, address, until)
        note = _("Erasure summary sent to %(email)s (download link valid until %(date)s)") % {
            "email": address,
            "date": formats.date_format(until, "SHORT_DATE_FORMAT"),
        }
    try:
        message.send()
    except OSError as error:
        # smtplib's errors are OSErrors too: a server down, a refused address.
        logger.warning("Erasure summary of donation %s not sent: %s", donation.pk, error)
        raise DonorDocumentError(
            _("The e-mail could not be sent (%(error)s). Nothing was recorded: try again later.")
            % {"error": error}
        ) from error
    return _note(donation, by, note)


def _summary_message(donation, count, address, until):
    organisation = Organisation.current()
    donor = donation.donor
    subject = _("Erasure of the data of your donation #%(number)s") % {"number": donation.pk}
    body = _(
        "Hello%(contact)s,\n\n"
        "Thank you for your donation received on %(date)s (%(devices)s). Every data-bearing "
        "device is erased before it is reused; the summary of these erasures, device by "
        "device with their certificate numbers, can be downloaded until %(until)s here:\n\n"
        "%(url)s\n\n"
        "Each certificate number can be checked on %(site)s.\n\n"
        "%(organisation)s"
    ) % {
        "contact": f" {donor.contact_name}" if donor.contact_name else "",
        "date": formats.date_format(donation.received_on, "DATE_FORMAT"),
        "devices": ngettext("%(count)s device", "%(count)s devices", count) % {"count": count},
        "until": formats.date_format(until, "DATE_FORMAT"),
        "url": summary_link(donation),
        "site": settings.SITE_URL,
        "organisation": organisation.name,
    }
    reply_to = [organisation.email] if organisation.email else None
    return EmailMessage(subject, body, None, [address], reply_to=reply_to)


# Tax receipts (CERFA 11580) --------------------------------------------------------------


def value_donation(*, donation, by, gift_description, valuation, valued_on):
    """Set what a tax receipt for `donation` would state: the nature of the gift in kind
    and its valuation; a valuation without a date is dated today. Coordinators only."""
    require(by, "inventory.value_donation")
    gift_description = " ".join((gift_description or "").split())
    if not gift_description:
        raise DonorDocumentError(_("Describe the nature of the gift."))
    if valuation is not None and valuation < 0:
        raise DonorDocumentError(_("A valuation cannot be negative."))
    if valuation is not None and valued_on is None:
        valued_on = timezone.localdate()
    with transaction.atomic():
        locked = Donation.objects.select_for_update().get(pk=donation.pk)
        locked.gift_description = gift_description
        locked.valuation = valuation
        locked.valued_on = valued_on
        locked._history_user = by
        locked.save(update_fields=["gift_description", "valuation", "valued_on"])
    return locked


def company_donations():
    """Donations from companies, with their device count: what the accountant needs for
    tax receipts, oldest first."""
    return (
        Donation.objects.filter(donor__kind=Donor.Kind.COMPANY)
        .select_related("donor", "site")
        .annotate(device_count=Count("devices"))
        .order_by("received_on", "pk")
    )

"""Donor paperwork: the donation attestation, the tax receipt that fits the donor's kind
(form 2041-MEC-SD for a company, CERFA 11580 for an individual, none for a public body:
inventory.donors.rules), and the erasure summary sent to the donor's contact as a download
link that needs no login.

The attestation and the tax receipts are fixed when issued (inventory.issuing): numbered,
their bytes kept, a reprint is the same document. What was issued or sent, by whom and
when, is a comment in the donation's history, written in the interface's language
(settings.LANGUAGE_CODE) so that everyone reads the same history.
"""

import datetime
import logging
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
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
from inventory import issuing, pdf
from inventory.donors import rules
from inventory.models import (
    Category,
    Comment,
    Donation,
    Donor,
    IssuedDocument,
    Organisation,
    ValuationBasis,
)

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


def organisation_gaps(organisation):
    """What the organisation's details lack for a donor paper: [sentence, …]."""
    gaps = []
    if not organisation.pk or not _lines(organisation.address):
        gaps.append(_("its address"))
    if not organisation.siret and not organisation.rna:
        gaps.append(_("its SIRET or RNA number"))
    if not organisation.purpose.strip():
        gaps.append(_("its object"))
    return gaps


def _require_organisation(organisation):
    gaps = organisation_gaps(organisation)
    if gaps:
        raise DonorDocumentError(
            _(
                "The organisation's details lack %(missing)s: a coordinator fills them in on "
                "the organisation page (Organisation), then the document can be issued."
            )
            % {"missing": ", ".join(gaps)}
        )


def _require_donor_address(donor):
    if not _lines(donor.address):
        raise DonorDocumentError(
            _(
                "%(donor)s has no address: fill in « Address » on the donor's record (street, "
                "postcode and town), then issue the document."
            )
            % {"donor": donor.name}
        )


def attestation_of(donation):
    """The attestation issued for `donation` (latest revision), or None."""
    return issuing.current(donation, IssuedDocument.Kind.DONATION_ATTESTATION)


def issue_attestation(*, donation, by, correct=False):
    """The donation's attestation, fixed when first issued: a reprint hands out the same
    document (same number, same bytes). `correct` issues a new revision listing the
    devices recorded now (coordinators: inventory.value_donation). Returns the
    IssuedDocument; every issue and reprint is noted in the donation's history."""
    require(by, "inventory.view_donation")
    if correct:
        require(by, "inventory.value_donation")
    existing = attestation_of(donation)
    if existing is None or correct:
        devices = attestation_devices(donation)
        if not devices:
            raise DonorDocumentError(
                _(
                    "This donation has no device yet: register its devices, then issue "
                    "the attestation."
                )
            )
        organisation = Organisation.current()
        _require_organisation(organisation)
        _require_donor_address(donation.donor)

    def build(number, issued_at):
        content = attestation_pdf(
            donation, devices, number=number, issued_at=issued_at, issued_by=by
        )
        title = _("Donation attestation %(number)s") % {"number": number}
        summary = {"devices": len(devices), "device_ids": [d.pk for d in devices]}
        return title, content, summary

    document, _reprint = issuing.issue(
        IssuedDocument.Kind.DONATION_ATTESTATION, donation, by, build, correct=correct
    )
    return document


def attestation_outdated(donation, document):
    """Whether devices were added to or removed from `donation` since `document`."""
    listed = set(document.summary.get("device_ids", []))
    return listed != set(donation.devices.values_list("pk", flat=True))


def attestation_pdf(donation, devices, *, number, issued_at, issued_by):
    """The attestation (attestation de don) of `donation` listing `devices`."""
    organisation = Organisation.current()
    width = pdf.content_width(A4)
    pairs = [0.17 * width, 0.33 * width, 0.17 * width, 0.33 * width]
    totals = totals_of(devices)
    title = _("Donation attestation %(number)s") % {"number": number}
    story = [
        *_organisation_block(organisation),
        Spacer(1, 4 * mm),
        pdf.text(_("Donation attestation"), "title"),
        pdf.text(
            _("No. %(number)s · donation #%(donation)s · issued on %(date)s")
            % {
                "number": number,
                "donation": donation.pk,
                "date": pdf.when(issued_at, "DATE_FORMAT"),
            },
            "bold",
        ),
        pdf.text(rules.NOT_A_TAX_RECEIPT, "bold"),
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
        pdf.text(_tax_sentence(donation.donor)),
        Spacer(1, 6 * mm),
        KeepTogether(_signature(organisation, issued_at, issued_by, width)),
    ]
    footer = " · ".join(
        p
        # The legal identifiers are in the heading; the footer repeats what the paper is not.
        for p in (organisation.name, title, str(rules.NOT_A_TAX_RECEIPT))
        if p
    )
    subject = _("Attestation of a donation of equipment, for the donor")
    return pdf.render(story, title=title, subject=subject, footer=footer)


def _tax_sentence(donor):
    """What the attestation says about tax papers for this kind of donor."""
    paper = rules.tax_paper_for(donor)
    if paper is None:
        return str(rules.why_no_tax_paper(donor))
    return _(
        "It does not open a tax reduction by itself: the tax receipt for this kind of donor "
        "is form %(form)s (CERFA n° %(cerfa)s, article %(article)s of the code général des "
        "impôts), issued separately."
    ) % {"form": paper.form, "cerfa": paper.cerfa, "article": paper.article}


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _siret(organisation):
    return _("SIRET %(siret)s") % {"siret": organisation.siret} if organisation.siret else ""


def _legal_id(organisation):
    parts = [_siret(organisation)]
    if organisation.rna:
        parts.append(_("RNA %(rna)s") % {"rna": organisation.rna})
    return " · ".join(p for p in parts if p)


def _organisation_block(organisation):
    story = [pdf.text(organisation.name, "org")]
    story += [pdf.text(line) for line in _lines(organisation.address)]
    if legal_id := _legal_id(organisation):
        story.append(pdf.text(legal_id))
    if organisation.purpose.strip():
        story.append(
            pdf.text(_("Object: %(object)s") % {"object": " ".join(organisation.purpose.split())})
        )
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


def _signature(organisation, issued_at, issued_by, width, issued_line=None):
    done = _("Done at %(place)s, on %(date)s.") % {
        "place": place_of(organisation) or BLANK,
        "date": pdf.when(issued_at, "DATE_FORMAT"),
    }
    left = [
        pdf.text(_("For %(organisation)s") % {"organisation": organisation.name}, "label"),
        pdf.text(
            issued_line or _("Issued by %(person)s") % {"person": pdf.person(issued_by)}, "bold"
        ),
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


def donation_page_link(donation):
    """The address of `donation`'s public page (what became of each device, kg and CO2e
    avoided), valid as long as the summary link. The page belongs to the public app,
    above this one: its URL is found by name, not imported."""
    token = signing.dumps({"donation": donation.pk}, salt=SUMMARY_LINK_SALT)
    path = reverse("public:donation_page", args=[token])
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
        "What became of each device, and the waste and carbon emissions your donation "
        "avoided, are on this page until the same date:\n\n"
        "%(page)s\n\n"
        "%(organisation)s"
    ) % {
        "contact": f" {donor.contact_name}" if donor.contact_name else "",
        "date": formats.date_format(donation.received_on, "DATE_FORMAT"),
        "devices": ngettext("%(count)s device", "%(count)s devices", count) % {"count": count},
        "until": formats.date_format(until, "DATE_FORMAT"),
        "url": summary_link(donation),
        "page": donation_page_link(donation),
        "site": settings.SITE_URL,
        "organisation": organisation.name,
    }
    reply_to = [organisation.email] if organisation.email else None
    return EmailMessage(subject, body, None, [address], reply_to=reply_to)


# Tax receipts: form 2041-MEC-SD for companies, CERFA 11580 for individuals ------------------


def value_donation(*, donation, by, gift_description, valuation, valued_on, valuation_basis=""):
    """Set what a tax receipt for `donation` would state: the nature of the gift in kind,
    the value the donor declared and how the donor valued it; a valuation without a date
    is dated today. Coordinators only."""
    require(by, "inventory.value_donation")
    gift_description = " ".join((gift_description or "").split())
    if not gift_description:
        raise DonorDocumentError(_("Describe the nature of the gift."))
    if valuation is not None and valuation < 0:
        raise DonorDocumentError(_("A valuation cannot be negative."))
    if valuation_basis and valuation_basis not in ValuationBasis.values:
        raise DonorDocumentError(_("Choose the valuation basis from the list."))
    if valuation is not None and valued_on is None:
        valued_on = timezone.localdate()
    with transaction.atomic():
        locked = Donation.objects.select_for_update().get(pk=donation.pk)
        locked.gift_description = gift_description
        locked.valuation = valuation
        locked.valued_on = valued_on
        locked.valuation_basis = valuation_basis or ""
        locked._history_user = by
        locked.save(update_fields=["gift_description", "valuation", "valued_on", "valuation_basis"])
    return locked


def tax_receipt_of(donation):
    """The tax receipt issued for `donation` (latest revision), or None."""
    paper = rules.tax_paper_for(donation.donor)
    return issuing.current(donation, paper.kind) if paper else None


def tax_receipt_refusal(donation, organisation=None):
    """Why the tax receipt of `donation` cannot be issued now (a sentence), or ""."""
    try:
        _check_tax_receipt(donation, organisation or Organisation.current())
    except DonorDocumentError as error:
        return error.message
    return ""


def _check_tax_receipt(donation, organisation):
    donor = donation.donor
    paper = rules.tax_paper_for(donor)
    if paper is None:
        raise DonorDocumentError(str(rules.why_no_tax_paper(donor)))
    if not organisation.tax_receipt_status.strip():
        raise DonorDocumentError(
            _(
                "The organisation's details do not say that it may issue tax receipts: only "
                "an organisation of general interest may (CGI art. 200 and 238 bis). If "
                "yours may, a coordinator fills in « Tax receipts » on the organisation page."
            )
        )
    _require_organisation(organisation)
    _require_donor_address(donor)
    if donor.kind == Donor.Kind.COMPANY and not donor.siren:
        raise DonorDocumentError(
            _("%(donor)s has no SIREN number: fill it in on the donor's record.")
            % {"donor": donor.name}
        )
    if donation.valuation is None:
        raise DonorDocumentError(
            _(
                "No value is recorded: enter the value the donor declared (Edit the "
                "valuation), then issue the tax receipt."
            )
        )
    if donation.valuation_basis not in paper.bases:
        raise DonorDocumentError(
            _(
                "Record how the company valued its gift: cost price (goods held in stock) "
                "or net book value (fixed assets), as it declares it (CGI art. 238 bis)."
            )
            if donor.kind == Donor.Kind.COMPANY
            else _("Record how the donor valued the gift (valuation basis).")
        )
    if not donation.devices.exists():
        raise DonorDocumentError(
            _("This donation has no device yet: register its devices, then issue the receipt.")
        )


def issue_tax_receipt(*, donation, by, correct=False):
    """The tax receipt of `donation`, by the donor's kind (rules.TAX_PAPERS), fixed when
    first issued; a reprint hands out the same document. Coordinators only."""
    require(by, "inventory.view_donation", "inventory.value_donation")
    paper = rules.tax_paper_for(donation.donor)
    existing = issuing.current(donation, paper.kind) if paper else None
    if existing is None or correct:
        organisation = Organisation.current()
        _check_tax_receipt(donation, organisation)

    def build(number, issued_at):
        quantities = quantities_of(donation)
        content = tax_receipt_pdf(
            donation, paper, quantities, number=number, issued_at=issued_at, issued_by=by
        )
        title = _("Tax receipt %(number)s (form %(form)s)") % {
            "number": number,
            "form": paper.form,
        }
        summary = {
            "form": paper.form,
            "valuation": str(donation.valuation),
            "basis": donation.valuation_basis,
            "devices": sum(count for _label, count in quantities),
        }
        return title, content, summary

    document, _reprint = issuing.issue(paper.kind, donation, by, build, correct=correct)
    return document


def quantities_of(donation):
    """[(category label, count)] of the donation's devices: the gift's quantities."""
    counts = donation.devices.order_by("category").values_list("category").annotate(n=Count("pk"))
    labels = dict(Category.choices)
    return [(str(labels.get(category, category)), n) for category, n in counts]


def framed_amount(value):
    """An amount as computer-made receipts print it instead of words: ***120,00 €***."""
    amount = formats.number_format(value, 2, use_l10n=True, force_grouping=True)
    return f"***{amount} €***"


def tax_receipt_pdf(donation, paper, quantities, *, number, issued_at, issued_by):
    organisation = Organisation.current()
    donor = donation.donor
    width = pdf.content_width(A4)
    pairs = [0.2 * width, 0.3 * width, 0.2 * width, 0.3 * width]
    company = donor.kind == Donor.Kind.COMPANY
    if company:
        heading = _("Receipt for gifts made by companies (article 238 bis of the CGI)")
    else:
        heading = _("Receipt for gifts made by individuals (article 200 of the CGI)")
    title = _("Tax receipt %(number)s (form %(form)s)") % {"number": number, "form": paper.form}
    beneficiary = [
        [_("Name"), organisation.name, _("SIRET or RNA"), _legal_id(organisation)],
        [
            _("Address"),
            ", ".join(_lines(organisation.address)),
            _("Kind of organisation"),
            organisation.tax_receipt_status,
        ],
    ]
    address = ", ".join(_lines(donor.address))
    if company:
        giver = [
            [_("Company name"), donor.name, _("SIREN"), donor.siren],
            [_("Legal form"), BLANK, _("Address"), address],
        ]
    else:
        giver = [[_("Surname and first name"), donor.name, _("Address"), address]]
    described = "; ".join(
        _("%(category)s: %(count)s") % {"category": label, "count": count}
        for label, count in quantities
    )
    gift = [
        [
            _("Date of the gift"),
            formats.date_format(donation.received_on, "DATE_FORMAT"),
            _("Nature"),
            _("Gift in kind"),
        ],
        [_("Description"), donation.gift_description, _("Quantities"), described],
        [
            _("Value"),
            framed_amount(donation.valuation),
            _("Valuation basis"),
            donation.get_valuation_basis_display(),
        ],
    ]
    if not company:
        gift.append(
            [
                _("Form of the gift"),
                _("Manual gift (don manuel)"),
                _("Valued on"),
                formats.date_format(donation.valued_on, "DATE_FORMAT")
                if donation.valued_on
                else "",
            ]
        )
    story = [
        *_organisation_block(organisation),
        Spacer(1, 4 * mm),
        pdf.text(heading, "title"),
        pdf.text(
            _("Form %(form)s (CERFA n° %(cerfa)s) · receipt no. %(number)s · issued on %(date)s")
            % {
                "form": paper.form,
                "cerfa": paper.cerfa,
                "number": number,
                "date": pdf.when(issued_at, "DATE_FORMAT"),
            },
            "bold",
        ),
        pdf.text(_("Beneficiary organisation"), "h2"),
        pdf.facts(beneficiary, pairs),
        pdf.text(_("Donor company") if company else _("Donor"), "h2"),
        pdf.facts(giver, pairs),
        pdf.text(_("The gift"), "h2"),
        pdf.facts(gift, pairs),
        Spacer(1, 3 * mm),
        pdf.text(
            _(
                "The value is the one the company declared, under its responsibility, with "
                "its basis (%(basis)s); the organisation does not assess it."
            )
            % {"basis": donation.get_valuation_basis_display()}
            if company
            else _("The value is the one the donor declared (%(basis)s).")
            % {"basis": donation.get_valuation_basis_display()}
        ),
        pdf.text(
            _(
                "%(organisation)s certifies on its honour that it received this gift free of "
                "charge and without anything given in return, and that the gifts it receives "
                "open the right to the tax reduction of article %(article)s of the code "
                "général des impôts."
            )
            % {"organisation": organisation.name, "article": paper.article}
        ),
        Spacer(1, 6 * mm),
        KeepTogether(
            _signature(
                organisation,
                issued_at,
                issued_by,
                width,
                _("Receipt issued by %(person)s") % {"person": pdf.person(issued_by)},
            )
        ),
    ]
    footer = " · ".join((organisation.name, title))
    subject = _("Tax receipt for a gift in kind (form %(form)s)") % {"form": paper.form}
    return pdf.render(story, title=title, subject=subject, footer=footer)


def tax_donations(kind):
    """Donations from donors of `kind` (a Donor.Kind with a tax paper): what the
    accountant needs for tax receipts, oldest first. Without their device count, which
    a page counts for its own rows (inventory.counts.count_donation_devices): counting
    for every donation read every device (170 ms at 1,000,000 devices)."""
    return (
        Donation.objects.filter(donor__kind=kind)
        .select_related("donor", "site")
        .order_by("received_on", "pk")
    )


def with_device_counts(donations):
    """The donations with their device count, for a whole export."""
    return donations.annotate(device_count=Count("devices")).order_by("received_on", "pk")


def company_donations():
    return with_device_counts(tax_donations(Donor.Kind.COMPANY))


def paperwork(donation):
    """What the donation's page shows of its papers: the attestation issued (and whether
    devices changed since), the tax paper the donor's kind gets (or why none), the tax
    receipt issued and why it cannot be issued yet."""
    attestation = attestation_of(donation)
    paper = rules.tax_paper_for(donation.donor)
    receipt = tax_receipt_of(donation)
    return {
        "attestation": attestation,
        "attestation_outdated": bool(attestation) and attestation_outdated(donation, attestation),
        "paper": paper,
        "no_paper_reason": "" if paper else rules.why_no_tax_paper(donation.donor),
        "tax_receipt": receipt,
        "tax_refusal": tax_receipt_refusal(donation) if paper and not receipt else "",
    }


def tax_receipts_by_donation(donation_ids, kind):
    """{donation pk: its latest tax receipt} among `donation_ids`, in one query."""
    paper = rules.TAX_PAPERS.get(kind)
    if paper is None:
        return {}
    documents = (
        IssuedDocument.objects.filter(
            kind=paper.kind,
            content_type=ContentType.objects.get_for_model(Donation),
            object_id__in=donation_ids,
        )
        .defer("content")
        .order_by("object_id", "revision")
    )
    return {document.object_id: document for document in documents}

"""The gift attestation: when a loan becomes a gift, the household receives a numbered
paper saying the devices are now its own (« Attestation de don »).

It is issued once, inside the workflow's convert_to_gift, and fixed then: the PDF drawn
at that moment is kept on GiftAttestation with its SHA-256, so that a reprint is the same
document, whatever happens to the records afterwards. A don manuel needs no deed
(lending.loans.legal.GIFT): the attestation records the gift, its date and the devices
with their serials, for the household to prove it owns them.
"""

import hashlib

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, TableStyle

from inventory import pdf
from inventory.models import Organisation
from inventory.services import reserve_sequence_values
from lending.loans import legal
from lending.loans.agreement import devices_table, siret_text
from lending.models import Accessory, GiftAttestation

SimOutcome = GiftAttestation.SimOutcome


def _date(value):
    return formats.date_format(value, "DATE_FORMAT")


def next_number(year):
    value = reserve_sequence_values(f"gift_attestation_{year}")
    return f"{legal.GIFT_NUMBER_PREFIX}-{year}-{value:04d}"


def issue_gift_attestation(*, loan, devices, by, sim_outcome, at=None):
    """Number, draw and keep the attestation of `loan`'s gift of `devices` (called by
    convert_to_gift, in its transaction)."""
    at = at or timezone.now()
    number = next_number(timezone.localtime(at).year)
    content = build_gift_attestation(
        loan,
        devices=devices,
        number=number,
        given_on=timezone.localdate(at),
        sim_outcome=sim_outcome,
    )
    attestation = GiftAttestation(
        loan=loan,
        number=number,
        issued_at=at,
        issued_by=by,
        sim_outcome=sim_outcome,
        pdf=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )
    attestation._history_user = by
    attestation.save()
    return attestation


def build_gift_attestation(loan, *, devices, number, given_on, sim_outcome) -> bytes:
    """The attestation as PDF bytes, in the active language."""
    organisation = Organisation.current()
    household = loan.household
    width = pdf.content_width(A4)
    half = [0.17 * width, 0.33 * width, 0.17 * width, 0.33 * width]
    story = [
        pdf.text(organisation.name, "org"),
        Spacer(1, 3 * mm),
        # « Attestation de don »: the same words as the donors' attestation.
        pdf.text(_("Donation attestation"), "title"),
        Spacer(1, 1 * mm),
        pdf.text(
            _("No. %(number)s · household %(code)s") % {"number": number, "code": household.code},
            "bold",
        ),
        pdf.text(_("The donor: the association"), "h2"),
        pdf.facts(
            [
                [_("Name"), organisation.name, _("SIRET"), siret_text(organisation.siret)],
                [
                    _("Address"),
                    " ".join(organisation.address.split()),
                    _("Contact"),
                    " · ".join(p for p in (organisation.phone, organisation.email) if p),
                ],
            ],
            half,
        ),
        pdf.text(_("The beneficiary: the household's reference person"), "h2"),
        pdf.facts(
            [
                [_("Name"), household.full_name, _("Household code"), household.code],
                [
                    _("Postcode and commune"),
                    f"{household.postcode} {household.commune}".strip(),
                    _("Programme"),
                    loan.programme.name,
                ],
            ],
            half,
        ),
        pdf.text(_("Equipment given"), "h2"),
        devices_table(devices, width),
        pdf.text(_("Accessories: %(list)s") % {"list": _accessories(loan) or _("none")}),
        *_sim(loan, sim_outcome),
        pdf.text(_("The gift"), "h2"),
        *[pdf.text(line) for line in _gift_lines(loan, organisation, given_on)],
        Spacer(1, 6 * mm),
        KeepTogether(_signatures(organisation, household, given_on, width)),
    ]
    title = _("Donation attestation #%(number)s") % {"number": number}
    footer = f"{organisation.name} · {title} · {household.code}"
    subject = _("Attestation of the gift of equipment to a household")
    return pdf.render(story, title=title, subject=subject, footer=footer)


def _accessories(loan):
    labels = dict(Accessory.choices)
    return ", ".join(str(labels.get(value, value)) for value in loan.accessories_given)


def _sim(loan, outcome):
    sim = loan.sim
    if sim is None:
        return []
    line = sim.phone_number or sim.iccid
    if outcome == SimOutcome.TRANSFER:
        text = _(
            "The SIM line %(line)s (%(operator)s) is transferred to the household: the "
            "association asks the operator to put it in the household's name; from then on "
            "the subscription and its cost are the household's."
        )
    else:
        text = _(
            "The SIM line %(line)s (%(operator)s) is closed by the association: the SIM card "
            "no longer works and is not part of the gift."
        )
    return [
        pdf.text(_("SIM card"), "h2"),
        pdf.text(text % {"line": line, "operator": sim.operator}),
    ]


def _gift_lines(loan, organisation, given_on):
    signed = loan.agreement_signed_on
    lent = (
        _("They were lent to the household under loan agreement #%(loan)s, signed on %(date)s.")
        % {"loan": loan.pk, "date": _date(signed)}
        if signed
        else _("They were lent to the household under loan #%(loan)s.") % {"loan": loan.pk}
    )
    return [
        _(
            "%(organisation)s gives the equipment listed above, free of charge, to the household "
            "named above, on %(date)s."
        )
        % {"organisation": organisation.name, "date": _date(given_on)},
        lent
        + " "
        + _("The loan ends on the day of the gift: the equipment is not to be returned."),
        _(
            "From that day the household owns the equipment: it may use it, keep it, give it "
            "or sell it. This attestation is its proof of ownership."
        ),
        _(
            "The equipment is given as it is, free of charge and without any warranty from "
            "the association: the legal guarantee of conformity applies to sales, not to "
            "gifts (%(reference)s)."
        )
        % {"reference": legal.CONFORMITY.reference},
        _(
            "Every device was erased before it was lent. The data the household has put on it "
            "since is its own."
        ),
        _("Legal basis: %(reference)s.") % {"reference": legal.GIFT.reference},
    ]


def _signatures(organisation, household, given_on, width):
    made = _("Made on %(date)s, in two copies.") % {"date": _date(given_on)}
    left = [
        pdf.text(_("The household"), "label"),
        pdf.text(household.full_name, "bold"),
        pdf.text(_("Signature: “received”"), "small"),
    ]
    right = [
        pdf.text(_("For %(organisation)s") % {"organisation": organisation.name}, "label"),
        pdf.text(_("Name and role: %(blank)s") % {"blank": "…………………………"}),
        pdf.text(_("Signature and stamp"), "small"),
    ]
    table = pdf.Table([[left, right]], colWidths=[width / 2, width / 2], rowHeights=[30 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (0, 0), 0.6, pdf.LINE),
                ("BOX", (1, 0), (1, 0), 0.6, pdf.LINE),
            ]
        )
    )
    return [pdf.text(made), Spacer(1, 3 * mm), table]

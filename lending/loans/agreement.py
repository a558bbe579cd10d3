"""The loan agreement as a PDF: printed when the loan is approved, signed at the hand-over.

Drawn like the erasure certificates (inventory.erasure.certificates: reportlab, DejaVu fonts,
the language active when it is rendered) and never stored: it is drawn again from the
records each time. Its last pages are the information notice (lending.privacy.notice).
It names the household, so only who may read the household's file
may print it (the view checks lending.access.can_see_person).

It is a prêt à usage (code civil art. 1875 to 1891, lending.loans.legal): the lender's
details (name, address, SIRET), the borrower (the household's reference person), the
devices with their serials, the SIM line and the end of its plan, and what happens on
loss, theft, damage, early end and non-return, the association's choices marked as such.
It can only be printed once the loan is approved with its devices (agreement_refusal).
"""

from functools import cache
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, TableStyle

from inventory import pdf
from inventory.models import Organisation, organisation_name
from lending.loans import legal
from lending.models import Accessory, Loan
from lending.privacy.notice import notice_story
from lending.states import LendingError

BLANK = "…………………………"
# The statuses in which the loan has its devices: approved (to sign at the hand-over),
# then every status that follows a hand-over (the agreement stays on file).
PRINTABLE = {
    Loan.Status.APPROVED,
    Loan.Status.ACTIVE,
    Loan.Status.RETURNED,
    Loan.Status.LOST,
    Loan.Status.GIFT,
}


def agreement_refusal(loan):
    """Why the agreement of `loan` cannot be printed yet, or None when it can."""
    if loan.status not in PRINTABLE:
        return _(
            "The loan agreement can only be printed once the loan is approved and its "
            "devices chosen (this loan is “%(status)s”)."
        ) % {"status": loan.get_status_display()}
    if not loan.items.exists():
        return _("The loan agreement lists the devices lent: this loan has none.")
    return None


def _date(value):
    return formats.date_format(value, "DATE_FORMAT") if value else BLANK


def build_agreement(loan) -> bytes:
    """The agreement of `loan` as PDF bytes, in the active language; LendingError when
    the loan is not approved with its devices yet."""
    refusal = agreement_refusal(loan)
    if refusal:
        raise LendingError(refusal)
    organisation = Organisation.current()
    width = pdf.content_width(A4)
    half = [0.17 * width, 0.33 * width, 0.17 * width, 0.33 * width]
    story = [
        pdf.text(organisation_name(), "org"),
        Spacer(1, 3 * mm),
        pdf.text(_("Computer equipment loan agreement"), "title"),
        pdf.text(
            _("Loan for use (prêt à usage), %(reference)s")
            % {"reference": legal.COMMODAT.reference},
            "small",
        ),
        Spacer(1, 1 * mm),
        pdf.text(
            _("Loan #%(number)s · household %(code)s")
            % {"number": loan.pk, "code": loan.household.code},
            "bold",
        ),
        *_parties(loan, organisation, half),
        pdf.text(_("Equipment lent"), "h2"),
        devices_table(
            [item.device for item in loan.items.select_related("device").order_by("pk")], width
        ),
        *_connectivity(loan, half),
        pdf.text(_("Period"), "h2"),
        pdf.text(
            _("From %(start)s to %(due)s: the equipment is returned by %(due)s at the latest.")
            % {"start": _date(loan.starts_on), "due": _date(loan.due_on)}
        ),
        pdf.text(_("Conditions"), "h2"),
        *_conditions(loan, organisation),
        Spacer(1, 6 * mm),
        KeepTogether(_signatures(loan, width)),
        # The household keeps the information notice with its copy (RGPD art. 13).
        PageBreak(),
        *notice_story(),
    ]
    title = _("Loan agreement #%(number)s") % {"number": loan.pk}
    footer = f"{organisation_name()} · {title} · {loan.household.code}"
    subject = _("Agreement for the loan of equipment to a household")
    return pdf.render(story, title=title, subject=subject, footer=footer)


def _parties(loan, organisation, widths):
    programme, household = loan.programme, loan.household
    structures = ", ".join(s.name for s in programme.structures.order_by("name"))
    referrer = household.structure
    contact = " · ".join(p for p in (programme.contact_name, programme.contact_phone) if p)
    reach = " · ".join(p for p in (organisation.phone, organisation.email) if p)
    return [
        pdf.text(_("The lender"), "h2"),
        pdf.facts(
            [
                [_("Name"), organisation.name, _("SIRET"), siret_text(organisation.siret)],
                [_("Address"), " ".join(organisation.address.split()), _("Contact"), reach],
            ],
            widths,
        ),
        pdf.text(_("Programme"), "h2"),
        pdf.facts(
            [
                [_("Programme"), programme.name, _("Partner structures"), structures],
                [_("Lent by"), organisation_name(), _("Contact"), contact],
            ],
            widths,
        ),
        pdf.text(_("The borrower: the household's reference person"), "h2"),
        pdf.facts(
            [
                [_("Reference person"), household.full_name, _("Household code"), household.code],
                [
                    _("Postcode and commune"),
                    f"{household.postcode} {household.commune}".strip(),
                    _("Phone"),
                    household.phone,
                ],
                [
                    _("Social worker"),
                    pdf.person(household.social_worker),
                    _("Structure"),
                    " · ".join(p for p in (referrer.name, referrer.phone) if p),
                ],
            ],
            widths,
        ),
    ]


def siret_text(siret):
    """A SIRET as it is usually read: 123 456 789 00012."""
    if len(siret) == 14:
        return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    return siret


def devices_table(devices, width):
    """The devices lent (or given), one line each, with their serial numbers."""
    headings = [_("Category"), _("Make and model"), _("Asset tag"), _("Serial number")]
    rows = [
        [
            pdf.text(device.get_category_display()),
            pdf.text(device.make_and_model),
            pdf.text(device.asset_tag),
            pdf.text(device.serial_number),
        ]
        for device in devices
    ]
    return pdf.listing(headings, rows, [0.2, 0.34, 0.18, 0.28], width)


def _connectivity(loan, widths):
    story = []
    sim = loan.sim
    if sim is not None:
        story += [
            pdf.text(_("SIM card"), "h2"),
            pdf.facts(
                [
                    [_("Operator"), sim.operator, _("Phone number"), sim.phone_number],
                    [
                        _("Data plan"),
                        _("%(gb)s GB a month") % {"gb": sim.data_plan_gb},
                        _("ICCID"),
                        sim.iccid,
                    ],
                    [
                        _("Plan paid by"),
                        organisation_name(),
                        _("Plan ends on"),
                        _date(sim.ends_on) if sim.ends_on else _("No end date recorded"),
                    ],
                ],
                widths,
            ),
            pdf.text(_sim_end(loan, sim)),
        ]
    labels = dict(Accessory.choices)
    given = ", ".join(str(labels.get(value, value)) for value in loan.accessories_given)
    if not loan.handed_over_at:
        given = _("Recorded at the hand-over.")
    story += [pdf.text(_("Accessories given"), "h2"), pdf.text(given or _("None"))]
    return story


def _sim_end(loan, sim):
    if sim.ends_on and loan.due_on and sim.ends_on < loan.due_on:
        return _(
            "The data plan ends on %(end)s, before the loan. Before that date the association "
            "decides whether it renews the plan and tells the household; if it does not, the "
            "line stops working on %(end)s and the SIM card is returned with the equipment."
        ) % {"end": _date(sim.ends_on)}
    return _(
        "The plan is paid by the association for the length of the loan; the SIM card is "
        "returned with the equipment and its line is then suspended."
    )


def _money(value):
    return formats.number_format(value, decimal_pos=2, use_l10n=True) + " €"


def _chosen(text):
    """A clause the association chose, marked as such on the document."""
    return f"{text} ({legal.CHOICE})"


def _ruled(text, rule):
    return f"{text} ({rule.reference})"


def _conditions(loan, organisation):
    programme = loan.programme
    name = organisation.name
    clauses = [
        _ruled(
            _(
                "The equipment listed above is lent free of charge for the period shown. It "
                "remains the property of %(organisation)s."
            )
            % {"organisation": name},
            legal.NATURE,
        ),
        _ruled(
            _(
                "The household looks after it reasonably and uses it only for itself and for "
                "what it is made for: it does not lend, rent or sell it."
            ),
            legal.CARE,
        ),
        _ruled(
            _(
                "The household returns it, with its accessories, in the state it was "
                "received, by the due date at the latest. Normal wear from that use is "
                "never charged."
            ),
            legal.WEAR,
        ),
        _(
            "The data the household puts on the device is its own responsibility: keep a "
            "copy of it. Every device is completely erased when it comes back, and nothing "
            "on it can be recovered afterwards."
        ),
        *_loss_clauses(organisation),
        _deposit_clause(organisation),
    ]
    if loan.sim_id:
        clauses.append(_("The SIM card and its data plan are for the household's own use only."))
    clauses += [*_early_end_clauses(organisation), *_non_return_clauses(organisation)]
    if programme.contact_name or programme.contact_phone:
        clauses.append(
            _("Contact: %(name)s, %(phone)s.")
            % {"name": programme.contact_name or "—", "phone": programme.contact_phone or "—"}
        )
    story = []
    if programme.return_instructions:
        story += [pdf.text(programme.return_instructions), Spacer(1, 1.5 * mm)]
    story += [Paragraph(f"• {escape(clause)}", _clause_style()) for clause in clauses]
    return story


def _loss_clauses(organisation):
    days = organisation.loan_loss_report_days
    report = _chosen(
        _(
            "A loss, a theft or a breakdown is reported to the programme's contact within "
            "%(days)s days; a theft is also reported to the police or gendarmerie, and the "
            "household gives the association a copy of its complaint (récépissé de plainte)."
        )
        % {"days": days}
    )
    cap = organisation.loan_damage_cap
    if cap:
        charge = _(
            "For a device lost, stolen or damaged by the household's fault, the household may "
            "be asked to pay its repair or replacement, at most %(cap)s."
        ) % {"cap": _money(cap)}
    else:
        charge = _(
            "Nothing is asked of the household for a device lost, stolen or damaged, as long "
            "as it was reported in time."
        )
    return [
        report,
        _chosen(charge),
        _ruled(
            _(
                "The law makes the household answer for a loss if the equipment was used "
                "otherwise than agreed or kept past the due date, even by accident."
            ),
            legal.LOSS,
        ),
    ]


def _deposit_clause(organisation):
    deposit = organisation.loan_deposit
    if not deposit:
        return _chosen(_("No deposit is asked."))
    return _chosen(
        _(
            "A deposit of %(amount)s is paid at the hand-over and given back when the complete "
            "equipment is returned, less any sum due for a loss or damage."
        )
        % {"amount": _money(deposit)}
    )


def _early_end_clauses(organisation):
    return [
        _(
            "The household may return the equipment at any time before the due date: the "
            "loan then ends on that day."
        ),
        _chosen(
            _(
                "The association may ask for the equipment back before the due date, in "
                "writing and %(days)s days ahead, if the household leaves the programme or "
                "does not use the equipment as agreed."
            )
            % {"days": organisation.loan_early_end_notice_days}
        ),
        _ruled(
            _(
                "Otherwise the association does not take it back before the due date, "
                "unless a judge orders it for a pressing and unforeseen need."
            ),
            legal.EARLY_END,
        ),
    ]


def _non_return_clauses(organisation):
    return [
        _chosen(
            _(
                "If the equipment is not back by the due date, the association reminds the "
                "household and its social worker (text message, e-mail, phone). %(days)s days "
                "after the due date without a return, it suspends the SIM line, records the "
                "equipment as not returned and may claim it, or its value, by registered "
                "letter."
            )
            % {"days": organisation.loan_non_return_days}
        ),
    ]


@cache
def _clause_style():
    # A hanging indent: the bullet stands out, the clause's lines align after it.
    return ParagraphStyle(
        "clause", pdf.styles()["base"], leftIndent=3 * mm, firstLineIndent=-3 * mm
    )


def _signatures(loan, width):
    made = _("Made at %(place)s, on %(date)s, in two copies.") % {
        "place": BLANK,
        "date": _date(loan.agreement_signed_on),
    }
    household = [
        pdf.text(_("The household"), "label"),
        pdf.text(loan.household.full_name, "bold"),
        pdf.text(_("Signature, preceded by “read and approved”"), "small"),
    ]
    association = [
        pdf.text(_("For %(organisation)s") % {"organisation": organisation_name()}, "label"),
        pdf.text(_("Name and role: %(blank)s") % {"blank": BLANK}),
        pdf.text(_("Signature and stamp"), "small"),
    ]
    table = pdf.Table(
        [[household, association]], colWidths=[width / 2, width / 2], rowHeights=[34 * mm]
    )
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

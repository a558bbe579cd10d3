"""The loan agreement as a PDF: printed when the loan is approved, signed at the hand-over.

Drawn like the erasure certificates (inventory.erasure.certificates: reportlab, DejaVu fonts,
the language active when it is rendered) and never stored: it is drawn again from the
records each time. Its last pages are the information notice (lending.privacy.notice).
It names the household, so only who may read the household's file
may print it (the view checks lending.access.can_see_person).
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
from inventory.models import organisation_name
from lending.models import Accessory
from lending.privacy.notice import notice_story

BLANK = "…………………………"


def _date(value):
    return formats.date_format(value, "DATE_FORMAT") if value else BLANK


def build_agreement(loan) -> bytes:
    """The agreement of `loan` as PDF bytes, in the active language."""
    width = pdf.content_width(A4)
    half = [0.17 * width, 0.33 * width, 0.17 * width, 0.33 * width]
    story = [
        pdf.text(organisation_name(), "org"),
        Spacer(1, 3 * mm),
        pdf.text(_("Computer equipment loan agreement"), "title"),
        Spacer(1, 1 * mm),
        pdf.text(
            _("Loan #%(number)s · household %(code)s")
            % {"number": loan.pk, "code": loan.household.code},
            "bold",
        ),
        *_parties(loan, half),
        pdf.text(_("Equipment lent"), "h2"),
        _items_table(loan, width),
        *_connectivity(loan, half),
        pdf.text(_("Period"), "h2"),
        pdf.text(
            _("From %(start)s to %(due)s: the equipment is returned by %(due)s at the latest.")
            % {"start": _date(loan.starts_on), "due": _date(loan.due_on)}
        ),
        pdf.text(_("Conditions"), "h2"),
        *_conditions(loan),
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


def _parties(loan, widths):
    programme, household = loan.programme, loan.household
    structures = ", ".join(s.name for s in programme.structures.order_by("name"))
    referrer = household.structure
    contact = " · ".join(p for p in (programme.contact_name, programme.contact_phone) if p)
    return [
        pdf.text(_("Programme"), "h2"),
        pdf.facts(
            [
                [_("Programme"), programme.name, _("Partner structures"), structures],
                [_("Lent by"), organisation_name(), _("Contact"), contact],
            ],
            widths,
        ),
        pdf.text(_("The household"), "h2"),
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


def _items_table(loan, width):
    headings = [_("Category"), _("Make and model"), _("Asset tag"), _("Serial number")]
    rows = [
        [
            pdf.text(device.get_category_display()),
            pdf.text(device.make_and_model),
            pdf.text(device.asset_tag),
            pdf.text(device.serial_number),
        ]
        for device in (item.device for item in loan.items.select_related("device").order_by("pk"))
    ]
    style = []
    if not rows:
        rows.append([pdf.text(_("The devices are chosen when the loan is approved.")), "", "", ""])
        style.append(("SPAN", (0, 1), (-1, 1)))
    return pdf.listing(headings, rows, [0.2, 0.34, 0.18, 0.28], width, style)


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
                ],
                widths,
            ),
        ]
    labels = dict(Accessory.choices)
    given = ", ".join(str(labels.get(value, value)) for value in loan.accessories_given)
    if not loan.handed_over_at:
        given = _("Recorded at the hand-over.")
    story += [pdf.text(_("Accessories given"), "h2"), pdf.text(given or _("None"))]
    return story


def _conditions(loan):
    programme = loan.programme
    clauses = [
        _(
            "The equipment listed above is lent free of charge for the period shown. It "
            "remains the property of %(organisation)s."
        )
        % {"organisation": organisation_name()},
        _(
            "The household takes care of it and returns it, with its accessories, in the "
            "state it was received (apart from normal wear), by the due date at the latest."
        ),
        _(
            "The data the household puts on the device is its own responsibility: keep a "
            "copy of it. Every device is completely erased when it comes back, and nothing "
            "on it can be recovered afterwards."
        ),
        _("Any loss, theft or breakdown is reported without delay to the programme's contact."),
    ]
    if loan.sim_id:
        clauses.append(_("The SIM card and its data plan are for the household's own use only."))
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

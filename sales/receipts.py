"""The receipt of a sale and its credit note, as A4 PDF documents.

Drawn like the other documents (inventory.pdf), in the language active when they are
rendered, and never stored. Everything they say of the devices is what the sale froze
on its lines (description, serial number, « reconditionné », prices): a reprint is
the same receipt however the device changed since. Only the asset tag is read from
the device, and it never changes.
"""

from functools import cache
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, TableStyle

from inventory import pdf
from inventory.models import Organisation
from sales import legal, public_body
from sales.models import CreditNote, Sale


def money(amount):
    return f"{formats.number_format(amount, 2)} €"


def statement(item):
    """What the receipt may call the device (sales.legal.REFURBISHED; never « comme neuf »)."""
    return _("Refurbished device") if item.refurbished else _("Second-hand device")


def receipt_pdf(sale) -> bytes:
    """The receipt of `sale` as PDF bytes, drawn from the stored sale only."""
    organisation = Organisation.current()
    items = list(sale.items.select_related("device", "public_body").order_by("pk"))
    width = pdf.content_width(A4)
    title = _("Receipt %(number)s") % {"number": sale.number}
    story = [
        *_letterhead(organisation),
        Spacer(1, 5 * mm),
        pdf.text(title, "title"),
        *_cancellation(sale),
        Spacer(1, 2 * mm),
        _sale_facts(sale, width),
        *_solidarity(sale),
        Spacer(1, 3 * mm),
        _items_table(items, width),
        _total(_("Total paid"), sale.total, width),
        Spacer(1, 4 * mm),
        KeepTogether(_guarantees()),
    ]
    footer = f"{organisation.name} · {title}"
    subject = _("Receipt for the sale of refurbished devices")
    return pdf.render(story, title=title, subject=subject, footer=footer)


def credit_note_pdf(note) -> bytes:
    """The credit note `note` as PDF bytes: what it cancels, why, and what is refunded."""
    organisation = Organisation.current()
    sale = note.sale
    items = list(sale.items.select_related("device").order_by("pk"))
    width = pdf.content_width(A4)
    title = _("Credit note %(number)s") % {"number": note.number}
    quarter = [0.17 * width, 0.33 * width, 0.17 * width, 0.33 * width]
    story = [
        *_letterhead(organisation),
        Spacer(1, 5 * mm),
        pdf.text(title, "title"),
        pdf.text(
            _("Cancels receipt %(number)s of %(date)s.")
            % {"number": sale.number, "date": pdf.when(sale.sold_at, "SHORT_DATE_FORMAT")},
            "bold",
        ),
        Spacer(1, 2 * mm),
        pdf.facts(
            [
                [_("Date"), pdf.when(note.issued_at), _("Site"), sale.site.name],
                [_("Issued by"), pdf.person(note.issued_by), _("Buyer"), _buyer(sale)],
                [
                    _("Paid by"),
                    sale.get_payment_method_display(),
                    _("Refunded by"),
                    note.get_refund_method_display(),
                ],
            ],
            quarter,
        ),
        pdf.text(_("Reason"), "h2"),
        _multiline(note.reason),
        Spacer(1, 3 * mm),
        _items_table(items, width, refund=True),
        _total(_("Amount refunded"), note.total, width),
        Spacer(1, 3 * mm),
        pdf.text(_("The devices listed above have been taken back."), "small"),
    ]
    footer = f"{organisation.name} · {title} · {sale.number}"
    subject = _("Credit note cancelling the sale %(number)s") % {"number": sale.number}
    return pdf.render(story, title=title, subject=subject, footer=footer)


def invoice_pdf(invoice) -> bytes:
    """The invoice `invoice` as PDF bytes, with the mentions of the code de commerce
    (L.441-9, L.441-10, D.441-5), drawn from what was frozen when it was issued."""
    organisation = Organisation.current()
    sale = invoice.sale
    items = list(sale.items.select_related("device").order_by("pk"))
    width = pdf.content_width(A4)
    title = _("Invoice %(number)s") % {"number": invoice.number}
    half = [0.5 * width, 0.5 * width]
    seller = [pdf.text(_("Seller"), "label"), *_letterhead(organisation)]
    buyer = [
        pdf.text(_("Buyer"), "label"),
        pdf.text(invoice.buyer_name, "org"),
        _multiline(invoice.buyer_address),
        pdf.text(_("SIREN %(siren)s") % {"siren": invoice.buyer_siren}),
    ]
    parties = pdf.Table([[seller, buyer]], colWidths=half, hAlign="LEFT")
    parties.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    quarter = [0.2 * width, 0.3 * width, 0.2 * width, 0.3 * width]
    story = [
        parties,
        Spacer(1, 5 * mm),
        pdf.text(title, "title"),
        *_cancellation(sale),
        Spacer(1, 2 * mm),
        pdf.facts(
            [
                [
                    _("Date of issue"),
                    pdf.when(invoice.issued_at, "SHORT_DATE_FORMAT"),
                    _("Date of sale"),
                    pdf.when(sale.sold_at, "SHORT_DATE_FORMAT"),
                ],
                [_("Receipt"), sale.number, _("Purchase order"), invoice.order_reference or "—"],
                [
                    _("Payment due"),
                    formats.date_format(invoice.due_date, "SHORT_DATE_FORMAT"),
                    _("Payment"),
                    sale.get_payment_method_display(),
                ],
            ],
            quarter,
        ),
        Spacer(1, 3 * mm),
        _items_table(items, width, last_heading=_("Amount excl. VAT")),
        _total(_("Total excl. VAT"), sale.total, width),
        _total(_("Total due"), sale.total, width),
        Spacer(1, 4 * mm),
        KeepTogether(_invoice_terms(invoice, organisation)),
    ]
    footer = f"{organisation.name} · {title} · {sale.number}"
    subject = _("Invoice for the sale %(number)s") % {"number": sale.number}
    return pdf.render(story, title=title, subject=subject, footer=footer)


def _invoice_terms(invoice, organisation):
    style = _legal_style()
    terms = [
        _("Payment due on %(date)s at the latest. No discount for early payment.")
        % {"date": formats.date_format(invoice.due_date, "SHORT_DATE_FORMAT")},
        _(
            "Late payment penalties, due from the day after the due date without reminder: "
            "%(rate)s (code de commerce, art. L.441-10)."
        )
        % {"rate": invoice.late_payment_rate},
        _(
            "A professional buyer who pays late also owes a fixed indemnity for recovery "
            "costs of %(amount)s (code de commerce, art. L.441-10 and D.441-5)."
        )
        % {"amount": money(invoice.recovery_indemnity)},
    ]
    if not organisation.vat_mention:
        terms.append(_("Amounts are shown excluding VAT."))
    return [
        pdf.text(_("Payment terms"), "h2"),
        *(Paragraph(escape(term), style) for term in terms),
    ]


def _multiline(value, style="base"):
    lines = [escape(line) for line in str(value).splitlines() if line.strip()]
    return Paragraph("<br/>".join(lines) or "—", pdf.styles()[style])


def _letterhead(organisation):
    """The seller's legal details, as a receipt must give them."""
    story = [pdf.text(organisation.name, "org")]
    if organisation.address.strip():
        story.append(_multiline(organisation.address))
    if organisation.siret:
        story.append(pdf.text(_("SIRET %(siret)s") % {"siret": organisation.siret}))
    if organisation.vat_mention:
        story.append(pdf.text(organisation.vat_mention))
    contact = [organisation.phone, organisation.email, organisation.website]
    if any(contact):
        story.append(pdf.text(" · ".join(c for c in contact if c)))
    return story


def _cancellation(sale):
    if sale.status != Sale.Status.CANCELLED:
        return []
    note = CreditNote.objects.filter(sale=sale).first()
    if note is None:
        return [pdf.text(_("Cancelled."), "h2")]
    return [
        pdf.text(
            _("Cancelled by credit note %(number)s of %(date)s.")
            % {"number": note.number, "date": pdf.when(note.issued_at, "SHORT_DATE_FORMAT")},
            "h2",
        )
    ]


def _buyer(sale):
    if sale.household_id:
        # A household is named by its code only: its file stays in lending.
        return _("Household %(code)s") % {"code": sale.household.code}
    return " ".join(p for p in (sale.buyer_name, sale.buyer_postcode) if p) or "—"


def _sale_facts(sale, width):
    site = " · ".join(p for p in (sale.site.name, " ".join(sale.site.address.split())) if p)
    return pdf.facts(
        [
            [_("Date"), pdf.when(sale.sold_at), _("Site"), site],
            [_("Seller"), pdf.person(sale.seller), _("Buyer"), _buyer(sale)],
            [
                _("Payment"),
                sale.get_payment_method_display(),
                _("Prices"),
                _("Solidarity price") if sale.solidarity else _("Price list"),
            ],
        ],
        [0.17 * width, 0.33 * width, 0.17 * width, 0.33 * width],
    )


def _solidarity(sale):
    # Which proof was seen (RSA, AAH…) says something of the buyer's situation that a
    # receipt, shown to anyone, need not: the sale keeps it, the receipt only says that
    # eligibility was checked (data minimisation, RGPD art. 5 1 c).
    if not sale.solidarity:
        return []
    return [
        Spacer(1, 2 * mm),
        pdf.text(_("Solidarity price: eligibility checked. No document was kept.")),
    ]


def _items_table(items, width, refund=False, last_heading=None):
    cell = pdf.text
    headings = [
        _("Asset tag · serial number"),
        _("Device"),
        _("Price"),
        _("Discount"),
        last_heading or (_("Refunded") if refund else _("Price paid")),
    ]
    rows = [
        [
            [cell(item.device.asset_tag), cell(item.serial_number, "small")],
            [cell(item.description), cell(statement(item), "bold"), *_public_body(item, refund)],
            [cell(money(item.list_price)), cell(item.get_price_kind_display(), "small")],
            _discount_cell(item),
            cell(money(item.price)),
        ]
        for item in items
    ]
    return pdf.listing(headings, rows, [0.2, 0.36, 0.15, 0.15, 0.14], width)


def _public_body(item, refund):
    """The legal basis of a line from a public body's donation (receipts only)."""
    mention = None if refund else public_body.receipt_mention(item)
    return [pdf.text(mention, "small")] if mention else []


def _discount_cell(item):
    if not item.discount:
        return [pdf.text("—")]
    return [pdf.text(f"−{money(item.discount)}"), pdf.text(item.discount_reason, "small")]


def _total(label, amount, width):
    table = pdf.Table(
        [[pdf.text(label, "bold"), pdf.text(money(amount), "bold")]],
        colWidths=[0.86 * width, 0.14 * width],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [("LINEBELOW", (0, 0), (-1, -1), 0.6, pdf.LINE), ("ALIGN", (0, 0), (0, 0), "RIGHT")]
        )
    )
    return table


def _guarantees():
    """What « reconditionné » means, and the legal guarantees' box in the wording the
    code de la consommation requires (sales.legal: D.211-2, L.217-7), verbatim."""
    style = _legal_style()
    meaning = _(
        "Every device on this receipt is a second-hand good. “Refurbished” means that all "
        "its functions were tested and all data of its previous users was deleted "
        "(code de la consommation, art. R.122-4); the others are sold as second-hand devices."
    )
    box = [Paragraph(escape(p), style) for p in legal.GUARANTEE_BOX.text.splitlines()]
    box.append(Paragraph(escape(legal.SECOND_HAND_PRESUMPTION.text), _legal_bold_style()))
    framed = pdf.Table([[box]], colWidths=[pdf.content_width(A4)], hAlign="LEFT")
    framed.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, pdf.LINE)]))
    return [
        Paragraph(escape(meaning), style),
        pdf.text(_("Legal guarantees"), "h2"),
        framed,
    ]


@cache
def _legal_style():
    return ParagraphStyle("legal", pdf.styles()["small"], fontSize=6.8, leading=8.2, spaceAfter=1)


@cache
def _legal_bold_style():
    return ParagraphStyle("legal_bold", _legal_style(), fontName=pdf.fonts()[1])

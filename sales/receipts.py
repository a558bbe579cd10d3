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
from sales import public_body
from sales.models import CreditNote, Sale


def money(amount):
    return f"{formats.number_format(amount, 2)} €"


def statement(item):
    """What the receipt may call the device (décret 2022-190; never « comme neuf »)."""
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
                [_("Paid by"), sale.get_payment_method_display(), _("Receipt"), sale.number],
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
    if not sale.solidarity:
        return []
    proofs = ", ".join(proof.name for proof in sale.proofs.all()) or "—"
    return [
        Spacer(1, 2 * mm),
        pdf.text(
            _(
                "Solidarity price, granted on sight of: %(proofs)s. "
                "The document itself was shown, not kept."
            )
            % {"proofs": proofs}
        ),
    ]


def _items_table(items, width, refund=False):
    cell = pdf.text
    headings = [
        _("Asset tag · serial number"),
        _("Device"),
        _("Price"),
        _("Discount"),
        _("Refunded") if refund else _("Price paid"),
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
    """The legal texts for second-hand goods sold to consumers in France."""
    paragraphs = [
        _(
            "Every device on this receipt is a second-hand good, refurbished or not. "
            "“Refurbished” means that all its essential functions were tested and all "
            "its previous users' data was deleted (decree no. 2022-190); the others are "
            "sold as second-hand devices."
        ),
        _(
            "Legal guarantee of conformity: the seller is liable for any lack of "
            "conformity existing at delivery that appears within 2 years of delivery "
            "(articles L217-3 and following of the French consumer code, code de la "
            "consommation). The buyer is entitled to have the device repaired or "
            "replaced free of charge within 30 days or, failing that, to a price "
            "reduction or to cancel the sale."
        ),
        _(
            "For second-hand goods, a lack of conformity that appears within 12 months "
            "of delivery is presumed to have existed at delivery, unless proven "
            "otherwise (article L217-7 of the consumer code)."
        ),
        _(
            "The buyer also benefits from the legal guarantee against hidden defects "
            "(articles 1641 to 1649 of the civil code)."
        ),
        _(
            "These legal guarantees apply independently of any commercial warranty the "
            "seller may also give."
        ),
    ]
    style = _legal_style()
    return [
        pdf.text(_("Legal guarantees"), "h2"),
        *(Paragraph(escape(p), style) for p in paragraphs),
    ]


@cache
def _legal_style():
    return ParagraphStyle("legal", pdf.styles()["small"], spaceAfter=1.5 * mm)

"""Low-cost sales: the price list, the sales with their receipts, and credit notes.

A receipt is numbered without gaps per site and year (BRU-2026-0042); it is drawn from
the stored sale, so a reprint is identical, and it is never edited: a cancellation is a
credit note with its own number, which puts the devices back on the shelf.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from inventory.models import Category, Device, Grade, Site

MONEY = {"max_digits": 8, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class EligibilityProof(models.Model):
    """A proof the seller may see to grant the solidarity price (RSA, AAH, student
    grant, referral by a partner…). Which one was seen is recorded; the proof is not."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("proof of eligibility")
        verbose_name_plural = _("proofs of eligibility")

    def __str__(self):
        return self.name


class Price(models.Model):
    """What a device of a category and grade sells for, normally and at the solidarity price."""

    category = models.CharField(_("category"), max_length=20, choices=Category)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade)
    price = models.DecimalField(_("price (€)"), **MONEY)
    solidarity_price = models.DecimalField(_("solidarity price (€)"), **MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "grade"]
        verbose_name = _("price")
        verbose_name_plural = _("price list")
        constraints = [
            models.UniqueConstraint(fields=["category", "grade"], name="one_price_a_grade"),
            models.CheckConstraint(
                condition=models.Q(solidarity_price__lte=models.F("price")),
                name="solidarity_price_not_above_price",
                violation_error_message=_("The solidarity price cannot be above the price."),
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.grade}: {self.price} €"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    CHEQUE = "cheque", _("Cheque")
    TRANSFER = "transfer", _("Bank transfer")
    VOUCHER = "voucher", _("Voucher")


class Sale(models.Model):
    class Status(models.TextChoices):
        COMPLETED = "completed", pgettext_lazy("sale status", "Completed")
        CANCELLED = "cancelled", pgettext_lazy("sale status", "Cancelled (credit note)")

    number = models.CharField(_("receipt number"), max_length=30, unique=True, editable=False)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="sales", verbose_name=_("site")
    )
    sold_at = models.DateTimeField(_("date"))
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("seller"),
    )
    # A household of the lending side, when the buyer is one; otherwise a name and a
    # postcode, both optional.
    household = models.ForeignKey(
        "lending.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchases",
        verbose_name=_("household"),
    )
    buyer_name = models.CharField(_("buyer"), max_length=120, blank=True)
    buyer_postcode = models.CharField(_("buyer's postcode"), max_length=10, blank=True)
    payment_method = models.CharField(_("payment"), max_length=10, choices=PaymentMethod)
    solidarity = models.BooleanField(_("solidarity price"), default=False)
    proofs = models.ManyToManyField(
        EligibilityProof, blank=True, related_name="+", verbose_name=_("proof seen")
    )
    total = models.DecimalField(_("total (€)"), **MONEY)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.COMPLETED, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-sold_at", "-pk"]
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        indexes = [models.Index(fields=["site", "sold_at"])]

    def __str__(self):
        return _("Receipt %(number)s") % {"number": self.number}

    def get_absolute_url(self):
        return reverse("sales:sale_detail", args=[self.pk])


class SaleItem(models.Model):
    """A device of a sale, with what the receipt says of it, frozen at the sale."""

    class PriceKind(models.TextChoices):
        NORMAL = "normal", _("Price list")
        SOLIDARITY = "solidarity", _("Solidarity price")

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="items")
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="sale_items", verbose_name=_("device")
    )
    # True until a credit note cancels the sale: a device is in one sale at a time.
    active = models.BooleanField(default=True, editable=False)
    description = models.CharField(_("description"), max_length=300)
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    # "Reconditionné" (décret 2022-190) only when its tests passed and its data was erased.
    refurbished = models.BooleanField(_("refurbished"))
    price_kind = models.CharField(_("price"), max_length=12, choices=PriceKind)
    list_price = models.DecimalField(_("list price (€)"), **MONEY)
    discount = models.DecimalField(_("discount (€)"), default=0, **MONEY)
    discount_reason = models.CharField(_("reason for the discount"), max_length=200, blank=True)
    price = models.DecimalField(_("price paid (€)"), **MONEY)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("sold device")
        verbose_name_plural = _("sold devices")
        constraints = [
            models.UniqueConstraint(
                fields=["device"],
                condition=models.Q(active=True),
                name="one_active_sale_per_device",
                violation_error_message=_("This device is already in another sale."),
            )
        ]

    def __str__(self):
        return f"{self.sale.number} · {self.device.asset_tag}"


class CreditNote(models.Model):
    """The cancellation of a sale: its own number, the reason, the amount given back."""

    number = models.CharField(_("credit note number"), max_length=30, unique=True)
    sale = models.OneToOneField(Sale, on_delete=models.PROTECT, related_name="credit_note")
    issued_at = models.DateTimeField(_("date"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    total = models.DecimalField(_("amount refunded (€)"), **MONEY)
    # How the money went back, which may differ from how it came in (a card payment
    # refunded in cash): the credit note prints it and the till books it there.
    refund_method = models.CharField(_("refunded by"), max_length=10, choices=PaymentMethod)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")

    def __str__(self):
        return _("Credit note %(number)s") % {"number": self.number}


# Devices from a public body's donation (CG3P art. L3212-2 3°, sales.public_body) --------
#
# Written once with the sale, in its transaction, never edited (the sale's history
# records its creation). The buyer's side says only that a proof of need was seen,
# never which one (data minimisation); the line keeps the cap and its source as they
# were on the day, so that a reprint says the same.


class PublicBodyBuyer(models.TextChoices):
    PERSON = "person", _("A person in precarity (proof of need seen)")
    ASSOCIATION = "association", _("An association working for people in precarity")


class PublicBodySale(models.Model):
    """Who bought devices from a public body's donation, as the law allows."""

    sale = models.OneToOneField(
        Sale, on_delete=models.CASCADE, related_name="public_body", editable=False
    )
    buyer = models.CharField(_("buyer"), max_length=12, choices=PublicBodyBuyer, editable=False)
    # For a person: the seller saw a proof of need. Which document is not recorded.
    need_checked = models.BooleanField(_("proof of need seen"), default=False, editable=False)

    class Meta:
        verbose_name = _("solidarity sale of public equipment")
        verbose_name_plural = _("solidarity sales of public equipment")

    def __str__(self):
        return f"{self.sale.number} · {self.get_buyer_display()}"


class PublicBodyLine(models.Model):
    """A sold device that came from a public body, with the cap that applied."""

    item = models.OneToOneField(
        SaleItem, on_delete=models.CASCADE, related_name="public_body", editable=False
    )
    cap = models.DecimalField(_("maximum price (€)"), editable=False, **MONEY)
    source = models.CharField(_("source of the cap"), max_length=120, editable=False)

    class Meta:
        verbose_name = _("sold device from a public body")
        verbose_name_plural = _("sold devices from a public body")

    def __str__(self):
        return f"{self.item} ≤ {self.cap} €"


class Invoice(models.Model):
    """The invoice (« Facture ») of a sale to a business or an association, with the
    mentions the code de commerce requires (L.441-9, sales.legal).

    Issued once per sale and frozen: the buyer's details, the terms and the legal
    mentions are copied here when it is issued, so a reprint is the same document; the
    lines are the sale's, themselves frozen at the sale.
    """

    number = models.CharField(_("invoice number"), max_length=30, unique=True, editable=False)
    sale = models.OneToOneField(
        Sale, on_delete=models.PROTECT, related_name="invoice", verbose_name=_("sale")
    )
    issued_at = models.DateTimeField(_("date"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    buyer_name = models.CharField(_("buyer's name"), max_length=200)
    buyer_address = models.TextField(_("buyer's address"))
    buyer_siren = models.CharField(_("SIREN"), max_length=9)
    order_reference = models.CharField(_("purchase order"), max_length=60, blank=True)
    due_date = models.DateField(_("payment due"))
    late_payment_rate = models.CharField(_("late payment penalty rate"), max_length=300)
    recovery_indemnity = models.DecimalField(_("recovery indemnity (€)"), **MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self):
        return _("Invoice %(number)s") % {"number": self.number}

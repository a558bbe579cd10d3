"""Invoices (« Facture ») for sales to businesses and associations.

A receipt is enough for a household; a business or an association that buys needs an
invoice with the mentions of the code de commerce (L.441-9): the buyer's name, address
and SIREN, the date payment is due, the late-payment penalty rate and the fixed recovery
indemnity (L.441-10, D.441-5). The rules and their sources are in sales.legal; the
payment term and the penalty rate are the association's choice within the law
(settings SALES_INVOICE_PAYMENT_DAYS, SALES_LATE_PAYMENT_RATE).

An invoice is numbered without gaps per site and year (FA-BRU-2026-0001) in the
transaction that issues it, and everything it prints is copied onto it then: a reprint
is the same invoice.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import require
from sales import legal
from sales.models import Invoice, Sale
from sales.services import SaleRefused, receipt_number

# Payment within 60 days of the invoice at most (code de commerce L.441-10 I).
MAX_PAYMENT_DAYS = 60


def payment_days():
    """The association's payment term in days (default: the legal 30 days)."""
    return int(getattr(settings, "SALES_INVOICE_PAYMENT_DAYS", legal.DEFAULT_PAYMENT_DAYS.text))


def late_payment_rate():
    """The association's late-payment penalty rate, as the invoice prints it."""
    return getattr(settings, "SALES_LATE_PAYMENT_RATE", "") or legal.DEFAULT_LATE_PAYMENT_RATE.text


def valid_siren(value):
    """A SIREN is 9 digits whose Luhn checksum is right (INSEE)."""
    if len(value) != 9 or not value.isdigit():
        return False
    total = 0
    for position, digit in enumerate(int(c) for c in value):
        if position % 2:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0


def _clean_buyer(buyer_name, buyer_address, buyer_siren, order_reference):
    name = " ".join((buyer_name or "").split())
    address = "\n".join(line.strip() for line in (buyer_address or "").splitlines() if line.strip())
    siren = "".join((buyer_siren or "").split())
    reference = (order_reference or "").strip()
    if not name:
        raise SaleRefused(
            _("Give the buyer's name (company or association): the invoice names it.")
        )
    if not address:
        raise SaleRefused(_("Give the buyer's address: an invoice must state it."))
    if not valid_siren(siren):
        raise SaleRefused(
            _(
                "“%(siren)s” is not a SIREN number: 9 digits, as on the buyer's Kbis or its "
                "RNA/SIRENE notice."
            )
            % {"siren": siren or "—"}
        )
    limits = {"buyer_name": name, "order_reference": reference}
    for field, value in limits.items():
        if len(value) > Invoice._meta.get_field(field).max_length:
            raise SaleRefused(_("The buyer's name or the purchase order is too long."))
    return name, address, siren, reference


def issue_invoice(*, sale, by, buyer_name, buyer_address, buyer_siren, order_reference=""):
    """Issue the invoice of `sale` for a business or association buyer; returns it.

    Refused (SaleRefused, nothing written, no number used) for a cancelled sale, a sale to
    a household, a sale that has an invoice already, or missing or wrong buyer details.
    """
    require(by, "sales.add_invoice")
    if sale.household_id:
        raise SaleRefused(
            _("This sale was made to a household: it has a receipt, not a business invoice.")
        )
    name, address, siren, reference = _clean_buyer(
        buyer_name, buyer_address, buyer_siren, order_reference
    )
    days = payment_days()
    if not 0 <= days <= MAX_PAYMENT_DAYS:
        raise SaleRefused(
            _(
                "The payment term set for invoices (%(days)s days) is outside the legal "
                "0 to 60 days."
            )
            % {"days": days}
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            current = Sale.objects.select_related("site").get(pk=sale.pk)
            if current.status != Sale.Status.COMPLETED:
                raise SaleRefused(
                    _("This sale was cancelled by a credit note: it cannot be invoiced.")
                )
            if Invoice.objects.filter(sale=current).exists():
                raise SaleRefused(_("This sale has an invoice already: reprint it."))
            invoice = Invoice(
                number=receipt_number(current.site, timezone.localtime(now).year, kind="invoice"),
                sale=current,
                issued_at=now,
                issued_by=by,
                buyer_name=name,
                buyer_address=address,
                buyer_siren=siren,
                order_reference=reference,
                due_date=timezone.localdate(now) + datetime.timedelta(days=days),
                late_payment_rate=late_payment_rate()[:300],
                recovery_indemnity=Decimal(legal.RECOVERY_INDEMNITY.text),
            )
            invoice._history_user = by
            invoice.save()
    except IntegrityError:
        # Two clerks at once: the one-to-one on the sale lets one invoice through.
        raise SaleRefused(_("This sale has an invoice already: reprint it.")) from None
    return invoice

"""Selling: the price of a device, a sale with its numbered receipt, its cancellation.

Devices move ready → sold through the inventory's lifecycle (inventory.workflow, the
"sale" process), in the same transaction as the sale and its receipt number: if one
device is no longer available, the whole sale is refused with a message naming it, and
no number is used up (the counter's row is part of the transaction, so numbers have no
gaps: a refused sale rolls its number back).
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import workflow
from inventory.models import Device
from inventory.models import Status as DeviceStatus
from inventory.services import reserve_sequence_values

from .models import CreditNote, PaymentMethod, Price, Sale, SaleItem
from .wording import describe, is_refurbished


class SaleRefused(workflow.WorkflowError):
    """The sale (or its cancellation) cannot be recorded; the message says why."""


def _require(user, permission):
    if not user.has_perm(permission):
        raise SaleRefused(_("Your role may not do this."))


def receipt_number(site, year, kind="sale"):
    """The next number of `site`'s receipts (or credit notes) of `year`: BRU-2026-0042.

    Call it inside the transaction that records the document: the counter's row stays
    locked until the commit, and a rollback gives the number back.
    """
    prefix = "" if kind == "sale" else "AV-"
    value = reserve_sequence_values(f"{kind}:{site.code}:{year}")
    return f"{prefix}{site.code}-{year}-{value:04d}"


def price_of(device, prices, solidarity):
    """(kind, list price) of `device` from the price list `prices` {(category, grade): Price}."""
    price = prices.get((device.category, device.grade))
    if price is None:
        raise SaleRefused(
            _("%(tag)s: the price list has no price for a %(category)s of grade %(grade)s.")
            % {
                "tag": device.asset_tag,
                "category": device.get_category_display().lower(),
                "grade": device.grade or "—",
            }
        )
    if solidarity:
        return SaleItem.PriceKind.SOLIDARITY, price.solidarity_price
    return SaleItem.PriceKind.NORMAL, price.price


def _check_buyer(solidarity, proofs, household, payment_method):
    if payment_method not in PaymentMethod.values:
        raise SaleRefused(_("Choose how the buyer pays."))
    if solidarity and not proofs:
        raise SaleRefused(
            _("The solidarity price needs a proof of eligibility: tick the one you saw.")
        )


def _discount(device, discounts):
    amount, reason = discounts.get(device.pk, (Decimal("0"), ""))
    amount = Decimal(amount or 0)
    if amount < 0:
        raise SaleRefused(_("%(tag)s: a discount cannot be negative.") % {"tag": device.asset_tag})
    if amount and not (reason or "").strip():
        raise SaleRefused(_("%(tag)s: say why it has a discount.") % {"tag": device.asset_tag})
    return amount, (reason or "").strip()


def record_sale(
    *,
    by,
    site,
    devices,
    payment_method,
    solidarity=False,
    proofs=(),
    household=None,
    buyer_name="",
    buyer_postcode="",
    discounts=None,
    note="",
):
    """Sell `devices` (each ready) at `site`; returns the Sale with its receipt number.

    `discounts` maps a device's pk to (amount, reason). All or nothing.
    """
    _require(by, "sales.add_sale")
    devices = list({device.pk: device for device in devices}.values())
    if not devices:
        raise SaleRefused(_("Scan or choose at least one device to sell."))
    proofs = list(proofs)
    _check_buyer(solidarity, proofs, household, payment_method)
    discounts = discounts or {}
    prices = {(p.category, p.grade): p for p in Price.objects.all()}
    lines = []
    for device in devices:
        kind, list_price = price_of(device, prices, solidarity)
        amount, reason = _discount(device, discounts)
        if amount > list_price:
            raise SaleRefused(
                _("%(tag)s: the discount is more than its price.") % {"tag": device.asset_tag}
            )
        lines.append((device, kind, list_price, amount, reason))
    now = timezone.now()
    try:
        with transaction.atomic():
            sale = Sale(
                number=receipt_number(site, timezone.localtime(now).year),
                site=site,
                sold_at=now,
                seller=by,
                household=household,
                buyer_name=buyer_name.strip(),
                buyer_postcode=buyer_postcode.strip(),
                payment_method=payment_method,
                solidarity=solidarity,
                total=sum(list_price - amount for _d, _k, list_price, amount, _r in lines),
                note=note.strip(),
            )
            sale._history_user = by
            sale.save()
            sale.proofs.set(proofs)
            for device, kind, list_price, amount, reason in lines:
                _sell(sale, device, kind, list_price, amount, reason, by)
    except workflow.WorkflowError as error:
        raise SaleRefused(error.message) from None
    return sale


def _sell(sale, device, kind, list_price, amount, reason, by):
    fresh = Device.objects.prefetch_related("drives__erasures", "check_results").get(pk=device.pk)
    try:
        with transaction.atomic():
            SaleItem.objects.create(
                sale=sale,
                device=device,
                description=describe(fresh),
                serial_number=fresh.serial_number,
                refurbished=is_refurbished(fresh),
                price_kind=kind,
                list_price=list_price,
                discount=amount,
                discount_reason=reason,
                price=list_price - amount,
            )
    except IntegrityError:
        raise SaleRefused(
            _("%(tag)s is already in another sale.") % {"tag": device.asset_tag}
        ) from None
    try:
        workflow.transition_device(
            device=device,
            target=DeviceStatus.SOLD,
            by=by,
            note=_("Receipt %(number)s") % {"number": sale.number},
            process=workflow.SALE,
        )
    except workflow.WorkflowError as error:
        raise SaleRefused(f"{device.asset_tag}: {error.message}") from None


def cancel_sale(*, sale, by, reason):
    """A credit note, numbered, for the whole sale; its devices are ready again."""
    _require(by, "sales.add_creditnote")
    reason = (reason or "").strip()
    if not reason:
        raise SaleRefused(_("Say why the sale is cancelled: the credit note states it."))
    now = timezone.now()
    try:
        with transaction.atomic():
            won = Sale.objects.filter(pk=sale.pk, status=Sale.Status.COMPLETED).update(
                status=Sale.Status.CANCELLED
            )
            if not won:
                raise SaleRefused(_("This sale was already cancelled."))
            sale.status = Sale.Status.CANCELLED
            Sale.history.bulk_history_create(
                [sale], update=True, default_user=by, default_change_reason=reason
            )
            note = CreditNote.objects.create(
                number=receipt_number(sale.site, timezone.localtime(now).year, kind="credit"),
                sale=sale,
                issued_at=now,
                issued_by=by,
                reason=reason,
                total=sale.total,
            )
            for item in sale.items.filter(active=True).select_related("device"):
                workflow.transition_device(
                    device=item.device,
                    target=DeviceStatus.READY,
                    by=by,
                    note=_("Credit note %(number)s: %(reason)s")
                    % {"number": note.number, "reason": reason},
                    process=workflow.SALE,
                )
            sale.items.update(active=False)
    except workflow.WorkflowError as error:
        raise SaleRefused(error.message) from None
    return note

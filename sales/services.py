"""Selling: the price of a device, a sale with its numbered receipt, its cancellation.

Devices move ready → sold through the inventory's lifecycle (inventory.workflow, the
"sale" process), in the same transaction as the sale and its receipt number: if one
device is no longer available, the whole sale is refused with a message naming it, and
no number is used up (the counter's row is part of the transaction, so numbers have no
gaps: a refused sale rolls its number back).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import Refused, require
from inventory import workflow
from inventory.models import Device
from inventory.models import Status as DeviceStatus
from inventory.services import reserve_sequence_values
from sales import public_body
from sales.models import CreditNote, PaymentMethod, Price, Sale, SaleItem
from sales.wording import describe, is_refurbished

CENT = Decimal("0.01")


class SaleRefused(Refused):
    """The sale (or its cancellation) cannot be recorded; the message says why."""


def receipt_number(site, year, kind="sale"):
    """The next number of `site`'s receipts (credit notes, invoices) of `year`: BRU-2026-0042,
    AV-BRU-2026-0003, FA-BRU-2026-0001.

    Call it inside the transaction that records the document: the counter's row stays
    locked until the commit, and a rollback gives the number back.
    """
    prefix = {"sale": "", "credit": "AV-", "invoice": "FA-"}[kind]
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


def _check_buyer(solidarity, proofs, payment_method, buyer_name, buyer_postcode):
    if payment_method not in PaymentMethod.values:
        raise SaleRefused(_("Choose how the buyer pays."))
    if solidarity and not proofs:
        raise SaleRefused(
            _("The solidarity price needs a proof of eligibility: tick the one you saw.")
        )
    if any(not proof.active for proof in proofs):
        raise SaleRefused(_("This proof of eligibility is no longer accepted."))
    name_field = Sale._meta.get_field("buyer_name")
    postcode_field = Sale._meta.get_field("buyer_postcode")
    if len(buyer_name) > name_field.max_length or len(buyer_postcode) > postcode_field.max_length:
        raise SaleRefused(_("The buyer's name or postcode is too long."))


def _discount(device, discounts):
    """(amount, reason) of the discount on `device`, in cents; refused when it makes no sense."""
    amount, reason = discounts.get(device.pk, (Decimal("0"), ""))
    try:
        amount = Decimal(str(amount or 0)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise SaleRefused(
            _("%(tag)s: the discount is not an amount in euros.") % {"tag": device.asset_tag}
        ) from None
    reason = (reason or "").strip()
    if amount < 0:
        raise SaleRefused(_("%(tag)s: a discount cannot be negative.") % {"tag": device.asset_tag})
    if amount and not reason:
        raise SaleRefused(_("%(tag)s: say why it has a discount.") % {"tag": device.asset_tag})
    max_length = SaleItem._meta.get_field("discount_reason").max_length
    if len(reason) > max_length:
        raise SaleRefused(
            _("%(tag)s: the reason for the discount is too long.") % {"tag": device.asset_tag}
        )
    return amount, reason if amount else ""


def _available(pks):
    """The devices of `pks`, fresh and locked until the sale commits; refused unless ready.

    Locked in pk order, so that two sales sharing devices wait for each other instead
    of deadlocking; the second one then reads "sold" and is refused.
    """
    devices = list(
        Device.objects.filter(pk__in=pks)
        .select_for_update()
        .order_by("pk")
        .prefetch_related("drives__erasures", "check_results")
    )
    if len(devices) != len(pks):
        raise SaleRefused(_("A device of this sale no longer exists. Reload the page."))
    unavailable = [d for d in devices if d.status != DeviceStatus.READY]
    if unavailable:
        raise SaleRefused(
            _("Nothing was sold: %(devices)s. Take it out of the sale and try again.")
            % {
                "devices": " · ".join(
                    _("%(tag)s is no longer available (it is “%(status)s”)")
                    % {"tag": d.asset_tag, "status": d.get_status_display()}
                    for d in unavailable
                )
            }
        )
    return devices


def _line(device, prices, solidarity, discounts):
    kind, list_price = price_of(device, prices, solidarity)
    amount, reason = _discount(device, discounts)
    if amount > list_price:
        raise SaleRefused(
            _("%(tag)s: the discount is more than its price.") % {"tag": device.asset_tag}
        )
    return SaleItem(
        device=device,
        description=describe(device),
        serial_number=device.serial_number,
        # Frozen now: the receipt says what was true when the buyer paid.
        refurbished=is_refurbished(device),
        price_kind=kind,
        list_price=list_price,
        discount=amount,
        discount_reason=reason,
        price=list_price - amount,
    )


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
    public_body_buyer="",
    need_checked=False,
):
    """Sell `devices` (each ready) at `site`; returns the Sale with its receipt number.

    `discounts` maps a device's pk to (amount, reason). Devices from a public body's
    donation also need `public_body_buyer` (a PublicBodyBuyer value; for a person,
    `need_checked`) and a price within their cap (sales.public_body). All or nothing: a
    refusal (SaleRefused) writes nothing and uses no receipt number.
    """
    require(by, "sales.add_sale")
    pks = list(dict.fromkeys(device.pk for device in devices))
    if not pks:
        raise SaleRefused(_("Scan or choose at least one device to sell."))
    # Which proof was seen matters only for the solidarity price.
    proofs = list(proofs) if solidarity else []
    buyer_name, buyer_postcode = (buyer_name or "").strip(), (buyer_postcode or "").strip()
    if household is not None:
        # The household's identity stays in lending, where who may read it is narrowed:
        # the sale (read by every seller) keeps only the link, printed as its code.
        buyer_name = buyer_postcode = ""
    _check_buyer(solidarity, proofs, payment_method, buyer_name, buyer_postcode)
    prices = {(p.category, p.grade): p for p in Price.objects.all()}
    now = timezone.now()
    try:
        with transaction.atomic():
            lines = [_line(d, prices, solidarity, discounts or {}) for d in _available(pks)]
            buyer = public_body.Buyer(
                kind=public_body_buyer or "",
                need_checked=bool(need_checked),
                name=buyer_name,
                household=household,
            )
            public = public_body.check_public_body(lines, buyer)
            sale = Sale(
                number=receipt_number(site, timezone.localtime(now).year),
                site=site,
                sold_at=now,
                seller=by,
                household=household,
                buyer_name=buyer_name,
                buyer_postcode=buyer_postcode,
                payment_method=payment_method,
                solidarity=solidarity,
                total=sum((line.price for line in lines), Decimal("0")),
                note=(note or "").strip(),
            )
            sale._history_user = by
            sale.save()
            sale.proofs.set(proofs)
            for line in lines:
                _sell(sale, line, by)
            public_body.record_public_body(sale, lines, public, buyer)
    except Refused as error:
        raise SaleRefused(error.message) from None
    return sale


def _sell(sale, line, by):
    device = line.device
    line.sale = sale
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError:
        # The partial unique index: a sale that did not wait for the device's lock.
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
            holder_ref=sale.number,
        )
    except Refused as error:
        message = error.message
        if device.asset_tag not in message:
            message = f"{device.asset_tag}: {message}"
        raise SaleRefused(message) from None


def cancel_sale(*, sale, by, reason, refund_method):
    """A credit note, numbered, for the whole sale, refunded by `refund_method`; its
    devices go back to erasure for a new cycle (see _take_back).

    Raises SaleRefused (nothing written) without a reason or a refund method, or if the
    sale was cancelled.
    """
    require(by, "sales.add_creditnote")
    reason = (reason or "").strip()
    if not reason:
        raise SaleRefused(_("Say why the sale is cancelled: the credit note states it."))
    if refund_method not in PaymentMethod.values:
        raise SaleRefused(
            _("Say how the buyer was refunded: the credit note and the till state it.")
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            # The conditional UPDATE is what makes the second of two cancellations lose.
            won = Sale.objects.filter(pk=sale.pk, status=Sale.Status.COMPLETED).update(
                status=Sale.Status.CANCELLED
            )
            if not won:
                raise SaleRefused(_("This sale was already cancelled."))
            current = Sale.objects.select_related("site").get(pk=sale.pk)
            Sale.history.bulk_history_create(
                [current], update=True, default_user=by, default_change_reason=reason
            )
            note = CreditNote.objects.create(
                number=receipt_number(current.site, timezone.localtime(now).year, kind="credit"),
                sale=current,
                issued_at=now,
                issued_by=by,
                reason=reason,
                total=current.total,
                refund_method=refund_method,
            )
            for item in current.items.filter(active=True).select_related("device"):
                _take_back(item.device, note, current, by)
            current.items.update(active=False)
            # Each device was freed by its move back to erasure; none stays held by a
            # cancelled sale.
            workflow.release_devices(process=workflow.SALE, holder_ref=current.number, by=by)
    except Refused as error:
        raise SaleRefused(error.message) from None
    sale.status = Sale.Status.CANCELLED
    return note


def _take_back(device, note, sale, by):
    """Send a device of a cancelled sale back to erasure, starting a new cycle.

    It left with a buyer, who may have put data on it: before it is « reconditionné »
    again, it needs a new erasure and all its tests passed anew (code de la consommation
    R.122-4; sales.legal.REFURBISHED). The inventory's SOLD → WIPING move starts that cycle
    (inventory.workflow.NEW_CYCLE), so the previous erasures and tests no longer count.
    """
    workflow.transition_device(
        device=device,
        target=DeviceStatus.WIPING,
        by=by,
        note=_("Credit note %(number)s: %(reason)s. Back to erasure for a new cycle.")
        % {"number": note.number, "reason": note.reason},
        process=workflow.SALE,
        holder_ref=sale.number,
    )

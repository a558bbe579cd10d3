"""Devices given by a public body, at the counter (CG3P art. L3212-2 3°, loi 3DS art. 178).

Such a device may be sold only at a solidarity price, capped by décret
(sales.public_body_caps), to a person in precarity or to an association working for
them. A sale is checked line by line: every device from a public body must come under
its category's cap, and the sale's buyer must be one the law allows. Other devices of
the same sale are not concerned.

`problems` says what stops a sale (the counter shows it before recording);
`check_public_body` is what record_sale calls inside its transaction, and
`record_public_body` writes what the receipt prints.
"""

from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from accounts.refusals import Refused
from inventory.models import Device, Donor
from sales.models import PublicBodyBuyer, PublicBodyLine, PublicBodySale
from sales.public_body_caps import LAW, cap_for


@dataclass(frozen=True)
class Buyer:
    """Who buys, as far as the law on public equipment cares: `kind` is a
    PublicBodyBuyer value or ""; `need_checked` the seller saw a proof of need."""

    kind: str = ""
    need_checked: bool = False
    name: str = ""
    household: object = None


def public_body_pks(pks):
    """The pks, among `pks`, of devices given by a public body (one query)."""
    if not pks:
        return set()
    found = Device.objects.filter(pk__in=pks, donation__donor__kind=Donor.Kind.PUBLIC_BODY)
    return set(found.values_list("pk", flat=True))


def _euros(amount):
    return f"{formats.number_format(amount, 2)} €"


def line_problem(device, price):
    """Why `device` (from a public body) cannot be sold at `price`, or ""."""
    cap = cap_for(device.category)
    category = device.get_category_display().lower()
    if cap is None:
        return _(
            "%(tag)s (%(category)s) comes from a public body's donation: no décret sets "
            "a maximum price for a %(category)s (%(law)s), so it cannot be sold, only given."
        ) % {"tag": device.asset_tag, "category": category, "law": LAW}
    if price is not None and price > cap.amount:
        return _(
            "%(tag)s (%(category)s) comes from a public body's donation: it may not be "
            "sold above %(cap)s, the maximum price for a %(category)s (%(law)s, "
            "%(source)s). Its price is %(price)s: give a discount of at least %(missing)s."
        ) % {
            "tag": device.asset_tag,
            "category": category,
            "cap": _euros(cap.amount),
            "law": LAW,
            "source": cap.source,
            "price": _euros(price),
            "missing": _euros(price - cap.amount),
        }
    return ""


def buyer_problem(devices, buyer):
    """Why the buyer may not have `devices` (from a public body), or ""."""
    if not devices:
        return ""
    tags = ", ".join(device.asset_tag for device in devices)
    if buyer.kind not in PublicBodyBuyer.values:
        return _(
            "%(tags)s: equipment from a public body's donation may be sold only to a "
            "person in precarity whose proof of need you saw, or to an association "
            "working for such people (%(law)s). Say who buys."
        ) % {"tags": tags, "law": LAW}
    if buyer.kind == PublicBodyBuyer.PERSON and not buyer.need_checked:
        return _(
            "%(tags)s: equipment from a public body's donation is sold to a person in "
            "precarity only on sight of a proof of need. Tick that you saw one (which "
            "one is not recorded)."
        ) % {"tags": tags}
    if buyer.kind == PublicBodyBuyer.ASSOCIATION and (buyer.household or not buyer.name):
        return _(
            "%(tags)s: name the association that buys equipment from a public body's "
            "donation, in the buyer's name."
        ) % {"tags": tags}
    return ""


def given_by_public_body(device):
    """Whether `device` came in a public body's donation (reads the relation as loaded:
    the counter's devices come with their donation and donor)."""
    donation = device.donation
    return donation is not None and donation.donor.kind == Donor.Kind.PUBLIC_BODY


def problems(priced, buyer, public=None):
    """What stops the sale of `priced` [(device, price or None), …] to `buyer`: one
    sentence per device over its cap, and one for the buyer. Empty when none.
    `public`: the pks of the devices from a public body, read from each device if None."""
    if public is None:
        public = {device.pk for device, _price in priced if given_by_public_body(device)}
    concerned = [(device, price) for device, price in priced if device.pk in public]
    found = [line_problem(device, price) for device, price in concerned]
    found.append(buyer_problem([device for device, _price in concerned], buyer))
    return [problem for problem in found if problem]


class PublicBodyRefused(Refused):
    """The law on public equipment forbids this sale; the message says why, per line."""


def check_public_body(lines, buyer):
    """Refuse (PublicBodyRefused, every reason in one message) a sale whose `lines`
    (unsaved SaleItems) the law on public equipment forbids; else the pks of the
    devices it concerns."""
    public = public_body_pks([line.device.pk for line in lines])
    found = problems([(line.device, line.price) for line in lines], buyer, public)
    if found:
        raise PublicBodyRefused(" ".join(found))
    return public


def record_public_body(sale, lines, public, buyer):
    """Write what the receipt prints for the lines of devices in `public` (their pks),
    and that the buyer was checked. Call in the sale's transaction, after its lines."""
    concerned = [line for line in lines if line.device.pk in public]
    if not concerned:
        return
    PublicBodySale.objects.create(
        sale=sale,
        buyer=buyer.kind,
        need_checked=buyer.kind == PublicBodyBuyer.PERSON and buyer.need_checked,
    )
    caps = [cap_for(line.device.category) for line in concerned]
    PublicBodyLine.objects.bulk_create(
        PublicBodyLine(item=line, cap=cap.amount, source=cap.source)
        for line, cap in zip(concerned, caps, strict=True)
    )


def receipt_mention(item):
    """The receipt's words on a line from a public body (its legal basis), or None."""
    try:
        line = item.public_body
    except PublicBodyLine.DoesNotExist:
        return None
    return _(
        "Equipment from a public body's donation — solidarity sale, %(law)s; "
        "price capped at %(cap)s (%(source)s)."
    ) % {"law": LAW, "cap": _euros(line.cap), "source": line.source}


def counter_problems(lines, sale):
    """The counter's "Check": what check_public_body would refuse, for the checked
    `lines` (selectors.Line) and the keyword arguments of record_sale `sale`."""
    household = sale.get("household")
    buyer = Buyer(
        kind=sale.get("public_body_buyer", ""),
        need_checked=sale.get("need_checked", False),
        name="" if household else (sale.get("buyer_name") or "").strip(),
        household=household,
    )
    return problems([(line.device, line.price) for line in lines], buyer)

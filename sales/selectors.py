"""What the shop's pages read: the lines of a sale checked at the counter, the sales
list and its totals, the till of a day, the sale a sold device belongs to.

Nothing here writes: the sale itself is recorded by services.record_sale, which checks
everything again inside its transaction.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.utils.translation import gettext as _

from inventory.models import Device, Site
from inventory.models import Status as DeviceStatus
from sales.models import CreditNote, PaymentMethod, Price, Sale, SaleItem
from sales.services import SaleRefused, price_of

ZERO = Decimal("0.00")


def default_site(user):
    """The site of the user's last sale, else the first site (by name)."""
    last = Sale.objects.filter(seller=user).order_by("-sold_at").values("site")[:1]
    return Site.objects.filter(pk__in=last).first() or Site.objects.order_by("name").first()


def price_grid():
    """The price list as {(category, grade): Price}."""
    return {(price.category, price.grade): price for price in Price.objects.all()}


# The counter -----------------------------------------------------------------------------


@dataclass
class Line:
    device: Device
    list_price: Decimal | None
    discount: Decimal = ZERO
    reason: str = ""
    problem: str = ""
    # Not a refusal: a device registered at another site than the till's.
    notice: str = ""

    @property
    def price(self):
        return None if self.list_price is None else self.list_price - self.discount


@dataclass
class Check:
    """What the counter shows before recording: each line's price, what stops the sale."""

    site: Site
    lines: list
    problems: list = field(default_factory=list)

    @property
    def total(self):
        return sum((line.price for line in self.lines if line.price is not None), ZERO)

    @property
    def ok(self):
        return bool(self.lines) and not self.problems

    @property
    def signature(self):
        """What the seller saw: the site, the devices and the total. Recording compares it
        with the lines as they are then, so that nothing else is recorded."""
        devices = ",".join(str(pk) for pk in sorted(line.device.pk for line in self.lines))
        return f"{self.site.pk}:{devices}:{self.total}"


def check_sale(*, site, devices, solidarity, proofs, discounts):
    """The lines of a sale as the counter shows them, with the refusals the sale service
    would give (the same sentences); `discounts` maps a device's pk to (amount, reason)."""
    prices = price_grid()
    lines = [_line(device, site, prices, solidarity, discounts) for device in devices]
    problems = [line.problem for line in lines if line.problem]
    if not lines:
        problems.append(_("Scan or choose at least one device to sell."))
    if solidarity and not proofs:
        problems.append(
            _("The solidarity price needs a proof of eligibility: tick the one you saw.")
        )
    return Check(site=site, lines=lines, problems=problems)


def _line(device, site, prices, solidarity, discounts):
    amount, reason = discounts.get(device.pk, (ZERO, ""))
    line = Line(device=device, list_price=None, discount=amount or ZERO, reason=reason)
    try:
        line.list_price = price_of(device, prices, solidarity)[1]
    except SaleRefused as refusal:
        line.problem = refusal.message
    if device.status != DeviceStatus.READY:
        line.problem = _("%(tag)s is not ready for sale: it is “%(status)s”.") % {
            "tag": device.asset_tag,
            "status": device.get_status_display(),
        }
    elif line.discount and not reason:
        line.problem = _("%(tag)s: say why it has a discount.") % {"tag": device.asset_tag}
    elif line.list_price is not None and line.discount > line.list_price:
        line.problem = _("%(tag)s: the discount is more than its price.") % {
            "tag": device.asset_tag
        }
    if device.site_id != site.pk:
        line.notice = _("Registered at %(site)s.") % {"site": device.site.name}
    return line


def ready_devices(site, search="", limit=200):
    """The ready devices of `site` the counter offers, the most recently readied first,
    each with its `list_price` (a Price, or None when the price list has none)."""
    devices = Device.objects.ready().with_relations().filter(site=site)
    found = list(devices.search(search).order_by("-status_changed_at", "-pk")[:limit])
    prices = price_grid()
    for device in found:
        device.list_price = prices.get((device.category, device.grade))
    return found


# The sales list --------------------------------------------------------------------------


def sales_matching(
    *,
    site=None,
    date_from=None,
    date_to=None,
    payment_method="",
    solidarity="",
    status="",
    search="",
):
    """The sales the list's filters select; `solidarity` is "yes", "no" or ""."""
    sales = Sale.objects.all()
    if site is not None:
        sales = sales.filter(site=site)
    if date_from:
        sales = sales.filter(sold_at__date__gte=date_from)
    if date_to:
        sales = sales.filter(sold_at__date__lte=date_to)
    if payment_method:
        sales = sales.filter(payment_method=payment_method)
    if solidarity:
        sales = sales.filter(solidarity=solidarity == "yes")
    if status:
        sales = sales.filter(status=status)
    search = search.replace("\x00", "").strip()
    if search:
        # A receipt, a credit note or a device of the sale: never one row per device.
        items = SaleItem.objects.filter(device__asset_tag__icontains=search).values("sale")
        sales = sales.filter(
            Q(number__icontains=search) | Q(credit_note__number__icontains=search) | Q(pk__in=items)
        )
    return sales


def with_rows(sales):
    """What a row of the list (or of its export) shows, in a fixed number of queries."""
    items = SaleItem.objects.select_related("device").only(
        "sale_id", "device_id", "price", "device__asset_tag"
    )
    return sales.select_related("site", "seller", "household", "credit_note").prefetch_related(
        Prefetch("items", queryset=items.order_by("pk"))
    )


def totals(sales):
    """Count, amount, refunded by credit notes and net of `sales`, in one query."""
    found = sales.aggregate(
        count=Count("pk"),
        amount=Sum("total"),
        refunded=Sum("total", filter=Q(status=Sale.Status.CANCELLED)),
    )
    amount, refunded = found["amount"] or ZERO, found["refunded"] or ZERO
    return {
        "count": found["count"],
        "amount": amount,
        "refunded": refunded,
        "net": amount - refunded,
    }


# The till ---------------------------------------------------------------------------------


@dataclass
class TillRow:
    payment_method: str
    label: str
    sales: int = 0
    amount: Decimal = ZERO
    credit_notes: int = 0
    refunded: Decimal = ZERO

    @property
    def net(self):
        return self.amount - self.refunded


@dataclass
class Till:
    site: Site
    rows: list
    credit_notes: list

    def _sum(self, name):
        return sum((getattr(row, name) for row in self.rows), ZERO)

    @property
    def sales(self):
        return sum(row.sales for row in self.rows)

    @property
    def amount(self):
        return self._sum("amount")

    @property
    def refunded(self):
        return self._sum("refunded")

    @property
    def net(self):
        return self.amount - self.refunded


def till(*, day, sites):
    """The till of `day` at each of `sites`: per payment method the sales of the day
    (cancelled later or not: the money came in), the credit notes issued that day
    (booked under the method the money was given back by, which the credit note
    records), and the net. Three queries."""
    sites = list(sites)
    tills = {
        site.pk: Till(
            site=site,
            rows=[TillRow(value, str(label)) for value, label in PaymentMethod.choices],
            credit_notes=[],
        )
        for site in sites
    }
    rows = {(pk, row.payment_method): row for pk, t in tills.items() for row in t.rows}
    sold = Sale.objects.filter(sold_at__date=day, site__in=sites)
    for found in sold.values("site", "payment_method").annotate(n=Count("pk"), s=Sum("total")):
        row = rows.get((found["site"], found["payment_method"]))
        if row is not None:
            row.sales, row.amount = found["n"], found["s"]
    notes = CreditNote.objects.filter(issued_at__date=day, sale__site__in=sites)
    for note in notes.select_related("sale").order_by("issued_at", "pk"):
        row = rows.get((note.sale.site_id, note.refund_method))
        if row is not None:
            row.credit_notes += 1
            row.refunded += note.total
        tills[note.sale.site_id].credit_notes.append(note)
    return [tills[site.pk] for site in sites]


# The device page ---------------------------------------------------------------------------


def sale_of(asset_tag):
    """The sale the device `asset_tag` is sold in (one query), or None."""
    items = {"items__device__asset_tag": asset_tag.strip().upper(), "items__active": True}
    return Sale.objects.filter(**items).first()

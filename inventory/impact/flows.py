"""Kilos and devices in and out of the stock over a period.

Entries are registrations (inventory.models.Device): dated by the donation's received_on,
else the device's created_at (local date); at the donation's site, else the device's;
from the donor's kind, else "unknown". Exits are the StockExit ledger, net of the -1 rows
of devices that came back. Both are summed in SQL by inventory.impact.monthly (whole
past months from the monthly summary, the rest from the tables) and priced here: a
device without a measured weight counts at its category's default, flagged estimated.

Every function takes the same filters: `site` (a Site or its id) and `devices` (a Device
queryset that an upper layer passes to restrict everything, e.g. the devices of one
programme), and runs a fixed number of queries whatever the number of devices.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from inventory.impact import monthly
from inventory.impact.weee import weee_of
from inventory.impact.weights import KG, ZERO, as_kg, default_weights
from inventory.models import REUSED_CHANNELS, STOCK_EXIT_STATUSES, Device, StockExit

UNKNOWN_DONOR = monthly.UNKNOWN_DONOR
# A balance "closes" when opening + entries - exits and closing differ by no more.
TOLERANCE_KG = Decimal("0.5")


@dataclass
class Totals:
    """A count of devices with their kilos, and how many of those kilos are estimated."""

    count: int = 0
    kg: Decimal = ZERO
    estimated_kg: Decimal = ZERO

    def add(self, count, kg, estimated_kg):
        self.count += count
        self.kg += kg
        self.estimated_kg += estimated_kg


@dataclass
class ExitTotals:
    """exits(): net totals by channel, by WEEE category, by both, and overall."""

    by_channel: dict = field(default_factory=dict)
    by_weee: dict = field(default_factory=dict)
    by_channel_weee: dict = field(default_factory=dict)
    total: Totals = field(default_factory=Totals)


@dataclass(frozen=True)
class MonthBalance:
    month: object  # date, the first day of the month
    opening_kg: Decimal
    entries_kg: Decimal
    exits_kg: Decimal
    closing_kg: Decimal

    @property
    def gap_kg(self):
        return self.opening_kg + self.entries_kg - self.exits_kg - self.closing_kg

    @property
    def closes(self):
        return abs(self.gap_kg) <= TOLERANCE_KG


def _site_id(site):
    return getattr(site, "pk", site)


def _known(known, devices):
    """The summary's state for a caller asking several questions: read once (unless
    given, or unused because `devices` restricts everything to live reads)."""
    if known is not None or devices is not None:
        return known
    return monthly.state()


def _totals(groups, defaults, category_at=-1):
    """Totals of Groups keyed by tuples holding the category at `category_at`."""
    found = Totals()
    for key, group in groups.items():
        default = defaults.get(key[category_at])
        found.add(group.count, group.kg(default), group.estimated_kg(default))
    return found


# -- entries ---------------------------------------------------------------------------


def entries(period, site=None, devices=None, known=None):
    """Devices registered in `period`, one dict per month, site, category and donor kind:
    {"month": date (1st), "site": site id, "category", "donor_kind" (Donor.Kind or
    "unknown"), "count": int, "kg": Decimal, "estimated_kg": Decimal}, ordered."""
    defaults = default_weights()
    groups = monthly.entry_groups(
        period.start,
        period.end,
        site=site,
        devices=devices,
        by=monthly.ENTRY_DIMENSIONS,
        known=known,
    )
    rows = []
    for (month, site_id, category, donor_kind), group in sorted(groups.items()):
        if not group.count:
            continue
        default = defaults.get(category)
        rows.append(
            {
                "month": month,
                "site": site_id,
                "category": category,
                "donor_kind": donor_kind,
                "count": group.count,
                "kg": group.kg(default),
                "estimated_kg": group.estimated_kg(default),
            }
        )
    return rows


def entries_total(period, site=None, devices=None, defaults=None, known=None):
    """Totals of the devices registered in `period`."""
    defaults = default_weights() if defaults is None else defaults
    groups = monthly.entry_groups(period.start, period.end, site=site, devices=devices, known=known)
    return _totals(groups, defaults)


# -- exits -----------------------------------------------------------------------------


def exit_rows(period=None, site=None, devices=None):
    """StockExit rows within `period` (all when None), at `site`, of `devices`."""
    queryset = StockExit.objects.all()
    if period is not None:
        first, after = period.bounds()
        queryset = queryset.filter(at__gte=first, at__lt=after)
    if site is not None:
        queryset = queryset.filter(site=_site_id(site))
    if devices is not None:
        queryset = queryset.filter(device__in=devices.values("pk"))
    return queryset


def exits(period, site=None, devices=None, known=None):
    """Net exits of `period` (ExitTotals): by_channel {channel: Totals}, by_weee
    {"1"…"6": Totals}, by_channel_weee {(channel, weee): Totals} and total."""
    defaults = default_weights()
    groups = monthly.exit_groups(
        period.start,
        period.end,
        site=site,
        devices=devices,
        by=("channel", "category"),
        known=known,
    )
    found = ExitTotals()
    for (channel, category), group in sorted(groups.items()):
        default = defaults.get(category)
        numbers = (group.count, group.kg(default), group.estimated_kg(default))
        weee = weee_of(category)
        found.by_channel.setdefault(channel, Totals()).add(*numbers)
        found.by_weee.setdefault(weee, Totals()).add(*numbers)
        found.by_channel_weee.setdefault((channel, weee), Totals()).add(*numbers)
        found.total.add(*numbers)
    return found


def _reused_groups(period, site, devices, known):
    return monthly.exit_groups(
        period.start,
        period.end,
        site=site,
        devices=devices,
        channels=REUSED_CHANNELS,
        known=known,
    )


def reused_counts(period, site=None, devices=None, known=None):
    """{category: devices reused in `period`}, net of returns (sold, given, loan turned
    gift): what the CO2e avoided is computed on."""
    groups = _reused_groups(period, site, devices, known)
    return {category: group.count for (category,), group in groups.items() if group.count}


def reused_total(period, site=None, devices=None, defaults=None, known=None):
    """Net exits by the reused channels (sold, given, loan turned gift) in `period`."""
    defaults = default_weights() if defaults is None else defaults
    return _totals(_reused_groups(period, site, devices, known), defaults)


def reemploi_rate(period, site=None, devices=None, known=None):
    """Kilos reused ÷ kilos received in `period`, a Decimal (0.8125 for 81.25 %), or None
    when nothing was received."""
    defaults = default_weights()
    known = _known(known, devices)
    received = entries_total(period, site, devices, defaults, known).kg
    if not received:
        return None
    reused = reused_total(period, site, devices, defaults, known).kg
    return (reused / received).quantize(Decimal("0.0001"))


# -- stock and balance -----------------------------------------------------------------


def stock_kg(site=None, devices=None, defaults=None):
    """Kilos of the devices in stock now, read from their status (every status but the
    exit ones), at their current site: what the monthly balance must end on. Grouped by
    category so that PostgreSQL answers from the partial index of the stock alone."""
    defaults = default_weights() if defaults is None else defaults
    queryset = Device.objects.all() if devices is None else devices
    if site is not None:
        queryset = queryset.filter(site=_site_id(site))
    rows = (
        queryset.exclude(status__in=STOCK_EXIT_STATUSES)
        .values("category")
        .annotate(
            unweighed=Count("pk", filter=Q(weight_kg__isnull=True)),
            measured=Sum("weight_kg", output_field=KG),
        )
        .values_list("category", "unweighed", "measured")
        .order_by()
    )
    total = ZERO
    for category, unweighed, measured in rows:
        total += monthly.Group(0, unweighed, as_kg(measured)).kg(defaults.get(category))
    return total


def monthly_balance(period, site=None, devices=None, known=None):
    """One MonthBalance per month of `period` (clipped to it): opening stock, entries,
    exits and closing stock in kg, and `closes` (|opening + entries - exits - closing|
    ≤ 0.5 kg). At most eleven queries, whatever the period and the devices.

    Entries and exits are summed by month since the first one (one grouped query each,
    one scan of each table); the stock at a month's end is what came in minus what went
    out up to it. In the month that holds today, the closing stock is instead the weight
    of the devices whose status says they are in stock now (stock_kg): a move the ledger
    missed (a status changed outside the workflow) shows there as a gap rather than
    vanishing. With `site`, stocks come from the ledger only: a device's entry counts at
    its entry site and its exit at the site it left from; moves between sites are
    neither.
    """
    defaults = default_weights()
    known = _known(known, devices)
    by_month = {"site": site, "devices": devices, "by": ("month", "category"), "known": known}
    entered = _kg_by_month(monthly.entry_groups(monthly.EPOCH, period.end, **by_month), defaults)
    left = _kg_by_month(monthly.exit_groups(monthly.EPOCH, period.end, **by_month), defaults)
    months = period.month_periods()
    firsts = [month.start.replace(day=1) for month in months]
    opening = _sum_before(entered, firsts[0]) - _sum_before(left, firsts[0])
    closings = [
        _sum_before(entered, _next(first)) - _sum_before(left, _next(first)) for first in firsts
    ]
    now = next((i for i, month in enumerate(months) if timezone.localdate() in month), None)
    if site is None and now is not None:
        # From this month on, the stock is the one the statuses give.
        shift = stock_kg(devices=devices, defaults=defaults) - closings[now]
        closings[now:] = [closing + shift for closing in closings[now:]]
    balances = []
    for first, closing in zip(firsts, closings, strict=True):
        balances.append(
            MonthBalance(
                month=first,
                opening_kg=opening,
                entries_kg=entered.get(first, ZERO),
                exits_kg=left.get(first, ZERO),
                closing_kg=closing,
            )
        )
        opening = closing
    return balances


def _kg_by_month(groups, defaults):
    """{first day of month: kg} of Groups keyed by (month, category)."""
    found = {}
    for (month, category), group in groups.items():
        found[month] = found.get(month, ZERO) + group.kg(defaults.get(category))
    return found


def _sum_before(by_month, first):
    return sum((kg for month, kg in by_month.items() if month < first), ZERO)


def _next(first):
    return (first + datetime.timedelta(days=32)).replace(day=1)

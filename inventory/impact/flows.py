"""Kilos and devices in and out of the stock over a period, aggregated in SQL.

Entries are registrations (inventory.models.Device): dated by the donation's received_on,
else the device's created_at (local date); at the donation's site, else the device's;
from the donor's kind, else "unknown". Exits are the StockExit ledger, net of the -1 rows
of devices that came back. Every function takes the same filters: `site` (a Site or its
id) and `devices` (a Device queryset that an upper layer passes to restrict everything,
e.g. the devices of one programme), and runs a fixed number of queries whatever the
number of devices (one for the default weights, then one per aggregate).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DateField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from inventory.impact.ledger import EXIT_STATUSES
from inventory.impact.weee import weee_expression
from inventory.impact.weights import (
    KG,
    ZERO,
    as_kg,
    default_weights,
    estimated_expression,
    weight_expression,
)
from inventory.models import REUSED_CHANNELS, Device, StockExit

UNKNOWN_DONOR = "unknown"
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


# -- entries ---------------------------------------------------------------------------


def entry_devices(site=None, devices=None):
    """Devices annotated with entry_date, entry_site and donor_kind (no query yet)."""
    queryset = Device.objects.all() if devices is None else devices
    queryset = queryset.annotate(
        entry_date=Coalesce(
            F("donation__received_on"), TruncDate("created_at"), output_field=DateField()
        ),
        entry_site=Coalesce(F("donation__site_id"), F("site_id")),
        donor_kind=Coalesce(F("donation__donor__kind"), Value(UNKNOWN_DONOR)),
    )
    if site is not None:
        queryset = queryset.filter(entry_site=_site_id(site))
    return queryset


def _entries_in(period, site, devices):
    # The same rows as entry_date within the period, written so that the database can
    # start from the period's donations (an index on received_on, then device.donation)
    # instead of computing every device's entry date.
    first, after = period.bounds()
    return entry_devices(site, devices).filter(
        Q(donation__received_on__gte=period.start, donation__received_on__lte=period.end)
        | Q(donation__isnull=True, created_at__gte=first, created_at__lt=after)
    )


def entries(period, site=None, devices=None):
    """Devices registered in `period`, one dict per month, site, category and donor kind:
    {"month": date (1st), "site": site id, "category", "donor_kind" (Donor.Kind or
    "unknown"), "count": int, "kg": Decimal, "estimated_kg": Decimal}, ordered."""
    defaults = default_weights()
    rows = (
        _entries_in(period, site, devices)
        .annotate(month=TruncMonth("entry_date", output_field=DateField()))
        .values("month", "entry_site", "category", "donor_kind")
        .annotate(
            count=Count("pk"),
            kg=Sum(weight_expression(defaults=defaults), output_field=KG),
            estimated_kg=Sum(estimated_expression(defaults=defaults), output_field=KG),
        )
        .order_by("month", "entry_site", "category", "donor_kind")
    )
    return [
        {
            "month": row["month"],
            "site": row["entry_site"],
            "category": row["category"],
            "donor_kind": row["donor_kind"],
            "count": row["count"],
            "kg": as_kg(row["kg"]),
            "estimated_kg": as_kg(row["estimated_kg"]),
        }
        for row in rows
    ]


def entries_total(period, site=None, devices=None, defaults=None):
    """Totals of the devices registered in `period` (one query, plus one without
    `defaults`)."""
    defaults = default_weights() if defaults is None else defaults
    found = _entries_in(period, site, devices).aggregate(
        count=Count("pk"),
        kg=Sum(weight_expression(defaults=defaults), output_field=KG),
        estimated_kg=Sum(estimated_expression(defaults=defaults), output_field=KG),
    )
    return Totals(found["count"], as_kg(found["kg"]), as_kg(found["estimated_kg"]))


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


def _net(defaults):
    """Aggregates net of returns: a -1 row takes its device's count and kilos back."""
    return {
        "count": Sum("sign"),
        "kg": Sum(F("sign") * weight_expression("device__", defaults), output_field=KG),
        "estimated_kg": Sum(
            F("sign") * estimated_expression("device__", defaults), output_field=KG
        ),
    }


def exits(period, site=None, devices=None):
    """Net exits of `period` (ExitTotals): by_channel {channel: Totals}, by_weee
    {"1"…"6": Totals}, by_channel_weee {(channel, weee): Totals} and total. Two queries:
    the defaults, and one grouped by channel and WEEE category (at most 6 × 6 rows)."""
    defaults = default_weights()
    rows = (
        exit_rows(period, site, devices)
        .annotate(weee=weee_expression("device__"))
        .values("channel", "weee")
        .annotate(**_net(defaults))
        .order_by("channel", "weee")
    )
    found = ExitTotals()
    for row in rows:
        numbers = (row["count"] or 0, as_kg(row["kg"]), as_kg(row["estimated_kg"]))
        found.by_channel.setdefault(row["channel"], Totals()).add(*numbers)
        found.by_weee.setdefault(row["weee"], Totals()).add(*numbers)
        found.by_channel_weee.setdefault((row["channel"], row["weee"]), Totals()).add(*numbers)
        found.total.add(*numbers)
    return found


def reused_total(period, site=None, devices=None, defaults=None):
    """Net exits by the reused channels (sold, given, loan turned gift) in `period`."""
    defaults = default_weights() if defaults is None else defaults
    found = (
        exit_rows(period, site, devices)
        .filter(channel__in=REUSED_CHANNELS)
        .aggregate(**_net(defaults))
    )
    return Totals(found["count"] or 0, as_kg(found["kg"]), as_kg(found["estimated_kg"]))


def reemploi_rate(period, site=None, devices=None):
    """Kilos reused ÷ kilos received in `period`, a Decimal (0.8125 for 81.25 %), or None
    when nothing was received. Three queries."""
    defaults = default_weights()
    received = entries_total(period, site, devices, defaults).kg
    if not received:
        return None
    reused = reused_total(period, site, devices, defaults).kg
    return (reused / received).quantize(Decimal("0.0001"))


# -- stock and balance -----------------------------------------------------------------


def stock_kg(site=None, devices=None, defaults=None):
    """Kilos of the devices in stock now, read from their status (every status but the
    exit ones), at their current site: what the monthly balance must end on."""
    defaults = default_weights() if defaults is None else defaults
    queryset = Device.objects.all() if devices is None else devices
    if site is not None:
        queryset = queryset.filter(site=_site_id(site))
    found = queryset.exclude(status__in=EXIT_STATUSES).aggregate(
        kg=Sum(weight_expression(defaults=defaults), output_field=KG)
    )
    return as_kg(found["kg"])


def monthly_balance(period, site=None, devices=None):
    """One MonthBalance per month of `period` (clipped to it): opening stock, entries,
    exits and closing stock in kg, and `closes` (|opening + entries - exits - closing|
    ≤ 0.5 kg). Four queries whatever the period's length and the devices' number.

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
    weight = weight_expression(defaults=defaults)
    entered = _by_month(
        entry_devices(site, devices).filter(entry_date__lte=period.end),
        "entry_date",
        weight,
    )
    net_kg = F("sign") * weight_expression("device__", defaults)
    left = _by_month(exit_rows(None, site, devices).filter(at__lt=period.bounds()[1]), "at", net_kg)
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


def _by_month(queryset, date_field, kilos):
    """{first day of month: kg} of `queryset`, grouped in SQL (rows: months, not devices)."""
    rows = (
        queryset.annotate(month=TruncMonth(date_field, output_field=DateField()))
        .values("month")
        .annotate(kg=Sum(kilos, output_field=KG))
        .values_list("month", "kg")
        .order_by()
    )
    return {month: as_kg(kg) for month, kg in rows}


def _sum_before(by_month, first):
    return sum((kg for month, kg in by_month.items() if month < first), ZERO)


def _next(first):
    return (first + datetime.timedelta(days=32)).replace(day=1)

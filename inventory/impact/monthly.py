"""Entries and exits grouped by month and category: from MonthlyFlow for the whole months
the last rebuild summed, from the device and ledger tables for the rest.

The split (see inventory.models.monthly): a month is read from MonthlyFlow when it lies
wholly inside the dates asked for, before the summary's horizon, and is not marked
stale; every other day is read live. Devices and ledger rows added since the rebuild
(primary key above the ones it summed) are read live too, whatever month they count in.
Each live part is its own query, written so that an index leads it (the donations'
received_on, the devices' created_at, the ledger's at, a primary-key range): the number
of queries is fixed and none scans the device table.

Rows come back as Groups, keyed by the dimensions asked for (always with the category,
which prices the devices without a measured weight at today's default).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DateField, F, IntegerField, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from inventory.impact import stays
from inventory.impact.period import day_start, next_month
from inventory.impact.weights import KG, ZERO, as_kg
from inventory.models import (
    DailyStatus,
    Device,
    FlowSummary,
    MonthlyFlow,
    StaleFlowMonth,
    StockExit,
)

UNKNOWN_DONOR = "unknown"
# Where "since the beginning" starts: before any device could have been registered.
EPOCH = datetime.date(1900, 1, 1)

ENTRY_DIMENSIONS = ("month", "site", "category", "donor_kind")
EXIT_DIMENSIONS = ("month", "site", "category", "channel")


@dataclass
class Group:
    """Devices of one group: how many, how many without a measured weight, and the
    measured kilos of the others. Exits are net (a device back takes itself off)."""

    count: int = 0
    unweighed: int = 0
    measured_kg: Decimal = ZERO

    def add(self, count, unweighed, measured_kg):
        self.count += count or 0
        self.unweighed += unweighed or 0
        self.measured_kg += as_kg(measured_kg)

    def kg(self, default):
        """All kilos, the unweighed devices counted at `default` kg each."""
        return self.measured_kg + self.estimated_kg(default)

    def estimated_kg(self, default):
        return self.unweighed * (default or ZERO)


# -- which days are read where ---------------------------------------------------------


@dataclass(frozen=True)
class Split:
    summary: FlowSummary | None
    summed: list  # [(first month, last month)] read from MonthlyFlow
    live: list  # [(first day, last day)] read from the tables

    @property
    def summed_days(self):
        """The summed month ranges as day ranges (first day, last day)."""
        return [(first, next_month(last) - datetime.timedelta(1)) for first, last in self.summed]


def split(start, end, summary=None, stale=(), use_summary=True):
    """Cut the days from `start` to `end` (both included) into month ranges read from
    the summary and day ranges read live. Arithmetic on the bounds, not a walk through
    the months: "since the beginning" starts in 1900."""
    if not use_summary or summary is None:
        return Split(None, [], [(start, end)])
    # The whole months inside the period and before the horizon: [first, after).
    first = start if start.day == 1 else next_month(start)
    ends_a_month = next_month(end) - datetime.timedelta(1) == end
    after = min(next_month(end) if ends_a_month else end.replace(day=1), summary.horizon)
    if first >= after:
        return Split(summary, [], [(start, end)])
    summed, live = [], []
    if start < first:
        live.append((start, first - datetime.timedelta(1)))
    month = first
    for bad in sorted(month for month in stale if first <= month < after):
        if month < bad:
            summed.append((month, _previous_month(bad)))
        _extend(live, bad, next_month(bad) - datetime.timedelta(1), step=_next_day_gap)
        month = next_month(bad)
    if month < after:
        summed.append((month, _previous_month(after)))
    if after <= end:
        _extend(live, after, end, step=_next_day_gap)
    return Split(summary, summed, live)


def _previous_month(first):
    return (first - datetime.timedelta(days=1)).replace(day=1)


def _next_day_gap(last, first):
    return first == last + datetime.timedelta(days=1)


def _extend(ranges, first, last, step):
    """Append (first, last) to `ranges`, merged with the previous range if adjacent."""
    if ranges and step(ranges[-1][1], first):
        ranges[-1] = (ranges[-1][0], last)
    else:
        ranges.append((first, last))


@dataclass(frozen=True)
class State:
    """The stored summary (None before the first rebuild) and its stale months."""

    summary: FlowSummary | None
    stale: frozenset
    # The live rows already read, for the other figures of the same page: several ask
    # about the same days (exits, reused devices, réemploi rate).
    cache: dict = field(default_factory=dict, compare=False, hash=False)


def state():
    """Read the summary and its stale months: two queries, which a caller asking for
    several groups makes once and passes on."""
    summary = FlowSummary.objects.order_by("-built_at").first()
    if summary is None:
        return State(None, frozenset())
    return State(summary, frozenset(StaleFlowMonth.objects.values_list("month", flat=True)))


def current_split(start, end, devices=None, known=None):
    """split() with the stored summary and stale months (`known`, else read: two
    queries). With `devices` (a restricted set, e.g. one programme's), everything is read
    live: the summary does not know which devices it summed."""
    if devices is not None:
        return split(start, end, use_summary=False)
    known = state() if known is None else known
    return split(start, end, known.summary, known.stale)


def _any_of(ranges, lookup, instant=False):
    """Q: `lookup` within one of the day `ranges`: a date, or (`instant`) a moment whose
    local date is."""
    rule = Q(pk__in=[])
    for first, last in ranges:
        if instant:
            rule |= Q(**{f"{lookup}__gte": day_start(first)}) & Q(
                **{f"{lookup}__lt": day_start(last + datetime.timedelta(days=1))}
            )
        else:
            rule |= Q(**{f"{lookup}__gte": first, f"{lookup}__lte": last})
    return rule


def _months_of(ranges, lookup):
    """Q: `lookup` (a first-of-month date) within one of the month `ranges`."""
    rule = Q(pk__in=[])
    for first, last in ranges:
        rule |= Q(**{f"{lookup}__gte": first, f"{lookup}__lte": last})
    return rule


# -- entries ---------------------------------------------------------------------------


def entry_devices(queryset=None):
    """Devices annotated with entry_date, entry_site and donor_kind: the donation's date,
    site and donor's kind, else the device's own registration date and site, "unknown"."""
    queryset = Device.objects.all() if queryset is None else queryset
    return queryset.annotate(
        entry_date=Coalesce(
            F("donation__received_on"), TruncDate("created_at"), output_field=DateField()
        ),
        entry_site=Coalesce(F("donation__site_id"), F("site_id")),
        donor_kind=Coalesce(F("donation__donor__kind"), Value(UNKNOWN_DONOR)),
    )


def _given(queryset=None):
    """entry_devices() for devices with a donation, written with the donation's columns
    only: PostgreSQL then reads the devices from their covering donation index alone."""
    queryset = Device.objects.all() if queryset is None else queryset
    return queryset.filter(donation__isnull=False).annotate(
        entry_date=F("donation__received_on"),
        entry_site=F("donation__site_id"),
        donor_kind=F("donation__donor__kind"),
    )


def _entry_sums(queryset, by):
    names = {"month": "month", "site": "entry_site", "category": "category"}
    names["donor_kind"] = "donor_kind"
    columns = [names[dimension] for dimension in by]
    rows = (
        queryset.annotate(month=TruncMonth("entry_date", output_field=DateField()))
        .values(*columns)
        .annotate(
            n=Count("pk"),
            unweighed=Count("pk", filter=Q(weight_kg__isnull=True)),
            measured=Sum("weight_kg", output_field=KG),
        )
        .values_list(*columns, "n", "unweighed", "measured")
        .order_by()
    )
    return rows


def entry_groups(start, end, *, site=None, devices=None, by=("category",), known=None):
    """{key tuple (in the order of `by`): Group} of the devices that entered the stock
    from `start` to `end`. `by` is a subset of ENTRY_DIMENSIONS holding "category";
    `known` is the state() when the caller has read it."""
    cut = current_split(start, end, devices, known)
    site_id = getattr(site, "pk", site)
    found = {}
    if cut.summary is not None and cut.summed:
        _add_rows(found, _summed(MonthlyFlow.Kind.ENTRY, cut.summed, site_id, by))

    def read(newer, ranges):
        parts = _entry_live_parts(cut.summary, newer, ranges, site_id, devices)
        return _union([_entry_sums(part, ENTRY_DIMENSIONS) for part in parts])

    # Rows kept in `known` hold every device: never for a restricted set.
    rows = _live_rows(
        known if devices is None else None, MonthlyFlow.Kind.ENTRY, cut, site_id, read
    )
    _add_rows(found, _rolled_up(rows, ENTRY_DIMENSIONS, by))
    return found


def _add_rows(found, rows):
    for *key, count, unweighed, measured in rows:
        found.setdefault(tuple(key), Group()).add(count, unweighed, measured)


def _live_rows(known, kind, cut, site_id, read):
    """The rows (every dimension, month first) of the live parts of `cut`, read with
    `read(newer, ranges)` in one query: `newer` the summed days to read the rows added
    since the rebuild in (or None), `ranges` the live days. In `known` (a State) they are
    kept by month piece, so that a page's figures over other periods (the balance since
    the beginning, the réemploi rate) read only the days no other figure has read."""
    cache = {} if known is None else known.cache
    pieces = [piece for first, last in cut.live for piece in _month_pieces(first, last)]
    keys = {piece: (kind, piece, site_id) for piece in pieces}
    newer = None
    if cut.summary is not None and cut.summed:
        newer = (kind, "newer", tuple(cut.summed), site_id)
    missing = [piece for piece in pieces if keys[piece] not in cache]
    read_newer = newer is not None and newer not in cache
    if missing or read_newer:
        # Pieces lie in distinct months, none of them summed: a row's month says which
        # piece it belongs to, or that it is one added since the rebuild.
        piece_of_month = {piece[0].replace(day=1): piece for piece in missing}
        for piece in missing:
            cache[keys[piece]] = []
        if read_newer:
            cache[newer] = []
        ranges = []
        for first, last in missing:
            _extend(ranges, first, last, step=_next_day_gap)
        for row in read(cut.summed_days if read_newer else None, ranges):
            piece = piece_of_month.get(row[0])
            cache[keys[piece] if piece else newer].append(row)
    found = [row for piece in pieces for row in cache[keys[piece]]]
    return found + (cache[newer] if newer else [])


def _month_pieces(first, last):
    """(first, last) cut at month boundaries."""
    pieces = []
    while first <= last:
        end = min(next_month(first) - datetime.timedelta(1), last)
        pieces.append((first, end))
        first = end + datetime.timedelta(1)
    return pieces


def _rolled_up(rows, dimensions, by, keep=None):
    """Rows of every dimension, keyed by those of `by` only (`keep`: a row filter)."""
    positions = [dimensions.index(dimension) for dimension in by]
    width = len(dimensions)
    for row in rows:
        if keep is None or keep(row):
            yield (*(row[i] for i in positions), *row[width:])


def _entry_live_parts(summary, newer, ranges, site_id, devices):
    """The live querysets (not evaluated): devices registered since the rebuild that
    count in the `newer` days (summed ones), then the `ranges` of live days through
    donations and without."""
    base = entry_devices(devices)
    live = []
    if newer:
        added = base.filter(pk__gt=summary.last_device)
        live.append(_at_site(added.filter(_any_of(newer, "entry_date")), site_id))
    if ranges:
        # Through their donation's date (an index on received_on leads), then the devices
        # registered without a donation (an index on created_at leads).
        given = _given(devices).filter(_any_of(ranges, "donation__received_on"))
        if site_id is not None:
            given = given.filter(donation__site_id=site_id)
        live.append(given)
        loose = base.filter(donation__isnull=True).filter(
            _any_of(ranges, "created_at", instant=True)
        )
        if site_id is not None:
            loose = loose.filter(site_id=site_id)
        live.append(loose)
    return live


def _union(parts):
    """One query for several grouped parts (their rows side by side, added up later)."""
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def _at_site(queryset, site_id):
    return queryset if site_id is None else queryset.filter(entry_site=site_id)


def _summed(kind, months, site_id, by):
    rows = MonthlyFlow.objects.filter(Q(kind=kind) & _months_of(months, "month"))
    if site_id is not None:
        rows = rows.filter(site_id=site_id)
    columns = ["site_id" if dimension == "site" else dimension for dimension in by]
    return (
        rows.values(*columns)
        .annotate(n=Sum("count"), unweighed_n=Sum("unweighed"), measured=Sum("measured_kg"))
        .values_list(*columns, "n", "unweighed_n", "measured")
        .order_by()
    )


# -- exits -----------------------------------------------------------------------------


def exit_groups(
    start, end, *, site=None, devices=None, by=("category",), channels=None, known=None
):
    """{key tuple: Group} of the net exits from `start` to `end`, `by` a subset of
    EXIT_DIMENSIONS holding "category"; `channels` narrows to those channels."""
    cut = current_split(start, end, devices, known)
    site_id = getattr(site, "pk", site)
    found = {}
    if cut.summary is not None and cut.summed:
        summed = _summed(MonthlyFlow.Kind.EXIT, cut.summed, site_id, by)
        if channels is not None:
            summed = summed.filter(channel__in=channels)
        _add_rows(found, summed)

    def read(newer, ranges):
        parts = _exit_live_parts(cut.summary, newer, ranges, site_id, devices)
        return _union([_exit_sums(part, EXIT_DIMENSIONS) for part in parts])

    rows = _live_rows(known if devices is None else None, MonthlyFlow.Kind.EXIT, cut, site_id, read)
    if rows:
        channel = EXIT_DIMENSIONS.index("channel")
        keep = None if channels is None else (lambda row: row[channel] in channels)
        _add_rows(found, _rolled_up(rows, EXIT_DIMENSIONS, by, keep))
    return found


def _exit_live_parts(summary, newer, ranges, site_id, devices):
    """The live querysets: ledger rows written since the rebuild in the `newer` days
    (summed ones), then the `ranges` of live days."""
    base = StockExit.objects.all()
    if site_id is not None:
        base = base.filter(site_id=site_id)
    if devices is not None:
        base = base.filter(device__in=devices.values("pk"))
    live = []
    if newer:
        live.append(
            base.filter(pk__gt=summary.last_exit).filter(_any_of(newer, "at", instant=True))
        )
    if ranges:
        live.append(base.filter(_any_of(ranges, "at", instant=True)))
    return live


def _exit_sums(queryset, by):
    names = {"month": "month", "site": "site_id", "category": "device__category"}
    names["channel"] = "channel"
    columns = [names[dimension] for dimension in by]
    return (
        queryset.annotate(month=TruncMonth("at", output_field=DateField()))
        .values(*columns)
        .annotate(
            n=Sum("sign"),
            unweighed=Coalesce(
                Sum("sign", filter=Q(device__weight_kg__isnull=True)),
                Value(0),
                output_field=IntegerField(),
            ),
            measured=Sum(F("sign") * F("device__weight_kg"), output_field=KG),
        )
        .values_list(*columns, "n", "unweighed", "measured")
        .order_by()
    )


# -- the nightly rebuild ---------------------------------------------------------------


def rebuild(now=None):
    """Replace MonthlyFlow with the sums of every month before the current one and
    DailyStatus with those of every day before today, and clear the stale marks they
    supersede. Atomic: a report reads the old summary or the
    new one, never half of each. Returns the FlowSummary."""
    now = now or timezone.now()
    horizon = timezone.localdate(now).replace(day=1)
    with transaction.atomic():
        last_device = Device.objects.aggregate(last=Max("pk"))["last"] or 0
        last_exit = StockExit.objects.aggregate(last=Max("pk"))["last"] or 0
        rows = _monthly_rows(horizon, last_device, last_exit)
        MonthlyFlow.objects.all().delete()
        MonthlyFlow.objects.bulk_create(rows, batch_size=2000)
        day_horizon = timezone.localdate(now)
        DailyStatus.objects.all().delete()
        DailyStatus.objects.bulk_create(stays.daily_rows(day_horizon), batch_size=2000)
        FlowSummary.objects.all().delete()
        summary = FlowSummary.objects.create(
            built_at=now,
            horizon=horizon,
            last_device=last_device,
            last_exit=last_exit,
            day_horizon=day_horizon,
        )
        StaleFlowMonth.objects.filter(marked_at__lt=now).delete()
    return summary


def _monthly_rows(horizon, last_device, last_exit):
    entered = entry_devices().filter(pk__lte=last_device, entry_date__lt=horizon)
    left = StockExit.objects.filter(pk__lte=last_exit, at__lt=day_start(horizon))
    # Rows are (month, site, category, donor kind or channel, count, unweighed, kg).
    return [
        *_flow_rows(MonthlyFlow.Kind.ENTRY, "donor_kind", _entry_sums(entered, ENTRY_DIMENSIONS)),
        *_flow_rows(MonthlyFlow.Kind.EXIT, "channel", _exit_sums(left, EXIT_DIMENSIONS)),
    ]


def _flow_rows(kind, fourth, sums):
    return [
        MonthlyFlow(
            kind=kind,
            month=month,
            site_id=site,
            category=category,
            count=count,
            unweighed=unweighed,
            measured_kg=as_kg(measured),
            **{fourth: value},
        )
        for month, site, category, value, count, unweighed, measured in sums
    ]

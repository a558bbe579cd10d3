"""Stays in each status, counted and timed from the daily sums (DailyStatus) for the
days before the summary's day horizon and from the tables for the rest.

A stay begins when a device enters a status and ends when it leaves it: the ended ones
are StatusStretch rows, the one a device is in now is its status since its
status_changed_at. Every move happens "now" (inventory.workflow.transition_device), so
the events before the horizon are the ones the rebuild summed and every later one is
in the tables. With a set of devices, or without trustworthy sums (none yet, or a device
deleted since), everything is read from the tables.

What a period's figures need, per status, are six sums (Events): the stays begun and
ended before the period, and those begun and ended within it with the sum of their
times. From them: the stays that overlap the period, and the time they spent in it
(Events.overlap), without reading one row per stay.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, DurationField, F, Q, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from inventory.impact.period import day_start
from inventory.models import DailyStatus, Device, FlowSummary, StatusStretch

NO_TIME = datetime.timedelta()


@dataclass
class Events:
    """Stays of one status around a period [start, end): begun (entered) or ended
    (left) before it, and within it with the sum of (time - start)."""

    entered_before: int = 0
    left_before: int = 0
    entered: int = 0
    left: int = 0
    entered_time: datetime.timedelta = NO_TIME
    left_time: datetime.timedelta = NO_TIME

    def add(self, other):
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def stays(self):
        """Stays that overlap the period: begun before its end, not ended before it."""
        return self.entered_before + self.entered - self.left_before

    def overlap(self, length):
        """Time the stays spent within the period (`length` = end - start): each stay's
        end clipped to the period minus its beginning clipped to it, summed."""
        still_in = self.entered_before + self.entered - self.left_before - self.left
        return self.left_time - self.entered_time + length * still_in


# -- which summary to trust ------------------------------------------------------------


def day_horizon(site=None, devices=None):
    """The first moment not summed (aware), or None to read everything live."""
    if devices is not None:
        return None
    day = FlowSummary.objects.values_list("day_horizon", flat=True).first()
    return None if day is None else day_start(day)


def _filtered(site, devices):
    stretches, current = StatusStretch.objects.all(), Device.objects.all()
    if site is not None:
        stretches = stretches.filter(site_id=site.pk)
        current = current.filter(site_id=site.pk)
    if devices is not None:
        stretches = stretches.filter(device_id__in=devices.values("pk"))
        current = current.filter(pk__in=devices.values("pk"))
    return stretches, current


def _moment(moment):
    return Value(moment, output_field=DateTimeField())


def _since(moment, start, rule):
    """The sum of (moment - start) over the rows matching `rule`."""
    return Sum(F(moment) - _moment(start), filter=rule, output_field=DurationField())


# -- a period's events -----------------------------------------------------------------


def events(start, end, *, site=None, devices=None, statuses=None):
    """{status: Events} around [start, end) (aware datetimes). Three to five queries."""
    horizon = day_horizon(site, devices)
    if horizon is not None and end < horizon and end != day_start(_local_day(end)):
        horizon = None  # an end inside a summed day: the days cannot be cut
    found = {}
    if horizon is not None:
        _add(found, _summed_events(start, end, horizon, statuses, site))
    stretches, current = _filtered(site, devices)
    if statuses is not None:
        stretches = stretches.filter(status__in=statuses)
        current = current.filter(status__in=statuses)
    if horizon is not None:
        stretches = stretches.filter(Q(entered_at__gte=horizon) | Q(left_at__gte=horizon))
        current = current.filter(status_changed_at__gte=horizon)
    _add(found, _live_events(stretches, current, start, end, horizon))
    return found


def elapsed(first, last):
    """Real time from `first` to `last`: Python subtracts two datetimes of one time zone
    by their wall clocks, so an hour would be lost or gained across a change of time."""
    return last.astimezone(datetime.UTC) - first.astimezone(datetime.UTC)


def _local_day(moment):
    return timezone.localtime(moment).date()


def _add(found, more):
    for status, sums in more.items():
        found.setdefault(status, Events()).add(sums)


def _live_events(stretches, current, start, end, horizon):
    """Events of the stays in the tables (those after `horizon` when there is one)."""
    after = Q() if horizon is None else Q(entered_at__gte=horizon)
    left_after = Q() if horizon is None else Q(left_at__gte=horizon)
    began = Q(entered_at__gte=start, entered_at__lt=end)
    ended = Q(left_at__gte=start, left_at__lt=end)
    rows = (
        stretches.values("status")
        .annotate(
            entered_before=Count("pk", filter=after & Q(entered_at__lt=start)),
            entered=Count("pk", filter=after & began),
            entered_time=_since("entered_at", start, after & began),
            left_before=Count("pk", filter=left_after & Q(left_at__lt=start)),
            left=Count("pk", filter=left_after & ended),
            left_time=Sum(
                F("left_at") - _moment(start),
                filter=left_after & ended,
                output_field=DurationField(),
            ),
        )
        .order_by()
    )
    found = {}
    for row in rows:
        status = row.pop("status")
        found[status] = Events(**{k: v or _zero(k) for k, v in row.items()})
    begun_now = Q(status_changed_at__gte=start, status_changed_at__lt=end)
    for row in (
        current.values("status")
        .annotate(
            entered_before=Count("pk", filter=Q(status_changed_at__lt=start)),
            entered=Count("pk", filter=begun_now),
            entered_time=_since("status_changed_at", start, begun_now),
        )
        .order_by()
    ):
        status = row.pop("status")
        _add(found, {status: Events(**{k: v or _zero(k) for k, v in row.items()})})
    return found


def _zero(name):
    return NO_TIME if name.endswith("_time") else 0


def _days(horizon, site):
    rows = DailyStatus.objects.filter(day__lt=_local_day(horizon))
    return rows if site is None else rows.filter(site_id=site.pk)


def _summed_events(start, end, horizon, statuses, site):
    """Events from DailyStatus: days before `start` in two sums, the period's days one by
    one (their times are moved from each day's midnight to `start`)."""
    rows = _days(horizon, site)
    if statuses is not None:
        rows = rows.filter(status__in=statuses)
    found = {}
    before = (
        rows.filter(day__lt=_local_day(start))
        .values("status")
        .annotate(entered_before=Sum("entered"), left_before=Sum("left"))
        .order_by()
    )
    for row in before:
        found[row["status"]] = Events(row["entered_before"], row["left_before"])
    last = min(end, horizon)
    within = (
        rows.filter(day__gte=_local_day(start), day__lt=_local_day(last))
        .values("day", "status")
        .annotate(
            n_in=Sum("entered"), t_in=Sum("entered_time"), n_out=Sum("left"), t_out=Sum("left_time")
        )
        .values_list("day", "status", "n_in", "t_in", "n_out", "t_out")
        .order_by()
    )
    for day, status, entered, entered_time, left, left_time in within:
        shift = elapsed(start, day_start(day))
        sums = found.setdefault(status, Events())
        sums.entered += entered
        sums.left += left
        sums.entered_time += entered_time + shift * entered
        sums.left_time += left_time + shift * left
    return found


# -- stays begun per day, and stays open now -------------------------------------------


def begun_per_day(start, end, *, site=None, devices=None):
    """{(day, status): stays begun that day} for [start, end) (aware)."""
    horizon = day_horizon(site, devices)
    found = {}
    if horizon is not None:
        summed = (
            _days(horizon, site)
            .filter(
                day__gte=_local_day(start), day__lt=_local_day(min(end, horizon)), entered__gt=0
            )
            .values("day", "status")
            .annotate(n=Sum("entered"))
            .values_list("day", "status", "n")
            .order_by()
        )
        for day, status, count in summed:
            found[day, status] = count
        start = max(start, horizon)
    stretches, current = _filtered(site, devices)
    left = (
        stretches.filter(entered_at__gte=start, entered_at__lt=end)
        .annotate(day=TruncDate("entered_at"))
        .values_list("day", "status")
        .annotate(count=Count("*"))
        .order_by()
    )
    ongoing = (
        current.filter(status_changed_at__gte=start, status_changed_at__lt=end)
        .annotate(day=TruncDate("status_changed_at"))
        .values_list("day", "status")
        .annotate(count=Count("*"))
        .order_by()
    )
    for day, status, count in left.union(ongoing, all=True):
        found[day, status] = found.get((day, status), 0) + count
    return found


def open_stays(*, site=None, devices=None):
    """{status: devices in it now}: from the sums (stays begun minus ended before the
    horizon) and the moves since, or by counting the devices."""
    horizon = day_horizon(site, devices)
    stretches, current = _filtered(site, devices)
    if horizon is None:
        return dict(current.values_list("status").annotate(n=Count("pk")).order_by())
    found = {}
    summed = _days(horizon, site).values("status").annotate(n=Sum("entered") - Sum("left"))
    for row in summed.values_list("status", "n").order_by():
        found[row[0]] = row[1]
    moves = (
        stretches.filter(Q(entered_at__gte=horizon) | Q(left_at__gte=horizon))
        .values("status")
        .annotate(
            n=Count("pk", filter=Q(entered_at__gte=horizon))
            - Count("pk", filter=Q(left_at__gte=horizon))
        )
        .values_list("status", "n")
        .order_by()
    )
    begun = (
        current.filter(status_changed_at__gte=horizon)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
        .order_by()
    )
    for status, n in moves.union(begun, all=True):
        found[status] = found.get(status, 0) + n
    return found


# -- the nightly sums ------------------------------------------------------------------


# Event times are summed in SQL as durations since this moment (not since each day's
# midnight: SQLite would subtract a local midnight from a UTC time), then moved to the
# day's midnight here. A day's sum stays far within an interval's range (and within
# SQLite's 64-bit integers of microseconds up to some 40,000 moves a day and status).
REFERENCE = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def daily_rows(horizon_day):
    """DailyStatus rows for every day before `horizon_day`: three grouped queries."""
    horizon = day_start(horizon_day)
    sums = {}

    def collect(queryset, moment, side):
        rows = (
            queryset.filter(**{f"{moment}__lt": horizon})
            .annotate(day=TruncDate(moment))
            .values("day", "status", "site_id")
            .annotate(n=Count("*"), time=_since(moment, REFERENCE, Q()))
            .values_list("day", "status", "site_id", "n", "time")
            .order_by()
        )
        for day, status, site, n, time in rows:
            row = sums.setdefault((day, status, site), [0, NO_TIME, 0, NO_TIME])
            row[side] += n
            row[side + 1] += (time or NO_TIME) - n * (day_start(day) - REFERENCE)

    collect(StatusStretch.objects.all(), "entered_at", 0)
    collect(Device.objects.all(), "status_changed_at", 0)
    collect(StatusStretch.objects.all(), "left_at", 2)
    return [
        DailyStatus(
            day=day,
            status=status,
            site_id=site,
            entered=entered,
            entered_time=entered_time,
            left=left,
            left_time=left_time,
        )
        for (day, status, site), (entered, entered_time, left, left_time) in sorted(sums.items())
    ]

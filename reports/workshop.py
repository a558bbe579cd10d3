"""The technician's figures: how many devices entered each status per week, how many are
in each status now, and how long devices stayed in each status during the period.

They are read from the status-stretch ledger (inventory.models.StatusStretch: one row per
stretch a device has left, written by the workflow) and from the devices themselves (the
stretch each device is in now: its status since its status_changed_at). A device
"enters" a status when a stretch begins: at its registration (its first status, « reçu »
for a donated device) and at every move. Everything is aggregated by the database, one
query per figure (the stretches and the devices in one UNION ALL), whatever the number of
devices or stretches.
"""

import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Sum,
    Value,
)
from django.db.models.functions import Greatest, Least, TruncWeek
from django.utils import timezone

from inventory.models import Device, Status, StatusStretch

# The statuses where a device ends up rather than stays: once sold, given, recycled or
# lost it is no longer on anyone's bench or shelf, and its days there would only grow
# with time. Every other status counts as time spent, including « pièces » (a device kept
# for parts sits in the workshop until it is stripped or recycled).
END_STATUSES = frozenset({Status.SOLD, Status.GIVEN, Status.RECYCLED, Status.LOST})
TIMED_STATUSES = [status.value for status in Status if status not in END_STATUSES]


def _stretches(site=None, devices=None):
    """The stretches devices have left (at `site`, of `devices`)."""
    rows = StatusStretch.objects.all()
    if site is not None:
        rows = rows.filter(site_id=site.pk)
    if devices is not None:
        rows = rows.filter(device_id__in=devices.values("pk"))
    return rows


def _current(site=None, devices=None):
    """The devices, each in the stretch it is in now (status since status_changed_at)."""
    current = Device.objects.all()
    if site is not None:
        current = current.filter(site_id=site.pk)
    if devices is not None:
        current = current.filter(pk__in=devices.values("pk"))
    return current


def _moment(moment):
    return Value(moment, output_field=DateTimeField())


def entries_per_week(period, *, site=None, devices=None):
    """[(monday: date, status: str, count: int)], by week then status: devices that
    entered each status in each week of `period`."""
    start, end = period.bounds()
    left = (
        _stretches(site, devices)
        .filter(entered_at__gte=start, entered_at__lt=end)
        .annotate(week=TruncWeek("entered_at"))
        .values("week", "status")
        .annotate(count=Count("*"))
        .order_by()
    )
    ongoing = (
        _current(site, devices)
        .filter(status_changed_at__gte=start, status_changed_at__lt=end)
        .annotate(week=TruncWeek("status_changed_at"))
        .values("week", "status")
        .annotate(count=Count("*"))
        .order_by()
    )
    # At most two rows per (week, status), one from each side: summed here. Count("*")
    # (not the primary key) lets PostgreSQL answer from the indexes alone.
    counts = Counter()
    for row in left.union(ongoing, all=True):
        counts[_day(row["week"]), row["status"]] += row["count"]
    return [(week, status, n) for (week, status), n in sorted(counts.items())]


def _day(moment):
    if isinstance(moment, datetime.datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def devices_now(*, site=None, devices=None):
    """{status: count} of the devices as they are now (every status, zeros included)."""
    counts = dict(_current(site, devices).values_list("status").annotate(n=Count("pk")).order_by())
    return {status.value: counts.get(status.value, 0) for status in Status}


def time_in_status(period, *, site=None, devices=None, now=None):
    """{status: {"devices": n, "days": Decimal average days}}: for each status of
    TIMED_STATUSES, the devices that spent time in it during `period` and the average
    number of days each spent there within the period (time after `now` does not count).

    A device's time in a status is the sum of its stretches there (those it left, and the
    one it is in now), each clipped to the period.
    """
    start, end = period.bounds()
    end = min(end, now or timezone.now())
    if end <= start:
        return {}
    left = (
        _stretches(site, devices)
        .filter(status__in=TIMED_STATUSES, entered_at__lt=end, left_at__gt=start)
        .values("status")
        .annotate(
            total=Sum(_clipped("entered_at", Least(F("left_at"), _moment(end)), start)),
            devices=Count("device_id", distinct=True),
            twice=Value(0),
        )
        .order_by()
    )
    ongoing = (
        _current(site, devices)
        .filter(status__in=TIMED_STATUSES, status_changed_at__lt=end)
        .values("status")
        .annotate(
            total=Sum(_clipped("status_changed_at", _moment(end), start)),
            devices=Count("*"),
            twice=Value(0),
        )
        .order_by()
    )
    # Devices counted by both parts above: back during the period in a status they had
    # left during the period (a second erasure, a repair after « prêt »). Only a device
    # whose current stretch began in the period can be one.
    back = (
        _current(site, devices)
        .filter(status__in=TIMED_STATUSES, status_changed_at__gte=start, status_changed_at__lt=end)
        .filter(
            Exists(
                _stretches(site).filter(
                    device_id=OuterRef("pk"), status=OuterRef("status"), left_at__gt=start
                )
            )
        )
        .values("status")
        .annotate(total=_no_time(), devices=Value(0), twice=Count("*"))
        .order_by()
    )
    totals, counts = {}, Counter()
    for row in left.union(ongoing, back, all=True):
        status = row["status"]
        totals[status] = totals.get(status, datetime.timedelta()) + (
            row["total"] or datetime.timedelta()
        )
        counts[status] += row["devices"] - row["twice"]
    figures = {}
    for status in TIMED_STATUSES:
        if counts[status] > 0:
            days = Decimal(totals[status].total_seconds()) / Decimal(86400) / counts[status]
            figures[status] = {
                "devices": counts[status],
                "days": days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
            }
    return figures


def _clipped(entered, until, start):
    """The duration from `entered` (a field), at the earliest `start`, to `until`."""
    return ExpressionWrapper(
        until - Greatest(F(entered), _moment(start)), output_field=DurationField()
    )


def _no_time():
    return Value(datetime.timedelta(), output_field=DurationField())

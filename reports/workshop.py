"""The technician's figures, from the devices' history (simple_history's HistoricalDevice):
how many devices entered each status per week, how many are in each status now, and how
long devices stayed in each status during the period.

A device "enters" a status on a history row whose status differs from the row before it
(the first row, at registration, enters its status too); rows that only change other
fields are skipped. Everything is aggregated by the database: one query per figure,
whatever the number of devices or history rows.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncWeek
from django.utils import timezone

from inventory.models import Device, Status

History = Device.history.model


def _bounds(period):
    """The period as aware datetimes [start, end) in the local time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def _history(site=None, devices=None):
    rows = History.objects.all()
    if site is not None:
        rows = rows.filter(site_id=site.pk)
    if devices is not None:
        rows = rows.filter(id__in=devices.values("pk"))
    return rows


def _before():
    """History rows of the same device before `row` (OuterRef), latest first."""
    return History.objects.filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
        id=OuterRef("id"),
    ).order_by("-history_date", "-history_id")


def _after():
    return History.objects.filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id")),
        id=OuterRef("id"),
    ).order_by("history_date", "history_id")


def entries_per_week(period, *, site=None, devices=None):
    """[(monday: date, status: str, count: int)], by week then status: devices that
    entered each status in each week of `period`."""
    start, end = _bounds(period)
    previous = Subquery(_before().values("status")[:1])
    rows = (
        _history(site, devices)
        .filter(history_date__gte=start, history_date__lt=end)
        .annotate(previous=Coalesce(previous, Value("")))
        .exclude(previous=F("status"))
        .annotate(week=TruncWeek("history_date"))
        .values("week", "status")
        .annotate(count=Count("history_id"))
        .order_by("week", "status")
    )
    return [(_day(row["week"]), row["status"], row["count"]) for row in rows]


def _day(moment):
    if isinstance(moment, datetime.datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def devices_now(*, site=None, devices=None):
    """{status: count} of the devices as they are now (every status, zeros included)."""
    current = Device.objects.all()
    if site is not None:
        current = current.filter(site=site)
    if devices is not None:
        current = current.filter(pk__in=devices.values("pk"))
    counts = dict(current.values_list("status").annotate(n=Count("pk")).order_by())
    return {status.value: counts.get(status.value, 0) for status in Status}


def time_in_status(period, *, site=None, devices=None, now=None):
    """{status: {"devices": n, "days": Decimal average days}}: for each status, the
    devices that spent time in it during `period` and the average number of days each
    spent there within the period (time after `now` does not count).

    Each history row starts a stretch in its status that lasts until the device's next
    history row; consecutive rows with the same status add up, so a device's total in a
    status is the sum of its stretches, clipped to the period.
    """
    start, end = _bounds(period)
    end = min(end, now or timezone.now())
    if end <= start:
        return {}
    until = Coalesce(
        Subquery(_after().values("history_date")[:1]), Value(end, output_field=DateTimeField())
    )
    clipped = ExpressionWrapper(
        Least(F("until"), Value(end, output_field=DateTimeField()))
        - Greatest(F("history_date"), Value(start, output_field=DateTimeField())),
        output_field=DurationField(),
    )
    rows = (
        _history(site, devices)
        .filter(history_date__lt=end)
        .annotate(until=until)
        .filter(until__gt=start)
        .values("status")
        .annotate(total=Sum(clipped), devices=Count("id", distinct=True))
        .order_by()
    )
    figures = {}
    for row in rows:
        total = row["total"] or datetime.timedelta()
        days = Decimal(total.total_seconds()) / Decimal(86400) / row["devices"]
        figures[row["status"]] = {
            "devices": row["devices"],
            "days": days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        }
    return figures

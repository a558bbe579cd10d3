"""The technician's figures: how many devices entered each status per week, how many are
in each status now, and how long devices stayed in each status during the period.

They are read through inventory.impact.stays: the daily sums of the nightly rebuild for
the days before today, and for the rest the status-stretch ledger (StatusStretch: one row
per stretch a device has left, written by the workflow) and the devices themselves (the
stretch each device is in now: its status since its status_changed_at). A device
"enters" a status when a stretch begins: at its registration (its first status, « reçu »
for a donated device) and at every move. Everything is aggregated by the database, a few
queries per figure whatever the number of devices or stretches.
"""

import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from inventory.impact import stays
from inventory.models import Status

# The statuses where a device ends up rather than stays: once sold, given, recycled or
# lost it is no longer on anyone's bench or shelf, and its days there would only grow
# with time. Every other status counts as time spent, including « pièces » (a device kept
# for parts sits in the workshop until it is stripped or recycled).
END_STATUSES = frozenset({Status.SOLD, Status.GIVEN, Status.RECYCLED, Status.LOST})
TIMED_STATUSES = [status.value for status in Status if status not in END_STATUSES]


def entries_per_week(period, *, site=None, devices=None):
    """[(monday: date, status: str, count: int)], by week then status: devices that
    entered each status in each week of `period`."""
    start, end = period.bounds()
    counts = Counter()
    for (day, status), count in stays.begun_per_day(start, end, site=site, devices=devices).items():
        counts[day - datetime.timedelta(days=day.weekday()), status] += count
    return [(week, status, n) for (week, status), n in sorted(counts.items())]


def devices_now(*, site=None, devices=None):
    """{status: count} of the devices as they are now (every status, zeros included)."""
    counts = stays.open_stays(site=site, devices=devices)
    return {status.value: counts.get(status.value, 0) for status in Status}


def time_in_status(period, *, site=None, devices=None, now=None):
    """{status: {"stays": n, "days": Decimal average days}}: for each status of
    TIMED_STATUSES, the stays in it that overlap `period` and the average number of days
    each spent there within the period (time after `now` does not count).

    A stay is one passage of a device through a status: a device erased twice during
    the period counts two stays. Stays add up day by day, which is what lets a year's
    figure be read from daily sums rather than from every stay.
    """
    start, end = period.bounds()
    end = min(end, now or timezone.now())
    if end <= start:
        return {}
    found = stays.events(start, end, site=site, devices=devices, statuses=TIMED_STATUSES)
    figures = {}
    for status in TIMED_STATUSES:
        sums = found.get(status)
        if sums is None or sums.stays <= 0:
            continue
        spent = sums.overlap(stays.elapsed(start, end))
        days = Decimal(spent.total_seconds()) / Decimal(86400) / sums.stays
        figures[status] = {
            "stays": sums.stays,
            "days": days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        }
    return figures

"""The technician's figures, exact on a small history."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.impact.period import Period
from inventory.models import Device, Status, StatusStretch
from reports import workshop
from tests.factories import DeviceFactory, SiteFactory

pytestmark = pytest.mark.django_db

ZONE = timezone.get_current_timezone()


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZONE)


def lived(steps, **fields):
    """A device whose life is `steps`: [(status, date)], the first its registration, as
    registration and inventory.workflow.transition_device leave it: one stretch row per
    status it left, and the device in its last status since its last date."""
    (_first, registered), *_moves = steps
    last, since = steps[-1]
    device = DeviceFactory(status=last, **fields)
    Device.objects.filter(pk=device.pk).update(
        created_at=at(registered), status_changed_at=at(since)
    )
    StatusStretch.objects.bulk_create(
        StatusStretch(
            device=device, status=status, entered_at=at(day), left_at=at(left), site=device.site
        )
        for (status, day), (_next, left) in itertools.pairwise(steps)
    )
    device.refresh_from_db()
    return device


# Monday 2 March 2026 to Sunday 15 March 2026: two whole weeks.
MARCH = Period(datetime.date(2026, 3, 2), datetime.date(2026, 3, 15))
NOW = at(datetime.date(2026, 6, 1))


@pytest.fixture
def workshop_history():
    site = SiteFactory()
    a = lived(
        [
            (Status.RECEIVED, datetime.date(2026, 3, 2)),
            (Status.WIPING, datetime.date(2026, 3, 4)),
            (Status.REFURBISHING, datetime.date(2026, 3, 9)),
        ],
        site=site,
    )
    # A save that changes no status is not an entry.
    a.notes = "écran rayé"
    a.save()
    lived(
        [
            (Status.RECEIVED, datetime.date(2026, 2, 20)),
            (Status.READY, datetime.date(2026, 3, 10)),
        ],
        site=site,
    )
    # Outside the period altogether.
    lived([(Status.RECEIVED, datetime.date(2026, 4, 1))], site=site)
    return site


def test_devices_entering_each_status_per_week(workshop_history):
    weeks = workshop.entries_per_week(MARCH)

    first, second = datetime.date(2026, 3, 2), datetime.date(2026, 3, 9)
    assert weeks == [
        (first, Status.RECEIVED, 1),
        (first, Status.WIPING, 1),
        (second, Status.READY, 1),
        (second, Status.REFURBISHING, 1),
    ]


def test_devices_now_per_status(workshop_history):
    now = workshop.devices_now(site=workshop_history)

    assert now[Status.REFURBISHING] == 1
    assert now[Status.READY] == 1
    assert now[Status.RECEIVED] == 1
    assert now[Status.SOLD] == 0


def test_average_days_in_each_status_within_the_period(workshop_history):
    figures = workshop.time_in_status(MARCH, now=NOW)

    # Device A: received 2 → 4 March (2 days), wiping 4 → 9 (5 days), refurbishing from
    # 9 March 10:00 to the end of the 15th (6 days 14 h, notes change included).
    # Device B: received before the period, from 2 March 00:00 to 10 March 10:00 (8 days
    # 10 h), ready from 10 March 10:00 to the end (5 days 14 h).
    assert figures[Status.RECEIVED] == {"stays": 2, "days": Decimal("5.2")}
    assert figures[Status.WIPING] == {"stays": 1, "days": Decimal("5.0")}
    assert figures[Status.REFURBISHING] == {"stays": 1, "days": Decimal("6.6")}
    assert figures[Status.READY] == {"stays": 1, "days": Decimal("5.6")}
    assert Status.SOLD not in figures


def test_time_after_now_does_not_count(workshop_history):
    figures = workshop.time_in_status(MARCH, now=at(datetime.date(2026, 3, 5), hour=10))

    assert figures[Status.WIPING] == {"stays": 1, "days": Decimal("1.0")}


def test_a_constant_number_of_queries(django_assert_num_queries):
    for n in range(6):
        lived(
            [
                (Status.RECEIVED, datetime.date(2026, 3, 2)),
                (Status.WIPING, datetime.date(2026, 3, 3 + n)),
            ]
        )
    # Without daily sums: whether there are any, then the stretches and the devices.
    with django_assert_num_queries(7):
        workshop.entries_per_week(MARCH)
        workshop.devices_now()
        workshop.time_in_status(MARCH, now=NOW)


def queries_for(n):
    """The queries of the three figures over `n` devices, each with three stretches left
    and one ongoing, at one site."""
    site = SiteFactory()
    for k in range(n):
        lived(
            [
                (Status.RECEIVED, datetime.date(2026, 2, 20)),
                (Status.WIPING, datetime.date(2026, 3, 2 + k % 7)),
                (Status.REFURBISHING, datetime.date(2026, 3, 9)),
                (Status.WIPING, datetime.date(2026, 3, 10 + k % 5)),
            ],
            site=site,
        )
    with CaptureQueriesContext(connection) as captured:
        weeks = workshop.entries_per_week(MARCH, site=site)
        workshop.devices_now(site=site)
        figures = workshop.time_in_status(MARCH, site=site, now=NOW)
    assert sum(count for _week, _status, count in weeks) == 3 * n
    # Twice in erasure: two stays each.
    assert figures[Status.WIPING]["stays"] == 2 * n
    return len(captured.captured_queries)


def test_the_same_queries_for_5_and_50_devices():
    assert queries_for(5) == queries_for(50) == 7


def test_a_status_left_and_entered_again_counts_two_stays_and_end_statuses_no_time():
    back = lived(
        [
            (Status.READY, datetime.date(2026, 3, 2)),
            (Status.REFURBISHING, datetime.date(2026, 3, 4)),
            (Status.READY, datetime.date(2026, 3, 6)),
        ]
    )
    lived([(Status.READY, datetime.date(2026, 3, 2)), (Status.SOLD, datetime.date(2026, 3, 5))])

    figures = workshop.time_in_status(MARCH, now=NOW)

    # `back`: ready 2 days, then from 6 March 10:00 to the end (9 days 14 h); the sold
    # one: ready 3 days. (2 + 9.58 + 3) / 3 stays.
    assert figures[Status.READY] == {"stays": 3, "days": Decimal("4.9")}
    assert figures[Status.REFURBISHING] == {"stays": 1, "days": Decimal("2.0")}
    assert Status.SOLD not in figures
    assert back.status == Status.READY


def figures_of(period):
    return (
        workshop.entries_per_week(period),
        workshop.devices_now(),
        workshop.time_in_status(period),
    )


def test_the_daily_sums_give_the_figures_of_the_stretches(workshop_history, superuser):
    from inventory import workflow
    from inventory.impact import monthly
    from inventory.models import DailyStatus, FlowSummary

    lived(
        [
            (Status.READY, datetime.date(2026, 2, 2)),
            (Status.REFURBISHING, datetime.date(2026, 4, 4)),
        ]
    )
    today = timezone.localdate()
    periods = [MARCH, Period(datetime.date(2026, 1, 1), today), Period(today, today)]
    live = [figures_of(period) for period in periods]

    monthly.rebuild()

    assert DailyStatus.objects.exists()
    assert [figures_of(period) for period in periods] == live
    # Moves after the rebuild: the days before today come from the sums, today live.
    device = Device.objects.filter(status=Status.READY).first()
    device = workflow.transition_device(device=device, target=Status.REFURBISHING, by=superuser)
    summed = [figures_of(period) for period in periods]
    FlowSummary.objects.update(day_horizon=None)
    assert summed == [figures_of(period) for period in periods]
    assert summed[2][1][Status.REFURBISHING] == live[2][1][Status.REFURBISHING] + 1


def test_a_deleted_device_leaves_the_figures_at_once(workshop_history):
    from inventory.impact import monthly

    monthly.rebuild()
    Device.objects.filter(status=Status.READY).delete()

    assert figures_of(MARCH)[1][Status.READY] == 0
    assert workshop.time_in_status(MARCH, now=NOW).get(Status.READY) is None


def per_site(sites, period):
    return [
        (
            workshop.entries_per_week(period, site=site),
            workshop.devices_now(site=site),
            workshop.time_in_status(period, site=site),
        )
        for site in sites
    ]


def test_a_device_moved_to_another_site_takes_its_stay_with_it(workshop_history):
    from inventory.impact import monthly
    from inventory.models import FlowSummary

    other = SiteFactory()
    lived([(Status.READY, datetime.date(2026, 2, 2))], site=other)
    sites = [workshop_history, other]
    monthly.rebuild()
    device = Device.objects.filter(site=workshop_history, status=Status.READY).first()

    device.site = other
    device.save()

    periods = [MARCH, Period(datetime.date(2026, 1, 1), timezone.localdate())]
    summed = [per_site(sites, period) for period in periods]
    assert summed[0][1][1][Status.READY] == 2
    FlowSummary.objects.update(day_horizon=None)
    assert [per_site(sites, period) for period in periods] == summed

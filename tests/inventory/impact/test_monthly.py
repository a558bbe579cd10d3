"""The monthly summary gives the same figures as reading every device, before and after
the changes that happen between two nightly rebuilds."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis.strategies import dates, integers, sets

from exchange import engine
from exchange.models import ImportJob
from inventory.impact import flows, monthly
from inventory.impact.period import Period, next_month
from inventory.models import (
    Category,
    Device,
    Donor,
    FlowSummary,
    MonthlyFlow,
    StaleFlowMonth,
    WeightDefault,
)
from inventory.tasks import rebuild_monthly_flows
from tests.factories import DeviceFactory, DonationFactory
from tests.inventory.impact.test_balance import last_twelve_months, mixed_year

pytestmark = pytest.mark.django_db


def live():
    """A state without summary: every figure read from the tables (a new one each time:
    a state keeps the rows it read)."""
    return monthly.State(None, frozenset())


def periods():
    today = timezone.localdate()
    first = today.replace(day=1)
    return [
        last_twelve_months(),
        # Starts and ends inside months: the partial months are read live.
        Period(today - datetime.timedelta(days=400), today - datetime.timedelta(days=45)),
        Period(first - datetime.timedelta(days=200), first - datetime.timedelta(days=1)),
        Period(today - datetime.timedelta(days=700), today),
    ]


def figures(known, sites):
    """Every flows figure over each period, whole and per site, read with `known`."""
    found = []
    for period in periods():
        for site in [None, *sites]:
            found.append(
                (
                    flows.entries(period, site, known=known),
                    flows.exits(period, site, known=known),
                    flows.reemploi_rate(period, site, known=known),
                    flows.reused_counts(period, site, known=known),
                    flows.monthly_balance(period, site, known=known),
                )
            )
    return found


def loose_devices(count, days_ago):
    """Devices registered without a donation, `days_ago` days back."""
    devices = DeviceFactory.create_batch(count, category=Category.TABLET, donation=None)
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    Device.objects.filter(pk__in=[d.pk for d in devices]).update(created_at=moment)
    return devices


@pytest.fixture
def history(superuser):
    sites = mixed_year(superuser, 30)
    loose_devices(3, 150)
    return sites


def summed(history):
    monthly.rebuild()
    return figures(None, history)


def test_the_summary_gives_the_figures_of_the_tables(history):
    tables = figures(live(), history)
    assert MonthlyFlow.objects.count() == 0

    assert summed(history) == tables
    assert MonthlyFlow.objects.filter(kind=MonthlyFlow.Kind.ENTRY).exists()
    assert MonthlyFlow.objects.filter(kind=MonthlyFlow.Kind.EXIT).exists()
    # The balance still closes every month on the summary.
    assert all(month.closes for month in flows.monthly_balance(last_twelve_months()))


def test_a_weight_measured_after_the_rebuild_counts_at_once(history):
    monthly.rebuild()
    device = Device.objects.filter(weight_kg__isnull=True, exits__isnull=False).first()
    device.weight_kg = Decimal("7.25")
    device.save()

    assert StaleFlowMonth.objects.exists()
    assert figures(None, history) == figures(live(), history)


def test_category_donation_and_deletion_after_the_rebuild(history):
    monthly.rebuild()
    first, second, third = Device.objects.exclude(donation=None).order_by("pk")[:3]
    first.category = Category.SCREEN
    first.save()
    second.donation = third.donation
    second.save()
    third.delete()

    assert figures(None, history) == figures(live(), history)


def test_a_donation_dated_again_and_a_donor_of_another_kind(history):
    monthly.rebuild()
    donation = Device.objects.exclude(donation=None).first().donation
    donation.received_on -= datetime.timedelta(days=62)
    donation.save()
    donor = Device.objects.exclude(donation=None).last().donation.donor
    donor.kind = Donor.Kind.PUBLIC_BODY if donor.kind != Donor.Kind.PUBLIC_BODY else "company"
    donor.save()

    assert figures(None, history) == figures(live(), history)


def test_devices_registered_since_into_an_old_donation_count(history):
    monthly.rebuild()
    old = DonationFactory(received_on=timezone.localdate() - datetime.timedelta(days=90))
    DeviceFactory.create_batch(4, donation=old, site=old.site, weight_kg=Decimal("2"))
    loose_devices(2, 100)

    # Nothing marked: devices above the summary's last one are read live.
    assert not StaleFlowMonth.objects.exists()
    assert figures(None, history) == figures(live(), history)


def test_a_new_default_weight_needs_no_rebuild(history):
    monthly.rebuild()
    WeightDefault.objects.update_or_create(
        category=Category.LAPTOP, defaults={"kg": Decimal("3.10"), "source": "weighed"}
    )
    assert figures(None, history) == figures(live(), history)


def test_a_move_between_sites_of_a_donated_device_marks_nothing(history):
    monthly.rebuild()
    device = Device.objects.exclude(donation=None).first()
    device.site = history[1] if device.site == history[0] else history[0]
    device.save()

    assert not StaleFlowMonth.objects.exists()
    assert figures(None, history) == figures(live(), history)


def test_the_rebuild_replaces_the_summary_and_clears_stale_months(history):
    monthly.rebuild()
    device = Device.objects.filter(weight_kg__isnull=False).first()
    device.weight_kg += 1
    device.save()
    assert StaleFlowMonth.objects.exists()

    horizon = rebuild_monthly_flows()

    assert horizon == timezone.localdate().replace(day=1).isoformat()
    assert FlowSummary.objects.count() == 1
    assert not StaleFlowMonth.objects.exists()
    assert figures(None, history) == figures(live(), history)


def test_without_a_summary_nothing_is_marked(history, django_assert_max_num_queries):
    device = Device.objects.first()
    device.weight_kg = Decimal("1.50")
    with django_assert_max_num_queries(4):  # the save, its history, "no summary"
        device.save()
    assert not StaleFlowMonth.objects.exists()


def test_the_rebuild_runs_every_night():
    tasks = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks["inventory.tasks.rebuild_monthly_flows"] == 60 * 60 * 24


def test_weights_corrected_by_an_import_count_at_once(history, technician):
    monthly.rebuild()
    device = Device.objects.filter(
        weight_kg__isnull=True, exits__isnull=False, category=Category.LAPTOP
    ).first()
    device.serial_number, device.manufacturer = "5CG7301XYZ", "HP"
    device.save()
    content = "N° série;Marque;Type;Poids\n5CG7301XYZ;HP;Portable;3,75\n".encode()
    job = ImportJob.objects.create(
        resource="devices",
        filename="poids.csv",
        content=content,
        size=len(content),
        created_by=technician,
        options={},
    )
    engine.analyse(job)

    engine.apply(job)

    device.refresh_from_db()
    assert device.weight_kg == Decimal("3.75")
    assert figures(None, history) == figures(live(), history)


def _walked(start, end, horizon, stale):
    """split() by walking the months one by one: the definition it must match."""
    summed, live = [], []
    for month in Period(start, end).month_periods():
        first = month.start.replace(day=1)
        whole = month.start == first and month.end == next_month(first) - datetime.timedelta(1)
        if whole and first < horizon and first not in stale:
            monthly._extend(summed, first, first, step=lambda last, nxt: nxt == next_month(last))
        else:
            monthly._extend(live, month.start, month.end, step=monthly._next_day_gap)
    return summed, live


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    start=dates(datetime.date(2023, 1, 1), datetime.date(2027, 6, 30)),
    days=integers(0, 900),
    stale=sets(integers(0, 59), max_size=4),
)
def test_the_split_reads_whole_summed_months_and_nothing_twice(start, days, stale):
    end = start + datetime.timedelta(days=days)
    months = {datetime.date(2023 + k // 12, k % 12 + 1, 1) for k in stale}
    summary = FlowSummary(horizon=datetime.date(2026, 11, 1))

    cut = monthly.split(start, end, summary, months)

    assert (cut.summed, cut.live) == _walked(start, end, summary.horizon, months)

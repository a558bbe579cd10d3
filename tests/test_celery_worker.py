"""The nightly stock snapshot, run inline and by a real Celery worker over Redis."""

import pytest
from django.utils import timezone

from inventory.models import Device, Status, StockSnapshot
from inventory.tasks import snapshot_stock
from tests.factories import DeviceFactory, SiteFactory


def snapshot_counts(day):
    rows = StockSnapshot.objects.filter(date=day).values_list("site__code", "status", "count")
    return {(site, status): count for site, status, count in rows if count}


def stock(site_codes):
    """Two sites: two ready laptops and a lent one in the first, a sold one in the second."""
    first, second = (SiteFactory(code=code) for code in site_codes)
    DeviceFactory.create_batch(2, site=first, status=Status.READY)
    DeviceFactory(site=first, status=Status.LENT)
    DeviceFactory(site=second, status=Status.SOLD)
    return {
        (first.code, Status.READY): 2,
        (first.code, Status.LENT): 1,
        (second.code, Status.SOLD): 1,
    }


@pytest.mark.django_db
def test_the_snapshot_counts_devices_by_site_and_status():
    expected = stock(["BRU", "BET"])

    written = snapshot_stock.apply(kwargs={"day": "2026-03-01"}).get()

    assert written == 2 * len(Status.values)
    assert snapshot_counts("2026-03-01") == expected


@pytest.mark.django_db
def test_the_snapshot_twice_the_same_day_gives_the_same_rows():
    stock(["BRU", "BET"])
    snapshot_stock.apply(kwargs={"day": "2026-03-01"}).get()
    first = list(StockSnapshot.objects.values_list("date", "site", "status", "count"))

    snapshot_stock.apply(kwargs={"day": "2026-03-01"}).get()

    assert list(StockSnapshot.objects.values_list("date", "site", "status", "count")) == first


@pytest.mark.django_db
def test_the_snapshot_of_another_day_keeps_the_previous_ones():
    stock(["BRU", "BET"])
    snapshot_stock.apply(kwargs={"day": "2026-03-01"}).get()
    Device.objects.update(status=Status.RECYCLED)

    snapshot_stock.apply(kwargs={"day": "2026-03-02"}).get()

    assert snapshot_counts("2026-03-01")[("BRU", Status.READY)] == 2
    assert snapshot_counts("2026-03-02") == {
        ("BRU", Status.RECYCLED): 3,
        ("BET", Status.RECYCLED): 1,
    }


@pytest.mark.django_db
def test_the_snapshot_defaults_to_today():
    stock(["BRU", "BET"])

    snapshot_stock.apply().get()

    assert set(StockSnapshot.objects.values_list("date", flat=True)) == {timezone.localdate()}


# A real worker ------------------------------------------------------------------


@pytest.mark.celery_worker
def test_a_real_worker_takes_the_stock_snapshot(real_worker):
    expected = stock(["WRK", "WRL"])
    day = "2026-04-01"

    result = snapshot_stock.delay(day)
    written = result.get(timeout=60)

    assert real_worker.poll() is None, "the worker stopped"
    assert written == 2 * len(Status.values)
    assert snapshot_counts(day) == expected

"""The scan card's one-query read says exactly what the prefetching read said."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone

from inventory import workflow
from inventory.models import CheckResult, Device, Drive, Erasure, OsInstall
from inventory.scan import card
from tests.factories import (
    DeviceFactory,
    DriveFactory,
    ErasureFactory,
    LocationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def prefetched(device):
    """The device as the device page reads it: Django's prefetching."""
    return Device.objects.prefetch_related(
        "drives__erasures",
        Prefetch("check_results", queryset=CheckResult.objects.all()),
        Prefetch("os_installs", queryset=OsInstall.objects.all()),
    ).get(pk=device.pk)


def both_say(device):
    by_prefetch = workflow.missing_for(prefetched(device), workflow.READY)
    found = card.find(device.asset_tag)
    by_card = workflow.missing_for(found, workflow.READY, checklist=found.checklist)
    assert by_card == by_prefetch
    return by_card


def test_a_new_laptop_misses_its_drives_its_tests_and_its_system():
    missing = both_say(DeviceFactory())

    assert len(missing) == 4  # no drive, untested checklist, no system, no grade


def test_a_refurbished_laptop_misses_nothing():
    assert both_say(DeviceFactory(refurbished=True)) == []


def test_an_erasure_of_a_previous_cycle_does_not_count():
    device = DeviceFactory(refurbished=True)
    started = timezone.now() + timedelta(minutes=1)
    Device.objects.filter(pk=device.pk).update(cycle_started_at=started)

    missing = both_say(device)

    drive = device.drives.get()
    assert any(str(drive) in sentence for sentence in missing)


def test_a_failing_drive_counts_until_it_is_removed():
    device = DeviceFactory(refurbished=True)
    failing = DriveFactory(device=device, smart_passed=False, serial_number="BAD-1")
    ErasureFactory(drive=failing)
    assert any("BAD-1" in sentence for sentence in both_say(device))

    ErasureFactory(drive=failing, method=Erasure.Method.REMOVED)

    assert both_say(device) == []


def test_a_failed_test_and_a_later_system_show_as_the_page_shows_them():
    device = DeviceFactory(refurbished=True)
    CheckResult.objects.filter(device=device).update(outcome=CheckResult.Outcome.FAIL)
    OsInstall.objects.filter(device=device).update(
        installed_at=timezone.now() - timedelta(days=400)
    )
    Device.objects.filter(pk=device.pk).update(cycle_started_at=timezone.now() - timedelta(days=1))
    Erasure.objects.filter(drive__device=device).update(performed_at=timezone.now())

    missing = both_say(device)

    assert len(missing) == 2  # the tests, the system


def test_the_card_relations_read_like_prefetched_ones():
    device = DeviceFactory(drives__count=2, drives__erased=True)
    Drive.objects.filter(device=device).update(capacity_gb=256)
    operator = UserFactory()
    ErasureFactory(drive=device.drives.first(), operator=operator, result=Erasure.Result.FAILED)

    found = card.find(device.asset_tag)
    page = prefetched(device)

    assert [str(d) for d in found.drives.all()] == [str(d) for d in page.drives.all()]
    assert [
        [(e.pk, e.result, e.performed_at) for e in d.erasures.all()] for d in found.drives.all()
    ] == [[(e.pk, e.result, e.performed_at) for e in d.erasures.all()] for d in page.drives.all()]


def test_the_card_is_one_query(django_assert_num_queries):
    location = LocationFactory(code="BRU-A03")
    device = DeviceFactory(
        refurbished=True,
        drives__count=2,
        drives__erased=True,
        location=location,
        site=location.site,
    )
    card.find(device.asset_tag)  # SQLite checks its JSON support once

    with django_assert_num_queries(1):
        found = card.find(device.asset_tag)
        workflow.missing_for(found, workflow.READY, checklist=found.checklist)
        assert found.location.code == "BRU-A03"
        assert found.site.name == location.site.name


def test_one_lookup_finds_by_tag_or_serial_newest_first():
    older = DeviceFactory(serial_number="SAME-1", manufacturer="Dell")
    newer = DeviceFactory(serial_number="SAME-1", manufacturer="HP")
    other = DeviceFactory()

    found = card.lookup([other.asset_tag], ["SAME-1"])

    assert [device.pk for device in found] == [other.pk, newer.pk, older.pk]
    assert card.lookup([]) == []


def _prepared_card_statements():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ["%inventory_device.asset_tag IN%"],
        )
        return [runs for (runs,) in cursor.fetchall()]


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's: set DATABASE_URL=postgres://…")


def test_postgresql_plans_the_card_query_once_per_connection(postgresql):
    device = DeviceFactory()
    for _ in range(3):
        assert card.find(device.asset_tag) == device

    assert _prepared_card_statements() == [3]  # one statement, run three times


def test_without_prepared_statements_the_card_is_read_all_the_same(postgresql):
    """DATABASE_PREPARED_STATEMENTS=false, for a pooler that cannot keep them."""
    device = DeviceFactory()
    connection.ensure_connection()
    connection.connection.prepare_threshold = None
    try:
        found = card.find(device.asset_tag)
    finally:
        connection.connection.prepare_threshold = 0

    assert found == device and found.site == device.site
    assert _prepared_card_statements() == []

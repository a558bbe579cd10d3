"""The device counts the database keeps (DeviceCount, kept by triggers) stay exact after
every kind of change: each test compares them with a fresh COUNT of the devices."""

import pytest
from django.core.cache import cache
from django.db.models import Count, Sum

from exchange import engine
from exchange.models import ImportJob
from inventory import counts, services, workflow
from inventory.counts import site_counts, status_counts
from inventory.models import Category, Device, DeviceCount, Status
from tests import paths
from tests.factories import DeviceFactory, LocationFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_fold_yet():
    """No fold remembered from another test (the cache outlives each test's database)."""
    cache.delete(counts._FOLDED)


def fresh_counts():
    """{(status, site, shelf or 0, category): devices}, counted from the devices."""
    rows = Device.objects.values_list("status", "site", "location", "category")
    return {
        (status, site, location or 0, category): n
        for status, site, location, category, n in rows.annotate(n=Count("pk")).order_by()
    }


def kept_counts():
    """The same, summed from the rows the triggers added."""
    rows = DeviceCount.objects.values_list("status", "site_id", "location_id", "category")
    rows = rows.annotate(total=Sum("n")).order_by()
    return {(status, site, shelf, category): n for status, site, shelf, category, n in rows if n}


def assert_exact():
    assert kept_counts() == fresh_counts()


def test_a_registered_device_is_counted(technician):
    site = SiteFactory()
    services.register_device(by=technician, category=Category.LAPTOP, site=site)
    assert status_counts() == {Status.RECEIVED: 1}
    assert_exact()


def test_a_transition_moves_the_device_between_counts(technician):
    device = DeviceFactory(status=Status.RECEIVED)
    workflow.transition_device(device=device, target=Status.WIPING, by=technician)
    assert status_counts() == {Status.WIPING: 1}
    assert_exact()


def test_a_bulk_transition_moves_every_device(coordinator):
    devices = DeviceFactory.create_batch(3, status=Status.READY)
    DeviceFactory(status=Status.RECEIVED)
    workflow.transition_devices(devices=devices, target=Status.RESERVED, by=coordinator)
    assert status_counts() == {Status.RESERVED: 3, Status.RECEIVED: 1}
    assert_exact()


def test_a_refused_transition_changes_no_count(technician):
    device = DeviceFactory(status=Status.RECEIVED)
    with pytest.raises(workflow.Refused):
        workflow.transition_device(device=device, target=Status.SOLD, by=technician)
    assert status_counts() == {Status.RECEIVED: 1}
    assert_exact()


def test_an_edit_of_site_category_or_shelf_moves_the_device_between_counts(technician):
    device = DeviceFactory(category=Category.LAPTOP)
    other_site = SiteFactory()
    shelf = LocationFactory(site=other_site)
    device.site = other_site
    device.category = Category.DESKTOP
    services.update_device(device=device, by=technician, fields=["site", "category"])
    services.move_device(device=device, location=shelf, by=technician)
    by_site, by_shelf = site_counts()
    assert by_site == {other_site.pk: 1} and by_shelf == {shelf.pk: 1}
    assert_exact()


def test_an_update_of_many_rows_at_once_is_counted(technician):
    DeviceFactory.create_batch(4, status=Status.RECEIVED)
    Device.objects.filter(pk__in=Device.objects.order_by("pk").values("pk")[:3]).update(
        status=Status.WIPING
    )
    assert status_counts() == {Status.WIPING: 3, Status.RECEIVED: 1}
    assert_exact()


def test_an_import_counts_every_new_device(technician):
    SiteFactory(code="BRU")
    SiteFactory(code="BET")
    content = (paths.FIXTURES / "imports" / "inventory-comma-lf.csv").read_bytes()
    job = ImportJob.objects.create(
        resource="devices",
        filename="devices.csv",
        content=content,
        size=len(content),
        created_by=technician,
        options={},
    )
    engine.analyse(job)
    engine.apply(job)
    assert sum(status_counts().values()) == Device.objects.count() == 4
    assert_exact()


def test_a_deleted_device_is_no_longer_counted():
    kept, deleted = DeviceFactory.create_batch(2)
    deleted.delete()
    Device.objects.filter(pk=kept.pk).delete()
    assert status_counts() == {}
    assert_exact()


def test_a_bulk_create_is_counted():
    site = SiteFactory()
    Device.objects.bulk_create(
        Device(asset_tag=f"RE-9{i:05}", category=Category.SCREEN, site=site) for i in range(5)
    )
    assert status_counts(category=Category.SCREEN, site=site) == {Status.RECEIVED: 5}
    assert_exact()


def test_piled_up_rows_are_folded_into_one_per_group_on_reading(technician, monkeypatch):
    monkeypatch.setattr(counts, "FOLD_AT", 5)
    devices = DeviceFactory.create_batch(4, status=Status.RECEIVED, site=SiteFactory())
    for device in devices:
        workflow.transition_device(device=device, target=Status.WIPING, by=technician)
    assert DeviceCount.objects.count() > 5

    assert status_counts() == {Status.WIPING: 4}

    assert DeviceCount.objects.count() == 1
    assert_exact()


def test_a_folded_table_is_not_folded_again_at_each_read(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(counts, "FOLD_AT", 5)
    # Eight groups, one row each: past FOLD_AT, but nothing piled up.
    for site in SiteFactory.create_batch(4):
        DeviceFactory(site=site, category=Category.LAPTOP)
        DeviceFactory(site=site, category=Category.SCREEN)
    assert DeviceCount.objects.count() == 8
    counts.fold()  # nothing to fold, but now the table is known to be folded

    with django_assert_num_queries(1):  # the sums, no DELETE nor INSERT
        assert status_counts() == {Status.RECEIVED: 8}

    assert DeviceCount.objects.count() == 8


def test_a_fold_keeps_what_a_move_adds_after_it():
    DeviceFactory.create_batch(3)
    counts.fold()
    DeviceFactory()
    counts.fold()
    assert status_counts() == {Status.RECEIVED: 4}
    assert_exact()

"""The history rows an import writes in bulk (copied by the database) are those
django-simple-history writes for a save: same values, who, when, why, and type."""

import pytest
from simple_history.utils import bulk_create_with_history

from inventory.models import Device
from spreadsheets.history import CHANGED, CREATED, record_history
from tests.factories import DeviceFactory, SiteFactory

pytestmark = pytest.mark.django_db

TRACKED = [f.attname for f in Device.history.model._meta.concrete_fields]


def values(record):
    return {name: getattr(record, name) for name in TRACKED if not name.startswith("history_")}


def test_a_copied_history_row_holds_what_simple_history_would_write(technician):
    site = SiteFactory()
    ours, theirs = (
        Device(asset_tag=tag, serial_number=tag, category="laptop", site=site, ram_mb=8192)
        for tag in ("RE-100001", "RE-100002")
    )
    Device.objects.bulk_create([ours])
    bulk_create_with_history([theirs], Device, default_user=technician, default_change_reason="x")

    record_history(Device, [ours.pk], history_type=CREATED, user=technician, reason="x")

    mine = Device.history.get(id=ours.pk)
    reference = Device.history.get(id=theirs.pk)
    # What differs between the two devices themselves: their ids, tags, creation times.
    own = {"id": 0, "asset_tag": "", "serial_number": "", "created_at": None}
    assert values(mine) | own == values(reference) | own
    assert (mine.history_type, mine.history_user, mine.history_change_reason) == (
        "+",
        technician,
        "x",
    )
    assert mine.history_date is not None


def test_a_change_is_recorded_with_the_values_after_it(technician):
    device = DeviceFactory(ram_mb=4096)
    Device.objects.filter(pk=device.pk).update(ram_mb=8192)

    record_history(Device, [device.pk], history_type=CHANGED, user=technician, reason="Import #3")

    latest = device.history.order_by("-history_id").first()
    assert (latest.ram_mb, latest.history_type, latest.history_change_reason) == (
        8192,
        "~",
        "Import #3",
    )
    assert latest.prev_record.ram_mb == 4096


def test_more_records_than_one_statement_takes_are_all_recorded(technician):
    site = SiteFactory()
    devices = Device.objects.bulk_create(
        Device(asset_tag=f"RE-2{n:05d}", category="laptop", site=site) for n in range(1203)
    )

    record_history(Device, [d.pk for d in devices], history_type=CREATED, user=technician)

    assert Device.history.filter(history_type="+").count() == 1203

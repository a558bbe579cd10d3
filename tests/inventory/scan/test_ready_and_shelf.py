"""The scan station's one pass for a finished device: ACTION:READY once, then for each
device its tag and its shelf; one ACTION:UNDO takes back both."""

import pytest

from inventory.models import Device, Status
from tests.factories import DeviceFactory, LocationFactory
from tests.inventory.scan.test_scan_station import last_entry, scan

pytestmark = pytest.mark.django_db


def refurbished(**fields):
    return DeviceFactory(status=Status.REFURBISHING, refurbished=True, **fields)


@pytest.fixture
def shelf():
    return LocationFactory(code="BRU-R01")


def test_ready_then_the_shelf_in_two_scans_per_device(technician_client, technician, shelf):
    first, second = refurbished(), refurbished()

    scan(technician_client, "ACTION:READY")
    for device in (first, second):
        scan(technician_client, device.asset_tag)
        html = scan(technician_client, "BRU-R01")

    assert 'data-mode="act"' in html  # still armed for the next device
    for device in (first, second):
        device.refresh_from_db()
        assert (device.status, device.location, device.site) == (
            Status.READY,
            shelf,
            shelf.site,
        )
        # Both changes are in the device's history, in the technician's name.
        changes = list(device.history.order_by("history_date")[1:])
        assert [c.status for c in changes] == [Status.READY, Status.READY]
        assert [c.location_id for c in changes] == [None, shelf.pk]
        assert {c.history_user for c in changes} == {technician}
    assert last_entry(technician_client)["outcome"] == "ok"


def test_the_panel_asks_for_the_shelf_after_a_device(technician_client, shelf):
    device = refurbished()

    scan(technician_client, "ACTION:READY")
    html = scan(technician_client, device.asset_tag)

    assert 'id="scan-placing"' in html
    assert device.asset_tag in html


def test_one_undo_takes_back_the_status_and_the_shelf(technician_client, technician, shelf):
    before = LocationFactory(code="BRU-W01")
    device = refurbished(location=before, site=before.site)

    scan(technician_client, "ACTION:READY")
    scan(technician_client, device.asset_tag)
    scan(technician_client, "BRU-R01")
    scan(technician_client, "ACTION:UNDO")

    device.refresh_from_db()
    assert (device.status, device.location) == (Status.REFURBISHING, before)
    assert last_entry(technician_client)["outcome"] == "ok"
    assert device.history.first().history_user == technician
    scan(technician_client, "ACTION:UNDO")
    assert last_entry(technician_client)["outcome"] == "refused"


def test_undo_after_the_action_alone_takes_back_the_status(technician_client):
    device = refurbished()

    scan(technician_client, "ACTION:READY")
    scan(technician_client, device.asset_tag)
    scan(technician_client, "ACTION:UNDO")

    device.refresh_from_db()
    assert device.status == Status.REFURBISHING


def test_a_second_shelf_corrects_the_first_and_undo_goes_back_to_the_start(
    technician_client, shelf
):
    LocationFactory(code="BRU-R02")
    device = refurbished()

    scan(technician_client, "ACTION:READY")
    scan(technician_client, device.asset_tag)
    scan(technician_client, "BRU-R01")
    scan(technician_client, "BRU-R02")
    device.refresh_from_db()
    assert device.location.code == "BRU-R02"

    scan(technician_client, "ACTION:UNDO")

    device.refresh_from_db()
    assert (device.status, device.location) == (Status.REFURBISHING, None)


def test_a_device_refused_ready_is_not_shelved(technician_client, shelf, english):
    device = DeviceFactory(status=Status.REFURBISHING)  # not tested nor graded

    scan(technician_client, "ACTION:READY")
    scan(technician_client, device.asset_tag)
    scan(technician_client, "BRU-R01")

    device.refresh_from_db()
    assert (device.status, device.location) == (Status.REFURBISHING, None)
    entry = last_entry(technician_client)
    assert entry["outcome"] == "refused"
    assert entry["message"] == f"{device.asset_tag} is not “Ready”: it was not put on BRU-R01."


def test_a_device_already_ready_is_shelved(technician_client, shelf):
    device = DeviceFactory(status=Status.READY)

    scan(technician_client, "ACTION:READY")
    scan(technician_client, device.asset_tag)
    scan(technician_client, "BRU-R01")

    device.refresh_from_db()
    assert device.location == shelf


def test_a_location_without_a_device_just_before_still_switches_to_move_mode(
    technician_client, shelf
):
    scan(technician_client, "ACTION:READY")

    html = scan(technician_client, "BRU-R01")

    assert 'data-mode="move"' in html


def test_undo_refuses_when_someone_changed_the_device_since(technician_client, technician, shelf):
    from inventory import workflow

    device = refurbished()
    scan(technician_client, "ACTION:READY")
    scan(technician_client, device.asset_tag)
    scan(technician_client, "BRU-R01")
    device.refresh_from_db()
    workflow.transition_device(device=device, target=Status.REFURBISHING, by=technician)

    scan(technician_client, "ACTION:UNDO")

    device.refresh_from_db()
    assert (device.status, device.location) == (Status.REFURBISHING, shelf)
    assert last_entry(technician_client)["outcome"] == "refused"


def test_ready_by_scan_queues_the_label_and_undo_drops_it(technician_client, shelf):
    from labels.models import LabelRequest

    device = refurbished()
    scan(technician_client, "ACTION:READY")
    scan(technician_client, device.asset_tag)
    scan(technician_client, "BRU-R01")
    assert LabelRequest.objects.filter(device=device, printed_at__isnull=True).exists()

    scan(technician_client, "ACTION:UNDO")

    assert not LabelRequest.objects.filter(device=device, printed_at__isnull=True).exists()


@pytest.mark.parametrize("count", [10, 10_000])
def test_the_shelf_scan_costs_the_same_with_10_or_10000_devices(
    technician_client, django_assert_max_num_queries, count, shelf
):
    Device.objects.bulk_create(
        Device(asset_tag=f"RE-7{i:05d}", serial_number=f"BULK{i}", site=shelf.site)
        for i in range(count - 1)
    )
    device = refurbished(site=shelf.site)
    scan(technician_client, "ACTION:READY")
    scan(technician_client, device.asset_tag)

    # The look-up (device, its card's relations, the location), the device again for the
    # move, the move with its history, the card's refresh, the session: 20 whatever the size.
    with django_assert_max_num_queries(20):
        html = scan(technician_client, "BRU-R01")

    assert device.asset_tag in html
    device.refresh_from_db()
    assert device.location == shelf


def test_with_another_action_armed_a_location_switches_to_move_mode(technician_client, shelf):
    # A device whose erasure starts stays on the bench: the shelf is for the next devices.
    device = DeviceFactory(site=shelf.site, status=Status.RECEIVED)
    scan(technician_client, "ACTION:WIPING")
    scan(technician_client, device.asset_tag)
    scan(technician_client, shelf.code)

    device.refresh_from_db()
    assert device.status == Status.WIPING
    assert device.location_id is None
    other = DeviceFactory(site=shelf.site, status=Status.RECEIVED)
    scan(technician_client, other.asset_tag)
    other.refresh_from_db()
    assert other.location == shelf
    assert other.status == Status.RECEIVED

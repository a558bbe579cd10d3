"""The lost update: a write made from a device read before someone else moved its status.

Every entry point reads the device afresh for its request, so the stale copy it holds
is the one it read then: between that read and its write, another person's click can
land (a coordinator hands the device over while a technician scans it onto a shelf).
Each test lets the entry point read a ready device, has a coordinator give it away
through the workflow at that moment, then lets the entry point write. The gift must
stay, in the database and in the history row the entry point adds, and the entry
point's own change must be written.
"""

from decimal import Decimal

import pytest
from django.contrib.messages import constants
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from inventory import services, views, workflow
from inventory.admin import DeviceAdmin
from inventory.forms import DeviceForm
from inventory.hardware import services as hardware
from inventory.hardware.services import import_hardware_report
from inventory.models import Device, HardwareReport, Status, WorkstationToken
from inventory.scan import station as scan
from tests.factories import DeviceFactory, LocationFactory, SiteFactory
from tests.inventory.hardware.test_hardware_import import SERIAL, lshw_of, report, smartctl_of
from tests.races import race

pytestmark = pytest.mark.django_db


@pytest.fixture
def give_away_after(monkeypatch, coordinator):
    """`give_away_after(owner, "name")`: once the entry point's `owner.name` has read the
    device, a coordinator gives it away (ready → given) before the entry point writes."""

    def patch(owner, name):
        read = getattr(owner, name)
        given = []

        def reading(*args, **kwargs):
            found = read(*args, **kwargs)
            # recognise() answers what a code names, a device or something else.
            device = found.device if isinstance(found, scan.Recognised) else found
            if device is not None and not given:
                give_away(device, coordinator)
                given.append(device.pk)
            return found

        monkeypatch.setattr(owner, name, reading)

    return patch


def give_away(device, coordinator):
    """A coordinator's click on "Given", from their own fresh copy of the device."""
    workflow.transition_device(
        device=Device.objects.get(pk=device.pk), target=Status.GIVEN, by=coordinator
    )


def assert_still_given(device):
    device.refresh_from_db()
    assert device.status == Status.GIVEN
    assert device.history.first().status == Status.GIVEN


def page_data(device, **changes):
    """What the device page's form posts: each field as the page showed it (also in its
    hidden "initial-" twin), with the person's `changes`."""
    form = DeviceForm(instance=device)
    shown = {name: form[name].value() for name in form.fields}
    data = {**shown, **changes, **{f"initial-{name}": v for name, v in shown.items()}}
    return {name: "" if value is None else value for name, value in data.items()}


# The scan station ---------------------------------------------------------------------


def test_a_scan_move_of_a_device_given_meanwhile_keeps_the_new_status(
    technician_client, technician, give_away_after
):
    device = DeviceFactory(status=Status.READY)
    shelf = LocationFactory(code="BRU-B02", site=device.site)
    give_away_after(scan, "recognise")

    technician_client.post("/scan/", {"code": "BRU-B02"}, HTTP_HX_REQUEST="true")
    technician_client.post("/scan/", {"code": device.asset_tag}, HTTP_HX_REQUEST="true")

    assert_still_given(device)
    assert device.location == shelf
    move = device.history.first()
    assert (move.location_id, move.history_user) == (shelf.pk, technician)


# The device page ----------------------------------------------------------------------


def test_saving_the_device_form_of_a_device_given_meanwhile_keeps_the_new_status(
    technician_client, technician, give_away_after
):
    device = DeviceFactory(status=Status.READY, notes="")
    shelf = LocationFactory(site=device.site)
    data = page_data(device, location=shelf.pk, notes="Rayure capot")
    give_away_after(views, "device_for_page")

    response = technician_client.post(device.get_absolute_url(), data)

    assert response.status_code == 302
    assert_still_given(device)
    assert (device.location, device.notes) == (shelf, "Rayure capot")
    edit = device.history.first()
    assert (edit.notes, edit.history_user) == ("Rayure capot", technician)


def test_the_device_form_writes_only_the_fields_the_person_changed(technician_client):
    device = DeviceFactory(status=Status.READY, notes="", weight_kg=Decimal("2.10"))
    data = page_data(device, notes="Rayure capot")
    # Someone weighed it again while the page was open.
    Device.objects.filter(pk=device.pk).update(weight_kg=Decimal("2.35"))

    technician_client.post(device.get_absolute_url(), data)

    device.refresh_from_db()
    assert (device.notes, device.weight_kg) == ("Rayure capot", Decimal("2.35"))


def test_a_bulk_change_of_a_selection_given_meanwhile_is_refused_whole(
    technician_client, coordinator, monkeypatch
):
    # The bulk change has always gone through transition_device, whose conditional
    # UPDATE refuses a status changed since it was read: this keeps it so.
    given, other = DeviceFactory.create_batch(2, status=Status.READY)
    transition_devices = workflow.transition_devices

    def given_meanwhile(*, devices, **kwargs):
        # The view has read the selection; the coordinator's click lands now.
        give_away(given, coordinator)
        return transition_devices(devices=devices, **kwargs)

    monkeypatch.setattr(workflow, "transition_devices", given_meanwhile)

    response = technician_client.post(
        "/devices/bulk-transition/",
        {"tags": [given.asset_tag, other.asset_tag], "target": Status.REFURBISHING},
        follow=True,
    )

    assert_still_given(given)
    other.refresh_from_db()
    assert other.status == Status.READY
    assert [m.level for m in response.context["messages"]] == [constants.ERROR]


# Hardware reports ---------------------------------------------------------------------


def test_a_hardware_report_of_a_device_given_meanwhile_keeps_the_new_status(
    technician, give_away_after
):
    device = DeviceFactory(status=Status.READY, serial_number=SERIAL, ram_mb=4096, cpu="")
    give_away_after(hardware, "_find_by_serial")

    found, created = import_hardware_report(
        **report(), by=technician, source=HardwareReport.Source.PAGE
    )

    assert (found.pk, created) == (device.pk, False)
    assert found.status == Status.GIVEN
    assert_still_given(device)
    assert device.ram_mb != 4096
    assert device.cpu
    change = device.history.first()
    assert (change.ram_mb, change.history_user) == (device.ram_mb, technician)


def test_a_report_sent_to_the_api_for_a_device_given_meanwhile_keeps_the_new_status(
    technician, give_away_after
):
    device = DeviceFactory(status=Status.READY, serial_number=SERIAL, ram_mb=4096, cpu="")
    _token, key = WorkstationToken.issue(name="Établi 2", site=device.site, user=technician)
    give_away_after(hardware, "_find_by_serial")

    response = Client(enforce_csrf_checks=True).post(
        "/api/hardware-reports/",
        {
            "lshw": SimpleUploadedFile("lshw.json", lshw_of()),
            "smartctl": [SimpleUploadedFile("nvme.json", smartctl_of())],
        },
        headers={"Authorization": f"Token {key}"},
    )

    assert response.status_code == 200
    assert response.json()["asset_tag"] == device.asset_tag
    assert_still_given(device)
    assert device.ram_mb != 4096
    assert device.history.first().history_user == technician


# The admin ------------------------------------------------------------------------------


def admin_data(device, **changes):
    """What the admin's change form of `device` posts, changed, with no drive added."""
    form = DeviceForm(instance=device)
    data = {name: form[name].value() for name in form.fields}
    data.update(
        battery_design_mwh=device.battery_design_mwh,
        battery_full_mwh=device.battery_full_mwh,
        **changes,
    )
    data = {name: "" if value is None else value for name, value in data.items()}
    management = {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}
    return {**data, **{f"drives-{key}": value for key, value in management.items()}}


def test_saving_a_device_in_the_admin_when_given_meanwhile_keeps_the_new_status(
    superuser_client, give_away_after
):
    device = DeviceFactory(status=Status.READY, notes="")
    data = admin_data(device, notes="Vu en réserve")
    give_away_after(DeviceAdmin, "get_object")

    response = superuser_client.post(f"/admin/inventory/device/{device.pk}/change/", data)

    assert response.status_code == 302
    assert_still_given(device)
    assert device.notes == "Vu en réserve"


def test_an_old_version_posted_in_the_admin_does_not_bring_back_its_status(
    superuser_client, coordinator
):
    device = DeviceFactory(status=Status.READY)
    ready = device.history.get()
    give_away(device, coordinator)

    superuser_client.post(
        f"/admin/inventory/device/{device.pk}/history/{ready.history_id}/", admin_data(device)
    )

    assert_still_given(device)


# Two people at once (PostgreSQL: real row locks and concurrent connections) -----------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_move_and_a_gift_at_the_same_moment_both_land(technician, coordinator):
    device = DeviceFactory(status=Status.READY)
    shelf = LocationFactory(site=device.site)

    def move():
        seen = Device.objects.get(pk=device.pk)
        return lambda: services.move_device(device=seen, location=shelf, by=technician)

    def give():
        seen = Device.objects.get(pk=device.pk)
        return lambda: workflow.transition_device(device=seen, target=Status.GIVEN, by=coordinator)

    outcomes = race([move, give])

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert_still_given(device)
    assert device.location == shelf


# The service --------------------------------------------------------------------------


def test_a_shelf_is_written_with_its_site_even_when_only_the_shelf_changed(technician):
    device = DeviceFactory(status=Status.READY)
    shelf = LocationFactory(site=device.site)
    stale = Device.objects.get(pk=device.pk)
    # Taken to another site meanwhile.
    Device.objects.filter(pk=device.pk).update(site=SiteFactory())
    stale.location = shelf

    services.update_device(device=stale, by=technician, fields=["location"])

    device.refresh_from_db()
    assert (device.location, device.site) == (shelf, shelf.site)


def test_update_device_refuses_to_write_a_status(technician):
    device = DeviceFactory(status=Status.READY)
    device.status = Status.GIVEN

    with pytest.raises(ValueError):
        services.update_device(device=device, by=technician, fields=["status"])

    device.refresh_from_db()
    assert device.status == Status.READY
    assert device.history.count() == 1

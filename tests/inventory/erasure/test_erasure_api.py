"""The workstations' erasure-log API (POST /api/erasure-logs/).

The contract is docs/live-usb-report.md's: `Authorization: Token <key>`, a multipart file
field `log` and an optional `device` (asset tag); JSON answers. A log already recorded is
a success, not a refusal; a device received or returned moves along its lifecycle.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from inventory.models import Device, Drive, Erasure, ErasureLog, Status, WorkstationToken
from tests.factories import DeviceFactory, SiteFactory, bench_site
from tests.inventory.erasure.test_erasure_import import (
    BROKEN,
    HDD,
    SSD,
    TWO_DRIVES,
    device_with_drives,
    nothing_saved,
    read,
    stored_files,
    with_serials,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

URL = "/api/erasure-logs/"
INTERRUPTED = "interrupted-two-drives-one-finished-sigint.log"
AWAY = [Status.RESERVED, Status.LENT, Status.SOLD, Status.GIVEN, Status.LOST]
AWAY += [Status.PARTS, Status.RECYCLED]


@pytest.fixture
def workstation(technician):
    return WorkstationToken.issue(name="Établi 2", site=bench_site(), user=technician)


@pytest.fixture
def api():
    # No session, and CSRF checks on, as for a real workstation.
    return Client(enforce_csrf_checks=True)


def send(api, key, data=None, *, device=None, name="nwipe.log"):
    fields = {"log": SimpleUploadedFile(name, read(TWO_DRIVES) if data is None else data)}
    if device is not None:
        fields["device"] = device
    headers = {"Authorization": f"Token {key}"} if key is not None else {}
    return api.post(URL, fields, headers=headers)


def interrupted_log():
    return with_serials(INTERRUPTED, {"/dev/loop0": "FINISHED-1", "/dev/loop5": "CUT-5"})


# What a workstation's log does -----------------------------------------------------


def test_a_log_erases_the_drives_and_moves_a_received_device_to_refurbishing(
    api, workstation, technician
):
    token, key = workstation
    device = device_with_drives(SSD, HDD)

    response = send(api, key)

    assert response.status_code == 201
    answer = response.json()
    assert answer["asset_tag"] == device.asset_tag
    assert sorted(answer["drives_erased"]) == sorted([SSD, HDD])
    assert answer["drives_failed"] == []
    assert (answer["status"], answer["missing"]) == (Status.REFURBISHING, [])
    assert answer["url"] == f"http://testserver/devices/{device.asset_tag}/"
    assert Erasure.objects.filter(drive__device=device).count() == 2
    device.refresh_from_db()
    assert device.status == Status.REFURBISHING
    wiping, refurbishing = device.history.order_by("history_date")[1:]
    assert (wiping.status, refurbishing.status) == (Status.WIPING, Status.REFURBISHING)
    for entry in (wiping, refurbishing):
        assert entry.history_user == technician
        assert token.name in entry.history_change_reason


def test_a_failed_drive_leaves_the_device_in_wiping_and_the_answer_says_what_is_missing(
    api, workstation
):
    _token, key = workstation
    device = device_with_drives("FINISHED-1", "CUT-5")

    response = send(api, key, interrupted_log(), device=device.asset_tag.lower())

    assert response.status_code == 201
    answer = response.json()
    assert (answer["drives_erased"], answer["drives_failed"]) == (["FINISHED-1"], ["CUT-5"])
    assert answer["status"] == Status.WIPING
    assert any("CUT-5" in sentence for sentence in answer["missing"])
    device.refresh_from_db()
    assert device.status == Status.WIPING


def test_a_returned_device_goes_back_through_wiping_to_refurbishing(api, workstation):
    _token, key = workstation
    device = device_with_drives(SSD, HDD)
    # Returned before the wipe of the log (28 November 2026).
    returned = timezone.make_aware(datetime.datetime(2026, 11, 1))
    Device.objects.filter(pk=device.pk).update(status=Status.RETURNED, cycle_started_at=returned)

    response = send(api, key)

    assert response.status_code == 201
    device.refresh_from_db()
    assert device.status == Status.REFURBISHING


def test_a_log_for_a_device_in_refurbishment_records_without_moving_it(api, workstation):
    _token, key = workstation
    device = device_with_drives(SSD, HDD)
    Device.objects.filter(pk=device.pk).update(status=Status.REFURBISHING)
    history = device.history.count()

    response = send(api, key)

    assert response.status_code == 201
    assert response.json()["status"] == Status.REFURBISHING
    assert Erasure.objects.count() == 2
    assert device.history.count() == history


def test_the_same_log_sent_twice_answers_200_with_the_same_result_and_writes_nothing(
    api, workstation, media_root
):
    _token, key = workstation
    device_with_drives(SSD, HDD)
    first = send(api, key).json()
    rows = (Erasure.objects.count(), ErasureLog.objects.count(), Drive.objects.count())
    files = stored_files(media_root)

    response = send(api, key, name="again.log")

    assert response.status_code == 200
    assert response.json() == {**first, "created": False}
    assert (Erasure.objects.count(), ErasureLog.objects.count(), Drive.objects.count()) == rows
    assert stored_files(media_root) == files


def test_the_same_log_sent_for_another_device_answers_409_and_writes_nothing(api, workstation):
    _token, key = workstation
    device_with_drives(SSD, HDD)
    send(api, key)
    other = DeviceFactory(site=bench_site())

    response = send(api, key, device=other.asset_tag)

    assert response.status_code == 409
    assert response.json()["error"]
    assert Erasure.objects.count() == 2
    assert not other.drives.exists()


# Refusals: nothing is written ------------------------------------------------------


@pytest.mark.parametrize("status", AWAY)
def test_a_log_of_a_device_away_from_the_workshop_answers_409_and_writes_nothing(
    api, workstation, media_root, status
):
    _token, key = workstation
    device = device_with_drives(SSD, HDD)
    Device.objects.filter(pk=device.pk).update(status=status)
    history = device.history.count()

    response = send(api, key)

    assert response.status_code == 409
    assert device.asset_tag in response.json()["error"]
    assert nothing_saved(media_root, drives=2)
    assert device.history.count() == history


def test_a_log_sent_for_a_lent_device_adds_no_drive_to_it(api, workstation, media_root):
    _token, key = workstation
    device = DeviceFactory(site=bench_site(), status=Status.LENT)

    response = send(api, key, device=device.asset_tag)

    assert response.status_code == 409
    assert nothing_saved(media_root)


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_log_answers_400_with_the_parsers_reason(api, workstation, media_root, name):
    _token, key = workstation
    device = DeviceFactory(site=bench_site())

    response = send(api, key, read(name), device=device.asset_tag, name=name)

    assert response.status_code == 400
    assert name in response.json()["error"]
    assert nothing_saved(media_root)
    device.refresh_from_db()
    assert device.status == Status.RECEIVED


def test_a_log_whose_drives_are_unknown_answers_400(api, workstation, media_root):
    _token, key = workstation

    response = send(api, key)

    assert response.status_code == 400
    assert SSD in response.json()["error"]
    assert nothing_saved(media_root)


def test_a_log_whose_drives_are_on_two_devices_answers_400(api, workstation, media_root):
    _token, key = workstation
    first, second = device_with_drives(SSD), device_with_drives(HDD)

    response = send(api, key)

    assert response.status_code == 400
    assert first.asset_tag in response.json()["error"]
    assert second.asset_tag in response.json()["error"]
    assert nothing_saved(media_root, drives=2)


def test_an_unknown_device_answers_404(api, workstation, media_root):
    _token, key = workstation

    response = send(api, key, device="RE-999999")

    assert response.status_code == 404
    assert nothing_saved(media_root)


def test_a_request_without_a_log_answers_400(api, workstation):
    _token, key = workstation

    response = api.post(URL, {"device": "RE-000001"}, headers={"Authorization": f"Token {key}"})

    assert response.status_code == 400
    assert response.json()["error"]


def test_a_huge_log_answers_400_and_writes_nothing(api, workstation, media_root):
    _token, key = workstation
    device = DeviceFactory(site=bench_site())

    response = send(api, key, b" " * (11 * 1024 * 1024), device=device.asset_tag)

    assert response.status_code == 400
    assert nothing_saved(media_root)


# Who may send ----------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "not-a-key"], ids=["no header", "empty", "unknown"])
def test_a_request_without_a_valid_key_answers_401(api, workstation, media_root, key):
    device_with_drives(SSD, HDD)

    response = send(api, key)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert nothing_saved(media_root, drives=2)


def test_a_revoked_key_answers_401(api, workstation, media_root):
    token, key = workstation
    device_with_drives(SSD, HDD)
    WorkstationToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    assert send(api, key).status_code == 401
    assert nothing_saved(media_root, drives=2)


def test_a_key_whose_person_may_not_record_erasures_answers_403(api, workstation, media_root):
    token, key = workstation
    device = device_with_drives(SSD, HDD)
    token.user.groups.clear()

    response = send(api, key)

    assert response.status_code == 403
    assert response.json()["error"]
    assert nothing_saved(media_root, drives=2)
    device.refresh_from_db()
    assert device.status == Status.RECEIVED


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_post_is_allowed(api, workstation, method):
    _token, key = workstation

    response = getattr(api, method)(URL, headers={"Authorization": f"Token {key}"})

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_the_page_still_refuses_a_log_imported_twice(technician_client, workstation, api):
    _token, key = workstation
    device = device_with_drives(SSD, HDD)
    send(api, key)

    technician_client.post(
        f"/devices/{device.asset_tag}/erasure-log/",
        {"log": SimpleUploadedFile("again.log", read(TWO_DRIVES))},
    )

    assert Erasure.objects.count() == 2
    assert ErasureLog.objects.count() == 1


# Drives without a serial number (a workstation naming the device it wiped) ----------

NAMELESS = "zero-verify-last.log"  # nwipe on an 8 MB loop device: no serial number


def test_a_wipe_without_serial_is_added_to_the_named_device_with_a_note(api, workstation):
    token, key = workstation
    device = DeviceFactory(site=bench_site())

    response = send(api, key, read(NAMELESS), device=device.asset_tag)

    assert response.status_code == 201, response.json()
    (drive,) = device.drives.all()
    assert drive.serial_number == ""
    assert token.name in drive.history.get().history_change_reason
    (erasure,) = drive.erasures.all()
    assert erasure.result == Erasure.Result.PASSED
    assert token.name in erasure.notes
    device.refresh_from_db()
    assert device.status == Status.REFURBISHING


def test_a_wipe_without_serial_is_matched_to_the_devices_drive_of_that_kind_and_size(
    api, workstation
):
    _token, key = workstation
    device = DeviceFactory(site=bench_site())
    other_size = Drive.objects.create(device=device, kind="other", capacity_gb=500)
    same = Drive.objects.create(device=device, kind="other", capacity_gb=None)
    named = Drive.objects.create(device=device, kind="other", serial_number="KEEP-1")

    response = send(api, key, read(NAMELESS), device=device.asset_tag)

    assert response.status_code == 201, response.json()
    assert list(device.drives.order_by("pk")) == [other_size, same, named]
    assert [e.drive for e in Erasure.objects.all()] == [same]


def test_a_wipe_without_serial_and_without_device_is_still_refused(api, workstation, media_root):
    _token, key = workstation
    DeviceFactory(site=bench_site())

    response = send(api, key, read(NAMELESS))

    assert response.status_code == 400
    assert "/dev/loop0" in response.json()["error"]
    assert nothing_saved(media_root)


@pytest.mark.usefixtures("english")
def test_a_log_of_drives_the_named_device_does_not_have_is_refused(api, workstation, media_root):
    # Its report listed other drives: a stick moved to another machine, a mistyped tag.
    _token, key = workstation
    device = device_with_drives(SSD)

    response = send(api, key, device=device.asset_tag)

    assert response.status_code == 400
    assert (
        f"The log names drives {device.asset_tag} does not have (serial numbers {HDD})"
        in response.json()["error"]
    )
    assert nothing_saved(media_root, drives=1)
    device.refresh_from_db()
    assert device.status == Status.RECEIVED


@pytest.mark.usefixtures("english")
def test_a_key_of_another_site_is_refused_and_nothing_is_written(api, technician, media_root):
    _token, key = WorkstationToken.issue(name="Établi de Lens", site=SiteFactory(), user=technician)
    device = device_with_drives(SSD, HDD)

    response = send(api, key, device=device.asset_tag)

    assert response.status_code == 403
    assert "and the workstation “Établi de Lens” at" in response.json()["error"]
    assert nothing_saved(media_root, drives=2)
    device.refresh_from_db()
    assert device.status == Status.RECEIVED

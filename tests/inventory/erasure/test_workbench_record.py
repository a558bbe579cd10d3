"""The workbench's JSON record of its purges, sent to POST /api/erasure-logs/ beside
nwipe's logs: the same all-or-nothing rule, the same replay rule."""

import json

import pytest

from inventory.models import Device, Drive, Erasure, ErasureLog, Status
from tests.factories import DeviceFactory, bench_site
from tests.inventory.erasure.test_erasure_api import api, send, workstation  # noqa: F401
from tests.inventory.erasure.test_erasure_import import nothing_saved, read
from tests.workbench.test_erase import MICRON, NOT_FROZEN, NVME_NODE, SSD_NODE, Recorded, clock
from workbench import reemploi_erase

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "english")]


def purged(node, answers):
    runner = Recorded(answers)
    decided = reemploi_erase.plan(node, None, runner)
    return reemploi_erase.purge(node, decided, runner, clock=clock, sleep=lambda s: None)


def record(*entries):
    return reemploi_erase.erasure_record(list(entries), "test")


SSD_ENTRY = purged(SSD_NODE, {("hdparm", "-I"): (0, NOT_FROZEN), ("hdparm", "-V"): (0, "v9.65")})
NVME_ENTRY = purged(NVME_NODE, {("nvme", "id-ctrl"): (0, MICRON), ("nvme", "version"): (0, "2.4")})


def device_with(*nodes):
    device = DeviceFactory(site=bench_site())
    for node in nodes:
        Drive.objects.create(device=device, serial_number=node["serial"], kind="ssd")
    return device


def test_a_record_of_purges_is_recorded_as_purge_with_its_tool(api, workstation):  # noqa: F811
    _token, key = workstation
    device = device_with(SSD_NODE, NVME_NODE)

    response = send(api, key, record(SSD_ENTRY, NVME_ENTRY), device=device.asset_tag)

    assert response.status_code == 201, response.json()
    erasures = {e.drive.serial_number: e for e in Erasure.objects.all()}
    ssd, nvme = erasures["2022092T0075"], erasures["1951B3444502"]
    assert (ssd.method, ssd.level, ssd.tool) == ("secure_erase", "purge", "hdparm")
    assert (nvme.method, nvme.level, nvme.tool) == ("sanitize", "purge", "nvme-cli")
    assert "--security-erase-enhanced" in ssd.notes
    assert ErasureLog.objects.get().tool == "reemploi-workbench"
    device.refresh_from_db()
    assert device.status == Status.REFURBISHING


def test_a_failed_purge_is_a_failed_erasure(api, workstation):  # noqa: F811
    _token, key = workstation
    device = device_with(NVME_NODE)
    failed = {**NVME_ENTRY, "outcome": "failed"}
    failed["commands"] = [{**failed["commands"][0], "exit_status": 1}]

    response = send(api, key, record(failed), device=device.asset_tag)

    assert response.status_code == 201
    assert response.json()["drives_failed"] == ["1951B3444502"]
    assert Erasure.objects.get().result == Erasure.Result.FAILED


def test_the_same_record_sent_again_answers_200_with_the_same_answer(api, workstation):  # noqa: F811
    _token, key = workstation
    device = device_with(SSD_NODE)
    first = send(api, key, record(SSD_ENTRY), device=device.asset_tag)

    again = send(api, key, record(SSD_ENTRY), device=device.asset_tag)

    assert again.status_code == 200
    assert {**again.json(), "created": True} == first.json()
    assert Erasure.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (record(SSD_ENTRY)[:-40], "not complete JSON"),
        (json.dumps({"format": "other", "drives": []}).encode(), "not a workbench erasure"),
        (record({**SSD_ENTRY, "outcome": "passed", "commands": []}), "none ran"),
        (record({**SSD_ENTRY, "method": "overwrite"}), "not one the workbench runs"),
    ],
)
def test_a_broken_record_is_refused_and_nothing_is_written(
    api,  # noqa: F811
    workstation,  # noqa: F811
    media_root,
    data,
    words,
):
    _token, key = workstation
    device = device_with(SSD_NODE)

    response = send(api, key, data, device=device.asset_tag)

    assert response.status_code == 400
    assert words in response.json()["error"]
    assert nothing_saved(media_root, drives=1)


def test_a_record_for_a_drive_the_device_does_not_have_is_refused_without_device(
    api,  # noqa: F811
    workstation,  # noqa: F811
    media_root,
):
    _token, key = workstation
    device_with(SSD_NODE)

    response = send(api, key, record(NVME_ENTRY))

    assert response.status_code == 400
    assert "1951B3444502" in response.json()["error"]
    assert nothing_saved(media_root, drives=1)


def test_an_nwipe_fallback_keeps_its_reason_in_the_notes(api, workstation):  # noqa: F811
    _token, key = workstation
    device = DeviceFactory(site=bench_site())
    reasons = json.dumps({"/dev/loop0": "the drive's security is frozen"})

    response = api.post(
        "/api/erasure-logs/",
        {"log": _log(), "device": device.asset_tag, "reasons": reasons},
        headers={"Authorization": f"Token {key}"},
    )

    assert response.status_code == 201, response.json()
    erasure = Erasure.objects.get()
    assert (erasure.method, erasure.level) == ("overwrite", "clear")
    assert "Clear instead of the policy's Purge: the drive's security is frozen." in erasure.notes
    assert Device.objects.get().status == Status.REFURBISHING


def _log():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("nwipe.log", read("zero-verify-last.log"))

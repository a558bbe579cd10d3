"""The start of a workstation's erasure (POST /api/erasure-starts/), shown live on the
device page until the workstation's log closes it."""

import json

import pytest
from django.test import Client

from inventory.models import Device, ErasureRun, Status, WorkstationToken
from tests.factories import DeviceFactory, SiteFactory, bench_site
from tests.inventory.erasure.test_erasure_api import send as send_log
from tests.inventory.erasure.test_erasure_import import nothing_saved, read

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "english")]

URL = "/api/erasure-starts/"
DRIVES = [
    {"path": "/dev/nvme0n1", "model": "KINGSTON SNV2S250G", "serial": "50026B7685F13C1E",
     "size_bytes": 250059350016, "kind": "nvme", "method": "sanitize"},
    {"path": "/dev/sda", "model": "WDC WD5000AAKX", "serial": "WD-1", "size_bytes": 500107862016,
     "kind": "hdd", "method": "overwrite"},
]  # fmt: skip


@pytest.fixture
def workstation(technician):
    return WorkstationToken.issue(name="Établi 3", site=bench_site(), user=technician)


@pytest.fixture
def api():
    return Client(enforce_csrf_checks=True)


def start(api, key, device, drives=DRIVES):
    fields = {"device": device, "drives": drives if isinstance(drives, str) else json.dumps(drives)}
    return api.post(URL, fields, headers={"Authorization": f"Token {key}"})


def test_a_start_moves_a_received_device_to_wiping_and_records_what_runs(
    api, workstation, technician
):
    token, key = workstation
    device = DeviceFactory(site=bench_site())

    response = start(api, key, device.asset_tag.lower())

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == Status.WIPING
    device.refresh_from_db()
    assert device.status == Status.WIPING
    latest = device.history.latest()
    assert (latest.status, latest.history_user) == (Status.WIPING, technician)
    assert "Établi 3" in latest.history_change_reason
    (run,) = ErasureRun.objects.all()
    assert (run.device, run.workstation, run.finished_at) == (device, token, None)
    assert [d["method"] for d in run.drives] == ["sanitize", "overwrite"]


def test_the_same_start_sent_again_answers_200_and_writes_nothing(api, workstation):
    _token, key = workstation
    device = DeviceFactory(site=bench_site())
    first = start(api, key, device.asset_tag).json()
    entries = device.history.count()

    response = start(api, key, device.asset_tag)

    assert response.status_code == 200
    assert response.json()["run"] == first["run"]
    assert ErasureRun.objects.count() == 1
    assert device.history.count() == entries


def test_the_log_closes_the_run_and_moves_the_device_on(api, workstation):
    _token, key = workstation
    device = DeviceFactory(site=bench_site())
    start(api, key, device.asset_tag, [{"path": "/dev/loop0", "method": "overwrite"}])

    response = send_log(api, key, read("zero-verify-last.log"), device=device.asset_tag)

    assert response.status_code == 201
    (run,) = ErasureRun.objects.all()
    assert run.finished_at is not None
    device.refresh_from_db()
    assert device.status == Status.REFURBISHING


@pytest.mark.parametrize("status", [Status.LENT, Status.SOLD, Status.RESERVED])
def test_a_device_away_from_the_workshop_answers_409_and_nothing_moves(api, workstation, status):
    _token, key = workstation
    device = DeviceFactory(site=bench_site())
    Device.objects.filter(pk=device.pk).update(status=status)

    response = start(api, key, device.asset_tag)

    assert response.status_code == 409
    assert "not in the workshop" in response.json()["error"]
    assert not ErasureRun.objects.exists()
    device.refresh_from_db()
    assert device.status == status


@pytest.mark.parametrize(
    ("tag", "drives", "status", "words"),
    [
        ("RE-999999", DRIVES, 404, "No device has the asset tag RE-999999"),
        ("", DRIVES, 400, "field “device”"),
        (None, "[{", 400, "“drives” is not JSON"),
        (None, [], 400, "non-empty list"),
        (None, [{"method": "overwrite"}], 400, "Drive 1 of “drives” has no “path”"),
        (None, [{"path": "/dev/sda", "method": "shred"}], 400, "the method must be one of"),
        (None, [{"path": "/dev/sda", "method": "overwrite", "size_bytes": "big"}], 400, "size"),
    ],
)
def test_bad_input_is_refused_with_a_sentence_and_nothing_written(
    api, workstation, media_root, tag, drives, status, words
):
    _token, key = workstation
    device = DeviceFactory(site=bench_site())

    response = start(api, key, device.asset_tag if tag is None else tag, drives)

    assert response.status_code == status
    assert words in response.json()["error"]
    assert not ErasureRun.objects.exists()
    device.refresh_from_db()
    assert device.status == Status.RECEIVED
    assert nothing_saved(media_root)


def test_a_start_without_a_valid_key_answers_401(api, workstation):
    device = DeviceFactory(site=bench_site())

    response = start(api, "not-a-key", device.asset_tag)

    assert response.status_code == 401
    assert not ErasureRun.objects.exists()


# On the device page ------------------------------------------------------------------


def test_the_device_page_shows_the_running_erasure_and_polls_it(
    api, workstation, technician_client
):
    _token, key = workstation
    device = DeviceFactory(site=bench_site())
    start(api, key, device.asset_tag)
    run = ErasureRun.objects.get()

    page = technician_client.get(device.get_absolute_url()).content.decode()

    assert "Erasure running on the workstation “Établi 3” since" in page
    assert "2 drives (Purge NVMe, Clear HDD)" in page
    assert f'/devices/{device.asset_tag}/erasure-run/?run={run.pk}" hx-trigger="every 10s"' in page


def test_the_polled_line_costs_the_same_queries_and_reloads_the_page_when_done(
    api, workstation, technician_client, django_assert_max_num_queries
):
    _token, key = workstation
    device = DeviceFactory(site=bench_site())
    start(api, key, device.asset_tag)
    run = ErasureRun.objects.get()
    url = f"/devices/{device.asset_tag}/erasure-run/?run={run.pk}"
    # The session, the user, their permissions and groups (5); the device and its run (2).
    with django_assert_max_num_queries(7):
        running = technician_client.get(url)
    ErasureRun.objects.update(finished_at=run.started_at)
    with django_assert_max_num_queries(7):
        done = technician_client.get(url)

    assert "every 10s" in running.content.decode()
    assert "HX-Refresh" not in running.headers
    assert "every 10s" not in done.content.decode()
    assert done.headers["HX-Refresh"] == "true"


def test_no_line_and_no_polling_without_a_running_erasure(technician_client):
    device = DeviceFactory(site=bench_site())

    page = technician_client.get(device.get_absolute_url()).content.decode()

    assert "every 10s" not in page
    assert "Erasure running" not in page


# Progress -------------------------------------------------------------------------------

PROGRESS = "/api/erasure-progress/"


def progress(api, key, device, value):
    fields = {"device": device, "progress": value if isinstance(value, str) else json.dumps(value)}
    return api.post(PROGRESS, fields, headers={"Authorization": f"Token {key}"})


def test_the_progress_a_workstation_sends_is_shown_on_the_device_page(
    api, workstation, technician_client
):
    _token, key = workstation
    device = DeviceFactory(site=bench_site())
    start(api, key, device.asset_tag)
    entries = device.history.count()

    response = progress(api, key, device.asset_tag, {"/dev/nvme0n1": 100, "/dev/sda": 42})

    assert response.status_code == 200, response.json()
    html = technician_client.get(f"/devices/{device.asset_tag}/erasure-run/").content.decode()
    assert "Purge NVMe 100\u202f%, Clear HDD 42\u202f%" in html
    assert "(progress at " in html
    # A figure on the page, not a change of the device.
    assert device.history.count() == entries


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        ('{"/dev/sdz": 10}', "/dev/sdz is not among the drives of this erasure."),
        ('{"/dev/sda": 142}', "The progress of /dev/sda must be a whole number from 0 to 100."),
        ('{"/dev/sda": "10"}', "The progress of /dev/sda must be a whole number from 0 to 100."),
        ("[10]", "“progress” must map each drive's path to a per cent"),
        ('{"/dev/sda": 1', "“progress” is not JSON"),
    ],
)
def test_bad_progress_is_refused_with_a_sentence(api, workstation, value, sentence):
    _token, key = workstation
    device = DeviceFactory(site=bench_site())
    start(api, key, device.asset_tag)

    response = progress(api, key, device.asset_tag, value)

    assert response.status_code == 400
    assert sentence in response.json()["error"]
    assert ErasureRun.objects.get().progress == {}


def test_progress_of_no_running_erasure_answers_409(api, workstation, technician):
    _token, key = workstation
    device = DeviceFactory(site=bench_site())
    start(api, key, device.asset_tag)
    # Another workstation's key: it runs nothing on this device.
    _other, other_key = WorkstationToken.issue(name="Établi 9", site=SiteFactory(), user=technician)

    response = progress(api, other_key, device.asset_tag, {"/dev/sda": 5})

    assert response.status_code == 409
    assert "“Établi 9” is running no erasure of" in response.json()["error"]


def test_a_start_by_a_key_of_another_site_is_refused_and_nothing_moves(api, technician):
    _other, key = WorkstationToken.issue(name="Établi de Lens", site=SiteFactory(), user=technician)
    device = DeviceFactory(site=bench_site())

    response = start(api, key, device.asset_tag)

    assert response.status_code == 403
    assert "and the workstation “Établi de Lens” at" in response.json()["error"]
    device.refresh_from_db()
    assert device.status == Status.RECEIVED
    assert not ErasureRun.objects.exists()

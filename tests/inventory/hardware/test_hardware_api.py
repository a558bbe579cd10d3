"""The workstations' API (POST /api/hardware-reports/) and the page of their keys.

The contract is docs/live-usb-report.md's: `Authorization: Token <key>`, multipart fields
lshw, smartctl (repeatable), lsblk, donation; JSON answers.
"""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from inventory.models import Device, HardwareReport, Organisation, Status, WorkstationToken
from tests.factories import DeviceFactory, DonationFactory, SiteFactory, UserFactory
from tests.inventory.hardware.test_hardware_import import (
    BAD_REPORTS,
    BATTERY,
    LSBLK,
    SERIAL,
    counts,
    lshw_of,
    smartctl_of,
)

pytestmark = pytest.mark.django_db

URL = "/api/hardware-reports/"


@pytest.fixture
def site():
    return SiteFactory(code="BRU")


@pytest.fixture
def workstation(technician, site):
    return WorkstationToken.issue(name="Établi 2", site=site, user=technician)


@pytest.fixture
def api():
    # No session, and CSRF checks on, as for a real workstation.
    return Client(enforce_csrf_checks=True)


def send(api, key, fields=None, **extra):
    if fields is None:
        fields = {
            "lshw": SimpleUploadedFile("lshw.json", lshw_of()),
            "smartctl": [SimpleUploadedFile("sda.json", smartctl_of())],
        }
    headers = {"Authorization": f"Token {key}"} if key is not None else {}
    return api.post(URL, fields, headers=headers, **extra)


# Authentication ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", [None, "", "not-a-key", "Token"], ids=["no header", "empty", "unknown", "odd"]
)
def test_a_request_without_a_valid_key_is_refused(api, workstation, key):
    response = send(api, key)

    assert response.status_code == 401
    assert response.json()["error"]
    assert counts() == (0, 0, 0)


def test_a_key_sent_with_another_scheme_is_refused(api, workstation):
    _token, key = workstation

    response = api.post(
        URL, {"lshw": SimpleUploadedFile("l.json", lshw_of())}, headers={"Authorization": key}
    )

    assert response.status_code == 401


def test_a_revoked_key_is_refused(api, workstation, coordinator_client):
    token, key = workstation
    coordinator_client.post(f"/workshop/workstations/{token.pk}/revoke/")

    response = send(api, key)

    assert response.status_code == 401
    assert counts() == (0, 0, 0)


def test_a_key_whose_person_lost_the_right_is_refused(api, workstation):
    token, key = workstation
    token.user.groups.clear()

    response = send(api, key)

    assert response.status_code == 403
    assert response.json()["error"]
    assert counts() == (0, 0, 0)


def test_the_key_is_stored_only_as_its_hash(workstation):
    token, key = workstation

    stored = WorkstationToken.objects.filter(pk=token.pk).values().get()

    assert stored["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {str(value) for value in stored.values()}
    assert key.startswith(stored["prefix"])


# Reports --------------------------------------------------------------------------


def test_the_answer_carries_the_organisations_erasure_policy(api, workstation):
    _token, key = workstation
    Organisation.objects.create(name="Atelier", erasure_ssd="clear", erasure_other="purge")

    answer = send(api, key).json()

    assert answer["erasure_policy"] == {
        "hdd": "clear", "ssd": "clear", "nvme": "purge", "emmc": "purge", "other": "purge",
    }  # fmt: skip


def test_a_workstation_registers_a_new_machine(api, workstation, technician, site):
    token, key = workstation

    response = send(api, key)

    assert response.status_code == 201
    answer = response.json()
    device = Device.objects.get()
    assert answer == {
        "asset_tag": device.asset_tag,
        "created": True,
        "url": f"http://testserver/devices/{device.asset_tag}/",
        # The organisation's default policy: Purge for SSDs and NVMe, Clear for the rest.
        "erasure_policy": {
            "hdd": "clear",
            "ssd": "purge",
            "nvme": "purge",
            "emmc": "clear",
            "other": "clear",
        },
    }
    assert (device.serial_number, device.site) == (SERIAL, site)
    assert device.drives.count() == 1
    report = device.hardware_reports.get()
    assert (report.source, report.workstation, report.received_by) == (
        HardwareReport.Source.API,
        token,
        technician,
    )
    assert device.history.get().history_user == technician


def test_the_same_machine_sent_again_is_updated_not_duplicated(api, workstation):
    _token, key = workstation
    first = send(api, key).json()

    response = send(api, key)

    assert response.status_code == 200
    assert response.json()["created"] is False
    assert response.json()["asset_tag"] == first["asset_tag"]
    assert counts() == (1, 1, 2)


def test_the_last_use_of_a_key_is_recorded(api, workstation):
    token, key = workstation

    send(api, key)

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_report_may_come_as_text_fields(api, workstation):
    _token, key = workstation

    response = send(api, key, {"lshw": lshw_of().decode(), "smartctl": smartctl_of().decode()})

    assert response.status_code == 201
    assert Device.objects.get().drives.count() == 1


def test_lsblk_and_battery_are_read_when_sent(api, workstation):
    _token, key = workstation
    fields = {
        "lshw": SimpleUploadedFile("lshw.json", lshw_of()),
        "smartctl": [SimpleUploadedFile("nvme0n1.json", smartctl_of())],
        "lsblk": SimpleUploadedFile("lsblk.json", LSBLK),
        "battery": SimpleUploadedFile("uevent", BATTERY),
    }

    response = send(api, key, fields)

    assert response.status_code == 201
    device = Device.objects.get()
    assert device.battery_health == 75
    assert device.hardware_reports.get().lsblk


@pytest.mark.parametrize("lshw", BAD_REPORTS.values(), ids=BAD_REPORTS.keys())
def test_a_bad_report_answers_400_and_saves_nothing(api, workstation, lshw):
    _token, key = workstation

    response = send(api, key, {"lshw": SimpleUploadedFile("lshw.json", lshw)})

    assert response.status_code == 400
    assert response.json()["error"]
    assert counts() == (0, 0, 0)


def test_a_request_without_lshw_answers_400(api, workstation):
    _token, key = workstation

    response = send(api, key, {"smartctl": smartctl_of().decode()})

    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize(
    "fields",
    [
        {"lshw": SimpleUploadedFile("lshw.json", b" " * (6 * 1024 * 1024))},
        {"lshw": " " * (3 * 1024 * 1024)},  # beyond Django's limit for a text field
    ],
    ids=["file", "text"],
)
def test_a_huge_report_answers_400(api, workstation, fields):
    _token, key = workstation

    response = send(api, key, fields)

    assert response.status_code == 400
    assert response.json()["error"]
    assert counts() == (0, 0, 0)


def test_the_donation_gives_the_device_its_donation(api, workstation):
    _token, key = workstation
    donation = DonationFactory()

    response = send(api, key, {"lshw": lshw_of().decode(), "donation": str(donation.pk)})

    assert response.status_code == 201
    assert Device.objects.get().donation == donation


def test_an_unknown_donation_answers_404_and_saves_nothing(api, workstation):
    _token, key = workstation

    response = send(api, key, {"lshw": lshw_of().decode(), "donation": "999999"})

    assert response.status_code == 404
    assert response.json()["error"]
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("donation", ["RE-1", "²", "-1"])
def test_a_donation_that_is_not_a_number_answers_400(api, workstation, donation):
    _token, key = workstation

    response = send(api, key, {"lshw": lshw_of().decode(), "donation": donation})

    assert response.status_code == 400


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_post_is_allowed(api, workstation, method):
    _token, key = workstation

    response = getattr(api, method)(URL, headers={"Authorization": f"Token {key}"})

    assert response.status_code == 405
    assert response.json()["error"]
    assert response["Allow"] == "POST"


# The workstations page --------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 200), ("technician", 403), ("social_worker", 403), ("anonymous", 302)],
)
def test_who_may_open_the_workstations_page(client_for, role, status):
    assert client_for(role).get("/workshop/workstations/").status_code == status


def test_a_coordinator_creates_a_key_and_sees_it_once(coordinator_client, technician, site):
    response = coordinator_client.post(
        "/workshop/workstations/", {"name": "Établi 3", "site": site.pk, "user": technician.pk}
    )

    assert response.status_code == 200
    token = WorkstationToken.objects.get()
    key = response.context["key"]
    assert token.key_hash == WorkstationToken.hash_key(key)
    assert (token.site, token.user) == (site, technician)
    assert key in response.text
    assert f"Authorization: Token {key}" in response.context["curl"]
    assert "http://testserver/api/hardware-reports/" in response.context["curl"]
    assert response["Cache-Control"] == "no-store"
    listing = coordinator_client.get("/workshop/workstations/")
    assert key not in listing.text
    assert token.prefix in listing.text


def test_the_created_key_works_with_the_api(coordinator_client, technician, site, api):
    response = coordinator_client.post(
        "/workshop/workstations/", {"name": "Établi 3", "site": site.pk, "user": technician.pk}
    )

    assert send(api, response.context["key"]).status_code == 201


def test_a_key_cannot_be_made_for_someone_who_may_not_send_reports(
    coordinator_client, social_worker, site
):
    response = coordinator_client.post(
        "/workshop/workstations/", {"name": "Bureau", "site": site.pk, "user": social_worker.pk}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["user"]
    assert not WorkstationToken.objects.exists()


def test_a_coordinator_revokes_a_key(coordinator_client, workstation):
    token, _key = workstation

    response = coordinator_client.post(f"/workshop/workstations/{token.pk}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_technician_cannot_revoke_a_key(technician_client, workstation):
    token, _key = workstation

    response = technician_client.post(f"/workshop/workstations/{token.pk}/revoke/")

    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_a_post(coordinator_client, workstation):
    token, _key = workstation

    assert coordinator_client.get(f"/workshop/workstations/{token.pk}/revoke/").status_code == 405


def test_an_inactive_person_is_not_offered_for_a_key(coordinator_client, roles):
    gone = UserFactory(username="parti", role="technician", is_active=False)

    response = coordinator_client.get("/workshop/workstations/")

    assert gone not in response.context["form"].fields["user"].queryset


# Devices away from the workshop ----------------------------------------------------


def test_a_report_of_a_lent_device_answers_409_and_writes_nothing(api, workstation):
    _token, key = workstation
    device = DeviceFactory(serial_number=SERIAL, status=Status.LENT, ram_mb=2048)
    history = device.history.count()

    response = send(api, key)

    assert response.status_code == 409
    assert device.asset_tag in response.json()["error"]
    device.refresh_from_db()
    assert device.ram_mb == 2048
    assert device.history.count() == history
    assert counts() == (1, 0, 0)


def test_a_report_of_a_returned_device_updates_it(api, workstation, site):
    _token, key = workstation
    device = DeviceFactory(serial_number=SERIAL, status=Status.RETURNED, ram_mb=2048, site=site)

    response = send(api, key)

    assert response.status_code == 200
    assert response.json()["asset_tag"] == device.asset_tag
    device.refresh_from_db()
    assert device.ram_mb == 16 * 1024


@pytest.mark.usefixtures("english")
def test_a_report_of_a_device_of_another_site_is_refused_and_writes_nothing(api, technician):
    # The stick of the workshop in Lens on a machine that Bruay received and registered.
    device = DeviceFactory(serial_number=SERIAL, ram_mb=2048, site=SiteFactory(code="BRU2"))
    lens = SiteFactory(code="LEN", name="Ressourcerie de Lens")
    _token, key = WorkstationToken.issue(name="Établi de Lens", site=lens, user=technician)
    reports = device.hardware_reports.count()

    response = send(api, key)

    assert response.status_code == 403
    assert (
        f"{device.asset_tag} is at the site “{device.site}” and the workstation “Établi de "
        "Lens” at “Ressourcerie de Lens”: nothing was saved." in response.json()["error"]
    )
    device.refresh_from_db()
    assert device.ram_mb == 2048
    assert device.hardware_reports.count() == reports

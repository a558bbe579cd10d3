"""The device page's next-step panel in use: the banner always true after an htmx action,
« Everything is OK », the ready panel in one click, and a phone's factory reset."""

import re

import pytest
from django.urls import reverse

from inventory.erasure.factory_reset import record_factory_reset
from inventory.models import (
    Category,
    ChecklistItem,
    CheckResult,
    Device,
    Erasure,
    Grade,
    OperatingSystem,
    OsInstall,
    Status,
)
from inventory.refurbishment import services as refurbishment
from tests.factories import DeviceFactory, LocationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HTMX = {"HX-Request": "true"}


@pytest.fixture
def checklists():
    """Two laptop tests and one phone test of our own (the seeded ones may be there)."""
    ChecklistItem.objects.all().delete()
    return {
        Category.LAPTOP: [
            ChecklistItem.objects.create(category=Category.LAPTOP, label="Écran", position=0),
            ChecklistItem.objects.create(category=Category.LAPTOP, label="Clavier", position=1),
        ],
        Category.SMARTPHONE: [
            ChecklistItem.objects.create(category=Category.SMARTPHONE, label="Tactile"),
        ],
    }


@pytest.fixture
def mint():
    return OperatingSystem.objects.create(name="Linux Mint", version="22.1")


@pytest.fixture
def laptop(checklists):
    """A laptop in refurbishment whose drive the workbench erased."""
    return DeviceFactory(status=Status.REFURBISHING, drives__count=1, drives__erased=True)


def url(name, device, *args):
    return reverse(name, args=[device.asset_tag, *args])


def test_the_device_page_leads_with_its_next_step(technician_client, laptop):
    html = technician_client.get(laptop.get_absolute_url()).content.decode()

    assert html.index('id="next-step"') < html.index('class="columns"')
    assert 'id="ready-form"' in html
    # The two tests still to do are named, and one button passes them and makes it ready.
    assert "2 tests of the checklist have no result yet:\n      Écran, Clavier." in html
    assert 'name="ready-pass_pending" value="on">All tests OK, ready</button>' in html


def test_a_check_posted_with_htmx_answers_the_banner_without_that_test(
    technician_client, laptop, checklists
):
    screen, _keyboard = checklists[Category.LAPTOP]
    page = technician_client.get(laptop.get_absolute_url()).content.decode()
    assert "Checklist tests not passed: Écran, Clavier." in page

    response = technician_client.post(
        url("refurbishment:check_record", laptop, screen.pk), {"outcome": "pass"}, headers=HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    # The card, then the panel swapped out of band, with its banner up to date.
    assert 'id="next-step" aria-labelledby="next-step-title" hx-swap-oob="true"' in html
    banner = html[html.index('id="missing-for-ready"') :]
    assert "Checklist tests not passed: Clavier." in banner
    assert "Écran" not in banner


def test_everything_is_ok_passes_every_pending_test_in_one_post(
    technician, technician_client, laptop, checklists
):
    screen, keyboard = checklists[Category.LAPTOP]
    refurbishment.record_check(device=laptop, item=screen, outcome="fail", by=technician)

    response = technician_client.post(url("refurbishment:checks_pass_all", laptop), headers=HTMX)

    outcomes = dict(CheckResult.objects.filter(device=laptop).values_list("item", "outcome"))
    # A failure already recorded stays a failure: only the tests not done are passed.
    assert outcomes == {screen.pk: "fail", keyboard.pk: "pass"}
    assert CheckResult.history.filter(item=keyboard, history_user=technician).exists()
    html = response.content.decode()
    assert "1 test recorded as passed." in html
    assert "Checklist tests not passed: Écran." in html


def test_everything_is_ok_is_refused_to_a_role_that_may_not_check(social_worker, laptop):
    with pytest.raises(Exception, match="role"):
        refurbishment.pass_all_checks(device=laptop, by=social_worker)
    assert not CheckResult.objects.filter(device=laptop).exists()


def test_a_laptop_goes_from_erased_to_ready_in_two_posts(technician_client, laptop, mint):
    OsInstall.objects.create(
        device=DeviceFactory(),
        system=mint,
        installed_at=laptop.created_at,
        installed_by=UserFactory(),
    )
    page = technician_client.get(laptop.get_absolute_url()).content.decode()
    # The system most installed on laptops is chosen already.
    assert f'<option value="{mint.pk}" selected>' in page

    technician_client.post(url("refurbishment:checks_pass_all", laptop), headers=HTMX)
    response = technician_client.post(
        url("refurbishment:device_ready", laptop),
        {"ready-seen_status": "refurbishing", "ready-system": mint.pk, "ready-grade": "B"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == laptop.get_absolute_url()
    laptop.refresh_from_db()
    assert (laptop.status, laptop.grade) == (Status.READY, Grade.B)
    assert laptop.os_installs.get().system == mint
    assert laptop.history.first().status == Status.READY


def test_a_refused_ready_writes_nothing_and_says_why_in_the_panel(technician_client, laptop, mint):
    response = technician_client.post(
        url("refurbishment:device_ready", laptop),
        {"ready-seen_status": "refurbishing", "ready-system": mint.pk, "ready-grade": "A"},
        headers=HTMX,
    )

    html = response.content.decode()
    assert 'class="msg error" role="alert">Checklist tests not passed: Écran, Clavier.' in html
    # The choices are kept for the next try.
    assert re.search(r"<input[^>]*value=\"A\"[^>]*checked", html), html
    laptop.refresh_from_db()
    assert (laptop.status, laptop.grade) == (Status.REFURBISHING, "")
    assert not laptop.os_installs.exists()


def test_the_ready_panel_asks_for_no_system_already_installed(technician, laptop, mint):
    refurbishment.pass_all_checks(device=laptop, by=technician)
    refurbishment.install_system(device=laptop, system=mint, by=technician)

    refurbishment.make_ready(device=laptop, by=technician, grade=Grade.C)

    laptop.refresh_from_db()
    assert (laptop.status, laptop.grade, laptop.os_installs.count()) == (Status.READY, "C", 1)


def test_ready_without_a_grade_is_refused_with_a_sentence(technician_client, laptop):
    response = technician_client.post(url("refurbishment:device_ready", laptop), {}, headers=HTMX)

    assert "This field is required." in response.content.decode()
    laptop.refresh_from_db()
    assert laptop.status == Status.REFURBISHING


def test_a_phone_is_reset_then_checked_graded_ready_and_shelved_in_one_more_post(
    technician_client, technician, checklists
):
    shelf = LocationFactory(code="TEL-01")
    phone = DeviceFactory(
        category=Category.SMARTPHONE, site=shelf.site, manufacturer="Samsung", model="A52"
    )
    # Where the ready phones of this site are: the panel proposes that shelf.
    DeviceFactory(category=Category.SMARTPHONE, status=Status.READY, location=shelf)
    DeviceFactory(category=Category.LAPTOP, status=Status.READY, location=LocationFactory())
    technician_client.post(
        url("erasure:factory_reset", phone), {"seen_status": "received", "encrypted": "on"}
    )
    page = technician_client.get(phone.get_absolute_url()).content.decode()
    assert f'<option value="{shelf.pk}" selected>' in page
    assert "1 test of the checklist has no result yet:" in page

    response = technician_client.post(
        url("refurbishment:device_ready", phone),
        {
            "ready-seen_status": "refurbishing",
            "ready-pass_pending": "on",
            "ready-grade": "A",
            "ready-location": shelf.pk,
        },
    )

    assert response.status_code == 302
    phone.refresh_from_db()
    assert (phone.status, phone.grade, phone.location) == (Status.READY, "A", shelf)
    result = phone.check_results.get()
    assert (result.outcome, result.checked_by) == (CheckResult.Outcome.PASS, technician)
    assert phone.history.first().location_id == shelf.pk


def test_a_ready_panel_refused_leaves_the_pending_tests_and_the_shelf_alone(
    technician_client, laptop, mint
):
    shelf = LocationFactory(site=laptop.site)
    # No grade: refused, and neither the ticked tests nor the shelf were written.
    response = technician_client.post(
        url("refurbishment:device_ready", laptop),
        {
            "ready-seen_status": "refurbishing",
            "ready-pass_pending": "on",
            "ready-system": mint.pk,
            "ready-location": shelf.pk,
        },
        headers=HTMX,
    )

    assert "This field is required." in response.content.decode()
    laptop.refresh_from_db()
    assert (laptop.status, laptop.location_id) == (Status.REFURBISHING, None)
    assert not laptop.check_results.exists()


def test_ready_with_the_tests_unticked_is_refused_and_writes_nothing(
    technician_client, laptop, mint
):
    shelf = LocationFactory(site=laptop.site)
    response = technician_client.post(
        url("refurbishment:device_ready", laptop),
        {
            "ready-seen_status": "refurbishing",
            "ready-system": mint.pk,
            "ready-grade": "A",
            "ready-location": shelf.pk,
        },
        headers=HTMX,
    )

    assert "Checklist tests not passed" in response.content.decode()
    laptop.refresh_from_db()
    assert (laptop.status, laptop.grade, laptop.location_id) == (Status.REFURBISHING, "", None)
    assert not laptop.os_installs.exists()


def test_a_phone_is_reset_checked_and_ready_in_three_posts(technician_client, checklists):
    phone = DeviceFactory(category=Category.SMARTPHONE, manufacturer="Samsung", model="A52")
    page = technician_client.get(phone.get_absolute_url()).content.decode()
    assert 'name="encrypted" id="id_encrypted" checked' in page

    technician_client.post(
        url("erasure:factory_reset", phone), {"seen_status": "received", "encrypted": "on"}
    )
    technician_client.post(url("refurbishment:checks_pass_all", phone))
    technician_client.post(
        url("refurbishment:device_ready", phone),
        {"ready-seen_status": "refurbishing", "ready-grade": "A"},
    )

    phone.refresh_from_db()
    assert phone.status == Status.READY
    drive = phone.drives.get()
    erasure = drive.erasures.get()
    assert drive.kind == "emmc"
    assert (erasure.method, erasure.level) == (Erasure.Method.CRYPTO_ERASE, "purge")
    history = phone.history.order_by("history_date", "history_id")
    # Each move, and the grade set by the ready panel just before the last one.
    assert [(h.status, h.grade) for h in history] == [
        ("received", ""),
        ("wiping", ""),
        ("refurbishing", ""),
        ("refurbishing", "A"),
        ("ready", "A"),
    ]


def test_the_reset_of_an_unencrypted_phone_is_recorded_as_a_clear(technician):
    phone = DeviceFactory(category=Category.TABLET, status=Status.WIPING)

    record_factory_reset(device=phone, by=technician, encrypted=False, note="Android 7")

    erasure = Erasure.objects.get(drive__device=phone)
    assert (erasure.method, erasure.level) == (Erasure.Method.FACTORY_RESET, "clear")
    assert "not encrypted" in erasure.notes and "Android 7" in erasure.notes
    assert phone.status == Status.REFURBISHING


def test_a_laptop_is_not_factory_reset_and_nothing_is_written(technician_client):
    device = DeviceFactory(status=Status.RECEIVED)

    response = technician_client.post(url("erasure:factory_reset", device), {"encrypted": "on"})

    assert response.status_code == 302
    assert not device.drives.exists()
    device.refresh_from_db()
    assert device.status == Status.RECEIVED


def test_a_reset_of_a_phone_changed_meanwhile_is_undone_whole(technician):
    phone = DeviceFactory(category=Category.SMARTPHONE, status=Status.RECEIVED)
    Device.objects.filter(pk=phone.pk).update(status=Status.WIPING)

    with pytest.raises(Exception, match="someone else"):
        record_factory_reset(device=phone, by=technician, encrypted=True)

    assert not phone.drives.exists()
    assert Device.objects.get(pk=phone.pk).status == Status.WIPING


def test_a_ready_device_is_put_away_on_a_shelf_of_its_site(technician_client):
    device = DeviceFactory(status=Status.READY, refurbished=True)
    shelf = LocationFactory(site=device.site, code="BRU-A03")
    page = technician_client.get(device.get_absolute_url()).content.decode()
    assert 'id="shelve"' in page

    technician_client.post(url("inventory:device_shelve", device), {"location": shelf.pk})

    device.refresh_from_db()
    assert device.location == shelf
    assert device.history.first().location_id == shelf.pk


def test_the_ready_panel_proposes_the_shelf_of_the_ready_ones_not_the_reception_dock(
    technician_client, laptop
):
    dock = LocationFactory(site=laptop.site, code="QUAI")
    shelf = LocationFactory(site=laptop.site, code="PRETS")
    laptop.location = dock
    laptop.save()
    DeviceFactory(site=laptop.site, status=Status.READY, location=shelf)

    page = technician_client.get(laptop.get_absolute_url()).content.decode()

    assert f'<option value="{shelf.pk}" selected>' in page

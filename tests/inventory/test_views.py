"""Back-office pages: what they show, and what their forms and buttons change."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import constants
from django_htmx.middleware import HtmxDetails

from accounts.refusals import Refused
from inventory.chatter import post_comment
from inventory.models import (
    Comment,
    Device,
    Donor,
    Drive,
    Erasure,
    Grade,
    Location,
    Site,
    Status,
)
from tests.factories import (
    DeviceFactory,
    DonationFactory,
    DonorFactory,
    DriveFactory,
    LocationFactory,
    SiteFactory,
)
from tests.messages import messages_of

pytestmark = [
    pytest.mark.django_db,
    # A list paginated without an explicit order shows rows twice or never on PostgreSQL.
    pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning"),
]


def listed_tags(response):
    return [device.asset_tag for device in response.context["page"].object_list]


def transition_url(device, target):
    return f"/devices/{device.asset_tag}/transition/{target}/"


# The device page --------------------------------------------------------------


def test_the_device_page_shows_the_tag_and_the_status(technician_client):
    device = DeviceFactory(status=Status.WIPING, model="Latitude 5490")

    response = technician_client.get(device.get_absolute_url())

    assert response.status_code == 200
    assert device.asset_tag in response.text
    assert "Latitude 5490" in response.text
    assert re.search(r'<li class="current" aria-current="step">', response.text)


def test_the_device_page_is_found_by_a_lower_case_tag(technician_client):
    device = DeviceFactory()

    response = technician_client.get(f"/devices/{device.asset_tag.lower()}/")

    assert response.status_code == 200
    assert response.context["device"] == device


def test_a_technician_sees_only_the_workshop_buttons(technician_client):
    device = DeviceFactory(status=Status.READY)

    response = technician_client.get(device.get_absolute_url())

    assert f'formaction="{transition_url(device, Status.REFURBISHING)}"' in response.text
    assert transition_url(device, Status.SOLD) not in response.text
    assert transition_url(device, Status.RESERVED) not in response.text


def test_a_coordinator_sees_the_allocation_buttons(coordinator_client):
    device = DeviceFactory(status=Status.READY)

    response = coordinator_client.get(device.get_absolute_url())

    for target in (Status.RESERVED, Status.GIVEN, Status.REFURBISHING):
        assert f'formaction="{transition_url(device, target)}"' in response.text
    # Selling numbers a receipt: the sales page does it, not a button here.
    assert transition_url(device, Status.SOLD) not in response.text


def test_the_device_page_tells_the_story_with_notes_and_comments(technician, technician_client):
    device = DeviceFactory(status=Status.RECEIVED)
    technician_client.post(transition_url(device, Status.WIPING), {"note": "nwipe 3 passes"})
    technician_client.post(f"/devices/{device.asset_tag}/comment/", {"body": "Rayure capot"})

    response = technician_client.get(device.get_absolute_url())

    kinds = [entry.kind for entry in response.context["history"]]
    assert kinds == ["comment", "status", "created"]
    assert "nwipe 3 passes" in response.text
    assert "Rayure capot" in response.text
    assert response.context["history"][1].user == technician


def test_editing_a_device_records_the_change_in_the_history(technician_client):
    device = DeviceFactory(grade="")
    data = {
        "category": device.category,
        "manufacturer": device.manufacturer,
        "model": device.model,
        "serial_number": device.serial_number,
        "site": device.site_id,
        "grade": "B",
    }

    response = technician_client.post(device.get_absolute_url(), data, follow=True)

    device.refresh_from_db()
    assert device.grade == "B"
    assert messages_of(response)[0][0] == constants.SUCCESS
    changes = response.context["history"][0].changes
    assert [(c.field, c.new) for c in changes] == [("grade", str(Grade.B.label))]


def test_an_unknown_tag_answers_404_with_a_search_box(technician_client):
    response = technician_client.get("/devices/RE-999999/")

    assert response.status_code == 404
    assert re.search(r'<input[^>]*type="search"[^>]*name="q"', response.text)
    assert "RE-999999" in response.text


# Transitions through the page ------------------------------------------------


def test_a_transition_button_changes_the_status_and_says_so(technician_client, technician):
    device = DeviceFactory(status=Status.RECEIVED)

    response = technician_client.post(
        transition_url(device, Status.WIPING),
        {"seen_status": Status.RECEIVED, "note": "Sur le banc"},
        follow=True,
    )

    device.refresh_from_db()
    assert device.status == Status.WIPING
    assert response.redirect_chain == [(device.get_absolute_url(), 302)]
    level, text = messages_of(response)[0]
    assert level == constants.SUCCESS
    assert device.asset_tag in text
    record = device.history.first()
    assert (record.history_user, record.history_change_reason) == (technician, "Sur le banc")


def test_a_transition_not_in_the_table_is_a_message_not_a_change(technician_client):
    device = DeviceFactory(status=Status.READY)
    before = device.history.count()

    response = technician_client.post(
        transition_url(device, Status.WIPING), {"seen_status": Status.READY}
    )

    assert response.status_code == 302
    assert response["Location"] == device.get_absolute_url()
    page = technician_client.get(response["Location"])
    assert [level for level, _ in messages_of(page)] == [constants.ERROR]
    device.refresh_from_db()
    assert device.status == Status.READY
    assert device.history.count() == before


def test_an_unknown_target_is_a_message_not_an_error(technician_client):
    device = DeviceFactory(status=Status.READY)

    response = technician_client.post(transition_url(device, "flying"), follow=True)

    assert response.status_code == 200
    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    device.refresh_from_db()
    assert device.status == Status.READY


def test_a_click_on_a_stale_page_is_refused(coordinator_client):
    device = DeviceFactory(status=Status.RESERVED)
    before = device.history.count()

    response = coordinator_client.post(
        transition_url(device, Status.SOLD), {"seen_status": Status.READY}, follow=True
    )

    level, text = messages_of(response)[0]
    assert level == constants.ERROR
    assert device.asset_tag in text
    device.refresh_from_db()
    assert device.status == Status.RESERVED
    assert device.history.count() == before


def test_a_transition_blocked_by_an_unerased_drive_names_the_drive(technician_client):
    device = DeviceFactory(status=Status.WIPING, drives__count=1)

    response = technician_client.post(transition_url(device, Status.REFURBISHING), follow=True)

    assert device.drives.get().serial_number in messages_of(response)[0][1]
    device.refresh_from_db()
    assert device.status == Status.WIPING


def test_a_transition_goes_back_to_the_page_it_came_from(technician_client):
    device = DeviceFactory(status=Status.RECEIVED)

    response = technician_client.post(
        transition_url(device, Status.WIPING), {"next": "/devices/kanban/?site=1"}
    )

    assert response["Location"] == "/devices/kanban/?site=1"


def test_a_transition_never_redirects_to_another_site(technician_client):
    device = DeviceFactory(status=Status.RECEIVED)

    response = technician_client.post(
        transition_url(device, Status.WIPING), {"next": "https://evil.example/"}
    )

    assert response["Location"] == device.get_absolute_url()


def test_a_transition_on_https_never_goes_back_over_http(technician_client):
    device = DeviceFactory(status=Status.RECEIVED)

    response = technician_client.post(
        transition_url(device, Status.WIPING),
        {"next": "http://testserver/devices/kanban/"},
        secure=True,
    )

    assert response["Location"] == device.get_absolute_url()


def test_the_bulk_transition_moves_every_selected_device(coordinator_client):
    devices = [DeviceFactory(status=Status.READY) for _ in range(3)]

    response = coordinator_client.post(
        "/devices/bulk-transition/",
        {"tags": [d.asset_tag for d in devices], "target": Status.GIVEN, "note": "Don"},
        follow=True,
    )

    assert messages_of(response)[0][0] == constants.SUCCESS
    assert set(Device.objects.values_list("status", flat=True)) == {Status.GIVEN}


def test_the_bulk_transition_moves_nothing_when_one_device_is_refused(coordinator_client):
    ready = DeviceFactory(status=Status.READY)
    received = DeviceFactory(status=Status.RECEIVED)
    before = Device.history.count()

    response = coordinator_client.post(
        "/devices/bulk-transition/",
        {"tags": [ready.asset_tag, received.asset_tag], "target": Status.SOLD},
        follow=True,
    )

    level, text = messages_of(response)[0]
    assert level == constants.ERROR
    assert received.asset_tag in text
    assert dict(Device.objects.values_list("asset_tag", "status")) == {
        ready.asset_tag: Status.READY,
        received.asset_tag: Status.RECEIVED,
    }
    assert Device.history.count() == before


@pytest.mark.parametrize(
    "data", [{"target": Status.SOLD}, {"tags": ["RE-999999"], "target": Status.SOLD}]
)
def test_the_bulk_transition_asks_for_a_selection(data, coordinator_client):
    response = coordinator_client.post("/devices/bulk-transition/", data, follow=True)

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]


def test_the_bulk_transition_asks_for_a_target(coordinator_client):
    device = DeviceFactory(status=Status.READY)

    response = coordinator_client.post(
        "/devices/bulk-transition/", {"tags": [device.asset_tag], "target": ""}, follow=True
    )

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    device.refresh_from_db()
    assert device.status == Status.READY


# Registering a device ---------------------------------------------------------


def device_data(site, **overrides):
    data = {"category": "laptop", "manufacturer": "Lenovo", "model": "T480", "site": site.pk}
    return {**data, **overrides}


def test_a_new_device_gets_a_tag_and_starts_received(technician_client, technician):
    site = SiteFactory()

    response = technician_client.post("/devices/new/", device_data(site, serial_number=" pf1 abc "))

    device = Device.objects.get()
    assert re.fullmatch(r"RE-\d{6}", device.asset_tag)
    assert device.status == Status.RECEIVED
    assert device.serial_number == "PF1 ABC"
    assert response["Location"] == device.get_absolute_url()
    assert device.history.get().history_user == technician


def test_register_and_add_another_comes_back_to_the_form(technician_client):
    donation = DonationFactory()
    query = f"?donation={donation.pk}&site={donation.site_id}"

    response = technician_client.post(
        f"/devices/new/{query}",
        device_data(donation.site, donation=donation.pk, add_another="1"),
    )

    assert response["Location"] == f"/devices/new/{query}"
    assert Device.objects.get().donation == donation


def test_the_form_is_prefilled_from_the_donation(technician_client):
    donation = DonationFactory()

    response = technician_client.get(
        f"/devices/new/?donation={donation.pk}&site={donation.site_id}"
    )

    assert response.context["form"].initial["donation"] == str(donation.pk)


def test_a_duplicate_serial_number_is_an_error_on_that_field(technician_client):
    existing = DeviceFactory(manufacturer="Lenovo", serial_number="PF1ABC23")

    response = technician_client.post(
        "/devices/new/",
        device_data(existing.site, manufacturer="LENOVO", serial_number=" pf1abc23"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["serial_number"]
    assert existing.asset_tag in errors["serial_number"][0]
    assert Device.objects.count() == 1


def test_the_same_serial_number_from_another_manufacturer_is_accepted(technician_client):
    existing = DeviceFactory(manufacturer="Lenovo", serial_number="123456")

    technician_client.post(
        "/devices/new/", device_data(existing.site, manufacturer="Dell", serial_number="123456")
    )

    assert Device.objects.count() == 2


def test_a_location_of_another_site_is_refused(technician_client):
    site = SiteFactory()
    elsewhere = LocationFactory()

    response = technician_client.post("/devices/new/", device_data(site, location=elsewhere.pk))

    assert list(response.context["form"].errors) == ["location"]
    assert not Device.objects.exists()


# Comments, drives, erasures ---------------------------------------------------


def test_a_comment_is_added_to_the_device_history(technician_client, technician):
    device = DeviceFactory()

    response = technician_client.post(
        f"/devices/{device.asset_tag}/comment/", {"body": " Clavier à changer "}
    )

    assert response["Location"] == device.get_absolute_url()
    comment = device.comments.get()
    assert (comment.body, comment.author) == ("Clavier à changer", technician)


def test_a_comment_posted_with_htmx_returns_only_the_history(technician_client):
    device = DeviceFactory()

    response = technician_client.post(
        f"/devices/{device.asset_tag}/comment/", {"body": "Batterie faible"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="chatter" id="chatter"')
    assert "Batterie faible" in response.text
    assert "<html" not in response.text


def test_an_empty_comment_is_refused(technician_client):
    device = DeviceFactory()

    response = technician_client.post(
        f"/devices/{device.asset_tag}/comment/", {"body": "   "}, follow=True
    )

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    assert not Comment.objects.exists()


def test_a_drive_is_added_to_a_device(technician_client):
    device = DeviceFactory()

    technician_client.post(
        f"/devices/{device.asset_tag}/drives/",
        {"kind": "nvme", "serial_number": "s4ex 123", "capacity_gb": "512"},
    )

    drive = device.drives.get()
    assert (drive.kind, drive.serial_number, drive.capacity_gb) == ("nvme", "S4EX 123", 512)


def test_an_invalid_drive_is_not_added(technician_client):
    device = DeviceFactory()

    response = technician_client.post(
        f"/devices/{device.asset_tag}/drives/", {"kind": "floppy"}, follow=True
    )

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    assert not Drive.objects.exists()


def test_an_erasure_is_recorded_for_a_drive(technician_client, technician):
    device = DeviceFactory(status=Status.WIPING, drives__count=1)
    drive = device.drives.get()

    technician_client.post(
        f"/devices/{device.asset_tag}/erasures/",
        {"drive": drive.pk, "method": "overwrite", "result": "passed", "notes": "nwipe"},
    )

    erasure = drive.erasures.get()
    assert (erasure.operator, erasure.result, erasure.notes) == (technician, "passed", "nwipe")
    page = technician_client.get(device.get_absolute_url())
    assert page.context["missing_erasures"] == []
    assert "erasure" in [entry.kind for entry in page.context["history"]]


def test_an_erasure_for_a_drive_of_another_device_is_refused(technician_client):
    device = DeviceFactory(drives__count=1)
    other = DriveFactory()

    response = technician_client.post(
        f"/devices/{device.asset_tag}/erasures/",
        {"drive": other.pk, "method": "overwrite", "result": "passed"},
        follow=True,
    )

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    assert not Erasure.objects.exists()


def test_the_erasure_form_preselects_the_drive_still_waiting(technician_client):
    device = DeviceFactory(drives__count=1, drives__erased=True)
    waiting = DriveFactory(device=device)

    response = technician_client.get(device.get_absolute_url())

    assert response.context["erasure_form"].initial["drive"] == waiting.pk


# Donors and donations ---------------------------------------------------------


def test_the_donor_page_lists_its_devices_and_history(technician_client):
    donation = DonationFactory()
    given = DeviceFactory(donation=donation, site=donation.site)
    other = DeviceFactory()
    technician_client.post(f"/donors/{donation.donor.pk}/comment/", {"body": "Attestation envoyée"})

    response = technician_client.get(donation.donor.get_absolute_url())

    assert list(response.context["devices"]) == [given]
    assert given.asset_tag in response.text
    assert other.asset_tag not in response.text
    assert "Attestation envoyée" in response.text
    assert [entry.kind for entry in response.context["history"]] == ["comment", "created"]


def test_the_donation_page_lists_its_devices_and_history(technician_client):
    donation = DonationFactory()
    devices = [DeviceFactory(donation=donation, site=donation.site) for _ in range(2)]
    DeviceFactory(donation=donation, site=donation.site, status=Status.SOLD)
    DeviceFactory()
    technician_client.post(f"/donations/{donation.pk}/comment/", {"body": "Lot complet"})

    response = technician_client.get(donation.get_absolute_url())

    assert {d.asset_tag for d in devices} < {d.asset_tag for d in response.context["devices"]}
    assert response.context["totals"]["count"] == 3
    assert [(s.value, n) for s, n in response.context["by_status"]] == [
        (Status.RECEIVED, 2),
        (Status.SOLD, 1),
    ]
    assert "Lot complet" in response.text


def test_editing_a_donor_is_in_its_history(technician_client, technician):
    donor = DonorFactory(name="Artois Logistique")

    technician_client.post(
        f"/donors/{donor.pk}/edit/", {"name": "Artois Logistique SAS", "kind": "company"}
    )

    donor.refresh_from_db()
    assert donor.name == "Artois Logistique SAS"
    assert donor.history.first().history_user == technician


def test_a_siren_must_have_nine_digits(technician_client):
    response = technician_client.post(
        "/donors/new/", {"name": "Mairie", "kind": "public_body", "siren": "12345"}
    )

    assert list(response.context["form"].errors) == ["siren"]
    assert not Donor.objects.exists()


def test_donors_are_listed_by_name(technician_client):
    DonorFactory(name="Zeta")
    DonorFactory(name="Alpha")

    response = technician_client.get("/donors/")

    assert [d.name for d in response.context["page"]] == ["Alpha", "Zeta"]


def test_donations_are_listed_newest_first(technician_client):
    old = DonationFactory(received_on="2026-01-05")
    new = DonationFactory(received_on="2026-03-01")
    DonationFactory(received_on="2025-12-01")

    response = technician_client.get("/donations/")

    assert list(response.context["page"])[:2] == [new, old]


def test_a_coordinator_adds_a_site_with_a_lower_case_code(coordinator_client):
    response = coordinator_client.post(
        "/sites/", {"site-code": "bru", "site-name": "Bruay", "site-kind": "ressourcerie"}
    )

    assert response.status_code == 302
    assert coordinator_client.get("/sites/").context["sites"][0].code == "BRU"


def test_adding_a_site_needs_the_site_permission_not_the_location_one(client, technician):
    # Someone allowed to add shelves only: the shelf form, not the site form.
    technician.user_permissions.add(Permission.objects.get(codename="add_location"))
    client.force_login(technician)
    site = SiteFactory(code="BRU")

    page = client.get("/sites/")
    refused = client.post("/sites/", {"site-code": "bet", "site-name": "Béthune"})
    added = client.post(
        "/sites/", {"location-site": site.pk, "location-code": "bru-a1", "location-name": "A1"}
    )

    assert page.context["site_form"] is None
    assert page.context["location_form"] is not None
    assert refused.status_code == 403
    assert added.status_code == 302
    assert list(Site.objects.values_list("code", flat=True)) == ["BRU"]
    assert Location.objects.filter(code="BRU-A1").exists()


# The device list --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "ready"}, {"ready-laptop"}),
        ({"status": ["ready", "sold"]}, {"ready-laptop", "sold-desktop"}),
        ({"category": "desktop"}, {"sold-desktop"}),
        ({"grade": "B"}, {"sold-desktop"}),
        ({"q": "latitude"}, {"sold-desktop"}),
        ({"q": "xyz-77"}, {"ready-laptop"}),
        ({}, {"ready-laptop", "sold-desktop", "received-tablet"}),
    ],
)
def test_the_device_list_filters(query, expected, technician_client):
    DeviceFactory(status=Status.READY, serial_number="XYZ-77", notes="ready-laptop")
    DeviceFactory(
        status=Status.SOLD, category="desktop", grade="B", model="Latitude", notes="sold-desktop"
    )
    DeviceFactory(category="tablet", notes="received-tablet")

    response = technician_client.get("/devices/", query)

    assert {d.notes for d in response.context["page"].object_list} == expected


def test_the_device_list_finds_a_tag_typed_in_lower_case(technician_client):
    wanted, _other = DeviceFactory(), DeviceFactory()

    response = technician_client.get("/devices/", {"q": wanted.asset_tag.lower()})

    assert listed_tags(response) == [wanted.asset_tag]


def test_the_device_list_filters_by_site_and_donation(technician_client):
    donation = DonationFactory()
    from_donation = DeviceFactory(donation=donation, site=donation.site)
    same_site = DeviceFactory(site=donation.site)
    DeviceFactory()

    by_site = technician_client.get("/devices/", {"site": donation.site_id})
    by_donation = technician_client.get("/devices/", {"donation": donation.pk})

    assert set(listed_tags(by_site)) == {from_donation.asset_tag, same_site.asset_tag}
    assert listed_tags(by_donation) == [from_donation.asset_tag]


def test_the_device_list_filters_by_location_code(technician_client):
    location = LocationFactory(code="BRU-A03")
    shelved = DeviceFactory(site=location.site, location=location)
    DeviceFactory(site=location.site)

    response = technician_client.get("/devices/", {"location": "bru-a03"})

    assert listed_tags(response) == [shelved.asset_tag]


@pytest.mark.parametrize(("sort", "reverse"), [("tag", False), ("-tag", True)])
def test_the_device_list_sorts_by_tag(sort, reverse, technician_client):
    tags = [DeviceFactory().asset_tag for _ in range(3)]

    response = technician_client.get("/devices/", {"sort": sort})

    assert listed_tags(response) == sorted(tags, reverse=reverse)
    assert response.context["sort"] == sort


def test_an_unknown_sort_falls_back_to_the_newest_first(technician_client):
    tags = [DeviceFactory().asset_tag for _ in range(3)]

    response = technician_client.get("/devices/", {"sort": "password"})

    assert listed_tags(response) == tags[::-1]
    assert response.context["sort"] == ""


def test_the_device_list_is_paginated(technician_client):
    site = SiteFactory()
    devices = [DeviceFactory(site=site) for _ in range(51)]

    first = technician_client.get("/devices/", {"sort": "tag"})
    second = technician_client.get("/devices/", {"sort": "tag", "page": 2})
    beyond = technician_client.get("/devices/", {"sort": "tag", "page": 99})

    assert len(listed_tags(first)) == 50
    assert listed_tags(second) == [devices[-1].asset_tag]
    assert listed_tags(beyond) == listed_tags(second)
    assert 'href="?sort=tag&amp;page=2"' in first.text


def test_the_kanban_shows_a_column_per_status(technician_client):
    DeviceFactory(status=Status.READY)
    DeviceFactory(status=Status.READY)
    DeviceFactory(status=Status.LENT)

    response = technician_client.get("/devices/kanban/")

    counts = {c["status"].value: c["count"] for c in response.context["columns"]}
    assert counts == {**dict.fromkeys(Status.values, 0), "ready": 2, "lent": 1}


def test_the_kanban_shows_the_latest_twenty_cards_of_a_column(technician_client):
    site = SiteFactory()
    for _ in range(22):
        DeviceFactory(status=Status.READY, site=site)

    response = technician_client.get("/devices/kanban/")

    ready = next(c for c in response.context["columns"] if c["status"] == Status.READY)
    assert (ready["count"], len(ready["cards"])) == (22, 20)
    assert "/devices/?status=ready" in response.text


# Language ---------------------------------------------------------------------


def test_the_interface_is_french_by_default(technician_client):
    response = technician_client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="fr">' in response.text


def test_the_language_switch_turns_the_interface_to_english(technician_client):
    response = technician_client.post("/i18n/setlang/", {"language": "en", "next": "/devices/"})

    assert response["Location"] == "/devices/"
    page = technician_client.get("/devices/")
    assert '<html lang="en">' in page.text
    assert "<h1>Devices" in page.text


def test_a_refused_comment_says_why_in_the_history_panel(rf, technician):
    # The panel used to say "cannot be empty" whatever the service's refusal was.
    device = DeviceFactory()
    request = rf.post(device.get_absolute_url(), {"body": "Écran fêlé"}, HTTP_HX_REQUEST="true")
    request.user = technician
    request.htmx = HtmxDetails(request)

    def refuse(**kwargs):
        raise Refused("Ce fil est clos.")

    html = post_comment(request, device, refuse).content.decode()

    assert "Ce fil est clos." in html
    assert "A comment cannot be empty." not in html
    assert not Comment.objects.exists()

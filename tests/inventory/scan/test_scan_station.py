"""The scan station: every kind of code, every mode, refusals, and whatever a scanner types."""

import re
from types import SimpleNamespace

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.models import Device, Status
from inventory.scan import state
from inventory.scan.codes import ACTIONS, ACTIONS_BY_CODE, device_public_url, from_azerty
from inventory.scan.station import (
    ACTION,
    AMBIGUOUS,
    DEVICE,
    EMPTY,
    INVALID,
    LOCATION,
    SHORTCUT,
    UNKNOWN,
    recognise,
    scanned_tags,
    tag_of,
)
from tests.factories import DeviceFactory, LocationFactory

pytestmark = pytest.mark.django_db

_TO_AZERTY = dict(zip("1234567890-:/.qwaQWAzZmM", "&é\"'(-è_çà)M!:azqAZQwW,?", strict=True))


def azerty(text):
    """What an AZERTY computer receives when a US-layout scanner types `text`."""
    return "".join(_TO_AZERTY.get(char, char) for char in text)


def scan(client, code):
    """Post one scan as the station's script does; return the panel's HTML."""
    response = client.post("/scan/", {"code": code}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def station_state(client):
    """The state the station keeps in its signed cookie, as the station reads it."""
    session = client.session
    request = SimpleNamespace(
        COOKIES={state.COOKIE: client.cookies[state.COOKIE].value},
        user=SimpleNamespace(pk=int(session["_auth_user_id"])),
        session=session,
    )
    return state.read(request)


def last_entry(client):
    return station_state(client)["log"][0]


@pytest.fixture
def device():
    return DeviceFactory(serial_number="PF1ABC23")


# -- what a code is -------------------------------------------------------------------


def test_the_azerty_helper_of_this_file_agrees_with_the_station():
    assert from_azerty(azerty("RE-900001")) == "RE-900001"
    assert azerty("RE-900001") == "RE)çàààà&"


# The ways an asset tag reaches Réemploi from a scanner or a keyboard.
ARRIVALS = [
    "{tag}",
    "{lower}",
    "  {tag}\r\n",
    "\x00{tag}\t",
    "{url}",
    "{url_lower}",
    "{azerty_tag}",
    "{azerty_url}",
]


def arriving(tag, typed):
    url = device_public_url(tag)
    return typed.format(
        tag=tag,
        lower=tag.lower(),
        url=url,
        url_lower=url.lower(),
        azerty_tag=azerty(tag),
        azerty_url=azerty(url),
    )


@pytest.mark.parametrize("typed", ARRIVALS)
def test_an_asset_tag_is_recognised_however_it_arrives(device, typed):
    code = arriving(device.asset_tag, typed)

    found = recognise(code)

    assert (found.kind, found.device) == (DEVICE, device)


@pytest.mark.parametrize("typed", ARRIVALS)
def test_pages_that_take_only_tags_read_them_as_the_station_does(typed):
    # The counter and a loan's devices: no database, the tag the scan names.
    assert tag_of(arriving("RE-000129", typed)) == "RE-000129"


def test_a_field_of_scanned_tags_gives_each_tag_once_in_order():
    typed = f"RE-000002 re-000001,{azerty('RE-000002')}\n3;\n"
    assert scanned_tags(typed) == ["RE-000002", "RE-000001", "RE-000003"]


def test_a_bare_number_names_the_asset_tag(device):
    number = int(device.asset_tag.split("-")[1])
    assert recognise(str(number)).device == device


def test_a_serial_number_is_recognised_in_any_case(device):
    assert recognise("pf1abc23").device == device
    assert recognise(azerty("PF1ABC23")).device == device


def test_two_devices_with_one_serial_ask_for_the_asset_tag():
    first = DeviceFactory(serial_number="SAME01", manufacturer="Dell")
    second = DeviceFactory(serial_number="SAME01", manufacturer="HP")

    found = recognise("SAME01")

    assert found.kind == AMBIGUOUS
    assert set(found.matches) == {first, second}


def test_a_location_code_is_recognised_also_from_azerty():
    location = LocationFactory(code="QA-A01")

    assert (recognise("qa-a01").kind, recognise("qa-a01").location) == (LOCATION, location)
    # On AZERTY, a US scanner's Q arrives as A and A as Q.
    assert recognise(azerty("QA-A01")).location == location


def test_an_action_code_is_recognised_also_from_azerty():
    assert recognise("action:ready").action == ACTIONS_BY_CODE["ACTION:READY"]
    found = recognise(azerty("ACTION:WIPING"))
    assert (found.kind, found.action.key) == (ACTION, "WIPING")


@pytest.mark.parametrize(
    ("printed_before", "printed_now", "status"),
    [
        ("ACTION:REFURBISHING", "ACTION:REFURB", Status.REFURBISHING),
        ("ACTION:RETURNED", "ACTION:RETURN", Status.RETURNED),
        ("ACTION:RECYCLED", "ACTION:RECYCLE", Status.RECYCLED),
    ],
)
def test_an_action_sheet_printed_before_the_shorter_codes_still_works(
    printed_before, printed_now, status
):
    # The codes were shortened to fit narrow labels; sheets already taped to the
    # benches carry the long ones.
    before, now = recognise(printed_before), recognise(azerty(printed_now))
    assert before.kind == now.kind == ACTION
    assert before.action is now.action
    assert now.action.target == status
    assert before.code == printed_now


def test_every_action_code_fits_the_narrowest_shipped_label():
    # 14 characters of Code128 fit the 57 mm roll at 203 dpi with 0.25 mm bars.
    assert all(len(action.code) <= 14 for action in ACTIONS)


def test_a_digit_alone_is_a_shortcut_also_on_azerty():
    assert (recognise("2").kind, recognise("2").shortcut) == (SHORTCUT, 2)
    assert recognise("é").shortcut == 2


def test_empty_and_absurdly_long_codes():
    assert recognise(" \r\n").kind == EMPTY
    assert recognise("X" * 500).kind == INVALID


def test_an_unknown_code_offers_the_closest_tags(device):
    mistyped = device.asset_tag[:-1] + "X"

    found = recognise(mistyped)

    assert found.kind == UNKNOWN
    assert device.asset_tag in found.matches


# -- the modes ------------------------------------------------------------------------


def test_lookup_shows_the_device_card_with_what_is_missing(technician_client):
    device = DeviceFactory(drives__count=1, status=Status.WIPING)

    html = scan(technician_client, device.asset_tag)

    assert 'id="scan-card"' in html
    assert device.asset_tag in html
    assert 'data-mode="lookup"' in html
    # The drive has no erasure yet: the card says so.
    assert "scan-missing" in html
    assert last_entry(technician_client)["outcome"] == "ok"


def test_move_mode_puts_each_scanned_device_at_the_location(technician_client, technician):
    location = LocationFactory(code="BRU-B02")
    first, second = DeviceFactory(), DeviceFactory()

    scan(technician_client, "BRU-B02")
    html = scan(technician_client, first.asset_tag)
    scan(technician_client, second.asset_tag)

    assert 'data-mode="move"' in html
    for device in (first, second):
        device.refresh_from_db()
        assert device.location == location
        assert device.site == location.site
        change = device.history.first()
        assert change.history_user == technician
        # The reason is written in the interface's language (French by default).
        assert change.history_change_reason == "Poste de scan"


def test_move_without_a_location_is_refused(technician_client, device):
    scan(technician_client, "ACTION:MOVE")
    scan(technician_client, device.asset_tag)

    entry = last_entry(technician_client)
    assert entry["outcome"] == "refused"
    device.refresh_from_db()
    assert device.location is None


def test_undo_puts_the_last_moved_device_back(technician_client):
    shelf = LocationFactory(code="BRU-A01")
    device = DeviceFactory(location=shelf, site=shelf.site)
    LocationFactory(code="BRU-Z09")

    scan(technician_client, "BRU-Z09")
    scan(technician_client, device.asset_tag)
    scan(technician_client, "ACTION:UNDO")

    device.refresh_from_db()
    assert device.location == shelf
    assert last_entry(technician_client)["outcome"] == "ok"
    # Only the last move: a second undo has nothing to do.
    scan(technician_client, "ACTION:UNDO")
    assert last_entry(technician_client)["outcome"] == "refused"


def test_act_mode_applies_the_action_to_each_device(technician_client):
    devices = DeviceFactory.create_batch(3, status=Status.RECEIVED)

    scan(technician_client, "ACTION:WIPING")
    for device in devices:
        scan(technician_client, device.asset_tag)

    assert set(Device.objects.values_list("status", flat=True)) == {Status.WIPING}
    assert [e["outcome"] for e in station_state(technician_client)["log"][:3]] == ["ok"] * 3


def test_act_mode_checks_the_guard_of_each_device(technician_client):
    erased = DeviceFactory(status=Status.WIPING, drives__count=1, drives__erased=True)
    not_erased = DeviceFactory(status=Status.WIPING, drives__count=1)

    scan(technician_client, "ACTION:REFURBISHING")
    scan(technician_client, erased.asset_tag)
    scan(technician_client, not_erased.asset_tag)

    erased.refresh_from_db()
    not_erased.refresh_from_db()
    assert erased.status == Status.REFURBISHING
    assert not_erased.status == Status.WIPING
    entry = last_entry(technician_client)
    assert entry["outcome"] == "refused"
    assert not_erased.drives.get().serial_number in entry["message"]


def test_act_mode_refuses_a_transition_the_lifecycle_does_not_have(technician_client):
    device = DeviceFactory(status=Status.LENT)

    scan(technician_client, "ACTION:READY")
    scan(technician_client, device.asset_tag)

    device.refresh_from_db()
    assert device.status == Status.LENT
    assert last_entry(technician_client)["outcome"] == "refused"


def test_a_card_button_refuses_what_the_role_may_not_do(technician_client):
    device = DeviceFactory(status=Status.READY, refurbished=True)

    technician_client.post(
        "/scan/", {"do": Status.SOLD, "tag": device.asset_tag}, HTTP_HX_REQUEST="true"
    )

    device.refresh_from_db()
    assert device.status == Status.READY
    assert last_entry(technician_client)["outcome"] == "refused"


def test_a_number_fires_the_card_action_but_never_a_write_off(technician_client):
    device = DeviceFactory(status=Status.RECEIVED)

    html = scan(technician_client, device.asset_tag)
    numbered = re.findall(r'data-shortcut="(\d)"', html)
    scan(technician_client, "1")

    device.refresh_from_db()
    assert device.status == Status.WIPING  # "Start erasure" is the first action
    # Parts, recycling and "lost" are on the card without a number.
    assert len(numbered) == 2
    scan(technician_client, "9")
    assert last_entry(technician_client)["outcome"] == "refused"


def test_a_number_without_a_device_on_the_card_is_refused(technician_client):
    scan(technician_client, "1")
    assert last_entry(technician_client)["outcome"] == "refused"


def test_the_log_keeps_the_last_scans_newest_first(technician_client, device):
    for _ in range(20):
        scan(technician_client, device.asset_tag)
    scan(technician_client, "NOPE")

    log = station_state(technician_client)["log"]
    assert len(log) == 15
    assert log[0]["outcome"] == "not-found"


def log_lines(html):
    """The codes of the log lines in a panel or page, newest first."""
    return re.findall(r'<li class="scan-entry[^>]*>.*?<code>(.*?)</code>', html, re.S)


def test_a_scan_answers_with_its_own_log_line_the_page_with_the_whole_log(
    technician_client, device
):
    scan(technician_client, device.asset_tag)
    html = scan(technician_client, "NOPE")

    # The script keeps the lines it shows and puts this one first (static/js/scan.js).
    assert log_lines(html) == ["NOPE"]
    assert 'data-append="15"' in html
    page = technician_client.get("/scan/").content.decode()
    assert log_lines(page) == ["NOPE", device.asset_tag]
    assert "data-append" not in page


def test_an_empty_scan_adds_no_line_and_clearing_empties_the_shown_log(technician_client, device):
    scan(technician_client, device.asset_tag)

    assert log_lines(scan(technician_client, "  ")) == []
    cleared = technician_client.post("/scan/", {"reset": "1"}, HTTP_HX_REQUEST="true")
    html = cleared.content.decode()
    assert "data-append" not in html  # the script replaces the lines shown
    assert log_lines(html) == []
    assert "Aucun scan pour l'instant." in html  # French, the default language


def test_the_station_page_is_named_by_its_heading(technician_client):
    page = technician_client.get("/scan/").content.decode()

    assert '<h1 class="sr-only">Poste de scan</h1>' in page


def test_without_javascript_a_scan_redirects_back_to_the_station(technician_client, device):
    response = technician_client.post("/scan/", {"code": device.asset_tag})

    assert response.status_code == 302
    page = technician_client.get("/scan/").content.decode()
    assert 'id="scan-card"' in page
    assert device.asset_tag in page


def test_the_station_is_for_the_workshop_only(client, social_worker_client):
    assert social_worker_client.get("/scan/").status_code == 403
    assert client.get("/scan/").status_code == 302  # to the login


@override_settings(SITE_URL="https://reemploi.example.org")
def test_the_label_qr_address_leads_to_the_device(client, technician_client, device):
    path = device_public_url(device.asset_tag).removeprefix("https://reemploi.example.org")

    # The public page (tests/public/test_device_page.py), with a link for the staff.
    assert f'href="{device.get_absolute_url()}"' in technician_client.get(path).content.decode()
    public = client.get(path)
    assert public.status_code == 200
    assert device.get_absolute_url() not in public.content.decode()


# -- bad input and queries ------------------------------------------------------------

NASTY = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(
        [
            "'; DROP TABLE inventory_device; --",
            "RE-000001' OR '1'='1",
            "%",
            "_",
            "\x00",
            "😀💻",
            "ACTION:",
            "ACTION:DESTROY",
            "http://",
            "/d//",
            "0" * 40,
            "9" * 12,
            "\u202eRE-1",
        ]
    ),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(code=NASTY)
def test_anything_typed_gets_an_answer_never_an_error(technician_client, code):
    response = technician_client.post("/scan/", {"code": code}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert 'id="scan-log"' in response.content.decode()


@pytest.mark.parametrize("count", [10, 10_000])
def test_a_lookup_costs_the_same_queries_with_10_or_10000_devices(
    technician_client, django_assert_max_num_queries, count
):
    site = LocationFactory().site
    Device.objects.bulk_create(
        Device(asset_tag=f"RE-7{i:05d}", serial_number=f"BULK{i}", category="laptop", site=site)
        for i in range(count - 1)
    )
    device = DeviceFactory(site=site, drives__count=2, status=Status.REFURBISHING)
    scan(technician_client, device.asset_tag)  # SQLite checks its JSON support once

    # The session, the user with their roles and permissions, the device with
    # everything its card shows. No session write: the station's state is in its own
    # cookie.
    with django_assert_max_num_queries(3):
        html = scan(technician_client, device.asset_tag)

    assert device.asset_tag in html
    assert "scan-missing" in html  # the card still says what is missing

    # Its serial number, read off the sticker: the same three.
    with django_assert_max_num_queries(3):
        html = scan(technician_client, device.serial_number.lower())

    assert f'data-tag="{device.asset_tag}"' in html


def test_a_location_code_wins_over_a_device_serial_that_happens_to_be_the_same(
    technician_client,
):
    """Donated devices come with junk serials ("A1", "0"): a shelf labelled A1 still
    switches the station to moving devices there."""
    shelf = LocationFactory(code="A1")
    DeviceFactory(serial_number="A1")

    scan(technician_client, "a1")

    assert station_state(technician_client)["mode"] == "move"
    assert station_state(technician_client)["location"] == shelf.code


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(tag=st.one_of(st.just("the device"), NASTY), target=st.one_of(st.text(), NASTY))
def test_a_forged_or_garbled_button_is_refused_in_the_log(technician_client, device, tag, target):
    tag = device.asset_tag if tag == "the device" else tag

    response = technician_client.post("/scan/", {"tag": tag, "do": target}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    if target.strip() not in Status.values:
        assert last_entry(technician_client)["outcome"] == "refused"


def test_a_button_for_a_status_that_does_not_exist_says_so(technician_client, device):
    scan(technician_client, device.asset_tag)

    html = technician_client.post(
        "/scan/", {"tag": device.asset_tag, "do": "teleported"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert "teleported" in html
    assert last_entry(technician_client)["outcome"] == "refused"
    device.refresh_from_db()
    assert device.status == Status.RECEIVED


def test_a_tampered_station_cookie_starts_a_fresh_station(technician_client, device):
    scan(technician_client, "ACTION:MOVE")
    cookie = technician_client.cookies[state.COOKIE]
    cookie.set(cookie.key, cookie.value[:-3] + "xyz", cookie.coded_value[:-3] + "xyz")

    html = scan(technician_client, device.asset_tag)

    assert 'data-mode="lookup"' in html


def test_a_long_day_of_scans_keeps_the_cookie_within_what_browsers_keep(technician_client):
    for number in range(40):
        scan(technician_client, f"UNKNOWN-CODE-{number:04d}-" + "X" * 100)

    assert len(technician_client.cookies[state.COOKIE].value) <= state.MAX_BYTES
    assert last_entry(technician_client)["code"].startswith("UNKNOWN-CODE-0039")

"""Whatever people type or scan, the pages answer without a server error."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from inventory.models import Status
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db

# Scanners send control characters, people paste emoji, and some try SQL.
NASTY = st.one_of(
    st.text(),
    st.sampled_from(
        [
            "' OR 1=1 --",
            "RE-000001'; DROP TABLE inventory_device; --",
            "%",
            "_",
            "RE-%",
            "\\",
            "\x00",
            "RE-\x00001",
            "\r\n",
            "😀📦",
            "../../etc/passwd",
            "<script>alert(1)</script>",
            "9" * 40,
            "RE-" + "0" * 5000,
            "é😀\x07" * 2000,
        ]
    ),
)
FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FILTERS = ["q", "status", "category", "grade", "site", "donation", "location", "sort", "page"]


@pytest.fixture
def device():
    return DeviceFactory(serial_number="PF1ABC23", model="ThinkPad T480")


@FUZZ
@given(text=NASTY)
@example(text="")
def test_the_device_search_never_fails(text, technician_client, device):
    response = technician_client.get("/devices/", {"q": text})

    assert response.status_code == 200


@settings(FUZZ, max_examples=25)
@given(query=st.dictionaries(st.sampled_from(FILTERS), NASTY, max_size=4))
def test_the_device_list_filters_never_fail(query, technician_client, device):
    response = technician_client.get("/devices/", query)

    assert response.status_code == 200
    kanban = technician_client.get("/devices/kanban/", query)
    assert kanban.status_code == 200


@FUZZ
@given(text=NASTY)
def test_the_donor_search_never_fails(text, technician_client):
    response = technician_client.get("/donors/", {"q": text})

    assert response.status_code == 200


@FUZZ
@given(text=NASTY)
@example(text="RE-999999")
@example(text="\x00")
def test_any_device_address_answers_without_a_server_error(text, technician_client, device):
    response = technician_client.get(f"/devices/{quote(text, safe='')}/")

    assert response.status_code < 500


@pytest.mark.parametrize("action", ["comment/", "drives/", "erasures/", "transition/sold/"])
def test_an_action_on_a_tag_holding_a_nul_byte_is_not_found(action, coordinator_client):
    response = coordinator_client.post(f"/devices/RE-%00/{action}", {"body": "x"})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("tag", "note"), [("RE-\x00", "Lot"), (None, "Vente\x00 solidaire")], ids=["tag", "note"]
)
def test_a_nul_byte_in_a_bulk_transition_is_no_server_error(tag, note, coordinator_client):
    device = DeviceFactory(status=Status.READY)

    response = coordinator_client.post(
        "/devices/bulk-transition/",
        {"tags": [tag or device.asset_tag], "target": Status.SOLD, "note": note},
    )

    assert response.status_code == 302

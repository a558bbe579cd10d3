"""Who may open which page, and what a refused action leaves behind (nothing)."""

import pytest

from inventory.models import Device, Donor, Site, Status
from tests.factories import DeviceFactory, DonationFactory, SiteFactory

pytestmark = pytest.mark.django_db

INVENTORY_PAGES = [
    "/devices/",
    "/devices/kanban/",
    "/devices/{tag}/",
    "/devices/new/",
    "/donors/",
    "/donors/new/",
    "/donors/{donor}/",
    "/donors/{donor}/edit/",
    "/donations/",
    "/donations/new/",
    "/donations/{donation}/",
    "/donations/{donation}/edit/",
    "/sites/",
]
STAFF = ["technician", "coordinator", "superuser"]
# Forms posted empty: allowed ones answer 200 with their errors, refused ones 403.
POSTS = [
    ("technician", "/devices/{tag}/", 200),
    ("social_worker", "/devices/{tag}/", 403),
    ("social_worker", "/devices/new/", 403),
    ("social_worker", "/donors/new/", 403),
    ("social_worker", "/donations/new/", 403),
    ("coordinator", "/sites/", 200),
    ("technician", "/sites/", 403),
    ("social_worker", "/sites/", 403),
    ("anonymous", "/devices/new/", 302),
]
# Actions are POST only.
GET_ACTIONS = [
    "/devices/{tag}/comment/",
    "/devices/{tag}/drives/",
    "/devices/{tag}/erasures/",
    "/devices/{tag}/transition/wiping/",
    "/devices/bulk-transition/",
]


def _matrix():
    rows = [(role, "get", "/", 200) for role in [*STAFF, "social_worker"]]
    for url in INVENTORY_PAGES:
        rows += [(role, "get", url, 200) for role in STAFF]
        rows.append(("social_worker", "get", url, 403))
    rows += [("anonymous", "get", url, 302) for url in ["/", *INVENTORY_PAGES]]
    rows += [(role, "post", url, expected) for role, url, expected in POSTS]
    rows += [("technician", "get", url, 405) for url in GET_ACTIONS]
    return rows


@pytest.fixture
def urls():
    donation = DonationFactory()
    device = DeviceFactory(donation=donation, site=donation.site, drives__count=1)
    return {"tag": device.asset_tag, "donor": donation.donor.pk, "donation": donation.pk}


@pytest.mark.parametrize(("role", "method", "url", "expected"), _matrix())
def test_each_role_gets_the_pages_it_may_open(role, method, url, expected, urls, client_for):
    response = getattr(client_for(role), method)(url.format(**urls))

    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/login/?next=")


def test_a_refused_form_creates_nothing(social_worker_client):
    site = SiteFactory()

    social_worker_client.post("/devices/new/", {"category": "laptop", "site": site.pk})
    social_worker_client.post("/sites/", {"site-code": "NEW", "site-name": "New"})
    social_worker_client.post("/donors/new/", {"name": "Mairie", "kind": "public_body"})

    assert not Device.objects.exists()
    assert list(Site.objects.all()) == [site]
    assert not Donor.objects.exists()


@pytest.mark.parametrize(
    ("role", "source", "target"),
    [
        ("social_worker", Status.RECEIVED, Status.WIPING),
        ("social_worker", Status.READY, Status.GIVEN),
        ("technician", Status.READY, Status.GIVEN),
        ("technician", Status.READY, Status.RESERVED),
    ],
)
def test_a_forbidden_transition_answers_403_and_changes_nothing(role, source, target, client_for):
    device = DeviceFactory(status=source)
    before = device.history.count()

    response = client_for(role).post(
        f"/devices/{device.asset_tag}/transition/{target}/", {"seen_status": source}
    )

    assert response.status_code == 403
    device.refresh_from_db()
    assert device.status == source
    assert device.history.count() == before


def test_an_anonymous_transition_is_sent_to_the_login_page(anonymous_client):
    device = DeviceFactory(status=Status.RECEIVED)

    response = anonymous_client.post(f"/devices/{device.asset_tag}/transition/wiping/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    device.refresh_from_db()
    assert device.status == Status.RECEIVED


@pytest.mark.parametrize(
    "url",
    [
        "/devices/{tag}/comment/",
        "/devices/{tag}/drives/",
        "/devices/{tag}/erasures/",
        "/devices/{tag}/transition/wiping/",
        "/devices/bulk-transition/",
    ],
)
def test_a_social_worker_cannot_post_device_actions(url, social_worker_client):
    device = DeviceFactory(status=Status.RECEIVED, drives__count=1)
    before = device.history.count()

    response = social_worker_client.post(
        url.format(tag=device.asset_tag),
        {"body": "x", "kind": "ssd", "tags": [device.asset_tag], "target": "wiping"},
    )

    assert response.status_code == 403
    assert device.comments.count() == 0
    assert device.drives.count() == 1
    assert device.history.count() == before

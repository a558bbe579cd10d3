"""Pages run a fixed number of queries, whether they show 10 rows or 500."""

import datetime
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from inventory.models import Comment, Device, Drive, Erasure, Status
from tests.factories import (
    DeviceFactory,
    DonationFactory,
    DonorFactory,
    LocationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SIZES = [10, 500]

# Measured on SQLite and PostgreSQL. Every page starts with 5: session, user, the user's
# and their groups' permissions, their roles. A new query in a loop breaks these bounds.
MAX_QUERIES = {
    # the kept counts or a capped count, page of rows, site and donation filters (recent
    # donations: ids, then rows), a search's hits
    "device_list": 8,
    # filters, kept counts by status, one query per non-empty column (one per status at
    # most) and, under a filter the counts do not follow, a capped count per full column
    "device_kanban": 6 + 2 * len(Status),
    # their count, the page of donations (or donors), the devices (and donations) counted
    # for the rows shown only: never a GROUP BY over every device
    "donation_list": 5,
    "donor_list": 6,
    # sites, their shelves, the kept counts
    "site_list": 6,
    # device, drives, erasures, checks, systems, parts, the checklist, history, names of
    # its sites, locations and donations, comments, the choices of the forms, certificates,
    # hardware reports, the part and system choices of the refurbishment card, and the
    # erasure running on a workstation, if any, and the usual shelf of its category
    "device_detail": 29,
    # the same, plus the forms of the next-step panel: the ready panel's systems, the most
    # installed one and the shelves of the site, or the shelves of a ready device's site
    "device_detail_panel": 31,
    # donation, devices, counts by status, totals, history, donor and site names, comments;
    # the papers: the attestation issued and its devices now, the tax receipt issued, and
    # before one is, the organisation's details and whether the donation has devices
    "donation_detail": 17,
}


def make_devices(count, **fields):
    """Insert `count` devices in one query, in every status in turn."""
    statuses = itertools.cycle(Status.values)
    devices = [DeviceFactory.build(status=next(statuses), **fields) for _ in range(count)]
    return Device.objects.bulk_create(devices)


def make_comments(subject, count, author):
    content_type = ContentType.objects.get_for_model(subject)
    Comment.objects.bulk_create(
        Comment(content_type=content_type, object_id=subject.pk, author=author, body=f"Note {i}")
        for i in range(count)
    )


def make_history(device, count, user, locations, donations):
    """Add `count` status changes to the device's history, through places and donations."""
    model = Device.history.model
    values = {f.attname: getattr(device, f.attname) for f in model.tracked_fields}
    start = timezone.now() - datetime.timedelta(days=count)
    statuses = itertools.cycle(Status.values)
    model.objects.bulk_create(
        model(
            **{
                **values,
                "status": next(statuses),
                "location_id": locations[i % len(locations)].pk,
                "donation_id": donations[i % len(donations)].pk,
            },
            history_date=start + datetime.timedelta(hours=i),
            history_type="~",
            history_user=user,
            history_change_reason=f"Step {i}",
        )
        for i in range(count)
    )


@pytest.fixture
def donation():
    return DonationFactory()


@pytest.fixture
def stocked(donation):
    location = LocationFactory(site=donation.site)
    return {"site": donation.site, "location": location, "donation": donation}


@pytest.mark.parametrize("size", SIZES)
def test_the_device_list_runs_a_fixed_number_of_queries(
    size, stocked, technician_client, django_assert_max_num_queries
):
    make_devices(size, grade="A", **stocked)

    with django_assert_max_num_queries(MAX_QUERIES["device_list"]):
        response = technician_client.get("/devices/")

    assert len(response.context["page"].object_list) == min(size, 50)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "query", ["?q=T480", "?q=SN0", "?grade=A", "?status=ready&category=laptop", "?sort=-model"]
)
def test_the_filtered_device_list_runs_a_fixed_number_of_queries(
    size, query, stocked, technician_client, django_assert_max_num_queries
):
    make_devices(size, grade="A", **stocked)

    with django_assert_max_num_queries(MAX_QUERIES["device_list"]):
        response = technician_client.get(f"/devices/{query}")

    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("query", ["", "?category=laptop", "?grade=A", "?q=T480"])
def test_the_kanban_runs_a_fixed_number_of_queries(
    size, query, stocked, technician_client, django_assert_max_num_queries
):
    make_devices(size, grade="A", **stocked)

    with django_assert_max_num_queries(MAX_QUERIES["device_kanban"]):
        response = technician_client.get(f"/devices/kanban/{query}")

    assert sum(column["count"] for column in response.context["columns"]) == size


@pytest.mark.parametrize("size", [10, 120])
def test_the_donation_list_runs_a_fixed_number_of_queries(
    size, technician_client, django_assert_max_num_queries
):
    for donation in DonationFactory.create_batch(size):
        make_devices(3, site=donation.site, donation=donation)

    with django_assert_max_num_queries(MAX_QUERIES["donation_list"]):
        response = technician_client.get("/donations/")

    assert [d.device_count for d in response.context["page"]] == [3] * min(size, 50)


@pytest.mark.parametrize("size", [10, 120])
def test_the_donor_list_runs_a_fixed_number_of_queries(
    size, coordinator_client, django_assert_max_num_queries
):
    for donor in DonorFactory.create_batch(size):
        for donation in DonationFactory.create_batch(2, donor=donor):
            make_devices(2, site=donation.site, donation=donation)

    with django_assert_max_num_queries(MAX_QUERIES["donor_list"]):
        response = coordinator_client.get("/donors/")

    rows = [(d.donation_count, d.device_count) for d in response.context["page"]]
    assert rows == [(2, 4)] * min(size, 50)


@pytest.mark.parametrize("size", SIZES)
def test_the_site_list_runs_a_fixed_number_of_queries(
    size, stocked, coordinator_client, django_assert_max_num_queries
):
    make_devices(size, **stocked)
    make_devices(size, site=stocked["site"])

    with django_assert_max_num_queries(MAX_QUERIES["site_list"]):
        response = coordinator_client.get("/sites/")

    (site,) = response.context["sites"]
    assert site.device_count == 2 * size
    assert [loc.device_count for loc in site.locations.all()] == [size]


@pytest.mark.parametrize("size", SIZES)
def test_the_device_page_runs_a_fixed_number_of_queries(
    size, stocked, technician, technician_client, django_assert_max_num_queries
):
    device = DeviceFactory(status=Status.REFURBISHING, refurbished=True, **stocked)
    operators = [technician, UserFactory()]
    drives = Drive.objects.bulk_create(
        Drive(device=device, serial_number=f"D{i}") for i in range(max(2, size // 10))
    )
    Erasure.objects.bulk_create(
        Erasure(
            drive=drive,
            method=Erasure.Method.OVERWRITE,
            result=Erasure.Result.PASSED,
            operator=operators[i % 2],
            performed_at=timezone.now(),
        )
        for i, drive in enumerate(drives)
    )
    make_comments(device, size, technician)
    # A history that names many places and donations (each names its donor).
    locations = [stocked["location"], *LocationFactory.create_batch(size // 50 + 1)]
    donations = [stocked["donation"], *DonationFactory.create_batch(size // 50 + 1)]
    make_history(device, size, technician, locations, donations)

    with django_assert_max_num_queries(MAX_QUERIES["device_detail"]):
        response = technician_client.get(device.get_absolute_url())

    assert len(response.context["history"]) == 1 + size + size + device.drives.count()


@pytest.mark.parametrize("size", SIZES)
def test_the_donation_page_runs_a_fixed_number_of_queries(
    size, stocked, donation, technician, technician_client, django_assert_max_num_queries
):
    make_devices(size, **stocked)
    make_comments(donation, size, technician)

    with django_assert_max_num_queries(MAX_QUERIES["donation_detail"]):
        response = technician_client.get(donation.get_absolute_url())

    assert response.context["totals"]["count"] == size


# The next-step panel of each workshop status (inventory/panel): the ready panel's
# system choices and the most installed system, the shelves of a ready device.
PANEL_CASES = {
    "received phone (factory reset)": {"status": Status.RECEIVED, "category": "smartphone"},
    "wiping laptop": {"status": Status.WIPING},
    "refurbishing laptop, no system yet": {"status": Status.REFURBISHING},
    "ready laptop (shelf)": {"status": Status.READY, "refurbished": True},
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("case", PANEL_CASES)
def test_the_next_step_panel_runs_a_fixed_number_of_queries(
    case, size, stocked, technician, technician_client, django_assert_max_num_queries
):
    device = DeviceFactory(**PANEL_CASES[case], **stocked)
    Drive.objects.bulk_create(
        Drive(device=device, serial_number=f"P{i}") for i in range(size // 10)
    )
    LocationFactory.create_batch(3, site=device.site)
    make_comments(device, size, technician)

    with django_assert_max_num_queries(MAX_QUERIES["device_detail_panel"]):
        response = technician_client.get(device.get_absolute_url())

    assert 'id="next-step"' in response.content.decode()

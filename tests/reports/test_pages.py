"""/reports/: the sections follow the role, the PDF and the spreadsheets open, and the
page costs the same number of queries whatever the number of devices."""

import io

import pypdfium2 as pdfium
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from inventory.impact import monthly
from inventory.models import Status
from tests.factories import DeviceFactory, SiteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/reports/"
# Every section of a coordinator's page: a few queries each, whatever the rows (the
# flows read the monthly summary once, then one query per part of each table).
MAX_QUERIES = 55
ALL = ["impact", "flows", "balance", "activity", "workshop"]


def shown_sections(response):
    html = response.content.decode()
    return [key for key in ALL if f'id="section-{key}"' in html]


def test_a_coordinator_sees_every_section(coordinator_client):
    response = coordinator_client.get(URL)

    assert response.status_code == 200
    assert shown_sections(response) == ALL


def test_a_technician_sees_the_workshop_only(technician_client):
    response = technician_client.get(URL)

    assert response.status_code == 200
    assert shown_sections(response) == ["workshop"]


def test_a_social_worker_sees_the_activity_only(social_worker_client):
    response = social_worker_client.get(URL)

    assert response.status_code == 200
    assert shown_sections(response) == ["activity"]


def test_someone_without_a_role_is_refused(db):
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_the_login_page(db):
    response = Client().get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_menu_links_the_reports(technician_client):
    assert 'href="/reports/"' in technician_client.get("/").content.decode()


def test_bad_filters_answer_with_the_form_and_its_message(technician_client):
    response = technician_client.get(URL, {"start": "2026-03-01", "end": "2026-02-01"})

    assert response.status_code == 400
    assert "The end of the period must not come before its start." in response.content.decode()


def test_the_workshop_charts_are_accessible_svg_with_a_table(technician_client):
    DeviceFactory.create_batch(3, status=Status.RECEIVED)

    html = technician_client.get(URL, {"preset": "this_year"}).content.decode()

    assert '<svg class="chart"' in html
    assert 'role="img"' in html
    assert "<title id=" in html
    assert "Devices now, per status" in html
    assert "<caption>Devices now, per status</caption>" in html


def test_the_pdf_opens_and_holds_the_charts(technician_client):
    DeviceFactory.create_batch(2)

    response = technician_client.get(URL, {"preset": "this_year", "export": "pdf"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    document = pdfium.PdfDocument(response.content)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "Devices now, per status" in text
    assert "Workshop" in text


def test_a_table_reads_back_from_xlsx(technician_client):
    DeviceFactory.create_batch(2, status=Status.READY)

    response = technician_client.get(
        URL, {"preset": "this_year", "export": "xlsx", "data": "workshop-now"}
    )

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Status", "Devices")
    assert ("Ready", 2) in rows


def test_a_table_as_ods(technician_client):
    response = technician_client.get(
        URL, {"preset": "this_year", "export": "ods", "data": "workshop-weeks"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert response.content[:2] == b"PK"


def test_an_unknown_table_is_404(technician_client):
    response = technician_client.get(URL, {"export": "xlsx", "data": "nope"})
    assert response.status_code == 404


def test_a_social_worker_cannot_export_the_workshop(social_worker_client):
    response = social_worker_client.get(URL, {"export": "xlsx", "data": "workshop-now"})
    assert response.status_code == 404


def _report_queries(client, site, count):
    for device in DeviceFactory.create_batch(count, site=site):
        device.status = Status.WIPING
        device.save()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"preset": "this_year"}).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_whatever_the_devices(
    coordinator_client, django_assert_max_num_queries
):
    site = SiteFactory()
    few = _report_queries(coordinator_client, site, 5)
    many = _report_queries(coordinator_client, site, 45)

    assert few == many
    with django_assert_max_num_queries(MAX_QUERIES):
        coordinator_client.get(URL, {"preset": "this_year"})
    # Past months read from the monthly summary: no more queries, and 45 more devices.
    monthly.rebuild()
    assert _report_queries(coordinator_client, site, 45) <= MAX_QUERIES

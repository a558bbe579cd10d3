"""Closing a report from /reports/: a coordinator freezes what the page shows, and the
closed report keeps its figures and its factor version whatever changes afterwards."""

import io
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from inventory import workflow
from inventory.impact.factors import new_version
from inventory.models import Category, ClosedReport, FactorSet, Status
from tests.factories import DeviceFactory, SiteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/reports/"
CLOSE = "/reports/close/"
# Session, user, permissions, the role's groups, the count and the page of reports.
LIST_QUERIES = 7
ALL = ["impact", "flows", "balance", "activity", "workshop"]


def give(coordinator, category, count):
    for device in DeviceFactory.create_batch(count, status=Status.READY, category=category):
        workflow.transition_device(device=device, target=Status.GIVEN, by=coordinator)


@pytest.fixture
def given(coordinator):
    # Issue 17's fixture: 10 laptops and 5 smartphones, 3 years of second life.
    give(coordinator, Category.LAPTOP, 10)
    give(coordinator, Category.SMARTPHONE, 5)


def close(client, title="Rapport annuel 2026", **filters):
    return client.post(CLOSE, {"preset": "this_year", "title": title, **filters})


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def pdf_text(content):
    document = pdfium.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def test_a_coordinator_closes_the_report_she_sees(coordinator, coordinator_client, given):
    response = close(coordinator_client)

    report = ClosedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/closed/{report.number}/"
    assert report.title == "Rapport annuel 2026"
    assert report.factor_set == FactorSet.objects.get(version=1)
    assert report.closed_by == coordinator
    assert report.history.get().history_user == coordinator
    assert report.figures["factor_set_version"] == 1
    assert [section["key"] for section in report.figures["sections"]] == ALL
    assert report.filters == {"site": None, "programme": None, "funder": None}
    assert f"Report {report.number} is closed" in messages_of(response)[0]


def test_the_filters_are_kept_with_their_names(coordinator_client, given):
    site = SiteFactory(name="Bruay")

    close(coordinator_client, site=site.pk)

    report = ClosedReport.objects.get()
    assert report.filters["site"] == {"id": site.pk, "name": str(site)}
    page = coordinator_client.get(f"/reports/closed/{report.number}/").content.decode()
    assert str(site) in page


def test_a_closed_report_keeps_its_figures_and_v1_when_factors_and_exits_change(
    coordinator, coordinator_client, given
):
    close(coordinator_client)
    number = ClosedReport.objects.get().number

    new_version(
        FactorSet.latest(),
        {("laptop", "yearly"): {"kg_co2e": Decimal("30")}},
        coordinator,
        reason="Corrected study",
    )
    give(coordinator, Category.LAPTOP, 2)

    live = coordinator_client.get(URL, {"preset": "this_year"}).content.decode()
    # 12 laptops × 30 × 3 + 5 smartphones × 24.6 × 3.
    assert "1,449.0 kg CO2e" in live
    assert "Factor set version 2." in live
    page = coordinator_client.get(f"/reports/closed/{number}/").content.decode()
    assert "1,179.0 kg CO2e" in page and "2,251.5 kg CO2e" in page
    assert "1,449.0" not in page
    assert "Factor set version 1." in page
    assert 'id="impact-source-1"' in page and "ADEME" in page
    response = coordinator_client.get(f"/reports/closed/{number}/", {"export": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "1,179.0 kg CO2e" in text and "2,251.5 kg CO2e" in text
    assert "1,449.0" not in text
    assert "Impact factors: version 1" in text
    assert number in text


def test_a_closed_report_is_drawn_without_reading_the_devices(coordinator_client, given):
    close(coordinator_client)
    number = ClosedReport.objects.get().number

    with CaptureQueriesContext(connection) as queries:
        response = coordinator_client.get(f"/reports/closed/{number}/")

    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if "inventory_stockexit" in q["sql"]]
    assert not [q for q in queries.captured_queries if '"inventory_device"' in q["sql"]]


def test_a_closed_table_downloads_as_it_was(coordinator, coordinator_client, given):
    close(coordinator_client)
    number = ClosedReport.objects.get().number
    give(coordinator, Category.LAPTOP, 2)

    response = coordinator_client.get(
        f"/reports/closed/{number}/", {"export": "xlsx", "data": "impact-co2e"}
    )

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    laptops = next(row for row in rows if row[0] == "Laptop")
    assert laptops[1] == 10 and laptops[4] == 810


@pytest.mark.parametrize("client_name", ["technician_client", "social_worker_client"])
def test_other_roles_cannot_close_nor_see_closed_reports(request, client_name, given):
    client = request.getfixturevalue(client_name)

    assert "Close this report" not in client.get(URL).content.decode()
    assert close(client).status_code == 403
    assert not ClosedReport.objects.exists()
    assert client.get("/reports/closed/").status_code == 403


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Give the report a title."),
        ("   ", "Give the report a title."),
        ("x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
    ],
)
def test_a_bad_title_is_said_and_nothing_is_closed(coordinator_client, title, message):
    response = close(coordinator_client, title=title)

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?preset=this_year"
    assert messages_of(response) == [message]
    assert not ClosedReport.objects.exists()


def test_bad_filters_are_said_and_nothing_is_closed(coordinator_client):
    response = coordinator_client.post(
        CLOSE, {"start": "2026-03-01", "end": "2026-02-01", "title": "Mars"}
    )

    assert response.status_code == 302
    assert messages_of(response) == ["The end of the period must not come before its start."]
    assert not ClosedReport.objects.exists()


def test_the_report_page_offers_closing_with_a_default_title(coordinator_client):
    html = coordinator_client.get(
        URL, {"start": "2026-01-01", "end": "2026-06-30"}
    ).content.decode()

    assert 'action="/reports/close/"' in html
    assert "csrfmiddlewaretoken" in html
    assert 'value="Report 01/01/2026 to 06/30/2026"' in html
    assert 'name="start" value="2026-01-01"' in html
    assert 'href="/reports/closed/"' in html


def test_the_list_shows_each_closed_report(coordinator, coordinator_client):
    close(coordinator_client, title="Bilan FEDER")
    report = ClosedReport.objects.get()

    html = coordinator_client.get("/reports/closed/").content.decode()

    assert f'href="/reports/closed/{report.number}/"' in html
    assert "Bilan FEDER" in html and "version 1" in html


def test_the_list_costs_the_same_queries_for_one_or_many(
    coordinator_client, django_assert_max_num_queries
):
    close(coordinator_client, title="Premier")
    with CaptureQueriesContext(connection) as one:
        coordinator_client.get("/reports/closed/")
    for n in range(4):
        close(coordinator_client, title=f"Rapport {n}")

    with django_assert_max_num_queries(LIST_QUERIES) as five:
        response = coordinator_client.get("/reports/closed/")

    assert response.content.decode().count('href="/reports/closed/RAP-') == 5
    assert len(five) == len(one)


def test_an_unknown_number_is_not_found(coordinator_client):
    assert coordinator_client.get("/reports/closed/RAP-2026-9999/").status_code == 404

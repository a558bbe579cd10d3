"""The coordinator's impact, flows and balance sections, read from the ledger."""

import io

import pytest
from openpyxl import load_workbook

from inventory import workflow
from inventory.models import Category, Status
from tests.factories import DeviceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/reports/"


@pytest.fixture
def given(coordinator):
    devices = [
        *DeviceFactory.create_batch(10, status=Status.READY, category=Category.LAPTOP),
        *DeviceFactory.create_batch(5, status=Status.READY, category=Category.SMARTPHONE),
    ]
    for device in devices:
        workflow.transition_device(device=device, target=Status.GIVEN, by=coordinator)
    return devices


def test_co2e_avoided_by_both_methods_with_sources(coordinator_client, given):
    html = coordinator_client.get(URL, {"preset": "this_year"}).content.decode()

    # Issue 17: 10 laptops and 5 smartphones with a 3-year second life.
    assert "1,179.0 kg CO2e" in html
    assert "2,251.5 kg CO2e" in html
    assert 'id="impact-source-1"' in html
    assert "ADEME" in html


def test_the_co2e_table_reads_back_from_xlsx(coordinator_client, given):
    response = coordinator_client.get(
        URL, {"preset": "this_year", "export": "xlsx", "data": "impact-co2e"}
    )

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    laptops = next(row for row in rows if row[0] == "Laptop")
    assert laptops[1] == 10
    assert laptops[4] == 810


def test_flows_and_balance_are_shown(coordinator_client, given):
    html = coordinator_client.get(URL, {"preset": "this_year"}).content.decode()

    assert "Exits per channel and WEEE category" in html
    assert "Monthly balance (kg)" in html


def test_a_programme_narrows_the_ledger_to_its_loans(coordinator_client, given):
    from tests.lending_factories import ProgrammeFactory

    programme = ProgrammeFactory()
    html = coordinator_client.get(
        URL, {"preset": "this_year", "programme": programme.pk}
    ).content.decode()

    assert "1,179.0 kg CO2e" not in html
    assert "0.0 kg CO2e" in html

"""The activity section: a coordinator counts every household, a social worker only
those of her structures."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from inventory.models import Category, Status
from lending.loans import workflow as loan_workflow
from tests.factories import DeviceFactory
from tests.lending_factories import HouseholdFactory, LoanFactory, StructureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/reports/"


def equip(household, coordinator, technician):
    loan = LoanFactory(
        enrolment__household=household, enrolment__programme__coordinators=[coordinator]
    )
    device = DeviceFactory(status=Status.READY, category=Category.LAPTOP)
    today = timezone.localdate()
    loan = loan_workflow.approve_loan(loan=loan, by=coordinator, devices=[device], starts_on=today)
    loan_workflow.hand_over_loan(loan=loan, by=technician, signed_on=today)


@pytest.fixture
def two_structures(social_worker, coordinator, technician):
    mine = StructureFactory(members=[social_worker])
    other = StructureFactory()
    equip(HouseholdFactory(structure=mine, size=4), coordinator, technician)
    for _ in range(2):
        equip(HouseholdFactory(structure=other, size=2), coordinator, technician)


def summary(client):
    response = client.get(
        URL, {"preset": "this_year", "export": "xlsx", "data": "activity-summary"}
    )
    assert response.status_code == 200
    rows = load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    return dict(rows)


def test_a_coordinator_counts_every_household(coordinator_client, two_structures):
    figures = summary(coordinator_client)

    assert figures["Households equipped"] == 3
    assert figures["Persons equipped"] == 8


def test_a_social_worker_counts_her_structures_households_only(
    social_worker_client, two_structures
):
    figures = summary(social_worker_client)

    assert figures["Households equipped"] == 1
    assert figures["Persons equipped"] == 4
    html = social_worker_client.get(URL, {"preset": "this_year"}).content.decode()
    assert "Only the households of your structures are counted." in html
    assert 'id="section-workshop"' not in html

"""The Django admin of the lending side: superusers browse everything, edit only the
reference data (the rest changes through the workflows, with their history)."""

import pytest

from lending.models import Loan
from tests.lending_factories import LoanFactory, SimCardFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "structure",
    "funder",
    "criterion",
    "programme",
    "household",
    "enrolment",
    "loan",
    "simcard",
    "workshop",
    "reminder",
    "consent",
    "householdaccess",
]


@pytest.fixture
def data():
    loan = LoanFactory()
    SimCardFactory()
    WorkshopFactory(programme=loan.programme)
    return loan


@pytest.mark.parametrize("model", MODELS)
def test_every_lending_list_opens_in_the_admin(superuser_client, data, model):
    assert superuser_client.get(f"/admin/lending/{model}/").status_code == 200


def test_a_loan_is_read_only_in_the_admin(superuser_client, data):
    page = superuser_client.get(f"/admin/lending/loan/{data.pk}/change/")
    refused = superuser_client.post(f"/admin/lending/loan/{data.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert refused.status_code == 403
    assert Loan.objects.filter(pk=data.pk).exists()


def test_structures_are_edited_in_the_admin(superuser_client, data):
    page = superuser_client.get("/admin/lending/structure/add/")

    assert page.status_code == 200
    assert 'name="_save"' in page.text


def test_opening_a_household_in_the_admin_is_in_its_access_log(superuser, superuser_client, data):
    household = data.household

    page = superuser_client.get(f"/admin/lending/household/{household.pk}/change/")

    assert page.status_code == 200
    entry = household.accesses.get()
    assert (entry.user, entry.what, entry.detail) == (superuser, "viewed", "admin")

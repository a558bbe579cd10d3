"""Erasure on request from the household's page: a POST with a reason and a
confirmation, by the household's social worker or coordinator."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from lending.models import Loan
from tests.factories import UserFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(structure, social_worker):
    household = HouseholdFactory(
        structure=structure, social_worker=social_worker, last_name="Quintaldi"
    )
    EnrolmentFactory(household=household, programme=ProgrammeFactory())
    return household


def _url(household):
    return reverse("lending:household_anonymise", args=[household.code])


POST = {"reason": "La personne l'a demandé par courrier", "confirm": "on"}


def test_the_household_page_offers_it(social_worker_client, household):
    page = social_worker_client.get(household.get_absolute_url())

    assert _url(household) in page.content.decode()


def test_the_page_asks_for_a_reason_and_changes_nothing(social_worker_client, household):
    page = social_worker_client.get(_url(household))

    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()
    household.refresh_from_db()
    assert household.anonymised_on is None


def test_posting_anonymises_and_says_so(social_worker_client, household):
    response = social_worker_client.post(_url(household), POST, follow=True)

    household.refresh_from_db()
    assert household.anonymised_on is not None
    assert household.last_name != "Quintaldi"
    assert household.anonymisation_reason == POST["reason"]
    assert response.redirect_chain[-1][0] == household.get_absolute_url()
    assert "Quintaldi" not in response.content.decode()


def test_without_the_confirmation_nothing_happens(social_worker_client, household):
    response = social_worker_client.post(_url(household), {"reason": "demande"})

    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    household.refresh_from_db()
    assert household.anonymised_on is None


def test_refused_with_a_message_while_a_loan_is_open(social_worker_client, household, english):
    loan = LoanFactory(enrolment=household.enrolments.get(), status=Loan.Status.ACTIVE)

    page = social_worker_client.get(_url(household))
    response = social_worker_client.post(_url(household), POST)

    assert "open" in page.content.decode()
    assert response.status_code == 200
    assert f"#{loan.pk}" in response.content.decode()
    household.refresh_from_db()
    assert household.anonymised_on is None


def test_another_structures_social_worker_gets_a_404(household, roles):
    other = Client()
    other.force_login(UserFactory(role=Role.SOCIAL_WORKER))

    assert other.post(_url(household), POST).status_code == 404
    household.refresh_from_db()
    assert household.anonymised_on is None


def test_a_technician_is_forbidden(technician_client, household):
    assert technician_client.post(_url(household), POST).status_code == 403


def test_a_post_without_the_csrf_token_is_refused(social_worker, household):
    client = Client(enforce_csrf_checks=True)
    client.force_login(social_worker)

    assert client.post(_url(household), POST).status_code == 403
    household.refresh_from_db()
    assert household.anonymised_on is None


def test_an_anonymised_household_says_so_and_offers_it_no_more(social_worker_client, household):
    social_worker_client.post(_url(household), POST)

    page = social_worker_client.get(household.get_absolute_url()).content.decode()
    again = social_worker_client.get(_url(household))

    assert POST["reason"].replace("'", "&#x27;") in page
    assert _url(household) not in page
    assert 'name="reason"' not in again.content.decode()

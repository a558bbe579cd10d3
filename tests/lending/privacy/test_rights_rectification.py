"""Rectification (RGPD art. 16) keeps history: a household corrected through its form keeps
its old values in a history row, and its page tells who changed what from what."""

import pytest

from lending.households.forms import HouseholdForm
from lending.models import Household
from tests.lending_factories import HouseholdFactory
from tests.matrix import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def household(structure, social_worker):
    return HouseholdFactory(
        structure=structure,
        social_worker=social_worker,
        last_name="Quatremare",
        phone="06 98 76 54 32",
    )


def _correct(client, household, user, **changes):
    form = HouseholdForm(instance=household, user=user)
    response = client.post(f"/households/{household.code}/edit/", form_data(form, **changes))
    assert response.status_code == 302, response.context["form"].errors
    return response


def test_a_corrected_household_keeps_its_old_values_in_its_history(
    social_worker_client, social_worker, household
):
    _correct(
        social_worker_client, household, social_worker, last_name="Quatremarre", phone="0611223344"
    )

    household.refresh_from_db()
    before, after = household.history.order_by("history_date", "history_id")
    assert (before.last_name, before.phone) == ("Quatremare", "06 98 76 54 32")
    assert (after.last_name, after.phone) == ("Quatremarre", "0611223344")
    assert after.history_user == social_worker
    assert Household.objects.get().last_name == "Quatremarre"


def test_the_household_page_shows_the_correction_with_the_old_value(
    social_worker_client, social_worker, household
):
    _correct(social_worker_client, household, social_worker, last_name="Quatremarre")

    page = social_worker_client.get(f"/households/{household.code}/").content.decode()

    assert "Last name : <del>Quatremare</del> → Quatremarre" in page

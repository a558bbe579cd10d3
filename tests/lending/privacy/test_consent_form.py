"""The household form's consents: optional, never ticked in advance, dated the day they
are recorded; sensitive situations only with the explicit consent."""

import re

import pytest
from django.utils import timezone

from lending.models import ConsentPurpose, Criterion, Household
from tests.lending_factories import HouseholdFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _form_data(structure, worker, **changes):
    data = {
        "structure": structure.pk,
        "social_worker": worker.pk,
        "first_name": "Samia",
        "last_name": "Benali",
        "phone": "06 11 22 33 44",
        "postcode": "62700",
        "commune": "Bruay-La-Buissière",
        "size": "4",
        "school_age_children": "2",
        "needs": ["school"],
    }
    return {**data, **changes}


def _aah():
    return Criterion.objects.get(name="Bénéficiaire de l'AAH")


def _consent_boxes(page):
    return re.findall(r'<input type="checkbox" name="consents"[^>]*>', page)


def test_the_new_household_form_ticks_no_consent_and_fills_in_no_date(
    social_worker_client, structure
):
    page = social_worker_client.get("/households/new/").content.decode()

    boxes = _consent_boxes(page)
    assert len(boxes) == len(ConsentPurpose.choices)
    assert not [box for box in boxes if "checked" in box]
    assert 'type="date"' not in page
    # Each consent says in one sentence what it means for the family.
    assert "a text message a few days before the devices are due back" in page


def test_a_consent_ticked_on_the_form_is_dated_the_day_it_is_recorded(
    social_worker_client, social_worker, structure
):
    data = _form_data(structure, social_worker, consents=["sms"], consent_given_on="2020-01-01")

    social_worker_client.post("/households/new/", data)

    consent = Household.objects.get(last_name="Benali").consents.get()
    assert consent.given_on == timezone.localdate()
    assert consent.recorded_by == social_worker


def test_the_edit_form_offers_only_the_consents_not_yet_given_and_ticks_none(
    social_worker_client, structure, social_worker
):
    household = HouseholdFactory(structure=structure, social_worker=social_worker)

    page = social_worker_client.get(f"/households/{household.code}/edit/").content.decode()

    boxes = _consent_boxes(page)
    assert [re.search(r'value="(\w+)"', box)[1] for box in boxes] == ["sensitive"]
    assert not [box for box in boxes if "checked" in box]


def test_a_sensitive_situation_without_the_explicit_consent_is_refused_with_a_reason(
    social_worker_client, social_worker, structure
):
    data = _form_data(structure, social_worker, situations=[_aah().pk])

    response = social_worker_client.post("/households/new/", data)

    assert response.status_code == 200
    (error,) = response.context["form"].errors["situations"]
    assert "Bénéficiaire de l'AAH" in error
    assert "explicit consent" in error
    assert not Household.objects.exists()


def test_a_sensitive_situation_is_recorded_with_the_explicit_consent(
    social_worker_client, social_worker, structure
):
    data = _form_data(structure, social_worker, situations=[_aah().pk], consents=["sensitive"])

    response = social_worker_client.post("/households/new/", data)

    household = Household.objects.get(last_name="Benali")
    assert response.status_code == 302
    assert list(household.situations.all()) == [_aah()]
    assert household.consented_purposes() == {ConsentPurpose.SENSITIVE}


def test_an_edit_adding_a_sensitive_situation_without_consent_changes_nothing(
    social_worker_client, social_worker, structure
):
    household = HouseholdFactory(structure=structure, social_worker=social_worker)
    data = _form_data(structure, social_worker, commune="Houdain", situations=[_aah().pk])

    response = social_worker_client.post(f"/households/{household.code}/edit/", data)

    household.refresh_from_db()
    assert "situations" in response.context["form"].errors
    assert household.commune == "Bruay-La-Buissière"
    assert not household.situations.exists()

"""Withdrawing a consent: a POST per consent, permission-checked, kept in the history,
and it takes effect (no more text messages, no more sensitive situation)."""

import datetime

import pytest
from django.utils import timezone

from lending.loans.reminders import _loans, send_reminders
from lending.models import Consent, ConsentPurpose, Criterion, Loan, Reminder
from lending.privacy.consent import withdraw_consent
from lending.states import LendingError
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
    StructureFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate()


@pytest.fixture
def household(structure, social_worker):
    return HouseholdFactory(structure=structure, social_worker=social_worker)


def test_withdrawing_keeps_the_consent_and_its_history(social_worker_client, household):
    consent = household.consents.get()

    response = social_worker_client.post(f"/consents/{consent.pk}/withdraw/")

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY
    assert consent.withdrawn_by.username == "social-worker"
    assert [h.withdrawn_on for h in consent.history.order_by("history_date")] == [None, TODAY]
    assert consent.history.latest().history_user.username == "social-worker"
    assert not household.accepts_sms


def test_the_household_page_shows_the_withdrawn_consent_and_no_button_for_it(
    social_worker_client, household, social_worker
):
    consent = household.consents.get()
    withdraw_consent(consent=consent, by=social_worker)

    page = social_worker_client.get(f"/households/{household.code}/").content.decode()

    assert "withdrawn on" in page
    assert f"/consents/{consent.pk}/withdraw/" not in page


def test_a_withdrawn_consent_stops_the_text_message_reminders(
    social_worker, coordinator, mailoutbox
):
    structure = StructureFactory(members=[social_worker])
    programme = ProgrammeFactory(coordinators=[coordinator], structures=[structure])
    household = HouseholdFactory(structure=structure, social_worker=social_worker)
    LoanFactory(
        enrolment=EnrolmentFactory(household=household, programme=programme),
        status=Loan.Status.ACTIVE,
        starts_on=TODAY - datetime.timedelta(days=180),
        due_on=TODAY + datetime.timedelta(days=3),
    )
    withdraw_consent(consent=household.consents.get(), by=social_worker)

    send_reminders(today=TODAY)

    assert not Reminder.objects.filter(channel=Reminder.Channel.SMS).exists()
    assert Reminder.objects.filter(channel=Reminder.Channel.EMAIL).exists()


def test_withdrawing_the_sensitive_consent_removes_the_sensitive_situations(
    social_worker, household
):
    aah = Criterion.objects.get(name="Bénéficiaire de l'AAH")
    rsa = Criterion.objects.get(name="Bénéficiaire du RSA")
    consent = Consent.objects.create(
        household=household,
        purpose=ConsentPurpose.SENSITIVE,
        given_on=TODAY,
        recorded_by=social_worker,
    )
    household.situations.set([aah, rsa])

    withdraw_consent(consent=consent, by=social_worker)

    assert list(household.situations.all()) == [rsa]
    assert "Bénéficiaire de l'AAH" in household.history.latest().history_change_reason


def test_a_consent_cannot_be_withdrawn_twice(social_worker, household):
    consent = household.consents.get()
    withdraw_consent(consent=consent, by=social_worker)

    with pytest.raises(LendingError, match="already withdrawn"):
        withdraw_consent(consent=consent, by=social_worker)

    assert consent.history.count() == 2


def test_another_structures_consent_answers_404(social_worker_client):
    other = HouseholdFactory(structure=StructureFactory())
    consent = other.consents.get()

    response = social_worker_client.post(f"/consents/{consent.pk}/withdraw/")

    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.active


@pytest.mark.parametrize("role", ["technician", "coordinator"])
def test_roles_that_do_not_edit_households_cannot_withdraw(client_for, role, household):
    consent = household.consents.get()

    response = client_for(role).post(f"/consents/{consent.pk}/withdraw/")

    assert response.status_code == 403
    consent.refresh_from_db()
    assert consent.active


def test_withdrawing_needs_a_post(social_worker_client, household):
    consent = household.consents.get()

    assert social_worker_client.get(f"/consents/{consent.pk}/withdraw/").status_code == 405


def test_the_page_warns_of_a_sensitive_situation_recorded_without_consent(
    social_worker_client, household
):
    household.situations.add(Criterion.objects.get(name="Bénéficiaire de l'AAH"))

    page = social_worker_client.get(f"/households/{household.code}/").content.decode()

    assert "A sensitive situation is recorded without" in page


def test_the_reminders_read_every_households_consents_in_one_query(
    social_worker, structure, django_assert_num_queries
):
    programme = ProgrammeFactory(structures=[structure])
    for consents in ([ConsentPurpose.SMS], [], [ConsentPurpose.SMS], []):
        household = HouseholdFactory(structure=structure, consents=consents)
        LoanFactory(enrolment=EnrolmentFactory(household=household, programme=programme))

    # The loans with their households, then the consents of them all.
    with django_assert_num_queries(2):
        accepts = [loan.household.accepts_sms for loan in _loans(Loan.objects.order_by("pk"))]

    assert accepts == [True, False, True, False]

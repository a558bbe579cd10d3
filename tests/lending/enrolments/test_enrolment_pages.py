"""Enrolment pages: coordinators decide, social workers follow and withdraw."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail

from lending.models import Criterion, Enrolment
from tests.factories import UserFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    ProgrammeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
E = Enrolment.Status


@pytest.fixture
def programme(coordinator, structure):
    return ProgrammeFactory(
        coordinators=[coordinator], structures=[structure], capacity=1, name="Atelier Bruay"
    )


def _enrolment(programme, structure, status=E.APPLIED, **fields):
    household = HouseholdFactory(structure=structure)
    enrolled_at = fields.pop("enrolled_at", None)
    return EnrolmentFactory(
        household=household, programme=programme, status=status, enrolled_at=enrolled_at, **fields
    )


@pytest.fixture
def applied(programme, structure):
    return _enrolment(programme, structure)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _status(enrolment):
    enrolment.refresh_from_db()
    return enrolment.status


def test_a_coordinator_marks_an_application_eligible_with_the_criteria_checked(
    coordinator_client, programme, applied
):
    rsa = Criterion.objects.get(name="Bénéficiaire du RSA")
    programme.criteria.add(rsa, Criterion.objects.get(name="Demandeur d'emploi"))
    programme.min_criteria = 1
    programme.save()

    response = coordinator_client.post(
        f"/enrolments/{applied.pk}/eligible/", {"criteria": [rsa.pk], "note": "Attestation vue"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/enrolments/{applied.pk}/"
    assert _status(applied) == E.ELIGIBLE
    assert list(applied.criteria_met.all()) == [rsa]
    assert _messages(response) == [
        f"{applied.household.code} is now “Eligible” in “Atelier Bruay”."
    ]


def test_the_criteria_are_prefilled_from_the_households_situation(
    coordinator_client, programme, applied
):
    rsa = Criterion.objects.get(name="Bénéficiaire du RSA")
    programme.criteria.add(rsa, Criterion.objects.get(name="Demandeur d'emploi"))
    applied.household.situations.add(rsa, Criterion.objects.get(name="Bénéficiaire de l'AAH"))

    response = coordinator_client.get(f"/enrolments/{applied.pk}/")

    form = response.context["enrolment"].eligible_form
    assert form["criteria"].value() == [rsa.pk]
    assert list(form.fields["criteria"].queryset) == list(programme.criteria.all())


def test_too_few_criteria_leave_the_application_as_it_was(coordinator_client, programme, applied):
    programme.criteria.add(Criterion.objects.get(name="Bénéficiaire du RSA"))
    programme.min_criteria = 1
    programme.save()

    response = coordinator_client.post(f"/enrolments/{applied.pk}/eligible/", {})

    assert "meets 0 of the programme's criteria, 1 needed" in _messages(response)[0]
    assert _status(applied) == E.APPLIED


def test_a_coordinator_enrols_an_eligible_household(coordinator_client, programme, structure):
    eligible = _enrolment(programme, structure, E.ELIGIBLE)

    response = coordinator_client.post(f"/enrolments/{eligible.pk}/enrol/")

    assert _status(eligible) == E.ENROLLED
    assert _messages(response) == [
        f"{eligible.household.code} is now “Enrolled” in “Atelier Bruay”."
    ]


def test_the_page_says_how_many_places_are_left_and_offers_to_enrol(
    coordinator_client, programme, structure
):
    programme.capacity = 3
    programme.save()
    eligible = _enrolment(programme, structure, E.ELIGIBLE)

    page = coordinator_client.get(f"/enrolments/{eligible.pk}/").content.decode()

    assert "3 places left" in page
    assert f"/enrolments/{eligible.pk}/enrol/" in page
    assert "Put on the waiting list" not in page


def test_a_full_programme_offers_the_waiting_list_instead_of_a_place(
    coordinator_client, programme, structure
):
    _enrolment(programme, structure, E.ENROLLED)
    eligible = _enrolment(programme, structure, E.ELIGIBLE)

    page = coordinator_client.get(f"/enrolments/{eligible.pk}/").content.decode()

    assert "Put on the waiting list" in page
    assert f"/enrolments/{eligible.pk}/enrol/" not in page
    assert "is full (1 households)" in page


def test_enrolling_into_a_full_programme_is_refused_with_the_services_reason(
    coordinator_client, programme, structure
):
    _enrolment(programme, structure, E.ENROLLED)
    eligible = _enrolment(programme, structure, E.ELIGIBLE)

    response = coordinator_client.post(f"/enrolments/{eligible.pk}/enrol/")

    assert "is full" in _messages(response)[0]
    assert _status(eligible) == E.ELIGIBLE


def test_withdrawing_an_enrolled_household_gives_its_place_to_the_first_waitlisted(
    coordinator_client,
    social_worker_client,
    programme,
    structure,
    django_capture_on_commit_callbacks,
):
    enrolled = _enrolment(programme, structure, E.ENROLLED)
    first, second = (
        _enrolment(programme, structure, E.ELIGIBLE),
        _enrolment(programme, structure, E.ELIGIBLE),
    )
    coordinator_client.post(f"/enrolments/{first.pk}/waitlist/")
    response = coordinator_client.post(f"/enrolments/{second.pk}/waitlist/")
    assert _messages(response)[-1] == (
        f"{second.household.code} is now number 2 on the waiting list of “Atelier Bruay”."
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = social_worker_client.post(
            f"/enrolments/{enrolled.pk}/withdraw/",
            {"reason": "Déménagement", "next": f"/households/{enrolled.household.code}/"},
        )

    assert response["Location"] == f"/households/{enrolled.household.code}/"
    assert _messages(response) == [
        f"{enrolled.household.code} is now “Withdrawn” in “Atelier Bruay”."
    ]
    assert _status(enrolled) == E.WITHDRAWN
    assert _status(first) == E.ENROLLED
    assert (_status(second), second.waitlist_position) == (E.WAITLISTED, 1)
    assert first.household.code in mail.outbox[0].subject


def test_a_coordinator_moves_a_household_up_the_waiting_list(
    coordinator_client, programme, structure
):
    _enrolment(programme, structure, E.ENROLLED)
    first = _enrolment(programme, structure, E.WAITLISTED, waitlist_position=1)
    second = _enrolment(programme, structure, E.WAITLISTED, waitlist_position=2)

    response = coordinator_client.post(f"/enrolments/{second.pk}/move/", {"position": "1"})

    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.waitlist_position, first.waitlist_position) == (1, 2)
    assert _messages(response) == [
        f"{second.household.code} is now number 1 on the waiting list of “Atelier Bruay”."
    ]


def test_a_position_that_is_not_a_number_is_refused(coordinator_client, programme, structure):
    _enrolment(programme, structure, E.ENROLLED)
    waiting = _enrolment(programme, structure, E.WAITLISTED, waitlist_position=1)

    response = coordinator_client.post(f"/enrolments/{waiting.pk}/move/", {"position": "first"})

    assert "is not a position on the waiting list" in _messages(response)[0]
    waiting.refresh_from_db()
    assert waiting.waitlist_position == 1


def test_a_rejection_without_a_reason_is_refused_and_changes_nothing(coordinator_client, applied):
    response = coordinator_client.post(f"/enrolments/{applied.pk}/reject/", {"reason": "  "})

    assert _messages(response) == [
        "Say why the application is rejected: the social worker reads it."
    ]
    assert _status(applied) == E.APPLIED
    assert applied.history.count() == 1


def test_a_rejection_keeps_its_reason(coordinator_client, applied):
    coordinator_client.post(f"/enrolments/{applied.pk}/reject/", {"reason": "Hors secteur"})

    applied.refresh_from_db()
    assert (applied.status, applied.reason) == (E.REJECTED, "Hors secteur")


@pytest.mark.parametrize("action", ["eligible", "reject", "enrol", "waitlist", "complete"])
def test_a_coordinator_of_another_programme_cannot_decide(roles, applied, client, action):
    other = UserFactory(role="coordinator")
    ProgrammeFactory(coordinators=[other])
    client.force_login(other)

    response = client.post(f"/enrolments/{applied.pk}/{action}/", {"reason": "Non"})

    assert response.status_code == 404
    assert _status(applied) == E.APPLIED
    assert applied.history.count() == 1


def test_a_social_worker_cannot_decide_on_an_enrolment(social_worker_client, applied):
    response = social_worker_client.post(f"/enrolments/{applied.pk}/eligible/")

    assert response.status_code == 403
    assert _status(applied) == E.APPLIED


def test_a_social_worker_sees_only_the_withdrawal_on_the_enrolment_page(
    social_worker_client, applied
):
    response = social_worker_client.get(f"/enrolments/{applied.pk}/")

    assert response.context["enrolment"].actions == {"withdraw"}
    assert "Mark eligible" not in response.content.decode()
    assert applied.household.last_name in response.content.decode()


def test_the_coordinator_sees_the_decisions_on_the_household_page(coordinator_client, applied):
    page = coordinator_client.get(f"/households/{applied.household.code}/").content.decode()

    assert f"/enrolments/{applied.pk}/eligible/" in page
    assert f"/enrolments/{applied.pk}/reject/" in page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/enrolments/{pk}/"),
        ("post", "/enrolments/{pk}/withdraw/"),
        ("post", "/enrolments/{pk}/comment/"),
    ],
)
def test_another_structures_enrolment_answers_404(social_worker_client, structure, method, path):
    other = EnrolmentFactory(status=E.APPLIED, enrolled_at=None)

    response = getattr(social_worker_client, method)(
        path.format(pk=other.pk), {"reason": "Non", "body": "Bonjour"}
    )

    assert response.status_code == 404
    assert _status(other) == E.APPLIED


def test_a_technician_cannot_open_an_enrolment(technician_client, applied):
    response = technician_client.get(f"/enrolments/{applied.pk}/")

    assert response.status_code == 403
    assert applied.household.last_name not in response.content.decode()


def test_an_outside_next_address_is_ignored(coordinator_client, applied):
    response = coordinator_client.post(
        f"/enrolments/{applied.pk}/reject/",
        {"reason": "Hors secteur", "next": "https://example.com/"},
    )

    assert response["Location"] == f"/enrolments/{applied.pk}/"


def test_a_coordinator_completes_an_enrolment(coordinator_client, programme, structure):
    enrolled = _enrolment(programme, structure, E.ENROLLED)

    response = coordinator_client.post(f"/enrolments/{enrolled.pk}/complete/")

    assert _status(enrolled) == E.COMPLETED
    assert _messages(response) == [
        f"{enrolled.household.code} is now “Completed” in “Atelier Bruay”."
    ]


def test_a_comment_on_an_enrolment_goes_to_its_history(coordinator_client, coordinator, applied):
    coordinator_client.post(f"/enrolments/{applied.pk}/comment/", {"body": "Dossier complet"})

    page = coordinator_client.get(f"/enrolments/{applied.pk}/").content.decode()
    assert "Dossier complet" in page

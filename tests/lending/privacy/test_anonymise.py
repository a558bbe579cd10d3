"""Anonymising a household: personal data gone from its rows and their history, the
figures kept, refused while a loan is open, idempotent."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.roles import Role
from inventory.models import Comment
from lending.models import Criterion, Household, Loan, LoanDevice, LoanExtension, Return
from lending.privacy.anonymise import anonymise_household
from lending.privacy.personal_data import PLACEHOLDER
from lending.states import LendingError, save_with_history
from tests.factories import DeviceFactory, UserFactory
from tests.lending.privacy.dump import database_dump, found_in_database
from tests.lending_factories import (
    AttendanceFactory,
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
    StructureFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

PERSONAL = [
    "Quintaldi",
    "Zoé-Amandine",
    "06 99 88 77 66",
    "zoe.quintaldi@example.org",
    "chez sa sœur Mireille",
    "cherche un emploi de cariste",
    "devoirs de Léo",
    "écran fêlé par le petit frère",
    "rendu par la voisine",
    "accident de scooter",
    "hospitalisation de Mme",
    "a appelé depuis le 06",
    "inscription urgente",
    "dossier CAF de Zoé",
]


@pytest.fixture
def programme(coordinator):
    return ProgrammeFactory(coordinators=[coordinator])


@pytest.fixture
def household(structure, social_worker, programme, coordinator, technician):
    """A household whose every free text holds a personal string, with a loan back."""
    household = HouseholdFactory(
        structure=structure,
        social_worker=social_worker,
        first_name="Zoé-Amandine",
        last_name="Quintaldi",
        phone="06 99 88 77 66",
        email="zoe.quintaldi@example.org",
        postcode="62700",
        commune="Bruay-La-Buissière",
        size=4,
        school_age_children=2,
        notes="Vit chez sa sœur Mireille",
    )
    household.situations.add(
        Criterion.objects.create(name="Test AAH", sensitive=True),
        Criterion.objects.create(name="Test QPV"),
    )
    household.notes = "Vit chez sa sœur Mireille depuis mars"
    save_with_history(household, by=social_worker, note="dossier CAF de Zoé")
    enrolment = EnrolmentFactory(
        household=household, programme=programme, reason="Mme cherche un emploi de cariste"
    )
    enrolment.criteria_met.add(*household.situations.all())
    enrolment._change_reason = "inscription urgente"
    enrolment.save()
    loan = LoanFactory(
        enrolment=enrolment,
        status=Loan.Status.RETURNED,
        request_note="Pour les devoirs de Léo",
        starts_on=timezone.localdate() - timezone.timedelta(days=100),
        due_on=timezone.localdate() - timezone.timedelta(days=10),
    )
    LoanDevice.objects.create(
        loan=loan,
        device=DeviceFactory(),
        active=False,
        condition=LoanDevice.Condition.DAMAGED,
        inspection_note="écran fêlé par le petit frère",
    )
    LoanExtension.objects.create(
        loan=loan,
        previous_due_on=loan.due_on,
        new_due_on=loan.due_on + timezone.timedelta(days=30),
        reason="accident de scooter",
        by=coordinator,
    )
    Return.objects.create(
        loan=loan,
        inspected_by=technician,
        inspected_at=timezone.now(),
        notes="rendu par la voisine",
        reviewed_by=coordinator,
        reviewed_at=timezone.now(),
        review_note="hospitalisation de Mme",
    )
    for subject in (household, enrolment, loan):
        Comment.objects.create(subject=subject, author=social_worker, body="a appelé depuis le 06")
    AttendanceFactory(
        household=household, workshop=WorkshopFactory(programme=programme), recorded_by=coordinator
    )
    return household


def _figures(household):
    enrolment = household.enrolments.get()
    loan = household.loans.get()
    return {
        "household": Household.objects.filter(pk=household.pk)
        .values(
            "code",
            "postcode",
            "commune",
            "size",
            "school_age_children",
            "needs",
            "structure",
            "created_at",
        )
        .get(),
        "enrolment": (enrolment.programme_id, enrolment.status, enrolment.applied_at),
        "criteria": sorted(
            enrolment.criteria_met.filter(sensitive=False).values_list("name", flat=True)
        ),
        "loan": (loan.status, loan.starts_on, loan.due_on, loan.programme_id),
        "devices": list(loan.items.values_list("device", "condition", "decision")),
        "attendance": list(household.attendances.values_list("workshop", "presence")),
        "extensions": list(loan.extensions.values_list("previous_due_on", "new_due_on")),
    }


def test_no_personal_string_remains_anywhere_in_the_database(household, social_worker):
    assert set(found_in_database(PERSONAL)) == set(PERSONAL)  # the test sees them first

    anonymise_household(household, by=social_worker, reason="Demande de la personne")

    assert found_in_database(PERSONAL) == {}


def test_the_figures_are_kept(household, social_worker):
    before = _figures(household)

    anonymise_household(household, by=social_worker, reason="Demande de la personne")

    assert _figures(household) == before


def test_names_become_a_placeholder_the_situation_and_sensitive_criteria_go(
    household, social_worker
):
    anonymise_household(household, by=social_worker, reason="Demande de la personne")

    household.refresh_from_db()
    assert (household.first_name, household.last_name) == (PLACEHOLDER, PLACEHOLDER)
    assert (household.phone, household.email, household.notes) == ("", "", "")
    assert not household.situations.exists()
    criteria = household.enrolments.get().criteria_met.values_list("name", flat=True)
    assert list(criteria) == ["Test QPV"]
    comments = Comment.objects.filter(content_type=ContentType.objects.get_for_model(Household))
    assert not comments.exists()


def test_it_is_marked_with_the_reason_and_who_asked_in_its_history(household, social_worker):
    anonymise_household(household, by=social_worker, reason="Demande écrite du 3 mars")

    household.refresh_from_db()
    assert household.anonymised_on is not None
    assert household.anonymisation_reason == "Demande écrite du 3 mars"
    last = household.history.latest("history_date")
    assert (last.history_user, last.history_change_reason) == (
        social_worker,
        "Demande écrite du 3 mars",
    )


def test_running_it_twice_changes_nothing(household, social_worker):
    anonymise_household(household, by=social_worker, reason="Demande de la personne")
    before = database_dump()

    anonymise_household(household, by=social_worker, reason="Une autre raison")

    assert database_dump() == before


def test_refused_while_a_loan_is_open_and_nothing_changes(household, social_worker):
    LoanFactory(enrolment=household.enrolments.get(), status=Loan.Status.ACTIVE)
    before = database_dump()

    with pytest.raises(LendingError) as refusal:
        anonymise_household(household, by=social_worker, reason="Demande de la personne")

    assert household.code in refusal.value.message
    assert database_dump() == before


def test_a_reason_is_required(household, social_worker):
    with pytest.raises(LendingError):
        anonymise_household(household, by=social_worker, reason="  ")

    household.refresh_from_db()
    assert household.anonymised_on is None


def test_the_programmes_coordinator_may_anonymise(household, coordinator):
    anonymise_household(household, by=coordinator, reason="Demande de la personne")

    household.refresh_from_db()
    assert household.anonymised_on is not None


@pytest.mark.parametrize("who", ["technician", "other_social_worker", "other_coordinator"])
def test_others_may_not(household, who, technician, roles):
    user = {
        "technician": technician,
        "other_social_worker": StructureFactory(
            members=[UserFactory(role=Role.SOCIAL_WORKER)]
        ).members.get(),
        "other_coordinator": UserFactory(role=Role.COORDINATOR),
    }[who]

    with pytest.raises(LendingError):
        anonymise_household(household, by=user, reason="Demande de la personne")

    household.refresh_from_db()
    assert household.anonymised_on is None


def test_an_anonymised_file_is_closed_to_edits_enrolments_and_loans(household, social_worker):
    from lending.enrolments.workflow import apply_for_programme
    from lending.households.services import update_household
    from lending.loans.workflow import request_loan
    from tests.lending_factories import ProgrammeFactory

    enrolment = household.enrolments.get()
    anonymise_household(household, by=social_worker, reason="Demande de la personne")
    household.refresh_from_db()
    programme = ProgrammeFactory(structures=[household.structure])
    before = database_dump()

    household.commune = "Lens"
    attempts = [
        lambda: update_household(household=household, by=social_worker),
        lambda: apply_for_programme(household=household, programme=programme, by=social_worker),
        lambda: request_loan(enrolment=enrolment, by=social_worker),
    ]
    for attempt in attempts:
        with pytest.raises(LendingError, match=f"{household.code} a été anonymisé"):
            attempt()
    assert database_dump() == before

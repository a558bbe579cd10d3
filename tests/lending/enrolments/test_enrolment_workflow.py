"""Enrolment: applied → eligible | rejected → enrolled, or waitlisted while the programme
is full; a place freed goes to the first of the waiting list."""

import pytest

from accounts.refusals import PermissionRefused
from accounts.roles import Role
from lending.enrolments import workflow
from lending.models import Enrolment, Loan, Programme
from lending.models.structures import Criterion
from lending.states import LendingError
from tests.factories import UserFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
    StructureFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
E = Enrolment.Status


@pytest.fixture
def programme(coordinator, structure):
    return ProgrammeFactory(coordinators=[coordinator], structures=[structure], capacity=2)


@pytest.fixture
def household(structure, social_worker):
    return HouseholdFactory(structure=structure, social_worker=social_worker)


def enrolment_in(programme, status, **fields):
    """An enrolment of a new household of the programme's first structure."""
    household = HouseholdFactory(structure=programme.structures.first())
    enrolled_at = fields.pop("enrolled_at", None)
    return EnrolmentFactory(
        household=household, programme=programme, status=status, enrolled_at=enrolled_at, **fields
    )


def fill(programme):
    return [enrolment_in(programme, E.ENROLLED) for _ in range(programme.capacity)]


def state(programme):
    """Everything a refused decision must leave as it was."""
    rows = programme.enrolments.order_by("pk").values_list("pk", "status", "waitlist_position")
    return list(rows), Enrolment.history.count()


def history_notes(enrolment):
    return [r.history_change_reason for r in enrolment.history.all()]


# Applying


def test_a_social_worker_applies_for_a_household_of_their_structure(
    social_worker, household, programme
):
    enrolment = workflow.apply_for_programme(
        household=household, programme=programme, by=social_worker, note=" referred by CCAS "
    )

    enrolment.refresh_from_db()
    assert enrolment.status == E.APPLIED
    assert enrolment.applied_by == social_worker
    record = enrolment.history.get()
    assert record.history_user == social_worker
    assert record.history_change_reason == "referred by CCAS"


@pytest.mark.parametrize("status", [Programme.Status.DRAFT, Programme.Status.CLOSED])
def test_applying_to_a_programme_that_is_not_open_is_refused(
    status, social_worker, household, programme
):
    Programme.objects.filter(pk=programme.pk).update(status=status)
    programme.refresh_from_db()

    with pytest.raises(LendingError) as refused:
        workflow.apply_for_programme(household=household, programme=programme, by=social_worker)

    assert "not open for enrolment" in refused.value.message
    assert not Enrolment.objects.exists()
    assert not Enrolment.history.exists()


def test_applying_to_a_programme_of_other_partner_structures_is_refused(
    social_worker, household, coordinator
):
    elsewhere = ProgrammeFactory(coordinators=[coordinator], structures=[StructureFactory()])

    with pytest.raises(LendingError) as refused:
        workflow.apply_for_programme(household=household, programme=elsewhere, by=social_worker)

    assert "is not a partner of" in refused.value.message
    assert household.structure.name in refused.value.message
    assert not Enrolment.objects.exists()


def test_a_social_worker_of_two_structures_cannot_use_one_partnership_for_the_other(
    social_worker, household, coordinator
):
    # The worker belongs to a partner structure, but the household is of another one.
    partner = StructureFactory(members=[social_worker])
    programme = ProgrammeFactory(coordinators=[coordinator], structures=[partner])

    with pytest.raises(LendingError, match="is not a partner of"):
        workflow.apply_for_programme(household=household, programme=programme, by=social_worker)

    assert not Enrolment.objects.exists()


def test_applying_twice_is_refused(social_worker, household, programme):
    workflow.apply_for_programme(household=household, programme=programme, by=social_worker)

    with pytest.raises(LendingError) as refused:
        workflow.apply_for_programme(household=household, programme=programme, by=social_worker)

    assert household.code in refused.value.message
    assert "already has an application" in refused.value.message
    assert Enrolment.objects.count() == 1
    assert Enrolment.history.count() == 1


def test_a_household_may_apply_again_after_a_rejection(
    social_worker, coordinator, household, programme
):
    first = workflow.apply_for_programme(household=household, programme=programme, by=social_worker)
    workflow.reject_enrolment(enrolment=first, by=coordinator, reason="Not in the area")

    second = workflow.apply_for_programme(
        household=household, programme=programme, by=social_worker
    )

    assert second.status == E.APPLIED
    assert Enrolment.objects.count() == 2


def test_a_social_worker_cannot_apply_for_another_structures_household(social_worker, programme):
    stranger = HouseholdFactory()
    programme.structures.add(stranger.structure)

    with pytest.raises(LendingError, match="your own structure"):
        workflow.apply_for_programme(household=stranger, programme=programme, by=social_worker)

    assert not Enrolment.objects.exists()


def test_a_technician_cannot_apply(technician, household, programme):
    with pytest.raises(PermissionRefused, match="Your role may not"):
        workflow.apply_for_programme(household=household, programme=programme, by=technician)

    assert not Enrolment.objects.exists()


# Eligibility


@pytest.fixture
def criteria():
    return [Criterion.objects.create(name=name) for name in ("RSA", "QPV resident", "AAH")]


def test_marking_eligible_stores_the_criteria_met(coordinator, programme, criteria):
    programme.criteria.set(criteria[:2])
    programme.min_criteria = 2
    programme.save()
    enrolment = enrolment_in(programme, E.APPLIED)

    workflow.mark_eligible(
        enrolment=enrolment, by=coordinator, criteria=criteria, note="Checked the CAF letter"
    )

    enrolment.refresh_from_db()
    assert enrolment.status == E.ELIGIBLE
    assert enrolment.decided_at is not None
    # Only the programme's own criteria count, and are kept.
    assert set(enrolment.criteria_met.all()) == set(criteria[:2])
    assert history_notes(enrolment)[0] == "Checked the CAF letter"


def test_marking_eligible_without_criteria_given_takes_the_households_situations(
    coordinator, programme, criteria
):
    programme.criteria.set(criteria)
    enrolment = enrolment_in(programme, E.APPLIED)
    enrolment.household.situations.set([criteria[2]])

    workflow.mark_eligible(enrolment=enrolment, by=coordinator)

    assert list(enrolment.criteria_met.all()) == [criteria[2]]


def test_too_few_criteria_is_refused_with_the_counts(coordinator, programme, criteria):
    programme.criteria.set(criteria)
    programme.min_criteria = 2
    programme.save()
    enrolment = enrolment_in(programme, E.APPLIED)
    before = state(programme)

    with pytest.raises(LendingError) as refused:
        workflow.mark_eligible(enrolment=enrolment, by=coordinator, criteria=criteria[:1])

    assert "meets 1 of the programme's criteria, 2 needed" in refused.value.message
    assert enrolment.household.code in refused.value.message
    assert state(programme) == before
    assert not enrolment.criteria_met.exists()


def test_marking_a_rejected_application_eligible_says_what_it_is(coordinator, programme):
    enrolment = enrolment_in(programme, E.REJECTED)

    with pytest.raises(LendingError) as refused:
        workflow.mark_eligible(enrolment=enrolment, by=coordinator, criteria=[])

    assert "cannot be done while it is “Rejected”" in refused.value.message
    enrolment.refresh_from_db()
    assert enrolment.status == E.REJECTED


def test_a_stale_page_is_told_someone_else_changed_it(coordinator, programme):
    enrolment = enrolment_in(programme, E.APPLIED)
    Enrolment.objects.filter(pk=enrolment.pk).update(status=E.REJECTED)

    with pytest.raises(LendingError, match="changed by someone else"):
        workflow.mark_eligible(enrolment=enrolment, by=coordinator, criteria=[])


# Who decides


DECISIONS = {
    "mark_eligible": lambda e, by: workflow.mark_eligible(enrolment=e, by=by, criteria=[]),
    "enrol": lambda e, by: workflow.enrol_household(enrolment=e, by=by),
    "reject": lambda e, by: workflow.reject_enrolment(enrolment=e, by=by, reason="No"),
    "waitlist": lambda e, by: workflow.waitlist_household(enrolment=e, by=by),
    "complete": lambda e, by: workflow.complete_enrolment(enrolment=e, by=by),
}
STARTING = {
    "mark_eligible": E.APPLIED,
    "enrol": E.ELIGIBLE,
    "reject": E.APPLIED,
    "waitlist": E.ELIGIBLE,
    "complete": E.ENROLLED,
}


@pytest.mark.parametrize("decision", DECISIONS)
def test_a_coordinator_who_does_not_coordinate_the_programme_cannot_decide(decision, programme):
    outsider = UserFactory(role=Role.COORDINATOR)
    enrolment = enrolment_in(programme, STARTING[decision])
    before = state(programme)

    with pytest.raises(LendingError, match="Only the coordinators of this programme"):
        DECISIONS[decision](enrolment, outsider)

    assert state(programme) == before


@pytest.mark.parametrize("decision", DECISIONS)
def test_a_social_worker_cannot_decide(decision, social_worker, programme):
    enrolment = enrolment_in(programme, STARTING[decision])
    before = state(programme)

    with pytest.raises(PermissionRefused, match="Your role may not"):
        DECISIONS[decision](enrolment, social_worker)

    assert state(programme) == before


# Places and the waiting list


def test_enrolling_an_eligible_household_takes_a_place(coordinator, programme):
    enrolment = enrolment_in(programme, E.ELIGIBLE)

    workflow.enrol_household(enrolment=enrolment, by=coordinator, note="Welcome")

    enrolment.refresh_from_db()
    assert enrolment.status == E.ENROLLED
    assert enrolment.enrolled_at is not None
    assert workflow.places_taken(programme) == 1
    assert workflow.places_left(programme) == 1
    assert history_notes(enrolment)[0] == "Welcome"


def test_enrolling_into_a_full_programme_is_refused_and_writes_nothing(coordinator, programme):
    fill(programme)
    enrolment = enrolment_in(programme, E.ELIGIBLE)
    before = state(programme)

    with pytest.raises(LendingError) as refused:
        workflow.enrol_household(enrolment=enrolment, by=coordinator)

    assert "is full (2 households)" in refused.value.message
    assert enrolment.household.code in refused.value.message
    assert state(programme) == before
    assert workflow.places_left(programme) == 0


def test_waitlist_positions_are_first_come_first_served(coordinator, programme):
    fill(programme)
    first, second, third = (enrolment_in(programme, E.ELIGIBLE) for _ in range(3))

    for enrolment in (first, second, third):
        workflow.waitlist_household(enrolment=enrolment, by=coordinator)

    waiting = list(programme.enrolments.waitlist())
    assert waiting == [first, second, third]
    assert [e.waitlist_position for e in waiting] == [1, 2, 3]


def test_waitlisting_is_refused_while_places_are_left(coordinator, programme):
    enrolment = enrolment_in(programme, E.ELIGIBLE)
    before = state(programme)

    with pytest.raises(LendingError, match="2 places are left"):
        workflow.waitlist_household(enrolment=enrolment, by=coordinator)

    assert state(programme) == before


@pytest.fixture
def waiting(coordinator, programme):
    """A full programme with four households on its waiting list, in order."""
    fill(programme)
    entries = [enrolment_in(programme, E.ELIGIBLE) for _ in range(4)]
    for enrolment in entries:
        workflow.waitlist_household(enrolment=enrolment, by=coordinator)
    return entries


def positions(programme):
    return [(e.pk, e.waitlist_position) for e in programme.enrolments.waitlist()]


def test_moving_on_the_waiting_list_reorders_and_positions_stay_one_to_n(
    coordinator, programme, waiting
):
    a, b, c, d = waiting

    workflow.move_on_waitlist(enrolment=d, by=coordinator, position=2)

    assert positions(programme) == [(a.pk, 1), (d.pk, 2), (b.pk, 3), (c.pk, 4)]
    assert history_notes(d)[0] == "Moved to position 2 on the waiting list"


def test_moving_to_the_front_makes_it_the_next_to_get_a_place(coordinator, programme, waiting):
    a, b, c, d = waiting

    workflow.move_on_waitlist(enrolment=c, by=coordinator, position="1")

    assert positions(programme) == [(c.pk, 1), (a.pk, 2), (b.pk, 3), (d.pk, 4)]


def test_moving_beyond_the_end_puts_it_last(coordinator, programme, waiting):
    a, b, c, d = waiting

    workflow.move_on_waitlist(enrolment=a, by=coordinator, position=99)

    assert positions(programme) == [(b.pk, 1), (c.pk, 2), (d.pk, 3), (a.pk, 4)]


@pytest.mark.parametrize("position", ["0", "-3", "second", "", None, "1.5"])
def test_moving_to_something_that_is_not_a_position_is_refused(
    position, coordinator, programme, waiting
):
    before = state(programme)

    with pytest.raises(LendingError, match="is not a position on the waiting list"):
        workflow.move_on_waitlist(enrolment=waiting[1], by=coordinator, position=position)

    assert state(programme) == before


def test_moving_a_household_that_is_not_waiting_is_refused(coordinator, programme, waiting):
    enrolled = programme.enrolments.filter(status=E.ENROLLED).first()
    before = state(programme)

    with pytest.raises(LendingError, match="not on the waiting list"):
        workflow.move_on_waitlist(enrolment=enrolled, by=coordinator, position=1)

    assert state(programme) == before


def assert_first_waiting_was_promoted(programme, waiting, mailoutbox):
    a, b, c, d = waiting
    a.refresh_from_db()
    assert a.status == E.ENROLLED
    assert a.waitlist_position is None
    assert a.enrolled_at is not None
    assert history_notes(a)[0] == "A place was freed: enrolled from the waiting list."
    assert workflow.places_left(programme) == 0
    assert positions(programme) == [(b.pk, 1), (c.pk, 2), (d.pk, 3)]
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [a.household.social_worker.email]
    assert a.household.code in message.subject
    assert a.household.code in message.body
    # The e-mail names the household by its code only.
    assert a.household.last_name not in message.body


def test_withdrawing_an_enrolled_household_promotes_the_first_waitlisted(
    social_worker, programme, waiting, mailoutbox, django_capture_on_commit_callbacks
):
    leaving = programme.enrolments.filter(status=E.ENROLLED).first()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw_enrolment(enrolment=leaving, by=social_worker, reason="Moved away")

    leaving.refresh_from_db()
    assert leaving.status == E.WITHDRAWN
    assert leaving.reason == "Moved away"
    assert_first_waiting_was_promoted(programme, waiting, mailoutbox)


def test_completing_an_enrolled_household_promotes_the_first_waitlisted(
    coordinator, programme, waiting, mailoutbox, django_capture_on_commit_callbacks
):
    leaving = programme.enrolments.filter(status=E.ENROLLED).first()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.complete_enrolment(enrolment=leaving, by=coordinator, note="Six workshops")

    leaving.refresh_from_db()
    assert leaving.status == E.COMPLETED
    assert_first_waiting_was_promoted(programme, waiting, mailoutbox)


def test_the_reordered_waiting_list_decides_who_is_promoted(
    coordinator, programme, waiting, django_capture_on_commit_callbacks
):
    workflow.move_on_waitlist(enrolment=waiting[2], by=coordinator, position=1)
    leaving = programme.enrolments.filter(status=E.ENROLLED).first()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.complete_enrolment(enrolment=leaving, by=coordinator)

    waiting[2].refresh_from_db()
    assert waiting[2].status == E.ENROLLED
    waiting[0].refresh_from_db()
    assert (waiting[0].status, waiting[0].waitlist_position) == (E.WAITLISTED, 1)


def test_a_mail_server_that_is_down_does_not_undo_the_promotion(
    coordinator, programme, waiting, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(workflow, "send_mail", down)
    leaving = programme.enrolments.filter(status=E.ENROLLED).first()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.complete_enrolment(enrolment=leaving, by=coordinator)

    waiting[0].refresh_from_db()
    assert waiting[0].status == E.ENROLLED


def test_withdrawing_a_waitlisted_household_frees_no_place_and_closes_the_gap(
    social_worker, programme, waiting, mailoutbox, django_capture_on_commit_callbacks
):
    a, b, c, d = waiting

    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw_enrolment(enrolment=b, by=social_worker, reason="Found a computer")

    assert positions(programme) == [(a.pk, 1), (c.pk, 2), (d.pk, 3)]
    assert workflow.places_left(programme) == 0
    assert mailoutbox == []


def test_rejecting_needs_a_reason(coordinator, programme):
    enrolment = enrolment_in(programme, E.APPLIED)
    before = state(programme)

    with pytest.raises(LendingError, match="Say why the application is rejected"):
        workflow.reject_enrolment(enrolment=enrolment, by=coordinator, reason="   ")

    assert state(programme) == before


def test_rejecting_records_the_reason(coordinator, programme):
    enrolment = enrolment_in(programme, E.APPLIED)

    workflow.reject_enrolment(enrolment=enrolment, by=coordinator, reason=" Lives outside ")

    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.reason) == (E.REJECTED, "Lives outside")
    assert history_notes(enrolment)[0] == "Lives outside"


def test_rejecting_a_waitlisted_household_closes_the_gap(coordinator, programme, waiting):
    a, b, c, d = waiting

    workflow.reject_enrolment(enrolment=a, by=coordinator, reason="No longer eligible")

    assert positions(programme) == [(b.pk, 1), (c.pk, 2), (d.pk, 3)]


def test_withdrawing_needs_a_reason(social_worker, programme):
    enrolment = enrolment_in(programme, E.ENROLLED)
    before = state(programme)

    with pytest.raises(LendingError, match="Say why the household leaves"):
        workflow.withdraw_enrolment(enrolment=enrolment, by=social_worker, reason="")

    assert state(programme) == before


@pytest.mark.parametrize(
    "loan_status", [Loan.Status.REQUESTED, Loan.Status.APPROVED, Loan.Status.ACTIVE]
)
def test_withdrawing_with_a_loan_in_progress_is_refused(loan_status, social_worker, programme):
    enrolment = enrolment_in(programme, E.ENROLLED)
    LoanFactory(enrolment=enrolment, status=loan_status)
    before = state(programme)

    with pytest.raises(LendingError) as refused:
        workflow.withdraw_enrolment(enrolment=enrolment, by=social_worker, reason="Moved away")

    assert "still has a loan in progress" in refused.value.message
    assert enrolment.household.code in refused.value.message
    assert state(programme) == before


def test_completing_with_a_loan_in_progress_is_refused(coordinator, programme):
    enrolment = enrolment_in(programme, E.ENROLLED)
    LoanFactory(enrolment=enrolment, status=Loan.Status.ACTIVE)
    before = state(programme)

    with pytest.raises(LendingError, match="still has a loan in progress"):
        workflow.complete_enrolment(enrolment=enrolment, by=coordinator)

    assert state(programme) == before


def test_withdrawing_after_the_loan_came_back_is_allowed(social_worker, programme):
    enrolment = enrolment_in(programme, E.ENROLLED)
    LoanFactory(enrolment=enrolment, status=Loan.Status.RETURNED)

    workflow.withdraw_enrolment(enrolment=enrolment, by=social_worker, reason="Done")

    enrolment.refresh_from_db()
    assert enrolment.status == E.WITHDRAWN


def test_a_social_worker_cannot_withdraw_another_structures_household(social_worker, programme):
    other = ProgrammeFactory(structures=[StructureFactory()])
    enrolment = enrolment_in(other, E.ENROLLED)
    before = state(other)

    with pytest.raises(LendingError, match="your own structure"):
        workflow.withdraw_enrolment(enrolment=enrolment, by=social_worker, reason="Moved away")

    assert state(other) == before

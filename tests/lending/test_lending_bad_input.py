"""Whatever people type, the lending services either do it or refuse with a sentence
(LendingError, ValidationError): never another exception, never half of it written.

Each example runs in a savepoint rolled back at its end, so that examples do not see
each other's writes while the fixtures are built once per test.
"""

import datetime
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from inventory.models import Device, Status
from lending.enrolments import workflow as enrolment_workflow
from lending.households.services import register_household
from lending.loans import workflow as loan_workflow
from lending.models import (
    Enrolment,
    Household,
    Loan,
    LoanDevice,
    LoanExtension,
    Return,
    SimCard,
)
from lending.states import LendingError
from tests.factories import DeviceFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    ProgrammeFactory,
    SimCardFactory,
    StructureFactory,
)

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REFUSED = (LendingError, ValidationError)
TODAY = timezone.localdate()

TEXT = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "",
            "   ",
            "\x00",
            "Moved\x00away",
            "\r\n\t",
            "😀📦",
            "<script>alert(1)</script>",
            "'; DROP TABLE lending_loan; --",
            "%(household)s %s {0}",
            "é" * 20_000,
        ]
    ),
)
DATES = st.one_of(st.none(), st.dates())
POSITIONS = st.one_of(
    TEXT,
    st.integers(),
    st.none(),
    st.floats(allow_nan=True),
    st.sampled_from(["1", " 2 ", "-1", "0", "9" * 5000, "1e3"]),
)


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def snapshot():
    """Every row a lending service may write, to compare before and after a refusal."""
    return (
        sorted(Loan.objects.values_list("pk", "status", "starts_on", "due_on", "sim_id")),
        sorted(LoanDevice.objects.values_list("pk", "active", "condition", "decision")),
        sorted(Device.objects.values_list("pk", "status")),
        sorted(SimCard.objects.values_list("pk", "status")),
        sorted(Enrolment.objects.values_list("pk", "status", "waitlist_position", "reason")),
        Household.objects.count(),
        LoanExtension.objects.count(),
        Return.objects.count(),
        Loan.history.count(),
        Enrolment.history.count(),
        Device.history.count(),
        SimCard.history.count(),
    )


def attempt(action):
    """Run `action`; True if it succeeded, False if refused with nothing written."""
    before = snapshot()
    try:
        action()
    except REFUSED:
        assert snapshot() == before
        return False
    return True


@pytest.fixture
def programme(coordinator, social_worker):
    structure = StructureFactory(members=[social_worker])
    return ProgrammeFactory(coordinators=[coordinator], structures=[structure], capacity=1)


def enrolment_in(programme, status, **fields):
    household = HouseholdFactory(structure=programme.structures.first())
    return EnrolmentFactory(household=household, programme=programme, status=status, **fields)


@pytest.fixture
def waitlist(programme):
    enrolment_in(programme, Enrolment.Status.ENROLLED)
    entries = [
        enrolment_in(programme, Enrolment.Status.WAITLISTED, waitlist_position=n) for n in (1, 2, 3)
    ]
    return [e.pk for e in entries]


@pytest.fixture
def requested(programme, social_worker):
    enrolment = enrolment_in(programme, Enrolment.Status.ENROLLED)
    loan = loan_workflow.request_loan(enrolment=enrolment, by=social_worker)
    devices = [DeviceFactory(status=Status.READY) for _ in range(2)]
    return loan.pk, [d.pk for d in devices], SimCardFactory().pk


@pytest.fixture
def lent(requested, coordinator, technician):
    loan_pk, device_pks, sim_pk = requested
    loan_workflow.approve_loan(
        loan=Loan.objects.get(pk=loan_pk),
        by=coordinator,
        devices=Device.objects.filter(pk__in=device_pks),
        starts_on=TODAY,
        due_on=TODAY + datetime.timedelta(days=90),
        sim=SimCard.objects.get(pk=sim_pk),
    )
    loan_workflow.hand_over_loan(loan=Loan.objects.get(pk=loan_pk), by=technician, signed_on=TODAY)
    return loan_pk, device_pks


# Reasons and notes


@FUZZ
@given(reason=TEXT)
@example(reason="\x00")
def test_any_rejection_reason_is_kept_trimmed_or_refused(reason, programme, coordinator):
    with rolled_back():
        enrolment = enrolment_in(programme, Enrolment.Status.APPLIED)

        done = attempt(
            lambda: enrolment_workflow.reject_enrolment(
                enrolment=enrolment, by=coordinator, reason=reason
            )
        )

        enrolment.refresh_from_db()
        if done:
            assert enrolment.status == Enrolment.Status.REJECTED
            assert enrolment.reason and "\x00" not in enrolment.reason
            assert enrolment.reason == enrolment.reason.strip()
        else:
            assert enrolment.status == Enrolment.Status.APPLIED


@FUZZ
@given(reason=TEXT, note=TEXT)
def test_any_withdrawal_reason_and_application_note_are_kept_or_refused(
    reason, note, programme, social_worker
):
    with rolled_back():
        household = HouseholdFactory(structure=programme.structures.first())
        enrolment = enrolment_workflow.apply_for_programme(
            household=household, programme=programme, by=social_worker, note=note
        )

        done = attempt(
            lambda: enrolment_workflow.withdraw_enrolment(
                enrolment=enrolment, by=social_worker, reason=reason
            )
        )

        enrolment.refresh_from_db()
        expected = Enrolment.Status.WITHDRAWN if done else Enrolment.Status.APPLIED
        assert enrolment.status == expected


@FUZZ
@given(position=POSITIONS)
@example(position="9" * 5000)
@example(position=float("nan"))
def test_any_waitlist_position_moves_the_household_or_is_refused(
    position, programme, coordinator, waitlist
):
    with rolled_back():
        enrolment = Enrolment.objects.get(pk=waitlist[1])

        attempt(
            lambda: enrolment_workflow.move_on_waitlist(
                enrolment=enrolment, by=coordinator, position=position
            )
        )

        waiting = list(programme.enrolments.waitlist())
        assert sorted(e.pk for e in waiting) == sorted(waitlist)
        assert [e.waitlist_position for e in waiting] == [1, 2, 3]


# Dates in any order


@FUZZ
@given(starts_on=DATES, due_on=DATES)
@example(starts_on=datetime.date.max, due_on=None)
@example(starts_on=TODAY, due_on=TODAY)
def test_approving_with_any_dates_reserves_everything_or_nothing(
    starts_on, due_on, requested, coordinator
):
    loan_pk, device_pks, sim_pk = requested
    with rolled_back():
        loan = Loan.objects.get(pk=loan_pk)

        done = attempt(
            lambda: loan_workflow.approve_loan(
                loan=loan,
                by=coordinator,
                devices=Device.objects.filter(pk__in=device_pks),
                starts_on=starts_on,
                due_on=due_on,
                sim=SimCard.objects.get(pk=sim_pk),
            )
        )

        loan.refresh_from_db()
        reserved = Device.objects.filter(pk__in=device_pks, status=Status.RESERVED).count()
        if done:
            assert loan.status == Loan.Status.APPROVED
            assert loan.starts_on < loan.due_on
            assert reserved == 2
        else:
            assert (loan.status, reserved) == (Loan.Status.REQUESTED, 0)


@FUZZ
@given(due_on=DATES, reason=TEXT)
@example(due_on=datetime.date.min, reason="Exams")
@example(due_on=datetime.date.max, reason="Exams")
def test_extending_to_any_date_with_any_reason_extends_or_is_refused(
    due_on, reason, lent, coordinator
):
    loan_pk, _devices = lent
    with rolled_back():
        loan = Loan.objects.get(pk=loan_pk)
        previous = loan.due_on

        done = attempt(
            lambda: loan_workflow.extend_loan(
                loan=loan, by=coordinator, due_on=due_on, reason=reason
            )
        )

        loan.refresh_from_db()
        if done:
            assert loan.due_on == due_on > previous
            assert LoanExtension.objects.get().reason == loan.history.first().history_change_reason
        else:
            assert loan.due_on == previous


@FUZZ
@given(signed_on=DATES, accessories=st.lists(TEXT, max_size=3), note=TEXT)
def test_handing_over_with_any_date_and_accessories_lends_or_is_refused(
    signed_on, accessories, note, requested, coordinator, technician
):
    loan_pk, device_pks, _sim = requested
    with rolled_back():
        loan_workflow.approve_loan(
            loan=Loan.objects.get(pk=loan_pk),
            by=coordinator,
            devices=Device.objects.filter(pk__in=device_pks),
            starts_on=TODAY,
        )
        loan = Loan.objects.get(pk=loan_pk)

        done = attempt(
            lambda: loan_workflow.hand_over_loan(
                loan=loan, by=technician, signed_on=signed_on, accessories=accessories, note=note
            )
        )

        lent = Device.objects.filter(pk__in=device_pks, status=Status.LENT).count()
        assert lent == (2 if done else 0)


# Returns


CONDITIONS = st.one_of(
    st.sampled_from(LoanDevice.Condition.values), TEXT, st.tuples(TEXT, TEXT), st.none()
)


@FUZZ
@given(first=CONDITIONS, second=CONDITIONS, notes=TEXT)
@example(first=("good", "\x00"), second=("missing", ""), notes="\x00")
def test_inspecting_with_any_conditions_records_the_return_or_nothing(
    first, second, notes, lent, technician
):
    loan_pk, device_pks = lent
    with rolled_back():
        loan = Loan.objects.get(pk=loan_pk)

        done = attempt(
            lambda: loan_workflow.inspect_return(
                loan=loan,
                by=technician,
                conditions={device_pks[0]: first, device_pks[1]: second},
                notes=notes,
            )
        )

        loan.refresh_from_db()
        assert loan.status == (Loan.Status.RETURNED if done else Loan.Status.ACTIVE)
        assert Return.objects.exists() == done


@pytest.fixture
def inspected(lent, technician):
    loan_pk, device_pks = lent
    loan_workflow.inspect_return(
        loan=Loan.objects.get(pk=loan_pk),
        by=technician,
        conditions={device_pks[0]: "good", device_pks[1]: "missing"},
        sim_back=True,
    )
    return lent


@FUZZ
@given(first=TEXT | st.sampled_from(LoanDevice.Decision.values), note=TEXT)
def test_reviewing_with_any_decision_and_note_decides_or_changes_nothing(
    first, note, inspected, coordinator
):
    loan_pk, device_pks = inspected
    with rolled_back():
        loan = Loan.objects.get(pk=loan_pk)

        done = attempt(
            lambda: loan_workflow.review_return(
                loan=loan,
                by=coordinator,
                decisions={device_pks[0]: first, device_pks[1]: "lost"},
                note=note,
            )
        )

        record = Return.objects.get(loan_id=loan_pk)
        assert (record.reviewed_at is not None) == done
        if done:
            assert Device.objects.get(pk=device_pks[0]).status in {Status.WIPING, Status.RECYCLED}


# Households


@FUZZ
@given(
    first_name=TEXT,
    postcode=TEXT | st.sampled_from(["62700", "6270", "627000"]),
    size=st.integers(min_value=-(2**40), max_value=2**40),
    children=st.integers(min_value=-5, max_value=40),
)
@example(first_name="Samira", postcode="62700", size=3, children=1)
def test_registering_any_household_details_saves_it_or_says_what_is_wrong(
    first_name, postcode, size, children, programme, social_worker
):
    structure = programme.structures.first()
    with rolled_back():
        done = attempt(
            lambda: register_household(
                by=social_worker,
                first_name=first_name,
                last_name="Benali",
                postcode=postcode,
                commune="Bruay-La-Buissière",
                size=size,
                school_age_children=children,
                structure=structure,
            )
        )

        assert Household.objects.filter(last_name="Benali").exists() == done

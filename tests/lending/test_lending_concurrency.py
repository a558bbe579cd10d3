"""Two coordinators click at once: the database lets exactly one of them have the last
place, the device, or the SIM card.

These tests need real row locks and concurrent connections, so PostgreSQL only (the
`postgres` marker); the same rules without threads are in test_enrolment_workflow.py and
test_loan_workflow.py. A transactional test's flush empties the role groups: the
`coordinator` fixture (through `roles`) puts them back.
"""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.roles import Role
from inventory.models import Device, Status
from lending.enrolments import workflow as enrolment_workflow
from lending.loans import workflow as loan_workflow
from lending.models import Enrolment, Loan, LoanDevice, SimCard
from lending.states import LendingError
from tests import races
from tests.factories import DeviceFactory, UserFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    ProgrammeFactory,
    SimCardFactory,
    StructureFactory,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]
E = Enrolment.Status
TODAY = timezone.localdate()


def race(clicks):
    """The outcome of each click, in order: "won" or the exception raised."""
    return [outcome if isinstance(outcome, Exception) else "won" for outcome in races.race(clicks)]


def one_winner(outcomes):
    winners = [i for i, outcome in enumerate(outcomes) if outcome == "won"]
    losers = [outcome for outcome in outcomes if outcome != "won"]
    assert len(winners) == 1, outcomes
    assert all(isinstance(error, LendingError) for error in losers), outcomes
    return winners[0], losers


@pytest.fixture
def two_coordinators(coordinator):
    return [coordinator, UserFactory(role=Role.COORDINATOR)]


@pytest.fixture
def programme(two_coordinators, social_worker):
    structure = StructureFactory(members=[social_worker])
    return ProgrammeFactory(coordinators=two_coordinators, structures=[structure], capacity=2)


def enrolment_in(programme, status):
    household = HouseholdFactory(structure=programme.structures.first())
    return EnrolmentFactory(
        household=household, programme=programme, status=status, enrolled_at=None
    )


def fresh(model, pk):
    return model.objects.get(pk=pk)


def test_two_coordinators_enrolling_into_the_last_place_at_once_only_one_gets_it(
    programme, two_coordinators
):
    enrolment_in(programme, E.ENROLLED)
    candidates = [enrolment_in(programme, E.ELIGIBLE) for _ in range(2)]

    def click(enrolment, user):
        def prepare():
            # Each coordinator loaded the enrolment's page before either clicked.
            seen, by = fresh(Enrolment, enrolment.pk), fresh(get_user_model(), user.pk)
            return lambda: enrolment_workflow.enrol_household(enrolment=seen, by=by)

        return prepare

    outcomes = race([click(e, u) for e, u in zip(candidates, two_coordinators, strict=True)])

    winner, losers = one_winner(outcomes)
    assert "is full" in losers[0].message
    statuses = [fresh(Enrolment, e.pk).status for e in candidates]
    assert statuses[winner] == E.ENROLLED
    assert statuses[1 - winner] == E.ELIGIBLE
    assert programme.enrolments.filter(status=E.ENROLLED).count() == 2
    loser = candidates[1 - winner]
    assert loser.history.count() == 1


def test_two_coordinators_waitlisting_at_once_get_different_positions(programme, two_coordinators):
    for _ in range(2):
        enrolment_in(programme, E.ENROLLED)
    candidates = [enrolment_in(programme, E.ELIGIBLE) for _ in range(2)]

    def click(enrolment, user):
        def prepare():
            seen, by = fresh(Enrolment, enrolment.pk), fresh(get_user_model(), user.pk)
            return lambda: enrolment_workflow.waitlist_household(enrolment=seen, by=by)

        return prepare

    outcomes = race([click(e, u) for e, u in zip(candidates, two_coordinators, strict=True)])

    assert outcomes == ["won", "won"]
    positions = sorted(fresh(Enrolment, e.pk).waitlist_position for e in candidates)
    assert positions == [1, 2]


@pytest.fixture
def two_loans(programme, social_worker):
    loans = []
    for _ in range(2):
        enrolment = enrolment_in(programme, E.ENROLLED)
        loans.append(loan_workflow.request_loan(enrolment=enrolment, by=social_worker))
    return loans


def approve_click(loan, user, device_pks, sim_pk=None):
    def prepare():
        seen = fresh(Loan, loan.pk)
        devices = list(Device.objects.filter(pk__in=device_pks))
        sim = fresh(SimCard, sim_pk) if sim_pk else None
        by = fresh(get_user_model(), user.pk)
        return lambda: loan_workflow.approve_loan(
            loan=seen, by=by, devices=devices, starts_on=TODAY, sim=sim
        )

    return prepare


def test_two_coordinators_approving_two_loans_with_the_same_device_only_one_gets_it(
    two_loans, two_coordinators
):
    device = DeviceFactory(status=Status.READY)
    history_before = device.history.count()

    outcomes = race(
        [
            approve_click(loan, user, [device.pk])
            for loan, user in zip(two_loans, two_coordinators, strict=True)
        ]
    )

    winner, losers = one_winner(outcomes)
    assert device.asset_tag in losers[0].message
    device.refresh_from_db()
    assert device.status == Status.RESERVED
    assert device.history.count() == history_before + 1
    item = LoanDevice.objects.get(device=device, active=True)
    assert item.loan_id == two_loans[winner].pk
    statuses = [fresh(Loan, loan.pk).status for loan in two_loans]
    assert statuses[winner] == Loan.Status.APPROVED
    assert statuses[1 - winner] == Loan.Status.REQUESTED
    assert not LoanDevice.objects.filter(loan=two_loans[1 - winner]).exists()


def test_two_coordinators_approving_two_loans_with_the_same_sim_only_one_gets_it(
    two_loans, two_coordinators
):
    devices = [DeviceFactory(status=Status.READY) for _ in two_loans]
    sim = SimCardFactory()

    outcomes = race(
        [
            approve_click(loan, user, [device.pk], sim_pk=sim.pk)
            for loan, user, device in zip(two_loans, two_coordinators, devices, strict=True)
        ]
    )

    winner, _losers = one_winner(outcomes)
    sim.refresh_from_db()
    assert sim.status == SimCard.Status.LENT
    assert list(Loan.objects.filter(sim=sim).values_list("pk", flat=True)) == [two_loans[winner].pk]
    # The loser's device was not kept reserved for nothing.
    assert fresh(Device, devices[1 - winner].pk).status == Status.READY

"""Loans: requested → approved (devices reserved) → active → returned, inspected and
reviewed; or cancelled, lost, or a gift. Devices move through the inventory's lifecycle."""

import datetime

import pytest
from django.utils import timezone

from accounts.refusals import PermissionRefused, Refused
from accounts.roles import Role
from inventory import workflow as inventory_workflow
from inventory.models import Category, Device
from inventory.models import Status as DeviceStatus
from lending.loans import workflow
from lending.models import Enrolment, Loan, LoanDevice, LoanExtension, Return, SimCard
from lending.states import LendingError
from tests.factories import DeviceFactory, DriveFactory, ErasureFactory, UserFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    ProgrammeFactory,
    SimCardFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
L = Loan.Status
TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=90)


@pytest.fixture
def programme(coordinator, structure):
    return ProgrammeFactory(coordinators=[coordinator], structures=[structure])


def enrolment_in(programme, status=Enrolment.Status.ENROLLED):
    household = HouseholdFactory(structure=programme.structures.first())
    return EnrolmentFactory(household=household, programme=programme, status=status)


@pytest.fixture
def enrolment(programme):
    return enrolment_in(programme)


@pytest.fixture
def loan(enrolment, social_worker):
    return workflow.request_loan(enrolment=enrolment, by=social_worker, note="For school work")


def ready(**fields):
    return DeviceFactory(status=DeviceStatus.READY, **fields)


@pytest.fixture
def laptop():
    return ready()


@pytest.fixture
def router():
    return ready(category=Category.ROUTER_4G, manufacturer="Huawei", model="B535")


@pytest.fixture
def sim():
    return SimCardFactory()


def statuses(*devices):
    return [Device.objects.get(pk=d.pk).status for d in devices]


def history_rows(*objects):
    return [o.history.count() for o in objects]


def approve(loan, by, devices, sim=None, starts_on=TODAY, due_on=LATER):
    return workflow.approve_loan(
        loan=loan, by=by, devices=devices, starts_on=starts_on, due_on=due_on, sim=sim
    )


@pytest.fixture
def approved(loan, coordinator, laptop, router, sim):
    return approve(loan, coordinator, [laptop, router], sim=sim)


@pytest.fixture
def active(approved, technician):
    return workflow.hand_over_loan(
        loan=approved, by=technician, signed_on=TODAY, accessories=["charger", "sim"]
    )


# Requesting


def test_a_social_worker_requests_a_loan_for_an_enrolled_household(enrolment, social_worker):
    loan = workflow.request_loan(enrolment=enrolment, by=social_worker, note=" School work ")

    loan.refresh_from_db()
    assert loan.status == L.REQUESTED
    assert (loan.household, loan.programme) == (enrolment.household, enrolment.programme)
    assert loan.requested_by == social_worker
    assert loan.request_note == "School work"
    assert loan.history.get().history_user == social_worker


@pytest.mark.parametrize(
    "status",
    [Enrolment.Status.APPLIED, Enrolment.Status.WAITLISTED, Enrolment.Status.WITHDRAWN],
)
def test_a_loan_for_a_household_that_is_not_enrolled_is_refused(status, programme, social_worker):
    enrolment = enrolment_in(programme, status)

    with pytest.raises(LendingError) as refused:
        workflow.request_loan(enrolment=enrolment, by=social_worker)

    assert "is not enrolled" in refused.value.message
    assert enrolment.household.code in refused.value.message
    assert not Loan.objects.exists()


def test_a_second_loan_while_one_is_open_is_refused(loan, enrolment, social_worker):
    with pytest.raises(LendingError, match="already has a loan in progress"):
        workflow.request_loan(enrolment=enrolment, by=social_worker)

    assert Loan.objects.count() == 1


def test_a_new_loan_may_be_requested_once_the_last_one_is_cancelled(loan, enrolment, social_worker):
    workflow.cancel_loan(loan=loan, by=social_worker, reason="Wrong household")

    again = workflow.request_loan(enrolment=enrolment, by=social_worker)

    assert again.status == L.REQUESTED


def test_a_social_worker_cannot_request_a_loan_for_another_structures_household(
    coordinator, social_worker
):
    elsewhere = enrolment_in(ProgrammeFactory(coordinators=[coordinator]))

    with pytest.raises(LendingError, match="households you follow"):
        workflow.request_loan(enrolment=elsewhere, by=social_worker)

    assert not Loan.objects.exists()


def test_a_technician_cannot_request_a_loan(enrolment, technician):
    with pytest.raises(PermissionRefused, match="Your role may not"):
        workflow.request_loan(enrolment=enrolment, by=technician)

    assert not Loan.objects.exists()


# Approving


def test_approving_reserves_each_device_through_the_inventory_workflow(
    loan, coordinator, laptop, router, sim
):
    approve(loan, coordinator, [laptop, router], sim=sim)

    loan.refresh_from_db()
    assert loan.status == L.APPROVED
    assert (loan.starts_on, loan.due_on, loan.sim) == (TODAY, LATER, sim)
    assert statuses(laptop, router) == [DeviceStatus.RESERVED, DeviceStatus.RESERVED]
    for device in (laptop, router):
        record = device.history.first()
        assert record.history_user == coordinator
        assert record.history_change_reason == f"Loan #{loan.pk} ({loan.household.code})"
    items = LoanDevice.objects.filter(loan=loan, active=True)
    assert {item.device_id for item in items} == {laptop.pk, router.pk}
    sim.refresh_from_db()
    assert sim.status == SimCard.Status.LENT
    assert sim.history.first().history_change_reason == f"Loan #{loan.pk} ({loan.household.code})"


def test_without_a_due_date_the_loan_lasts_the_programmes_default_length(loan, coordinator, laptop):
    workflow.approve_loan(loan=loan, by=coordinator, devices=[laptop], starts_on=TODAY)

    loan.refresh_from_db()
    assert loan.due_on == TODAY + datetime.timedelta(days=loan.programme.default_loan_days)


def test_the_same_device_picked_twice_is_reserved_once(loan, coordinator, laptop):
    approve(loan, coordinator, [laptop, laptop])

    assert loan.items.count() == 1
    assert statuses(laptop) == [DeviceStatus.RESERVED]


def assert_nothing_reserved(loan, devices, history_before, sim=None):
    loan.refresh_from_db()
    assert loan.status == L.REQUESTED
    assert (loan.starts_on, loan.due_on, loan.sim) == (None, None, None)
    assert loan.history.count() == 1
    assert not LoanDevice.objects.filter(loan=loan).exists()
    assert [Device.objects.get(pk=d.pk).history.count() for d in devices] == history_before
    if sim is not None:
        sim.refresh_from_db()
        assert sim.status == SimCard.Status.STOCK


@pytest.mark.parametrize(
    "fields",
    [
        {"status": DeviceStatus.REFURBISHING},
        {"status": DeviceStatus.SOLD},
        {"status": DeviceStatus.READY, "category": Category.DESKTOP},
    ],
    ids=["not-ready", "sold", "category-not-lent"],
)
def test_a_device_that_cannot_be_lent_is_named_and_nothing_is_reserved(
    fields, loan, coordinator, laptop, sim
):
    refused_device = DeviceFactory(**fields)
    before = history_rows(laptop, refused_device)

    with pytest.raises(LendingError) as refused:
        approve(loan, coordinator, [laptop, refused_device], sim=sim)

    assert refused_device.asset_tag in refused.value.message
    assert statuses(laptop, refused_device) == [DeviceStatus.READY, fields["status"]]
    assert_nothing_reserved(loan, [laptop, refused_device], before, sim=sim)


def test_a_device_already_in_another_loan_is_named_and_nothing_is_reserved(
    loan, programme, coordinator, laptop, social_worker
):
    taken = ready()
    seen_as_ready = Device.objects.get(pk=taken.pk)
    other = workflow.request_loan(enrolment=enrolment_in(programme), by=social_worker)
    approve(other, coordinator, [taken])
    before = history_rows(laptop, taken)

    # The page was loaded before the other loan took the device.
    with pytest.raises(LendingError) as refused:
        approve(loan, coordinator, [laptop, seen_as_ready])

    assert taken.asset_tag in refused.value.message
    assert statuses(laptop, taken) == [DeviceStatus.READY, DeviceStatus.RESERVED]
    assert LoanDevice.objects.filter(device=taken, active=True).get().loan == other
    assert_nothing_reserved(loan, [laptop, taken], before)


@pytest.mark.parametrize("days", [0, -1, -400])
def test_a_due_date_not_after_the_start_is_refused_naming_both_dates(
    days, loan, coordinator, laptop
):
    due_on = TODAY + datetime.timedelta(days=days)
    before = history_rows(laptop)

    with pytest.raises(LendingError) as refused:
        approve(loan, coordinator, [laptop], due_on=due_on)

    assert f"({due_on:%d/%m/%Y})" in refused.value.message
    assert f"({TODAY:%d/%m/%Y})" in refused.value.message
    assert_nothing_reserved(loan, [laptop], before)


def test_approving_without_devices_is_refused(loan, coordinator):
    with pytest.raises(LendingError, match="at least one device"):
        approve(loan, coordinator, [])

    assert_nothing_reserved(loan, [], [])


def test_approving_with_a_sim_card_already_lent_is_refused(loan, coordinator, laptop, sim):
    SimCard.objects.filter(pk=sim.pk).update(status=SimCard.Status.LENT)
    before = history_rows(laptop)

    with pytest.raises(LendingError, match="not in stock any more"):
        approve(loan, coordinator, [laptop], sim=sim)

    assert statuses(laptop) == [DeviceStatus.READY]
    assert_nothing_reserved(loan, [laptop], before)


def test_approving_a_sim_card_in_a_programme_that_lends_none_is_refused(
    loan, coordinator, laptop, sim
):
    loan.programme.lends_sim = False
    loan.programme.save()
    before = history_rows(laptop)

    with pytest.raises(LendingError, match="does not lend SIM cards"):
        approve(loan, coordinator, [laptop], sim=sim)

    assert_nothing_reserved(loan, [laptop], before, sim=sim)


def test_approving_the_loan_of_a_household_that_left_the_programme_is_refused(
    loan, coordinator, laptop
):
    Enrolment.objects.filter(pk=loan.enrolment_id).update(status=Enrolment.Status.WITHDRAWN)
    before = history_rows(laptop)

    with pytest.raises(LendingError, match="no longer enrolled"):
        approve(loan, coordinator, [laptop])

    assert_nothing_reserved(loan, [laptop], before)


def test_approving_twice_is_refused(approved, coordinator):
    other = ready()

    with pytest.raises(LendingError):
        approve(approved, coordinator, [other])

    assert statuses(other) == [DeviceStatus.READY]
    assert approved.items.count() == 2


@pytest.mark.parametrize(
    "who", ["technician", "social_worker", "other_coordinator"], ids=lambda w: w
)
def test_only_a_coordinator_of_the_programme_may_approve(who, loan, laptop, user_for):
    user = UserFactory(role=Role.COORDINATOR) if who == "other_coordinator" else user_for(who)
    before = history_rows(laptop)

    with pytest.raises(Refused):
        approve(loan, user, [laptop])

    assert_nothing_reserved(loan, [laptop], before)


# Handing over


def test_handing_over_lends_the_reserved_devices(approved, technician, laptop, router):
    signed_on = TODAY - datetime.timedelta(days=1)

    workflow.hand_over_loan(
        loan=approved, by=technician, signed_on=signed_on, accessories=["sim", "charger"]
    )

    approved.refresh_from_db()
    assert approved.status == L.ACTIVE
    assert approved.agreement_signed_on == signed_on
    assert approved.handed_over_at is not None
    assert approved.accessories_given == ["charger", "sim"]
    assert statuses(laptop, router) == [DeviceStatus.LENT, DeviceStatus.LENT]
    assert laptop.history.first().history_user == technician


@pytest.mark.parametrize(
    ("signed_on", "message"),
    [
        (None, "Record the date the loan agreement was signed"),
        (TODAY + datetime.timedelta(days=1), "cannot be signed in the future"),
    ],
)
def test_handing_over_needs_a_signature_date_that_is_not_in_the_future(
    signed_on, message, approved, technician, laptop
):
    with pytest.raises(LendingError, match=message):
        workflow.hand_over_loan(loan=approved, by=technician, signed_on=signed_on)

    approved.refresh_from_db()
    assert (approved.status, approved.agreement_signed_on) == (L.APPROVED, None)
    assert statuses(laptop) == [DeviceStatus.RESERVED]


def test_handing_over_an_unknown_accessory_is_refused(approved, technician, laptop):
    with pytest.raises(LendingError, match="Unknown accessories: umbrella"):
        workflow.hand_over_loan(
            loan=approved, by=technician, signed_on=TODAY, accessories=["charger", "umbrella"]
        )

    approved.refresh_from_db()
    assert approved.status == L.APPROVED
    assert statuses(laptop) == [DeviceStatus.RESERVED]


def test_a_social_worker_cannot_hand_over(approved, social_worker, laptop):
    with pytest.raises(PermissionRefused, match="Your role may not"):
        workflow.hand_over_loan(loan=approved, by=social_worker, signed_on=TODAY)

    approved.refresh_from_db()
    assert approved.status == L.APPROVED
    assert statuses(laptop) == [DeviceStatus.RESERVED]


def test_handing_over_a_loan_that_is_only_requested_says_so(loan, technician):
    with pytest.raises(LendingError, match="cannot be done while it is “Requested”"):
        workflow.hand_over_loan(loan=loan, by=technician, signed_on=TODAY)

    loan.refresh_from_db()
    assert loan.status == L.REQUESTED


def test_a_reserved_device_cannot_be_moved_away_from_its_loan(approved, coordinator, router):
    with pytest.raises(inventory_workflow.TransitionNotAllowed) as refused:
        inventory_workflow.transition_device(
            device=router, target=DeviceStatus.LOST, by=coordinator, note="Dropped"
        )

    assert f"loan #{approved.pk}" in refused.value.message
    router.refresh_from_db()
    assert router.status == DeviceStatus.RESERVED


def test_a_device_moved_away_since_the_approval_stops_the_hand_over(
    approved, technician, coordinator, laptop, router
):
    # Behind the loan's back (an admin's fix in the database): the hand-over says so.
    Device.objects.filter(pk=router.pk).update(status=DeviceStatus.LOST)

    with pytest.raises(LendingError):
        workflow.hand_over_loan(loan=approved, by=technician, signed_on=TODAY)

    approved.refresh_from_db()
    assert approved.status == L.APPROVED
    assert statuses(laptop, router) == [DeviceStatus.RESERVED, DeviceStatus.LOST]


# Extending


def test_extending_moves_the_due_date_with_its_reason(active, coordinator):
    new_due = LATER + datetime.timedelta(days=30)

    workflow.extend_loan(loan=active, by=coordinator, due_on=new_due, reason=" Exams in June ")

    active.refresh_from_db()
    assert active.due_on == new_due
    extension = LoanExtension.objects.get(loan=active)
    assert (extension.previous_due_on, extension.new_due_on) == (LATER, new_due)
    assert (extension.reason, extension.by) == ("Exams in June", coordinator)
    record = active.history.first()
    assert (record.history_change_reason, record.history_user) == ("Exams in June", coordinator)
    assert record.status == L.ACTIVE


@pytest.mark.parametrize("days", [0, -5])
def test_extending_to_a_date_not_after_the_current_one_is_refused(days, active, coordinator):
    before = history_rows(active)

    with pytest.raises(LendingError) as refused:
        workflow.extend_loan(
            loan=active,
            by=coordinator,
            due_on=LATER + datetime.timedelta(days=days),
            reason="Exams",
        )

    assert f"({LATER:%d/%m/%Y})" in refused.value.message
    active.refresh_from_db()
    assert active.due_on == LATER
    assert history_rows(active) == before
    assert not LoanExtension.objects.exists()


def test_extending_needs_a_reason(active, coordinator):
    with pytest.raises(LendingError, match="Say why the loan is extended"):
        workflow.extend_loan(
            loan=active, by=coordinator, due_on=LATER + datetime.timedelta(days=30), reason=""
        )

    active.refresh_from_db()
    assert active.due_on == LATER
    assert not LoanExtension.objects.exists()


def test_extending_a_loan_not_in_progress_is_refused(loan, coordinator):
    with pytest.raises(LendingError, match="Only a loan in progress"):
        workflow.extend_loan(loan=loan, by=coordinator, due_on=LATER, reason="Exams")

    assert not LoanExtension.objects.exists()


def test_a_social_worker_cannot_extend(active, social_worker):
    with pytest.raises(PermissionRefused, match="Your role may not"):
        workflow.extend_loan(
            loan=active,
            by=social_worker,
            due_on=LATER + datetime.timedelta(days=30),
            reason="Exams",
        )

    assert not LoanExtension.objects.exists()


# Cancelling


def test_cancelling_an_approved_loan_makes_its_devices_ready_and_its_sim_stock(
    approved, coordinator, laptop, router, sim
):
    workflow.cancel_loan(loan=approved, by=coordinator, reason="The family moved")

    approved.refresh_from_db()
    assert approved.status == L.CANCELLED
    assert approved.closed_at is not None
    assert approved.history.first().history_change_reason == "The family moved"
    assert statuses(laptop, router) == [DeviceStatus.READY, DeviceStatus.READY]
    # The reason may speak of the family: the workshop's device history names the loan only.
    reason = laptop.history.first().history_change_reason
    assert reason == f"Loan #{approved.pk} ({approved.household.code})"
    assert "The family moved" not in reason
    assert not approved.items.filter(active=True).exists()
    sim.refresh_from_db()
    assert sim.status == SimCard.Status.STOCK


def test_the_social_worker_who_asked_may_take_the_request_back(loan, social_worker):
    workflow.cancel_loan(loan=loan, by=social_worker, reason="Asked by mistake")

    loan.refresh_from_db()
    assert loan.status == L.CANCELLED


def test_another_social_worker_may_not_cancel_the_request(loan, structure):
    colleague = UserFactory(role=Role.SOCIAL_WORKER)
    structure.members.add(colleague)

    with pytest.raises(PermissionRefused, match="Your role may not"):
        workflow.cancel_loan(loan=loan, by=colleague, reason="Mistake")

    loan.refresh_from_db()
    assert loan.status == L.REQUESTED


def test_cancelling_needs_a_reason(approved, coordinator, laptop):
    with pytest.raises(LendingError, match="Say why the loan is cancelled"):
        workflow.cancel_loan(loan=approved, by=coordinator, reason="  ")

    approved.refresh_from_db()
    assert approved.status == L.APPROVED
    assert statuses(laptop) == [DeviceStatus.RESERVED]


def test_cancelling_a_loan_handed_over_is_refused(active, coordinator, laptop):
    with pytest.raises(LendingError, match="Only a loan not handed over yet"):
        workflow.cancel_loan(loan=active, by=coordinator, reason="Changed our mind")

    active.refresh_from_db()
    assert active.status == L.ACTIVE
    assert statuses(laptop) == [DeviceStatus.LENT]


def test_cancelling_from_a_stale_page_does_not_strand_the_devices(loan, coordinator, laptop, sim):
    seen_as_requested = Loan.objects.get(pk=loan.pk)
    approve(loan, coordinator, [laptop], sim=sim)

    with pytest.raises(LendingError, match="changed by someone else"):
        workflow.cancel_loan(loan=seen_as_requested, by=coordinator, reason="Duplicate")

    loan.refresh_from_db()
    assert loan.status == L.APPROVED
    assert statuses(laptop) == [DeviceStatus.RESERVED]
    assert loan.items.get().active


# Inspecting the return


def test_inspecting_records_what_came_back_and_a_missing_device_stays_lent(
    active, technician, laptop, router
):
    workflow.inspect_return(
        loan=active,
        by=technician,
        conditions={laptop.pk: ("worn", " Scratched lid "), router.pk: ("missing", "")},
        accessories_back=["charger"],
        sim_back=True,
        notes=" Came on foot ",
    )

    active.refresh_from_db()
    assert active.status == L.RETURNED
    record = Return.objects.get(loan=active)
    assert (record.inspected_by, record.sim_back) == (technician, True)
    assert (record.accessories_back, record.notes) == (["charger"], "Came on foot")
    assert record.reviewed_at is None
    assert statuses(laptop, router) == [DeviceStatus.RETURNED, DeviceStatus.LENT]
    item = active.items.get(device=laptop)
    assert (item.condition, item.inspection_note, item.active) == ("worn", "Scratched lid", True)
    assert active.items.get(device=router).condition == LoanDevice.Condition.MISSING


def test_every_lent_device_needs_a_condition(active, technician, laptop, router):
    with pytest.raises(LendingError) as refused:
        workflow.inspect_return(loan=active, by=technician, conditions={laptop.pk: ("good", "")})

    assert router.asset_tag in refused.value.message
    assert laptop.asset_tag not in refused.value.message
    assert_still_lent(active, laptop, router)


def assert_still_lent(loan, *devices):
    loan.refresh_from_db()
    assert loan.status == L.ACTIVE
    assert not Return.objects.exists()
    assert statuses(*devices) == [DeviceStatus.LENT] * len(devices)
    assert not loan.items.exclude(condition="").exists()


def test_an_unknown_condition_is_refused_and_nothing_is_recorded(
    active, technician, laptop, router
):
    with pytest.raises(LendingError, match="Unknown condition: shiny"):
        workflow.inspect_return(
            loan=active,
            by=technician,
            conditions={laptop.pk: ("good", ""), router.pk: ("shiny", "")},
        )

    assert_still_lent(active, laptop, router)


def test_a_social_worker_cannot_inspect_a_return(active, social_worker, laptop, router):
    with pytest.raises(PermissionRefused, match="Your role may not"):
        workflow.inspect_return(
            loan=active, by=social_worker, conditions={laptop.pk: "good", router.pk: "good"}
        )

    assert_still_lent(active, laptop, router)


def test_inspecting_a_loan_not_handed_over_is_refused(approved, technician, laptop, router):
    with pytest.raises(LendingError, match="Only a loan whose devices are with the household"):
        workflow.inspect_return(
            loan=approved, by=technician, conditions={laptop.pk: "good", router.pk: "good"}
        )

    assert not Return.objects.exists()
    assert statuses(laptop, router) == [DeviceStatus.RESERVED] * 2


# Reviewing the return


def inspect(loan, by, conditions, sim_back=True):
    return workflow.inspect_return(loan=loan, by=by, conditions=conditions, sim_back=sim_back)


def test_reviewing_sends_returned_devices_to_erasure_and_recycles_a_router_without_drives(
    active, technician, coordinator, laptop, router, sim
):
    inspect(active, technician, {laptop.pk: "good", router.pk: "damaged"})

    workflow.review_return(
        loan=active,
        by=coordinator,
        decisions={laptop.pk: "erasure", router.pk: "recycle"},
        damage_noted=True,
        note="Router broken",
    )

    active.refresh_from_db()
    assert active.status == L.RETURNED
    assert active.closed_at is not None
    assert statuses(laptop, router) == [DeviceStatus.WIPING, DeviceStatus.RECYCLED]
    record = Return.objects.get(loan=active)
    assert (record.reviewed_by, record.damage_noted, record.review_note) == (
        coordinator,
        True,
        "Router broken",
    )
    assert not active.items.filter(active=True).exists()
    assert dict(active.items.values_list("device_id", "decision")) == {
        laptop.pk: "erasure",
        router.pk: "recycle",
    }
    sim.refresh_from_db()
    assert sim.status == SimCard.Status.STOCK
    assert not Loan.objects.awaiting_review().exists()
    # The reviewer's note stays on the loan; the router's history (the workshop reads it)
    # says which loan and what was decided.
    assert router.history.first().history_change_reason == (
        f"Loan #{active.pk} ({active.household.code}): Recycle (after erasure)"
    )


def test_a_returned_device_must_be_erased_again_before_the_next_family(
    loan, technician, coordinator
):
    erased_before = timezone.now() - datetime.timedelta(days=30)
    laptop = ready()
    drive = DriveFactory(device=laptop)
    ErasureFactory(drive=drive, performed_at=erased_before)
    approve(loan, coordinator, [laptop])
    workflow.hand_over_loan(loan=loan, by=technician, signed_on=TODAY)
    inspect(loan, technician, {laptop.pk: "good"})

    workflow.review_return(loan=loan, by=coordinator, decisions={laptop.pk: "erasure"})

    laptop = Device.objects.get(pk=laptop.pk)
    assert laptop.status == DeviceStatus.WIPING
    assert laptop.cycle_started_at > erased_before
    # The erasure made before the loan no longer counts, and there is no shortcut.
    with pytest.raises(inventory_workflow.GuardFailed, match="Data erasure is missing"):
        inventory_workflow.check_transition(laptop, DeviceStatus.REFURBISHING, coordinator)
    with pytest.raises(inventory_workflow.TransitionNotAllowed):
        inventory_workflow.check_transition(laptop, DeviceStatus.READY, coordinator)


def test_a_device_with_drives_to_recycle_is_wiped_first(loan, technician, coordinator):
    laptop = ready(drives__count=1)
    approve(loan, coordinator, [laptop])
    workflow.hand_over_loan(loan=loan, by=technician, signed_on=TODAY)
    inspect(loan, technician, {laptop.pk: "damaged"})

    workflow.review_return(loan=loan, by=coordinator, decisions={laptop.pk: "recycle"})

    assert statuses(laptop) == [DeviceStatus.WIPING]


def test_a_device_that_did_not_come_back_is_recorded_lost(
    active, technician, coordinator, laptop, router, sim
):
    inspect(active, technician, {laptop.pk: "good", router.pk: "missing"}, sim_back=False)

    workflow.review_return(
        loan=active, by=coordinator, decisions={laptop.pk: "erasure", router.pk: "lost"}
    )

    active.refresh_from_db()
    assert active.status == L.RETURNED
    assert statuses(laptop, router) == [DeviceStatus.WIPING, DeviceStatus.LOST]
    sim.refresh_from_db()
    assert sim.status == SimCard.Status.LOST


def test_when_nothing_came_back_the_loan_is_lost(active, technician, coordinator, laptop, router):
    inspect(active, technician, {laptop.pk: "missing", router.pk: "missing"}, sim_back=False)

    workflow.review_return(
        loan=active, by=coordinator, decisions={laptop.pk: "lost", router.pk: "lost"}
    )

    active.refresh_from_db()
    assert active.status == L.LOST
    assert active.closed_at is not None
    assert statuses(laptop, router) == [DeviceStatus.LOST, DeviceStatus.LOST]


@pytest.fixture
def inspected(active, technician, laptop, router):
    return inspect(active, technician, {laptop.pk: "good", router.pk: "missing"})


def assert_not_reviewed(loan, laptop, router):
    loan.refresh_from_db()
    assert loan.status == L.RETURNED
    assert loan.closed_at is None
    assert Return.objects.get(loan=loan).reviewed_at is None
    assert statuses(laptop, router) == [DeviceStatus.RETURNED, DeviceStatus.LENT]
    assert loan.items.filter(active=True).count() == 2
    assert SimCard.objects.get(pk=loan.sim_id).status == SimCard.Status.LENT


def test_a_second_review_is_refused(inspected, coordinator, laptop, router):
    workflow.review_return(
        loan=inspected, by=coordinator, decisions={laptop.pk: "erasure", router.pk: "lost"}
    )
    fresh = Loan.objects.get(pk=inspected.pk)
    history_before = history_rows(fresh, laptop, router)

    with pytest.raises(LendingError, match="no return waiting for review"):
        workflow.review_return(
            loan=fresh, by=coordinator, decisions={laptop.pk: "repair", router.pk: "lost"}
        )

    assert history_rows(fresh, laptop, router) == history_before
    assert statuses(laptop, router) == [DeviceStatus.WIPING, DeviceStatus.LOST]


def test_a_review_from_a_page_loaded_before_the_first_review_is_refused(
    inspected, coordinator, laptop, router
):
    seen = Loan.objects.select_related("return_record").get(pk=inspected.pk)
    decisions = {laptop.pk: "erasure", router.pk: "lost"}
    workflow.review_return(loan=inspected, by=coordinator, decisions=decisions)

    with pytest.raises(LendingError, match="reviewed this return in the meantime"):
        workflow.review_return(loan=seen, by=coordinator, decisions=decisions)

    assert statuses(laptop, router) == [DeviceStatus.WIPING, DeviceStatus.LOST]


def test_every_device_needs_a_decision(inspected, coordinator, laptop, router):
    with pytest.raises(LendingError) as refused:
        workflow.review_return(loan=inspected, by=coordinator, decisions={laptop.pk: "erasure"})

    assert router.asset_tag in refused.value.message
    assert_not_reviewed(inspected, laptop, router)


@pytest.mark.parametrize(
    "decisions",
    [
        {"laptop": "lost", "router": "lost"},
        {"laptop": "erasure", "router": "erasure"},
        {"laptop": "erasure", "router": "melt"},
    ],
    ids=["returned-as-lost", "missing-as-erased", "unknown"],
)
def test_a_decision_that_contradicts_the_inspection_is_refused_and_nothing_moves(
    decisions, inspected, coordinator, laptop, router
):
    by_pk = {laptop.pk: decisions["laptop"], router.pk: decisions["router"]}

    with pytest.raises(LendingError):
        workflow.review_return(loan=inspected, by=coordinator, decisions=by_pk)

    assert_not_reviewed(inspected, laptop, router)


@pytest.mark.parametrize("who", ["technician", "other_coordinator"])
def test_only_a_coordinator_of_the_programme_may_review(who, inspected, laptop, router, user_for):
    user = UserFactory(role=Role.COORDINATOR) if who == "other_coordinator" else user_for(who)

    with pytest.raises(Refused):
        workflow.review_return(
            loan=inspected, by=user, decisions={laptop.pk: "erasure", router.pk: "lost"}
        )

    assert_not_reviewed(inspected, laptop, router)


# Gifts and losses


def test_a_loan_converted_to_a_gift_gives_its_devices(active, coordinator, laptop, router, sim):
    workflow.convert_to_gift(
        loan=active, by=coordinator, note="End of the programme", sim_outcome="close"
    )

    active.refresh_from_db()
    assert active.status == L.GIFT
    assert active.closed_at is not None
    assert statuses(laptop, router) == [DeviceStatus.GIVEN, DeviceStatus.GIVEN]
    assert not active.items.filter(active=True).exists()
    sim.refresh_from_db()
    assert sim.status == SimCard.Status.TERMINATED


def test_only_a_loan_handed_over_can_become_a_gift(approved, coordinator, laptop):
    with pytest.raises(LendingError, match="cannot be done while it is “Approved"):
        workflow.convert_to_gift(loan=approved, by=coordinator)

    approved.refresh_from_db()
    assert approved.status == L.APPROVED
    assert statuses(laptop) == [DeviceStatus.RESERVED]


def test_a_coordinator_of_another_programme_cannot_make_a_gift(active, laptop):
    with pytest.raises(LendingError, match="Only the coordinators of this programme"):
        workflow.convert_to_gift(loan=active, by=UserFactory(role=Role.COORDINATOR))

    active.refresh_from_db()
    assert active.status == L.ACTIVE
    assert statuses(laptop) == [DeviceStatus.LENT]


def test_declaring_a_loan_lost_loses_its_devices_and_sim(active, coordinator, laptop, router, sim):
    workflow.declare_loan_lost(loan=active, by=coordinator, note="Family unreachable")

    active.refresh_from_db()
    assert active.status == L.LOST
    assert active.history.first().history_change_reason == "Family unreachable"
    assert statuses(laptop, router) == [DeviceStatus.LOST, DeviceStatus.LOST]
    assert not active.items.filter(active=True).exists()
    sim.refresh_from_db()
    assert sim.status == SimCard.Status.LOST


def test_declaring_a_loan_lost_needs_a_note(active, coordinator, laptop):
    with pytest.raises(LendingError, match="Say what happened"):
        workflow.declare_loan_lost(loan=active, by=coordinator, note=" ")

    active.refresh_from_db()
    assert active.status == L.ACTIVE
    assert statuses(laptop) == [DeviceStatus.LENT]


# What a coordinator may pick


def test_ready_devices_for_lists_the_ready_devices_of_the_lent_categories(
    programme, laptop, router
):
    ready(category=Category.DESKTOP)
    DeviceFactory(status=DeviceStatus.REFURBISHING)

    assert set(workflow.ready_devices_for(programme)) == {laptop, router}

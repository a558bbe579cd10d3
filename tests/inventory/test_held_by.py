"""A device held by a loan or a sale knows it through its own fields (held_by, held_ref),
set by the workflow in the same UPDATE as the status: the inventory refuses every other
move of it without reading the tables of lending or sales."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.utils import timezone

from accounts.refusals import Refused
from inventory import services
from inventory import workflow as inventory_workflow
from inventory.models import Category, Device, Status
from inventory.scan.station import Station
from lending.loans import workflow as loan_workflow
from sales.services import cancel_sale
from tests.factories import DeviceFactory, UserFactory
from tests.lending_factories import EnrolmentFactory, HouseholdFactory, ProgrammeFactory
from tests.sales_factories import SaleFactory, ready_device

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=90)
LOAN, SALE = inventory_workflow.LOAN, inventory_workflow.SALE


@pytest.fixture
def loan(coordinator):
    programme = ProgrammeFactory(coordinators=[coordinator])
    household = HouseholdFactory()
    programme.structures.add(household.structure)
    enrolment = EnrolmentFactory(household=household, programme=programme)
    return loan_workflow.request_loan(enrolment=enrolment, by=coordinator)


@pytest.fixture
def laptop():
    return DeviceFactory(status=Status.READY)


@pytest.fixture
def router():
    return DeviceFactory(status=Status.READY, category=Category.ROUTER_4G)


def approve(loan, coordinator, devices):
    return loan_workflow.approve_loan(
        loan=loan, by=coordinator, devices=devices, starts_on=TODAY, due_on=LATER
    )


@pytest.fixture
def reserved(loan, coordinator, laptop, router):
    return approve(loan, coordinator, [laptop, router])


@pytest.fixture
def lent(reserved, technician):
    return loan_workflow.hand_over_loan(loan=reserved, by=technician, signed_on=TODAY)


def hold_of(device):
    device = Device.objects.get(pk=device.pk)
    return device.held_by, device.held_ref


def assert_free(device, status):
    device = Device.objects.get(pk=device.pk)
    assert (device.status, device.held_by, device.held_ref) == (status, "", "")


# Held by a loan ---------------------------------------------------------------------------


def test_a_device_reserved_by_a_loan_is_held_by_that_loan(reserved, laptop, router):
    assert hold_of(laptop) == (LOAN, str(reserved.pk))
    assert hold_of(router) == (LOAN, str(reserved.pk))
    # The history row of the reservation says so too.
    assert laptop.history.first().held_by == LOAN


def test_a_device_stays_held_while_lent_and_returned(lent, technician, laptop, router):
    assert hold_of(laptop) == (LOAN, str(lent.pk))

    loan_workflow.inspect_return(
        loan=lent, by=technician, conditions={laptop.pk: "good", router.pk: "good"}
    )

    assert Device.objects.get(pk=laptop.pk).status == Status.RETURNED
    assert hold_of(laptop) == (LOAN, str(lent.pk))


def test_the_device_page_of_a_held_device_names_its_loan_and_offers_no_button(
    reserved, laptop, coordinator, coordinator_client
):
    device = Device.objects.get(pk=laptop.pk)

    assert inventory_workflow.allowed_transitions(device, coordinator) == []
    html = coordinator_client.get(device.get_absolute_url()).content.decode()
    assert f"In loan #{reserved.pk}" in html
    assert "/transition/" not in html


def test_the_scan_card_of_a_held_device_names_its_loan_and_offers_no_button(
    reserved, laptop, technician_client
):
    response = technician_client.post("/scan/", {"code": laptop.asset_tag}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert f"In loan #{reserved.pk}" in html
    assert 'name="do"' not in html


def test_a_button_on_a_device_held_by_a_loan_is_refused_naming_the_loan(
    reserved, laptop, coordinator_client
):
    before = laptop.history.count()

    response = coordinator_client.post(
        f"/devices/{laptop.asset_tag}/transition/ready/", {"seen_status": Status.RESERVED}
    )

    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == (
        f"{laptop.asset_tag} is in loan #{reserved.pk}: it changes status through that loan."
    )
    assert hold_of(laptop) == (LOAN, str(reserved.pk))
    assert Device.objects.get(pk=laptop.pk).status == Status.RESERVED
    assert laptop.history.count() == before


def test_a_scan_on_a_device_held_by_a_loan_is_refused_naming_the_loan(
    reserved, laptop, coordinator
):
    entry = Station().fire(laptop.asset_tag, Status.LOST, coordinator)

    assert entry["outcome"] == "refused"
    assert f"loan #{reserved.pk}" in entry["message"]
    assert Device.objects.get(pk=laptop.pk).status == Status.RESERVED


def test_a_bulk_move_with_a_device_held_by_a_loan_moves_nothing(reserved, laptop, coordinator):
    free = DeviceFactory(status=Status.READY)

    with pytest.raises(Refused) as refused:
        inventory_workflow.transition_devices(
            devices=[free, Device.objects.get(pk=laptop.pk)], target=Status.LOST, by=coordinator
        )

    assert f"loan #{reserved.pk}" in refused.value.message
    assert_free(free, Status.READY)
    assert Device.objects.get(pk=laptop.pk).status == Status.RESERVED


def test_another_loan_cannot_move_a_device_a_loan_holds(reserved, laptop, coordinator):
    with pytest.raises(inventory_workflow.TransitionNotAllowed) as refused:
        inventory_workflow.transition_device(
            device=Device.objects.get(pk=laptop.pk),
            target=Status.READY,
            by=coordinator,
            process=LOAN,
            holder_ref=str(reserved.pk + 1),
        )

    assert f"loan #{reserved.pk}" in refused.value.message
    assert hold_of(laptop) == (LOAN, str(reserved.pk))


def test_a_process_that_takes_a_device_must_name_its_holder(coordinator):
    device = DeviceFactory(status=Status.READY)

    with pytest.raises(ValueError):
        inventory_workflow.transition_device(
            device=device, target=Status.RESERVED, by=coordinator, process=LOAN
        )

    assert_free(device, Status.READY)


def test_an_edit_saved_from_a_page_read_before_the_loan_keeps_the_hold(
    loan, coordinator, technician, laptop
):
    seen = Device.objects.get(pk=laptop.pk)
    approve(loan, coordinator, [laptop])

    seen.notes = "Rayure sur le capot"
    services.update_device(device=seen, by=technician, fields=["notes"])

    device = Device.objects.get(pk=laptop.pk)
    assert (device.status, device.held_by, device.notes) == (
        Status.RESERVED,
        LOAN,
        "Rayure sur le capot",
    )


# Released by the loan --------------------------------------------------------------------


def test_cancelling_the_reservation_releases_the_devices(reserved, coordinator, laptop, router):
    loan_workflow.cancel_loan(loan=reserved, by=coordinator, reason="Family moved")

    assert_free(laptop, Status.READY)
    assert_free(router, Status.READY)
    assert inventory_workflow.allowed_transitions(Device.objects.get(pk=laptop.pk), coordinator)


def inspect(loan, technician, conditions):
    return loan_workflow.inspect_return(loan=loan, by=technician, conditions=conditions)


@pytest.mark.parametrize(
    ("decision", "status"),
    [("erasure", Status.WIPING), ("repair", Status.WIPING), ("recycle", Status.RECYCLED)],
)
def test_reviewing_the_return_releases_each_device(
    decision, status, lent, technician, coordinator, laptop, router
):
    inspect(lent, technician, {laptop.pk: "good", router.pk: "damaged"})

    # The router holds no drive: recycled at once (a device with drives is wiped first).
    loan_workflow.review_return(
        loan=lent, by=coordinator, decisions={laptop.pk: "erasure", router.pk: decision}
    )

    assert_free(laptop, Status.WIPING)
    assert_free(router, status)


def test_a_device_not_returned_stays_held_until_the_review_records_it_lost(
    lent, technician, coordinator, laptop, router
):
    inspect(lent, technician, {laptop.pk: "good", router.pk: "missing"})
    assert Device.objects.get(pk=router.pk).status == Status.LENT
    assert hold_of(router) == (LOAN, str(lent.pk))

    loan_workflow.review_return(
        loan=lent, by=coordinator, decisions={laptop.pk: "erasure", router.pk: "lost"}
    )

    assert_free(router, Status.LOST)
    assert_free(laptop, Status.WIPING)


def test_a_loan_that_becomes_a_gift_releases_its_devices(lent, coordinator, laptop, router):
    loan_workflow.convert_to_gift(loan=lent, by=coordinator, note="End of the programme")

    assert_free(laptop, Status.GIVEN)
    assert_free(router, Status.GIVEN)


def test_a_loan_declared_lost_releases_its_devices(lent, coordinator, laptop, router):
    loan_workflow.declare_loan_lost(loan=lent, by=coordinator, note="Household unreachable")

    assert_free(laptop, Status.LOST)
    assert_free(router, Status.LOST)


def test_a_device_found_again_after_a_lost_loan_is_free(lent, coordinator, laptop):
    loan_workflow.declare_loan_lost(loan=lent, by=coordinator, note="Household unreachable")

    inventory_workflow.transition_device(
        device=Device.objects.get(pk=laptop.pk), target=Status.RETURNED, by=coordinator
    )

    assert_free(laptop, Status.RETURNED)


def test_a_closed_loan_releases_a_device_it_did_not_move(reserved, coordinator, laptop, router):
    # No path leaves one behind today; should one, the hold must not outlive the loan.
    released = inventory_workflow.release_devices(
        process=LOAN, holder_ref=reserved.pk, by=coordinator, note="Loan closed"
    )

    assert released == 2
    assert_free(laptop, Status.RESERVED)
    record = Device.objects.get(pk=laptop.pk).history.first()
    assert (record.held_by, record.history_user, record.history_change_reason) == (
        "",
        coordinator,
        "Loan closed",
    )


def test_releasing_leaves_the_devices_of_other_holders(reserved, coordinator, laptop):
    released = inventory_workflow.release_devices(
        process=LOAN, holder_ref=reserved.pk + 1, by=coordinator
    )

    assert released == 0
    assert hold_of(laptop) == (LOAN, str(reserved.pk))


# Held by a sale ----------------------------------------------------------------------------


@pytest.fixture
def sale(technician):
    return SaleFactory(by=technician, devices=[ready_device()])


def test_a_sold_device_is_held_by_its_sale(sale):
    device = sale.items.get().device

    assert hold_of(device) == (SALE, sale.number)


def test_a_sold_device_moves_only_through_its_sale(sale, coordinator):
    device = sale.items.get().device

    with pytest.raises(inventory_workflow.TransitionNotAllowed):
        inventory_workflow.transition_device(device=device, target=Status.READY, by=coordinator)

    assert hold_of(device) == (SALE, sale.number)
    assert inventory_workflow.allowed_transitions(device, coordinator) == []


def test_the_credit_note_releases_the_devices_of_the_sale(sale, coordinator):
    device = sale.items.get().device

    cancel_sale(
        sale=sale, refund_method=sale.payment_method, by=coordinator, reason="Returned by the buyer"
    )

    # Free, and back to erasure for a new cycle before it is sold again.
    assert_free(device, Status.WIPING)


# Devices held before the fields existed -----------------------------------------------------


def fill(app, name):
    importlib.import_module(f"{app}.migrations.{name}").fill_holds(apps, schema_editor=None)


def test_the_data_migration_holds_the_devices_of_loans_in_progress(
    lent, technician, laptop, router
):
    inspect(lent, technician, {laptop.pk: "good", router.pk: "missing"})
    boss = UserFactory(is_superuser=True)
    cancelled = loan_workflow.request_loan(enrolment=EnrolmentFactory(), by=boss)
    given_back = DeviceFactory(status=Status.READY)
    approve(cancelled, boss, [given_back])
    loan_workflow.cancel_loan(loan=cancelled, by=boss, reason="Not needed")
    Device.objects.update(held_by="", held_ref="")

    fill("lending", "0003_device_holds")

    assert hold_of(laptop) == (LOAN, str(lent.pk))  # returned, not reviewed yet
    assert hold_of(router) == (LOAN, str(lent.pk))  # still lent: it did not come back
    assert hold_of(given_back) == ("", "")


def test_the_data_migration_holds_sold_devices_by_their_sale(technician, coordinator):
    sold = SaleFactory(by=technician, devices=[ready_device()])
    cancelled = SaleFactory(by=technician, devices=[ready_device()])
    cancel_sale(
        sale=cancelled,
        refund_method=cancelled.payment_method,
        by=coordinator,
        reason="Returned by the buyer",
    )
    Device.objects.update(held_by="", held_ref="")

    fill("sales", "0003_device_holds")

    assert hold_of(sold.items.get().device) == (SALE, sold.number)
    assert hold_of(cancelled.items.get().device) == ("", "")

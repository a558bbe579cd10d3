"""The next step of a device, per status: what the device page offers first."""

import pytest

from inventory.models import Category, ChecklistItem, Status
from inventory.panel import next_step as steps
from tests.factories import DeviceFactory, LocationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def step_of(device):
    device = type(device).objects.get(pk=device.pk)
    return steps.next_step(
        device, checklist=list(ChecklistItem.objects.filter(category=device.category, active=True))
    )


def test_a_received_laptop_starts_its_erasure():
    step = step_of(DeviceFactory(status=Status.RECEIVED, drives__count=1))

    assert step.kind == steps.START_ERASURE
    assert step.target == Status.WIPING
    assert "workbench" in step.text


def test_a_received_phone_is_reset():
    step = step_of(DeviceFactory(status=Status.RECEIVED, category=Category.SMARTPHONE))

    assert step.kind == steps.FACTORY_RESET
    assert not step.target


def test_a_tablet_in_wiping_is_reset_too():
    step = step_of(DeviceFactory(status=Status.WIPING, category=Category.TABLET))

    assert step.kind == steps.FACTORY_RESET


def test_a_laptop_in_wiping_says_which_drive_is_waiting():
    device = DeviceFactory(status=Status.WIPING, drives__count=1)

    step = step_of(device)

    assert step.kind == steps.ERASURE_RUNNING
    assert device.drives.get().serial_number in step.text
    assert not step.target


def test_a_laptop_whose_drives_passed_goes_on_to_refurbishment():
    step = step_of(DeviceFactory(status=Status.WIPING, drives__count=2, drives__erased=True))

    assert (step.kind, step.target) == (steps.ERASURE_DONE, Status.REFURBISHING)


def test_a_device_in_refurbishment_gets_the_ready_panel_with_its_pending_tests():
    ChecklistItem.objects.filter(category=Category.LAPTOP).delete()
    ChecklistItem.objects.create(category=Category.LAPTOP, label="Écran")
    ChecklistItem.objects.create(category=Category.LAPTOP, label="Clavier", mandatory=False)

    step = step_of(DeviceFactory(status=Status.REFURBISHING, drives__count=1, drives__erased=True))

    assert step.kind == steps.READY_PANEL
    assert step.pending_checks == 2
    assert any("Écran" in sentence for sentence in step.missing)


def test_a_ready_device_is_shelved_and_has_nothing_missing():
    step = step_of(DeviceFactory(status=Status.READY, refurbished=True, location=None))

    assert step.kind == steps.SHELVE
    assert step.title == "Label it and put it on a shelf"
    assert step.missing == []


def test_a_ready_device_already_shelved_says_where():
    shelf = LocationFactory(code="BRU-A01", name="Étagère A1")
    step = step_of(DeviceFactory(status=Status.READY, refurbished=True, location=shelf))

    assert (step.kind, step.title) == (steps.SHELVE, "Ready, on its shelf")
    assert "Ready to go on BRU-A01" in step.text


def test_a_returned_laptop_is_erased_again():
    step = step_of(DeviceFactory(status=Status.RETURNED, drives__count=1))

    assert (step.kind, step.target) == (steps.START_ERASURE, Status.WIPING)
    assert "household" in step.text


@pytest.mark.parametrize(("holder", "word"), [("loan", "loan"), ("sale", "sale")])
def test_a_held_device_points_to_its_loan_or_sale(holder, word):
    device = DeviceFactory(status=Status.LENT, held_by=holder, held_ref="12")

    step = step_of(device)

    assert step.kind == steps.HELD
    assert word in step.title.lower() and "12" in step.title


@pytest.mark.parametrize("status", [Status.GIVEN, Status.RECYCLED, Status.LOST])
def test_a_device_gone_from_the_workshop_has_nothing_to_do(status):
    assert step_of(DeviceFactory(status=status)).kind == steps.NOTHING

"""Refurbishment services: checklist results, parts taken from stock, systems installed,
and what the ready rule asks of them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from accounts.refusals import Refused
from inventory import services, workflow
from inventory.models import (
    Category,
    ChecklistItem,
    CheckResult,
    Device,
    Erasure,
    OperatingSystem,
    OsInstall,
    Part,
    PartUse,
    Status,
)
from inventory.refurbishment import services as refurbishment
from inventory.workflow import GuardFailed, transition_device
from tests.factories import DeviceFactory, DriveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def checklist():
    """A laptop checklist of our own: the seeded one may or may not be in the database."""
    ChecklistItem.objects.all().delete()
    return {
        "screen": ChecklistItem.objects.create(
            category=Category.LAPTOP, label="Écran", criterion="Aucun pixel mort", position=0
        ),
        "keyboard": ChecklistItem.objects.create(
            category=Category.LAPTOP, label="Clavier", position=1
        ),
        "webcam": ChecklistItem.objects.create(
            category=Category.LAPTOP, label="Webcam", mandatory=False, position=2
        ),
        "touch": ChecklistItem.objects.create(category=Category.TABLET, label="Écran tactile"),
    }


@pytest.fixture
def mint():
    return OperatingSystem.objects.create(name="Linux Mint", version="22.1")


@pytest.fixture
def ssd():
    return Part.objects.create(kind=Part.Kind.SSD, name="SSD 240 Go", quantity=3)


def refurbishing_laptop(**fields):
    # Its drive is erased: what is under test is the rest of the ready rule.
    return DeviceFactory(
        status=Status.REFURBISHING,
        category=Category.LAPTOP,
        drives__count=1,
        drives__erased=True,
        **fields,
    )


def reloaded(device):
    """The device as the ready rule reads it, with its relations fresh from the database."""
    return Device.objects.prefetch_related("check_results", "os_installs", "drives__erasures").get(
        pk=device.pk
    )


# Checklist results ------------------------------------------------------------------


def test_a_new_check_replaces_the_previous_one(checklist, technician, coordinator):
    device = refurbishing_laptop()
    refurbishment.record_check(
        device=device, item=checklist["screen"], outcome="fail", by=technician, note="rayé"
    )

    refurbishment.record_check(
        device=device, item=checklist["screen"], outcome="pass", by=coordinator
    )

    result = CheckResult.objects.get(device=device)
    assert (result.outcome, result.note, result.checked_by) == ("pass", "", coordinator)


def test_a_check_keeps_its_note_trimmed(checklist, technician):
    device = refurbishing_laptop()

    result = refurbishment.record_check(
        device=device,
        item=checklist["keyboard"],
        outcome="fail",
        by=technician,
        note="  Touche Q  ",
    )

    assert result.note == "Touche Q"


def test_a_test_of_another_category_is_refused(checklist, technician):
    device = refurbishing_laptop()

    with pytest.raises(Refused):
        refurbishment.record_check(
            device=device, item=checklist["touch"], outcome="pass", by=technician
        )

    assert not CheckResult.objects.exists()


def test_a_check_from_before_the_device_came_back_does_not_count(checklist, technician):
    device = refurbishing_laptop()
    for item in (checklist["screen"], checklist["keyboard"]):
        refurbishment.record_check(device=device, item=item, outcome="pass", by=technician)
    # The device went to a household and came back after those checks.
    Device.objects.filter(pk=device.pk).update(
        cycle_started_at=timezone.now() + datetime.timedelta(seconds=1)
    )

    missing = workflow.missing_checks(reloaded(device), workflow.checklist_for(device))

    assert missing == [checklist["screen"], checklist["keyboard"]]


def test_a_check_made_since_the_device_came_back_counts(checklist, technician):
    device = refurbishing_laptop(cycle_started_at=timezone.now() - datetime.timedelta(hours=1))

    refurbishment.record_check(
        device=device, item=checklist["screen"], outcome="pass", by=technician
    )

    missing = workflow.missing_checks(reloaded(device), workflow.checklist_for(device))
    assert missing == [checklist["keyboard"]]


# The ready rule -----------------------------------------------------------------------


def test_ready_is_refused_with_every_missing_item_listed(checklist, mint, technician):
    device = refurbishing_laptop()
    drive = DriveFactory(device=device)
    refurbishment.record_check(
        device=device, item=checklist["screen"], outcome="fail", by=technician
    )

    with translation.override("en"), pytest.raises(GuardFailed) as refused:
        transition_device(device=device, target=Status.READY, by=technician)

    with translation.override("en"):
        expected = (
            f"Data erasure is missing for: {drive}. Record a passed erasure first. "
            "Checklist tests not passed: Écran, Clavier. "
            "No operating system installed. "
            "No grade set."
        )
    assert refused.value.message == expected
    device.refresh_from_db()
    assert device.status == Status.REFURBISHING


def test_ready_is_allowed_once_erased_checked_installed_and_graded(checklist, mint, technician):
    device = refurbishing_laptop()
    drive = DriveFactory(device=device)

    services.record_erasure(
        drive=drive, by=technician, method=Erasure.Method.SANITIZE, result=Erasure.Result.PASSED
    )
    for item in (checklist["screen"], checklist["keyboard"]):
        refurbishment.record_check(device=device, item=item, outcome="pass", by=technician)
    refurbishment.install_system(device=device, system=mint, by=technician)
    device.grade = "B"
    services.update_device(device=device, by=technician, fields=["grade"])
    transition_device(device=device, target=Status.READY, by=technician)

    device.refresh_from_db()
    assert device.status == Status.READY


def test_a_check_before_the_return_blocks_ready_until_checked_again(checklist, mint, technician):
    device = refurbishing_laptop(grade="A")
    refurbishment.install_system(device=device, system=mint, by=technician)
    refurbishment.record_check(
        device=device, item=checklist["keyboard"], outcome="pass", by=technician
    )
    CheckResult.objects.create(
        device=device,
        item=checklist["screen"],
        outcome="pass",
        checked_by=technician,
        checked_at=timezone.now() - datetime.timedelta(days=30),
    )
    Device.objects.filter(pk=device.pk).update(
        cycle_started_at=timezone.now() - datetime.timedelta(days=1)
    )
    device.refresh_from_db()

    with pytest.raises(GuardFailed) as refused:
        transition_device(device=device, target=Status.READY, by=technician)
    assert "Écran" in refused.value.message
    assert "Clavier" not in refused.value.message

    refurbishment.record_check(
        device=device, item=checklist["screen"], outcome="pass", by=technician
    )
    transition_device(device=device, target=Status.READY, by=technician)
    device.refresh_from_db()
    assert device.status == Status.READY


# Parts ------------------------------------------------------------------------------


def test_fitting_a_part_takes_it_from_the_stock(ssd, technician):
    device = refurbishing_laptop()

    use = refurbishment.use_part(device=device, part=ssd, quantity=2, by=technician, note=" NVMe ")

    ssd.refresh_from_db()
    assert ssd.quantity == 1
    assert (use.device, use.part, use.quantity, use.note, use.used_by) == (
        device,
        ssd,
        2,
        "NVMe",
        technician,
    )
    assert ssd.history.latest().history_user == technician


def test_fitting_more_than_the_stock_is_refused_and_nothing_is_written(ssd, technician):
    device = refurbishing_laptop()
    history_rows = ssd.history.count()

    with pytest.raises(Refused) as refused:
        refurbishment.use_part(device=device, part=ssd, quantity=4, by=technician)

    assert "3" in refused.value.message
    ssd.refresh_from_db()
    assert ssd.quantity == 3
    assert PartUse.objects.count() == 0
    assert ssd.history.count() == history_rows


def test_the_last_unit_goes_to_only_one_of_two_technicians(technician, coordinator):
    part = Part.objects.create(kind=Part.Kind.BATTERY, name="Batterie T480", quantity=1)
    # Both pages were loaded while one unit was left: each holds its own stale copy.
    seen_by_first, seen_by_second = Part.objects.get(pk=part.pk), Part.objects.get(pk=part.pk)
    first, second = refurbishing_laptop(), refurbishing_laptop()

    refurbishment.use_part(device=first, part=seen_by_first, by=technician)
    with pytest.raises(Refused):
        refurbishment.use_part(device=second, part=seen_by_second, by=coordinator)

    part.refresh_from_db()
    assert part.quantity == 0
    assert list(PartUse.objects.values_list("device", flat=True)) == [first.pk]


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_quantity_below_one_is_refused(quantity, ssd, technician):
    with pytest.raises(Refused):
        refurbishment.use_part(
            device=refurbishing_laptop(), part=ssd, quantity=quantity, by=technician
        )

    ssd.refresh_from_db()
    assert ssd.quantity == 3
    assert not PartUse.objects.exists()


def test_restocking_adds_to_the_stock(ssd, coordinator):
    refurbishment.restock_part(part=ssd, quantity=5, by=coordinator, note="Livraison")

    ssd.refresh_from_db()
    assert ssd.quantity == 8
    latest = ssd.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (coordinator, "Livraison")


@pytest.mark.parametrize("quantity", [0, -2])
def test_restocking_nothing_or_less_is_refused(quantity, ssd, coordinator):
    with pytest.raises(Refused):
        refurbishment.restock_part(part=ssd, quantity=quantity, by=coordinator)

    ssd.refresh_from_db()
    assert ssd.quantity == 3


# Systems ----------------------------------------------------------------------------


def test_installing_a_system_records_who_and_when(mint, technician):
    device = refurbishing_laptop()

    install = refurbishment.install_system(device=device, system=mint, by=technician)

    assert (install.device, install.system, install.installed_by) == (device, mint, technician)
    assert timezone.now() - install.installed_at < datetime.timedelta(minutes=1)


def test_a_system_no_longer_offered_cannot_be_installed(mint, technician, coordinator):
    refurbishment.set_system_offered(system=mint, offered=False, by=coordinator)

    with pytest.raises(Refused):
        refurbishment.install_system(device=refurbishing_laptop(), system=mint, by=technician)

    assert not OsInstall.objects.exists()


def test_a_technician_cannot_withdraw_a_system(mint, technician):
    with pytest.raises(PermissionDenied):
        refurbishment.set_system_offered(system=mint, offered=False, by=technician)

    mint.refresh_from_db()
    assert mint.active


# Roles ------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["check", "part", "system", "restock"])
def test_a_social_worker_cannot_refurbish(action, checklist, mint, ssd, social_worker):
    device = refurbishing_laptop()
    calls = {
        "check": lambda: refurbishment.record_check(
            device=device, item=checklist["screen"], outcome="pass", by=social_worker
        ),
        "part": lambda: refurbishment.use_part(device=device, part=ssd, by=social_worker),
        "system": lambda: refurbishment.install_system(
            device=device, system=mint, by=social_worker
        ),
        "restock": lambda: refurbishment.restock_part(part=ssd, quantity=1, by=social_worker),
    }

    with pytest.raises(PermissionDenied):
        calls[action]()

    ssd.refresh_from_db()
    assert ssd.quantity == 3
    assert not CheckResult.objects.exists()
    assert not PartUse.objects.exists()
    assert not OsInstall.objects.exists()

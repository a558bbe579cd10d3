"""The device lifecycle: transitions, guards, roles, history and stale clicks."""

import datetime

import pytest
from django.utils import timezone, translation

from accounts.refusals import PermissionRefused, Refused
from accounts.roles import ROLE_PERMISSIONS, Role
from inventory import workflow
from inventory.models import Category, ChecklistItem, CheckResult, Device, Erasure, Status
from inventory.workflow import (
    TRANSITIONS,
    GuardFailed,
    StaleStatus,
    TransitionNotAllowed,
    transition_device,
    transition_devices,
)
from tests.factories import DeviceFactory, DriveFactory, ErasureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def history_count(device):
    return Device.history.filter(id=device.pk).count()


def assert_unchanged(device, status, history_rows):
    device.refresh_from_db()
    assert device.status == status
    assert history_count(device) == history_rows


def role_for(rule):
    """The least powerful role that holds the transition's permission."""
    for role in (Role.TECHNICIAN, Role.COORDINATOR):
        # A process-only move names no permission: its process checks its own.
        if not rule.permission or rule.permission in ROLE_PERMISSIONS[role]:
            return role
    raise AssertionError(f"no role may fire {rule}")


@pytest.mark.parametrize("rule", TRANSITIONS, ids=lambda t: f"{t.source}-{t.target}")
def test_each_transition_succeeds_for_a_role_that_holds_its_permission(rule, user_for):
    user = user_for(role_for(rule))
    device = DeviceFactory(
        status=rule.source,
        drives__count=1,
        drives__erased=True,
        refurbished=rule.guard == workflow.READY,
    )

    transition_device(
        device=device,
        target=rule.target,
        by=user,
        note="  checked by Karim  ",
        process=rule.process,
        holder_ref="BRU-2026-0001" if rule.process else "",
    )

    device.refresh_from_db()
    assert device.status == rule.target
    record = device.history.first()
    assert record.history_type == "~"
    assert record.history_user == user
    assert record.history_change_reason == "checked by Karim"
    assert record.status == rule.target
    assert record.prev_record.status == rule.source


def test_the_instance_passed_in_is_updated_too(technician):
    device = DeviceFactory(status=Status.RECEIVED)

    returned = transition_device(device=device, target=Status.WIPING, by=technician)

    assert returned is device
    assert device.status == Status.WIPING


def test_it_writes_exactly_one_history_row_per_transition(technician):
    device = DeviceFactory(status=Status.RECEIVED)
    before = history_count(device)

    transition_device(device=device, target=Status.WIPING, by=technician)

    assert history_count(device) == before + 1


def test_it_refuses_ready_while_a_drive_is_unerased(technician):
    device = DeviceFactory(status=Status.REFURBISHING, drives__count=1, refurbished=True)
    before = history_count(device)

    with pytest.raises(GuardFailed) as refused:
        transition_device(device=device, target=Status.READY, by=technician)

    assert device.drives.get().serial_number in refused.value.message
    assert_unchanged(device, Status.REFURBISHING, before)


def test_it_refuses_refurbishing_while_one_of_two_drives_is_unerased(technician):
    device = DeviceFactory(status=Status.WIPING, drives__count=1, drives__erased=True)
    DriveFactory(device=device)
    before = history_count(device)

    with pytest.raises(GuardFailed):
        transition_device(device=device, target=Status.REFURBISHING, by=technician)

    assert_unchanged(device, Status.WIPING, before)


def test_a_failed_erasure_does_not_count(technician):
    device = DeviceFactory(status=Status.WIPING, drives__count=1)
    ErasureFactory(drive=device.drives.get(), result=Erasure.Result.FAILED)
    before = history_count(device)

    with pytest.raises(GuardFailed):
        transition_device(device=device, target=Status.REFURBISHING, by=technician)

    assert_unchanged(device, Status.WIPING, before)


@pytest.mark.parametrize("method", [Erasure.Method.REMOVED, Erasure.Method.DESTROYED])
def test_a_drive_removed_or_destroyed_counts_as_erased(method, technician):
    device = DeviceFactory(status=Status.REFURBISHING, drives__count=1, refurbished=True)
    ErasureFactory(drive=device.drives.get(), method=method, result=Erasure.Result.PASSED)

    transition_device(device=device, target=Status.READY, by=technician)

    device.refresh_from_db()
    assert device.status == Status.READY


@pytest.mark.parametrize("target", [Status.PARTS, Status.RECYCLED])
def test_it_refuses_parts_or_recycling_while_a_drive_is_unerased(target, technician):
    device = DeviceFactory(status=Status.WIPING, drives__count=1)
    before = history_count(device)

    with pytest.raises(GuardFailed):
        transition_device(device=device, target=target, by=technician)

    assert_unchanged(device, Status.WIPING, before)


@pytest.fixture
def hinge_test():
    return ChecklistItem.objects.create(category=Category.LAPTOP, label="Charnières", position=99)


def test_it_refuses_ready_while_a_mandatory_check_failed(hinge_test, technician):
    device = DeviceFactory(status=Status.REFURBISHING, refurbished=True)
    CheckResult.objects.filter(device=device, item=hinge_test).update(outcome="fail")
    before = history_count(device)

    with pytest.raises(GuardFailed) as refused:
        transition_device(device=device, target=Status.READY, by=technician)

    assert "Charnières" in refused.value.message
    assert_unchanged(device, Status.REFURBISHING, before)


def test_it_refuses_ready_while_a_mandatory_check_is_not_done(hinge_test, technician):
    device = DeviceFactory(status=Status.REFURBISHING, refurbished=True)
    CheckResult.objects.filter(device=device, item=hinge_test).delete()
    before = history_count(device)

    with pytest.raises(GuardFailed):
        transition_device(device=device, target=Status.READY, by=technician)

    assert_unchanged(device, Status.REFURBISHING, before)


@pytest.mark.parametrize("outcome", ["na", None], ids=["not applicable", "optional"])
def test_a_check_not_applicable_or_optional_does_not_block_ready(outcome, hinge_test, technician):
    device = DeviceFactory(status=Status.REFURBISHING, refurbished=True)
    results = CheckResult.objects.filter(device=device, item=hinge_test)
    if outcome:
        results.update(outcome=outcome)
    else:
        results.delete()
        ChecklistItem.objects.filter(pk=hinge_test.pk).update(mandatory=False)

    transition_device(device=device, target=Status.READY, by=technician)

    device.refresh_from_db()
    assert device.status == Status.READY


def test_it_refuses_ready_for_a_computer_without_a_system(technician):
    device = DeviceFactory(status=Status.REFURBISHING, refurbished=True)
    device.os_installs.all().delete()
    before = history_count(device)

    with pytest.raises(GuardFailed):
        transition_device(device=device, target=Status.READY, by=technician)

    assert_unchanged(device, Status.REFURBISHING, before)


def test_a_screen_needs_no_system_to_be_ready(technician):
    device = DeviceFactory(status=Status.REFURBISHING, category=Category.SCREEN, refurbished=True)

    transition_device(device=device, target=Status.READY, by=technician)

    device.refresh_from_db()
    assert device.status == Status.READY
    assert not device.os_installs.exists()


def test_it_refuses_ready_without_a_grade(technician):
    device = DeviceFactory(status=Status.REFURBISHING, refurbished=True)
    Device.objects.filter(pk=device.pk).update(grade="")
    before = history_count(device)

    with pytest.raises(GuardFailed):
        transition_device(device=device, target=Status.READY, by=technician)

    assert_unchanged(device, Status.REFURBISHING, before)


def test_a_returned_device_needs_a_new_check_and_system(technician):
    device = DeviceFactory(status=Status.LENT, refurbished=True)
    for target in (Status.RETURNED, Status.WIPING):
        transition_device(device=device, target=target, by=technician)
    # Wiped again after the return: what is left is the checklist and the system.
    ErasureFactory(drive=device.drives.get())
    transition_device(device=device, target=Status.REFURBISHING, by=technician)

    missing = workflow.missing_for(device, workflow.READY)

    assert len(missing) == 2, missing


def test_a_device_that_holds_no_storage_may_skip_erasure(technician):
    device = DeviceFactory(status=Status.RECEIVED, category=Category.SCREEN)

    transition_device(device=device, target=Status.REFURBISHING, by=technician)

    device.refresh_from_db()
    assert device.status == Status.REFURBISHING


@pytest.mark.parametrize("category", sorted(workflow.HOLDS_STORAGE))
def test_a_computer_without_a_recorded_drive_cannot_skip_erasure(category, technician):
    # A laptop registered by hand or imported from a spreadsheet has no drive yet: its
    # disk must be recorded (and erased, or recorded as removed) before it moves on.
    device = DeviceFactory(status=Status.RECEIVED, category=category)
    before = history_count(device)

    with pytest.raises(GuardFailed) as refused:
        transition_device(device=device, target=Status.REFURBISHING, by=technician)

    assert "No drive is recorded" in refused.value.message
    assert_unchanged(device, Status.RECEIVED, before)


def test_a_return_requires_a_new_erasure(technician):
    device = DeviceFactory(status=Status.LENT, drives__count=1)
    last_week = timezone.now() - datetime.timedelta(days=7)
    ErasureFactory(drive=device.drives.get(), performed_at=last_week)

    transition_device(device=device, target=Status.RETURNED, by=technician)

    device.refresh_from_db()
    assert device.cycle_started_at is not None
    assert device.cycle_started_at > last_week
    assert workflow.unerased_drives(device) == [device.drives.get()]


def test_a_returned_device_cannot_reach_refurbishing_on_its_old_erasure(technician):
    device = DeviceFactory(status=Status.LENT, drives__count=1)
    drive = device.drives.get()
    ErasureFactory(drive=drive, performed_at=timezone.now() - datetime.timedelta(days=7))
    transition_device(device=device, target=Status.RETURNED, by=technician)
    transition_device(device=device, target=Status.WIPING, by=technician)
    before = history_count(device)

    with pytest.raises(GuardFailed):
        transition_device(device=device, target=Status.REFURBISHING, by=technician)
    assert_unchanged(device, Status.WIPING, before)

    ErasureFactory(drive=drive, performed_at=timezone.now())
    transition_device(device=device, target=Status.REFURBISHING, by=technician)
    device.refresh_from_db()
    assert device.status == Status.REFURBISHING


def test_it_refuses_a_pair_that_is_not_in_the_table(coordinator):
    device = DeviceFactory(status=Status.READY)
    before = history_count(device)

    with pytest.raises(TransitionNotAllowed):
        transition_device(device=device, target=Status.WIPING, by=coordinator)

    assert_unchanged(device, Status.READY, before)


def test_it_refuses_a_target_that_is_not_a_status(coordinator):
    device = DeviceFactory(status=Status.READY)
    before = history_count(device)

    with pytest.raises(TransitionNotAllowed):
        transition_device(device=device, target="flying", by=coordinator)

    assert_unchanged(device, Status.READY, before)


def test_a_sale_move_names_no_permission_of_the_shop():
    # The sales service checks its own permissions (sales.add_sale, add_creditnote)
    # before it calls the workflow: the inventory names none of another app's.
    for rule in TRANSITIONS:
        assert not rule.permission.startswith("sales.")
        if rule.process:
            assert rule.permission == ""


@pytest.mark.parametrize(
    ("source", "target"), [(Status.READY, Status.SOLD), (Status.SOLD, Status.WIPING)]
)
def test_a_device_is_sold_or_unsold_only_through_a_sale(source, target, coordinator):
    # The sale numbers the receipt; a button on the device page would skip it.
    device = DeviceFactory(status=source)
    before = history_count(device)

    with pytest.raises(TransitionNotAllowed) as refused:
        transition_device(device=device, target=target, by=coordinator)

    assert "sales page" in refused.value.message
    assert_unchanged(device, source, before)


def test_the_device_page_offers_no_sale_button(coordinator):
    device = DeviceFactory(status=Status.READY)

    targets = {rule.target for rule in workflow.allowed_transitions(device, coordinator)}

    assert Status.SOLD not in targets


@pytest.mark.parametrize(
    "rule", [t for t in TRANSITIONS if not t.process], ids=lambda t: f"{t.source}-{t.target}"
)
def test_a_social_worker_cannot_fire_any_transition(rule, social_worker):
    device = DeviceFactory(status=rule.source, drives__count=1, drives__erased=True)
    before = history_count(device)

    with pytest.raises(PermissionRefused):
        transition_device(device=device, target=rule.target, by=social_worker, process=rule.process)

    assert_unchanged(device, rule.source, before)


def test_a_technician_is_offered_only_the_transitions_of_the_workshop(technician):
    device = DeviceFactory(status=Status.READY)

    targets = {rule.target for rule in workflow.allowed_transitions(device, technician)}

    assert targets == {Status.REFURBISHING, Status.PARTS, Status.RECYCLED}


def test_a_coordinator_is_offered_every_transition_from_the_status(coordinator):
    device = DeviceFactory(status=Status.READY)

    offered = workflow.allowed_transitions(device, coordinator)

    assert offered == [r for r in workflow.transitions_from(Status.READY) if not r.process]


def test_it_refuses_a_change_based_on_a_stale_status(coordinator):
    device = DeviceFactory(status=Status.READY)
    # Someone else reserves the device after this page was loaded.
    Device.objects.filter(pk=device.pk).update(status=Status.RESERVED)
    before = history_count(device)

    with pytest.raises(StaleStatus) as refused:
        transition_device(device=device, target=Status.SOLD, by=coordinator)

    assert device.asset_tag in refused.value.message
    assert_unchanged(device, Status.RESERVED, before)


def test_several_devices_move_together(coordinator):
    devices = [DeviceFactory(status=Status.READY) for _ in range(3)]

    moved = transition_devices(devices=devices, target=Status.GIVEN, by=coordinator, note="Lot")

    assert moved == 3
    assert set(Device.objects.values_list("status", flat=True)) == {Status.GIVEN}
    assert all(d.history.first().history_change_reason == "Lot" for d in devices)


def test_several_devices_move_all_or_none(coordinator):
    ready = [DeviceFactory(status=Status.READY) for _ in range(2)]
    received = DeviceFactory(status=Status.RECEIVED)
    devices = [ready[0], received, ready[1]]
    before = Device.history.count()

    with pytest.raises(Refused) as refused:
        transition_devices(devices=devices, target=Status.GIVEN, by=coordinator)

    assert received.asset_tag in refused.value.message
    assert ready[0].asset_tag not in refused.value.message
    statuses = dict(Device.objects.values_list("asset_tag", "status"))
    assert statuses == {
        ready[0].asset_tag: Status.READY,
        ready[1].asset_tag: Status.READY,
        received.asset_tag: Status.RECEIVED,
    }
    assert Device.history.count() == before


def test_a_ready_device_reads_disponible_in_french_never_pret_which_means_a_loan():
    with translation.override("fr"):
        assert str(Status.READY.label) == "Disponible"
        assert str(Status.LENT.label) == "Prêté"

"""Every move in or out of an exit status leaves its row in the exits ledger, and only
there: the workflow's one transition function writes it, in the move's transaction."""

import pytest

from accounts.refusals import Refused
from inventory import workflow
from inventory.models import ExitChannel, Status, StockExit
from tests.factories import DeviceFactory, UserFactory
from tests.inventory.impact.helpers import at, move

pytestmark = pytest.mark.django_db


def ledger(device):
    return list(StockExit.objects.filter(device=device).values_list("channel", "sign"))


def erased(**fields):
    """A device whose drive is erased: it may leave for parts or recycling."""
    return DeviceFactory(drives__count=1, drives__erased=True, **fields)


@pytest.mark.parametrize(
    ("source", "target", "channel"),
    [
        (Status.READY, Status.GIVEN, ExitChannel.GIVEN),
        (Status.LENT, Status.GIVEN, ExitChannel.LOAN_GIFT),
        (Status.REFURBISHING, Status.PARTS, ExitChannel.PARTS),
        (Status.RECEIVED, Status.RECYCLED, ExitChannel.RECYCLED),
        (Status.READY, Status.LOST, ExitChannel.LOST),
        (Status.LENT, Status.LOST, ExitChannel.LOST),
    ],
)
def test_entering_an_exit_status_writes_one_row_out(superuser, source, target, channel):
    device = erased(status=source)
    when = at(2026, 5, 4)

    move(device, target, superuser, when)

    row = StockExit.objects.get(device=device)
    assert (row.channel, row.sign, row.at, row.site_id, row.by) == (
        channel,
        StockExit.OUT,
        when,
        device.site_id,
        superuser,
    )


def test_a_sale_and_its_cancellation_cancel_out(superuser):
    device = DeviceFactory(status=Status.READY)
    move(device, Status.SOLD, superuser, process=workflow.SALE, holder_ref="BRU-2026-0001")

    move(device, Status.WIPING, superuser, process=workflow.SALE, holder_ref="BRU-2026-0001")

    assert ledger(device) == [(ExitChannel.SOLD, 1), (ExitChannel.SOLD, -1)]


def test_a_lost_device_found_again_comes_back_on_the_channel_it_left_by(superuser):
    device = DeviceFactory(status=Status.LENT)
    move(device, Status.LOST, superuser, at(2026, 2, 1))

    move(device, Status.RETURNED, superuser, at(2026, 3, 1))

    assert ledger(device) == [(ExitChannel.LOST, 1), (ExitChannel.LOST, -1)]


def test_parts_then_recycling_moves_the_exit_from_one_channel_to_the_other(superuser):
    device = erased(status=Status.WIPING)
    move(device, Status.PARTS, superuser, at(2026, 2, 1))

    move(device, Status.RECYCLED, superuser, at(2026, 6, 1))

    assert ledger(device) == [
        (ExitChannel.PARTS, 1),
        (ExitChannel.PARTS, -1),
        (ExitChannel.RECYCLED, 1),
    ]


def test_moves_inside_the_stock_write_nothing(superuser):
    device = DeviceFactory(status=Status.READY)

    move(device, Status.RESERVED, superuser)
    move(device, Status.LENT, superuser)
    move(device, Status.RETURNED, superuser)

    assert ledger(device) == []


def test_a_refused_bulk_move_leaves_no_row(superuser):
    ready = erased(status=Status.READY)
    unerased = DeviceFactory(status=Status.RECEIVED, drives__count=1)

    with pytest.raises(Refused):
        workflow.transition_devices(devices=[ready, unerased], target=Status.RECYCLED, by=superuser)

    assert StockExit.objects.count() == 0


def test_a_bulk_move_writes_one_row_per_device(superuser):
    devices = [erased(status=Status.READY) for _ in range(3)]

    workflow.transition_devices(devices=devices, target=Status.RECYCLED, by=superuser)

    assert StockExit.objects.filter(channel=ExitChannel.RECYCLED, sign=1).count() == 3


def test_a_move_lost_to_a_race_writes_no_row(superuser):
    device = DeviceFactory(status=Status.READY)
    stale = DeviceFactory._meta.model.objects.get(pk=device.pk)
    move(device, Status.GIVEN, superuser)

    with pytest.raises(workflow.StaleStatus):
        move(stale, Status.LOST, superuser)

    assert ledger(device) == [(ExitChannel.GIVEN, 1)]


def test_the_user_without_the_permission_writes_nothing(technician):
    device = DeviceFactory(status=Status.READY)

    with pytest.raises(Refused):
        move(device, Status.GIVEN, technician)

    assert ledger(device) == []


def test_the_row_names_who_moved_the_device():
    coordinator = UserFactory(is_superuser=True)
    device = DeviceFactory(status=Status.READY)

    move(device, Status.GIVEN, coordinator)

    assert StockExit.objects.get(device=device).by == coordinator

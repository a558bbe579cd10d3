"""The status-stretch ledger: every move writes the stretch the device has just left, in
the move's transaction; registering writes nothing (the current stretch is the device's
own status and status_changed_at)."""

import pytest

from accounts.refusals import Refused
from inventory import workflow
from inventory.models import Device, Status, StatusStretch
from inventory.services import register_device
from sales.models import PaymentMethod
from sales.services import cancel_sale
from tests.factories import DeviceFactory, SiteFactory
from tests.inventory.impact.helpers import at, move
from tests.sales_factories import SaleFactory, ready_device

pytestmark = pytest.mark.django_db


def stretches(device):
    return list(
        StatusStretch.objects.filter(device=device)
        .order_by("entered_at", "pk")
        .values_list("status", "entered_at", "left_at")
    )


def since(device, moment):
    """`device` as if it had entered its status at `moment`."""
    Device.objects.filter(pk=device.pk).update(status_changed_at=moment)
    device.refresh_from_db()
    return device


def test_a_move_writes_the_stretch_the_device_left(superuser):
    site = SiteFactory()
    device = since(DeviceFactory(status=Status.RECEIVED, site=site), at(2026, 1, 5))

    move(device, Status.WIPING, superuser, at(2026, 1, 7))

    row = StatusStretch.objects.get(device=device)
    assert (row.status, row.entered_at, row.left_at, row.site) == (
        Status.RECEIVED,
        at(2026, 1, 5),
        at(2026, 1, 7),
        site,
    )
    device.refresh_from_db()
    assert (device.status, device.status_changed_at) == (Status.WIPING, at(2026, 1, 7))


def test_successive_moves_write_stretches_end_to_end(superuser):
    device = since(DeviceFactory(status=Status.READY), at(2026, 2, 1))

    move(device, Status.RESERVED, superuser, at(2026, 2, 3))
    move(device, Status.LENT, superuser, at(2026, 2, 10))
    move(device, Status.RETURNED, superuser, at(2026, 8, 10))

    assert stretches(device) == [
        (Status.READY, at(2026, 2, 1), at(2026, 2, 3)),
        (Status.RESERVED, at(2026, 2, 3), at(2026, 2, 10)),
        (Status.LENT, at(2026, 2, 10), at(2026, 8, 10)),
    ]


def test_registering_a_device_writes_no_stretch(technician):
    device = register_device(by=technician, category="laptop", site=SiteFactory())

    assert stretches(device) == []
    assert device.status == Status.RECEIVED


def test_a_cancelled_sale_leaves_the_stretch_in_sold(technician, coordinator):
    site = SiteFactory()
    device = ready_device(site=site)
    shelved = device.status_changed_at
    sale = SaleFactory(by=technician, site=site, devices=[device])
    device.refresh_from_db()
    sold_at = device.status_changed_at

    cancel_sale(sale=sale, by=coordinator, reason="Retour", refund_method=PaymentMethod.CASH)

    device.refresh_from_db()
    assert stretches(device) == [
        (Status.READY, shelved, sold_at),
        (Status.SOLD, sold_at, device.status_changed_at),
    ]
    assert device.status == Status.WIPING


def test_a_refused_move_writes_nothing(technician):
    # Not erased: the move to refurbishment is refused by its guard.
    device = DeviceFactory(status=Status.RECEIVED, drives__count=1)

    with pytest.raises(workflow.GuardFailed):
        move(device, Status.REFURBISHING, technician)
    with pytest.raises(workflow.TransitionNotAllowed):
        move(device, Status.LENT, technician)

    assert stretches(device) == []


def test_a_move_lost_to_another_user_writes_nothing(superuser):
    device = DeviceFactory(status=Status.RECEIVED)
    stale = Device.objects.get(pk=device.pk)
    move(device, Status.WIPING, superuser)

    with pytest.raises(Refused):
        move(stale, Status.LOST, superuser)

    assert [status for status, _in, _out in stretches(device)] == [Status.RECEIVED]

"""The migration that derives the stretches devices had already left from their
history (simple_history's rows, before the ledger existed)."""

import importlib

import pytest
from django.apps import apps

from inventory.models import Device, Status, StatusStretch
from tests.factories import DeviceFactory, SiteFactory
from tests.inventory.impact.helpers import at

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("inventory.migrations.0027_stretches_backfill").backfill
History = Device.history.model


def lived_before_the_ledger(steps, **fields):
    """A device saved through `steps` [(fields, moment)] without the workflow, as before
    the ledger: history rows only, dated by `moment`."""
    (first, registered), *changes = steps
    device = DeviceFactory(**first, **fields)
    History.objects.filter(id=device.pk).update(history_date=registered)
    for change, moment in changes:
        for field, value in change.items():
            setattr(device, field, value)
        device.save()
        History.objects.filter(history_id=History.objects.latest("history_id").history_id).update(
            history_date=moment
        )
    return device


def stretches(device):
    return list(
        StatusStretch.objects.filter(device=device)
        .order_by("entered_at")
        .values_list("status", "entered_at", "left_at", "site")
    )


def test_each_change_of_status_closes_a_stretch_other_saves_do_not():
    site, other = SiteFactory(), SiteFactory()
    device = lived_before_the_ledger(
        [
            ({"status": Status.RECEIVED}, at(2026, 1, 5)),
            ({"notes": "écran rayé"}, at(2026, 1, 6)),
            ({"status": Status.WIPING}, at(2026, 1, 8)),
            ({"status": Status.REFURBISHING}, at(2026, 1, 9)),
            # A change of site during refurbishment: the stretch goes on.
            ({"site": other}, at(2026, 1, 12)),
            ({"status": Status.READY}, at(2026, 1, 20)),
        ],
        site=site,
    )

    backfill(apps, None)

    assert stretches(device) == [
        (Status.RECEIVED, at(2026, 1, 5), at(2026, 1, 8), site.pk),
        (Status.WIPING, at(2026, 1, 8), at(2026, 1, 9), site.pk),
        (Status.REFURBISHING, at(2026, 1, 9), at(2026, 1, 20), other.pk),
    ]


def test_a_device_that_never_moved_gets_no_stretch():
    device = lived_before_the_ledger([({"status": Status.RECEIVED}, at(2026, 1, 5))])

    backfill(apps, None)

    assert stretches(device) == []


def test_devices_are_kept_apart_and_a_second_run_adds_nothing():
    one = lived_before_the_ledger(
        [({"status": Status.READY}, at(2026, 3, 1)), ({"status": Status.SOLD}, at(2026, 3, 4))]
    )
    two = lived_before_the_ledger(
        [({"status": Status.LENT}, at(2026, 2, 1)), ({"status": Status.RETURNED}, at(2026, 4, 1))]
    )

    backfill(apps, None)
    backfill(apps, None)

    assert [row[:3] for row in stretches(one)] == [(Status.READY, at(2026, 3, 1), at(2026, 3, 4))]
    assert [row[:3] for row in stretches(two)] == [(Status.LENT, at(2026, 2, 1), at(2026, 4, 1))]
    assert StatusStretch.objects.count() == 2


def test_a_deleted_device_history_is_skipped():
    gone = lived_before_the_ledger(
        [({"status": Status.READY}, at(2026, 3, 1)), ({"status": Status.GIVEN}, at(2026, 3, 4))]
    )
    Device.objects.filter(pk=gone.pk).delete()

    backfill(apps, None)

    assert StatusStretch.objects.count() == 0

"""The migration that gives devices already out of the stock their exit row."""

import importlib

import pytest
from django.apps import apps

from inventory.models import Device, ExitChannel, Status, StockExit
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("inventory.migrations.0025_ledger_backfill_exits").backfill


def left_before_the_ledger(status, before=Status.READY):
    """A device moved to `status` without the workflow (as before the ledger existed),
    with the history the workflow would have left."""
    device = DeviceFactory(status=before)
    device.status = status
    device.save()
    return Device.objects.get(pk=device.pk)


def test_each_device_out_of_the_stock_gets_one_row_dated_by_its_status_change():
    sold = left_before_the_ledger(Status.SOLD)
    recycled = left_before_the_ledger(Status.RECYCLED)
    DeviceFactory(status=Status.READY)

    backfill(apps, None)

    rows = {row.device_id: row for row in StockExit.objects.all()}
    assert set(rows) == {sold.pk, recycled.pk}
    assert (rows[sold.pk].channel, rows[sold.pk].sign) == (ExitChannel.SOLD, 1)
    assert rows[sold.pk].at == sold.status_changed_at
    assert rows[recycled.pk].site_id == recycled.site_id


def test_a_given_device_that_was_lent_is_a_loan_turned_gift():
    gift = left_before_the_ledger(Status.GIVEN, before=Status.LENT)
    given = left_before_the_ledger(Status.GIVEN, before=Status.READY)

    backfill(apps, None)

    assert StockExit.objects.get(device=gift).channel == ExitChannel.LOAN_GIFT
    assert StockExit.objects.get(device=given).channel == ExitChannel.GIVEN


def test_running_it_twice_adds_nothing():
    left_before_the_ledger(Status.LOST)

    backfill(apps, None)
    backfill(apps, None)

    assert StockExit.objects.count() == 1

"""Marks the summed months (inventory.models.monthly) that a change makes out of date, so
that reports read them live until the next rebuild.

A month's sums depend on its devices' category, measured weight and site, on their
donation, and on the donation's date, site and donor's kind. A change to one of those,
on a row read before the last rebuild, marks every summed month the row counted in,
before and after the change. Rows added since the rebuild need nothing: the reports read
them live. Saves and deletes reach this module through signals (connected in
inventory.apps); imports, whose bulk_update bypasses them, through their resources'
after_bulk_update. Without a summary nothing is marked, and no query is made beyond
reading that there is none.

The workshop's daily sums (DailyStatus) need one thing only: a device moved to another
site takes the stay it is in with it (_move_open_stays), since a stay that has not ended
counts at the device's site.
"""

import datetime

from django.db.models import F
from django.db.models.signals import post_save, pre_delete
from django.utils import timezone

from inventory.impact import stays
from inventory.impact.period import day_start
from inventory.models import (
    DailyStatus,
    Device,
    Donation,
    Donor,
    FlowSummary,
    StaleFlowMonth,
    StockExit,
)
from inventory.models.core import NOT_LOADED


def _horizon():
    """The summary's horizon, or None when there is no summary (nothing to mark)."""
    return FlowSummary.objects.values_list("horizon", flat=True).first()


def _move_open_stays(devices):
    """Devices moved to another site take the stay they are in with them: the daily
    sums count that stay at the device's site (DailyStatus), and so does a live read."""
    moved = [device for device in devices if "site_id" in device.changed_fields()]
    day_horizon = moved and FlowSummary.objects.values_list("day_horizon", flat=True).first()
    if not day_horizon:
        return
    for device in moved:
        began = device.status_changed_at
        day = timezone.localdate(began)
        if day >= day_horizon:
            continue  # a stay begun since the rebuild is read live
        offset = stays.elapsed(day_start(day), began)
        row = {"day": day, "status": device.status}
        DailyStatus.objects.filter(**row, site_id=device.loaded_value("site_id")).update(
            entered=F("entered") - 1, entered_time=F("entered_time") - offset
        )
        added = DailyStatus.objects.filter(**row, site_id=device.site_id).update(
            entered=F("entered") + 1, entered_time=F("entered_time") + offset
        )
        if not added:
            DailyStatus.objects.create(
                **row,
                site_id=device.site_id,
                entered=1,
                entered_time=offset,
                left=0,
                left_time=datetime.timedelta(),
            )


def mark(months, horizon):
    """Mark `months` (first days) stale, those before the summary's `horizon`."""
    months = sorted({month for month in months if month and month < horizon})
    if not months:
        return
    now = timezone.now()
    StaleFlowMonth.objects.bulk_create(
        [StaleFlowMonth(month=month, marked_at=now) for month in months],
        update_conflicts=True,
        unique_fields=["month"],
        update_fields=["marked_at"],
    )


def _first(day):
    return day.replace(day=1) if day else None


def _device_months(devices):
    """The months `devices` count in: their entries through the donations they have and
    had (or their registration date without one), and their exits. Two queries."""
    pairs = []
    for device in devices:
        for donation_id in {device.donation_id, device.loaded_value("donation_id")}:
            if donation_id is not NOT_LOADED:
                pairs.append((device, donation_id))
    wanted = {donation_id for _device, donation_id in pairs if donation_id}
    dates = dict(Donation.objects.filter(pk__in=wanted).values_list("pk", "received_on"))
    months = set()
    for device, donation_id in pairs:
        if donation_id:
            months.add(_first(dates.get(donation_id)))
        elif device.created_at:
            months.add(_first(timezone.localdate(device.created_at)))
    exits = StockExit.objects.filter(device__in=[device.pk for device in devices])
    months.update(moment.date() for moment in exits.datetimes("at", "month"))
    return months


def _counts(device):
    changed = device.changed_fields()
    # A move between sites of a device with a donation changes nothing: its entry counts
    # at the donation's site, its exits at the site each was written at.
    return bool(changed) and not (changed == {"site_id"} and device.donation_id is not None)


def devices_changed(devices, horizon):
    mark(_device_months(devices), horizon)


def donations_changed(donations, horizon):
    months = set()
    for donation in donations:
        if donation.changed_fields():
            dates = {donation.received_on, donation.loaded_value("received_on")}
            months.update(_first(date) for date in dates - {NOT_LOADED})
    mark(months, horizon)


def donors_changed(donors, horizon):
    changed = [donor.pk for donor in donors if donor.changed_fields()]
    if changed:
        months = Donation.objects.filter(donor__in=changed).dates("received_on", "month")
        mark(set(months), horizon)


HANDLERS = {Device: devices_changed, Donation: donations_changed, Donor: donors_changed}


def changed(instances):
    """Mark what saved Devices, Donations or Donors (one model at a time) made stale;
    then take their current values as the loaded ones, so a second save marks again
    only what it changes itself."""
    changed = [instance for instance in instances if instance.changed_fields()]
    if changed and isinstance(changed[0], Device):
        _move_open_stays(changed)
    # Read whether there is a summary only when a change counts in one.
    relevant = [i for i in changed if not isinstance(i, Device) or _counts(i)]
    horizon = _horizon() if relevant else None
    if horizon is not None:
        HANDLERS[type(relevant[0])](relevant, horizon)
    for instance in changed:
        instance.remember_loaded_values()


def _on_save(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:
        changed([instance])


def _on_device_delete(sender, instance, **kwargs):
    horizon = _horizon()
    if horizon is not None:
        # Its stays leave the tables but not the daily sums: read them live until the
        # next rebuild (a deletion is rare; marking each day it touched is not worth it).
        FlowSummary.objects.update(day_horizon=None)
        instance.remember_loaded_values()
        mark(_device_months([instance]), horizon)


def connect():
    for model in HANDLERS:
        post_save.connect(_on_save, sender=model, dispatch_uid=f"stale-flows-{model.__name__}")
    pre_delete.connect(_on_device_delete, sender=Device, dispatch_uid="stale-flows-delete")

"""Moving devices at a chosen moment, as the workflow would, for the flows tests."""

import datetime
from unittest import mock

from django.utils import timezone

from inventory import workflow


def at(year, month, day, hour=12):
    """An aware moment in the current time zone."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def move(device, target, by, when=None, **kwargs):
    """transition_device with the clock set to `when` (the ledger dates rows by it)."""
    if when is None:
        return workflow.transition_device(device=device, target=target, by=by, **kwargs)
    with mock.patch("django.utils.timezone.now", lambda: when):
        return workflow.transition_device(device=device, target=target, by=by, **kwargs)


# What may happen to a device after its entry: the moves, in order.
ROUTES = {
    "kept": [],
    "given": [("given", {})],
    "sold": [("sold", {"process": workflow.SALE, "holder_ref": "R1"})],
    "sale cancelled": [
        ("sold", {"process": workflow.SALE, "holder_ref": "R2"}),
        ("wiping", {"process": workflow.SALE, "holder_ref": "R2"}),
    ],
    "lost then found": [("lost", {}), ("returned", {})],
    "parts then recycled": [("parts", {}), ("recycled", {})],
    "loan turned gift": [("reserved", {}), ("lent", {}), ("given", {})],
    "lost": [("lost", {})],
}


def walk(device, route, by, start, step_days=9):
    """Move `device` along ROUTES[route], one move every `step_days` from `start`."""
    when = start
    for target, kwargs in ROUTES[route]:
        when = when + datetime.timedelta(days=step_days)
        move(device, target, by, when, **kwargs)
    return device

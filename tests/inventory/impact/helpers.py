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

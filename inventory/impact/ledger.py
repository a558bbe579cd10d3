"""The one place that writes StockExit rows: called by inventory.workflow.transition_device
inside its transaction, so a move and its ledger row are saved together or not at all.

Every status change goes through transition_device (services, scans, erasures, loans,
sales and the demo all call it; Device.status is not editable elsewhere), so this is
the only writer of the ledger besides the backfill migration.
"""

from inventory.models import ExitChannel, Status, StockExit

# The channel a device leaves the stock by when it enters each exit status.
CHANNEL_OF_STATUS = {
    Status.SOLD: ExitChannel.SOLD,
    Status.GIVEN: ExitChannel.GIVEN,
    Status.PARTS: ExitChannel.PARTS,
    Status.RECYCLED: ExitChannel.RECYCLED,
    Status.LOST: ExitChannel.LOST,
}
# Statuses in which a device is no longer the association's stock (see docs: "Stock").
EXIT_STATUSES = frozenset(CHANNEL_OF_STATUS)


def channel_of(source, target):
    """The channel of a move from `source` into the exit status `target`."""
    if source == Status.LENT and target == Status.GIVEN:
        return ExitChannel.LOAN_GIFT
    return CHANNEL_OF_STATUS[target]


def record_move(*, device, source, target, by, at):
    """Write the ledger rows of `device`'s move from `source` to `target` at `at`.

    Leaving an exit status writes a -1 row on the channel the device had left by;
    entering one writes a +1 row (both for, say, parts → recycled). Returns the rows.
    """
    rows = []
    if source in EXIT_STATUSES:
        rows.append(_row(device, _open_channel(device, source), StockExit.BACK, by, at))
    if target in EXIT_STATUSES:
        rows.append(_row(device, channel_of(source, target), StockExit.OUT, by, at))
    return StockExit.objects.bulk_create(rows)


def _open_channel(device, source):
    """The channel of the device's last exit row, else (a device that left before the
    ledger and escaped the backfill) the channel its status implies."""
    last = (
        StockExit.objects.filter(device=device, sign=StockExit.OUT)
        .order_by("-at", "-pk")
        .values_list("channel", flat=True)
        .first()
    )
    return last or CHANNEL_OF_STATUS[source]


def _row(device, channel, sign, by, at):
    return StockExit(
        device=device, channel=channel, sign=sign, at=at, site_id=device.site_id, by=by
    )

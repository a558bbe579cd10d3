"""The one place that writes StatusStretch rows: called by inventory.workflow's
transition_device inside its transaction, so a move and its stretch are saved together
or not at all (a refused or lost move writes nothing).

Every status change goes through transition_device, so the ledger holds every stretch a
device has left; the stretch it is in now is its own status and status_changed_at (see
inventory.models.stretches), which is why registering a device writes nothing here.
"""

from inventory.models import StatusStretch


def record_left(*, device, source, entered_at, left_at):
    """Write the stretch `device` spent in `source` from `entered_at` (its
    status_changed_at before the move) to `left_at` (the move). Returns the row."""
    return StatusStretch.objects.create(
        device=device,
        status=source,
        entered_at=entered_at,
        left_at=left_at,
        site_id=device.site_id,
    )

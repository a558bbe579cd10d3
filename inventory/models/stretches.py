"""How long each device stayed in each status: one row per stretch a device has left.

The workshop's figures (devices entering each status per week, time spent in each
status) used to be read from simple_history's device rows, pairing each row with the
next one of the same device: correlated subqueries that take minutes at a million
devices. A stretch is that pair, written once when the device leaves the status, so a
period's figures are range scans and sums.

Only stretches a device has LEFT are stored. The stretch a device is in now is read from
the device itself (`Device.status` since `Device.status_changed_at`): a device that is
registered (register_device, an import, a bulk_create, the demo) starts its first
stretch without anyone writing a row, and the row is written by the move that ends it
(inventory.stretches.record_left, called by workflow.transition_device).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from inventory.models.core import Device, Site, Status


class StatusStretch(models.Model):
    """A device was in `status` from `entered_at` to `left_at` (then moved on).

    Rows are only ever added, by the workflow's one transition function (and the
    migration that derived the past ones from the history): this table is itself a
    history and carries no simple_history table.
    """

    device = models.ForeignKey(
        # CASCADE: a deleted device leaves the current figures too (they read Device).
        Device,
        on_delete=models.CASCADE,
        # Indexed below, with the status and left_at.
        db_index=False,
        related_name="stretches",
        verbose_name=_("device"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status)
    entered_at = models.DateTimeField(_("entered on"))
    # No check that left_at >= entered_at: the clock of the server writing the move may
    # step back (NTP); a few negative seconds are better than a refused move.
    left_at = models.DateTimeField(_("left on"))
    # Where the device was when it left the status.
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="status_stretches", verbose_name=_("site")
    )

    class Meta:
        ordering = ["device", "entered_at", "pk"]
        verbose_name = _("status stretch")
        verbose_name_plural = _("status stretches")
        indexes = [
            # Entries per week: stretches entered in the period, by status.
            models.Index(fields=["entered_at", "status"]),
            # Time in status: stretches left after the period's start (and entered
            # before its end), by status, per device: the whole sum from the index.
            models.Index(fields=["left_at", "status", "entered_at", "device"]),
            # A device's stretches in one status (back in a status it had left).
            models.Index(fields=["device", "status", "left_at"]),
        ]

    def __str__(self):
        return (
            f"{self.device_id} {self.status} {self.entered_at:%Y-%m-%d} → {self.left_at:%Y-%m-%d}"
        )


class DailyStatus(models.Model):
    """How many stays in a status began and ended on one day at one site:
    written by the nightly rebuild (inventory.impact.monthly.rebuild) for every day
    before the one it runs on, so that the workshop's figures over a year add up a few
    thousand rows instead of millions of stretches.

    A stay begins when a device enters the status (a stretch's entered_at, or a device's
    status_changed_at for the stay it is in now) and ends when it leaves (a stretch's
    left_at). The times are kept as sums of durations since the day's local midnight,
    which is what the time spent within a period is computed from.
    """

    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=20, choices=Status)
    # A stay's site: for one that ended, the site it ended at (StatusStretch.site); for
    # the one a device is in, the device's site (moved with it: inventory.impact.stale).
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    entered = models.IntegerField(_("stays begun"))
    entered_time = models.DurationField(_("sum of the times they began"))
    left = models.IntegerField(_("stays ended"))
    left_time = models.DurationField(_("sum of the times they ended"))

    class Meta:
        ordering = ["day", "status"]
        verbose_name = _("day in the workshop")
        verbose_name_plural = _("days in the workshop")
        constraints = [
            models.UniqueConstraint(fields=["day", "status", "site"], name="daily_status_unique")
        ]

    def __str__(self):
        return f"{self.day} {self.status}: +{self.entered} -{self.left}"

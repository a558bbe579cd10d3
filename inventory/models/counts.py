"""How many devices there are in each group of (status, site, shelf, category).

The kanban, the dashboard, the device list's total and the sites page show counts of
devices. Counting them from the device table reads every row (a parallel sequential
scan of 1,000,000 devices took 130–200 ms), so these counts are kept in this small table
instead, a few hundred rows at most.

The database keeps it, not the code: triggers on inventory_device (migration 0030) add a
row of +n or -n on every insert, update and delete, whichever path made it (the
workflow, an import's bulk_create, a queryset's update, a cascade). That is what keeps
it exact. The rows are only ever added, never updated: one counter row per group,
updated in place, would be locked by every transaction that moves a device of that
group until it commits, and two sales or loans moving devices of the same groups in
another order would deadlock. A group's count is the sum of its rows; inventory.counts
reads them and folds them into one row per group when they have piled up.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from inventory.models.core import Category, Status


class DeviceCount(models.Model):
    status = models.CharField(_("status"), max_length=20, choices=Status)
    # Plain numbers rather than foreign keys: a trigger writes them, and a row of zeros
    # left by a deleted shelf holds nothing back. No shelf is 0.
    site_id = models.IntegerField(_("site"))
    location_id = models.IntegerField(_("location"))
    category = models.CharField(_("category"), max_length=20, choices=Category)
    # Devices added to (or, below zero, taken from) the group.
    n = models.BigIntegerField(_("devices"))

    class Meta:
        verbose_name = _("device count")
        verbose_name_plural = _("device counts")

    def __str__(self):
        return f"{self.status} {self.site_id}/{self.location_id} {self.category}: {self.n}"

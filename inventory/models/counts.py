"""How many devices there are in each group of (status, site, shelf, category).

The kanban, the dashboard, the device list's total and the sites page show counts of
devices. Counting them from the device table reads every row (a parallel sequential
scan of 1,000,000 devices took 130–200 ms), so these counts are kept in this small table
instead, a few hundred rows at most.

The database keeps it, not the code: triggers on inventory_device (migration 0030) add
and subtract on every insert, update and delete, whichever path made it (the workflow, an
import's bulk_create, a queryset's update, a cascade). That is what keeps it exact; the
Python side only reads it (inventory.counts).
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
    n = models.BigIntegerField(_("devices"))

    class Meta:
        verbose_name = _("device count")
        verbose_name_plural = _("device counts")
        constraints = [
            models.UniqueConstraint(
                fields=["status", "site_id", "location_id", "category"],
                name="device_count_group",
            )
        ]

    def __str__(self):
        return f"{self.status} {self.site_id}/{self.location_id} {self.category}: {self.n}"

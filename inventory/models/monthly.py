"""Entries and exits summed by month, kept as data so that a report does not read a
million devices to add up five years of kilos.

A nightly rebuild (inventory.impact.monthly.rebuild) writes one MonthlyFlow row per
month, site, category and donor kind (entries) or channel (exits) for every month before
the one it runs in, and records in FlowSummary which devices and exits it saw. A report
reads those rows for the whole months it covers and the device and ledger tables for the
rest: the current month, the period's partial first and last months, devices and exits
added since the rebuild, and any month marked stale because a device, a donation or a
donor that counts in it changed (StaleFlowMonth). So a report is exact at once, and the
rebuild only makes it fast again.

Weights are not summed in kilos alone: a row keeps the measured kilos and the number of
devices without a measured weight, which the reader prices at today's default weight of
their category. Changing a default (WeightDefault) therefore needs no rebuild.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from inventory.models.core import Category, Site
from inventory.models.stock import ExitChannel


class MonthlyFlow(models.Model):
    """Devices entered (or net exits) in one month, at one site, of one category."""

    class Kind(models.TextChoices):
        ENTRY = "entry", _("Entry")
        EXIT = "exit", _("Exit")

    kind = models.CharField(_("kind"), max_length=5, choices=Kind)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("category"), max_length=20, choices=Category)
    # Entries: the donor's kind ("unknown" without a donation); exits: blank.
    donor_kind = models.CharField(_("donor kind"), max_length=20, blank=True)
    # Exits: the channel; entries: blank.
    channel = models.CharField(_("channel"), max_length=12, choices=ExitChannel, blank=True)
    # Exits are net of returns (a -1 ledger row takes its device back), so both counts
    # and kilos may be negative in a month when more came back than left.
    count = models.IntegerField(_("devices"))
    unweighed = models.IntegerField(_("devices without a measured weight"))
    measured_kg = models.DecimalField(_("measured kilos"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("monthly flow")
        verbose_name_plural = _("monthly flows")
        indexes = [models.Index(fields=["kind", "month", "site"])]

    def __str__(self):
        return f"{self.kind} {self.month:%Y-%m} {self.site_id} {self.category}: {self.count}"


class FlowSummary(models.Model):
    """What the last rebuild covered: one row, replaced by each rebuild.

    `horizon` is the first day of the month the rebuild ran in: MonthlyFlow holds the
    months before it. `last_device` and `last_exit` are the highest primary keys it
    summed: devices and ledger rows above them are read live.
    """

    built_at = models.DateTimeField(_("built on"))
    horizon = models.DateField(_("months summed before"))
    last_device = models.BigIntegerField(_("last device summed"), default=0)
    last_exit = models.BigIntegerField(_("last exit summed"), default=0)
    # The workshop's days (DailyStatus) summed before this one; None when there are none
    # to trust: a device deleted since took its stays out of the tables, not the sums.
    day_horizon = models.DateField(_("days summed before"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly flow summary")
        verbose_name_plural = _("monthly flow summaries")

    def __str__(self):
        return f"{self.horizon:%Y-%m} ({self.built_at:%Y-%m-%d %H:%M})"


class StaleFlowMonth(models.Model):
    """A summed month that a change made out of date: read live until the next rebuild."""

    month = models.DateField(_("month"), unique=True)
    marked_at = models.DateTimeField(_("marked on"), auto_now_add=True)

    class Meta:
        verbose_name = _("stale month")
        verbose_name_plural = _("stale months")

    def __str__(self):
        return f"{self.month:%Y-%m}"

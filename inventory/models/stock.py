"""Kilos in and out of the stock: default weights per category and the exits ledger.

Entries need no table of their own: a device's registration is its entry (its
donation's date and site, else its own). Exits do, because a device may leave, come
back and leave again (a cancelled sale, a lost device found again): each move out or
back in is one row of StockExit, and a period's exits are a sum over those rows.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from inventory.models.core import Category, Device, Site


class WeightDefault(models.Model):
    """The weight assumed for a device of a category whose own weight was not measured.

    Kilos computed with it are flagged "estimated" wherever they are shown.
    """

    category = models.CharField(_("category"), max_length=20, choices=Category, unique=True)
    kg = models.DecimalField(
        _("weight (kg)"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    source = models.TextField(
        _("source"), help_text=_("Where this weight comes from: a study, or your own weighings.")
    )
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category"]
        verbose_name = _("default weight")
        verbose_name_plural = _("default weights")

    def __str__(self):
        return f"{self.get_category_display()}: {self.kg} kg"


class ExitChannel(models.TextChoices):
    SOLD = "sold", _("Sold")
    GIVEN = "given", _("Given")
    LOAN_GIFT = "loan_gift", _("Loan turned into a gift")
    PARTS = "parts", _("Kept for parts")
    RECYCLED = "recycled", _("Recycled (WEEE)")
    LOST = "lost", _("Lost")


# The channels where the device itself lives on: what the réemploi rate counts.
REUSED_CHANNELS = (ExitChannel.SOLD, ExitChannel.GIVEN, ExitChannel.LOAN_GIFT)


class StockExit(models.Model):
    """One move of a device out of the stock (sign +1) or back into it (sign -1).

    This ledger is itself the history: rows are only ever added (by
    inventory.impact.ledger, from the workflow's one transition function), never edited,
    so it carries no simple_history table. A device that comes back gets a -1 row on the
    channel it had left by, so sums over a period are net of returns.
    """

    OUT = 1
    BACK = -1

    device = models.ForeignKey(
        # CASCADE, not PROTECT: a deleted device also leaves the entries (which are read
        # from the devices), so dropping its exits with it keeps the balance closed.
        Device,
        on_delete=models.CASCADE,
        related_name="exits",
        verbose_name=_("device"),
    )
    channel = models.CharField(_("channel"), max_length=12, choices=ExitChannel)
    sign = models.SmallIntegerField(
        _("direction"), choices=[(OUT, _("Out of stock")), (BACK, _("Back into stock"))]
    )
    at = models.DateTimeField(_("date"), db_index=True)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="stock_exits", verbose_name=_("site")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("stock exit")
        verbose_name_plural = _("stock exits")
        constraints = [
            models.CheckConstraint(condition=models.Q(sign__in=[1, -1]), name="stock_exit_sign")
        ]
        indexes = [
            # Period aggregates: by month and channel, by site and month; and the
            # channel a device left by (the last row of a device).
            models.Index(fields=["at", "channel"]),
            models.Index(fields=["site", "at"]),
            models.Index(fields=["device", "-at"]),
        ]

    def __str__(self):
        arrow = "+" if self.sign == self.OUT else "-"
        return f"{arrow}{self.device_id} {self.channel} {self.at:%Y-%m-%d}"

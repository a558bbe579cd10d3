"""The impact ledger's reference data: versioned emission factors and closed reports.

A factor set is a numbered version of the factors (kg CO2e per device category and
method), each with its source. A closed report keeps the factor set it was computed with
and the figures as they were handed out. Neither changes afterwards: a corrected factor is
a new version (inventory.impact.factors.new_version), and a closed report is never edited
(inventory.impact.closing.close_report writes it once).
"""

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from inventory.models.core import Category


class FrozenRecord(Exception):
    """A factor set used by a closed report, or a closed report, was about to change."""


class FactorSet(models.Model):
    version = models.PositiveIntegerField(
        _("version"), unique=True, validators=[MinValueValidator(1)]
    )
    name = models.CharField(_("name"), max_length=200)
    published_on = models.DateField(_("published on"))
    # Why this version exists (the reason given when a factor changed).
    notes = models.TextField(_("notes"), blank=True)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Empty for the version seeded by a migration.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("impact factor set")
        verbose_name_plural = _("impact factor sets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="factor_set_version_positive"
            )
        ]
        permissions = [("publish_factorset", _("Can publish a new version of the impact factors"))]

    def __str__(self):
        return _("Factors v%(version)s: %(name)s") % {"version": self.version, "name": self.name}

    def save(self, *args, **kwargs):
        if self.used():
            raise FrozenRecord(f"Factor set v{self.version} is used by a closed report.")
        super().save(*args, **kwargs)

    @classmethod
    def latest(cls):
        return cls.objects.order_by("-version").first()

    def used(self):
        """Whether a closed report was computed with this set (then it never changes)."""
        return self.pk is not None and ClosedReport.objects.filter(factor_set_id=self.pk).exists()


class ImpactFactor(models.Model):
    class Method(models.TextChoices):
        # ADEME's refurbishment study: what a refurbished device avoids per year of use.
        YEARLY = "yearly", _("Avoided per year of second life")
        # The whole manufacturing footprint of a new device: an upper bound of what reuse avoids.
        MANUFACTURING = "manufacturing", _("Manufacturing footprint (upper bound)")

    class Unit(models.TextChoices):
        PER_YEAR = "per_year", _("kg CO2e per device and year")
        PER_DEVICE = "per_device", _("kg CO2e per device")

    factor_set = models.ForeignKey(
        FactorSet, on_delete=models.CASCADE, related_name="factors", verbose_name=_("factor set")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category)
    method = models.CharField(_("method"), max_length=20, choices=Method)
    kg_co2e = models.DecimalField(
        _("kg CO2e"), max_digits=10, decimal_places=3, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=20, choices=Unit)
    # Yearly method only: how many years the second life is assumed to last.
    assumed_second_life_years = models.DecimalField(
        _("assumed second life (years)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    source_title = models.CharField(_("source"), max_length=300)
    source_publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    method_note = models.TextField(_("how the figure is used"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["factor_set", "category", "method"]
        verbose_name = _("impact factor")
        verbose_name_plural = _("impact factors")
        constraints = [
            models.UniqueConstraint(
                fields=["factor_set", "category", "method"], name="one_factor_per_category_method"
            ),
            models.CheckConstraint(
                condition=models.Q(method="manufacturing")
                | models.Q(assumed_second_life_years__isnull=False),
                name="yearly_factor_has_years",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} · {self.get_method_display()}: {self.kg_co2e}"

    def save(self, *args, **kwargs):
        # A factor is written once, with its set; the set's closed reports rely on it.
        if self.pk is not None and self.factor_set.used():
            raise FrozenRecord(f"Factor set v{self.factor_set.version} is used by a closed report.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.factor_set.used():
            raise FrozenRecord(f"Factor set v{self.factor_set.version} is used by a closed report.")
        return super().delete(*args, **kwargs)

    @property
    def kg_shown(self):
        """The factor without the trailing zeros of its three stored decimals: 261,5 rather
        than 261,500, which a French reader takes for 261 thousand."""
        if self.kg_co2e % 1 == 0:
            return self.kg_co2e.quantize(Decimal(1))
        return self.kg_co2e.normalize()


class ClosedReport(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    # The filters as chosen: site / programme / funder, ids and names (names as they were).
    filters = models.JSONField(_("filters"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    factor_set = models.ForeignKey(
        FactorSet, on_delete=models.PROTECT, related_name="reports", verbose_name=_("factor set")
    )
    # What the caller computed, stored as is (Decimals come back as strings).
    figures = models.JSONField(_("figures"), encoder=DjangoJSONEncoder)
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-closed_at", "-pk"]
        verbose_name = _("closed report")
        verbose_name_plural = _("closed reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="closed_report_period_in_order",
            )
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FrozenRecord(f"Closed report {self.number} is never changed.")
        super().save(*args, **kwargs)

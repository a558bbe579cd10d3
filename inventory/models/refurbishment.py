"""Refurbishment: the checklist per category, parts used from stock, the installed OS."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from inventory.models.core import Category, Device


class WorkbenchCheck(models.TextChoices):
    """The checks the workbench program runs on the machine (workbench/reemploi_checks.py).

    A checklist item naming one of them is filled by the workstation's results
    (POST /api/check-results/); the codes are stable, the labels are the coordinator's.
    """

    SMART = "smart", _("Drive health (SMART)")
    BATTERY = "battery", _("Battery health")
    RAM = "ram", _("Memory size")
    STORAGE = "storage", _("Drive sizes")
    WIFI = "wifi", _("Wi-Fi interface")
    CAMERA = "camera", _("Camera")
    SOUND = "sound", _("Sound card")
    USB = "usb", _("USB controllers")
    SCREEN = "screen", _("Screen (colour fill)")
    KEYBOARD = "keyboard", _("Keyboard (every key)")
    TOUCHPAD = "touchpad", _("Touchpad")


class ChecklistItem(models.Model):
    """One test of the refurbishment checklist of a device category (coordinator-edited)."""

    category = models.CharField(_("category"), max_length=20, choices=Category)
    label = models.CharField(_("test"), max_length=120)
    criterion = models.CharField(
        _("pass criterion"),
        max_length=240,
        blank=True,
        help_text=_("What passing means, e.g. battery at least 60 % of its design capacity."),
    )
    mandatory = models.BooleanField(_("mandatory"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)
    workbench_check = models.CharField(
        _("workbench check"),
        max_length=20,
        choices=WorkbenchCheck,
        blank=True,
        help_text=_(
            "The check of the workbench program that fills this test; "
            "blank for a test only a person makes."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "label"], name="one_test_label_a_category"),
            # A workstation's result must land on one test, never two.
            models.UniqueConstraint(
                fields=["category", "workbench_check"],
                condition=~models.Q(workbench_check=""),
                name="one_test_a_workbench_check_a_category",
            ),
        ]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self):
        return self.label


class CheckResult(models.Model):
    """The outcome of one checklist test on one device, in its current cycle."""

    class Outcome(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")
        NOT_APPLICABLE = "na", _("Not applicable")

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="check_results", verbose_name=_("device")
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="results", verbose_name=_("test")
    )
    outcome = models.CharField(_("result"), max_length=4, choices=Outcome)
    note = models.CharField(_("note"), max_length=240, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("checked by")
    )
    checked_at = models.DateTimeField(_("checked at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["device", "item"], name="one_result_a_test_a_device")
        ]
        verbose_name = _("check result")
        verbose_name_plural = _("check results")

    def __str__(self):
        return f"{self.item}: {self.get_outcome_display()}"


class Part(models.Model):
    """A kind of spare part kept in stock (RAM stick, SSD, battery, charger…)."""

    class Kind(models.TextChoices):
        RAM = "ram", _("RAM")
        SSD = "ssd", _("SSD")
        HDD = "hdd", _("Hard drive")
        BATTERY = "battery", _("Battery")
        CHARGER = "charger", _("Charger")
        KEYBOARD = "keyboard", _("Keyboard")
        SCREEN = "screen", _("Screen")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    name = models.CharField(_("name"), max_length=120, unique=True)
    quantity = models.IntegerField(
        _("quantity in stock"), default=0, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="part_stock_never_negative"
            )
        ]
        verbose_name = _("part")
        verbose_name_plural = _("parts")

    def __str__(self):
        return self.name


class PartUse(models.Model):
    """A part taken from stock and fitted in a device."""

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="part_uses", verbose_name=_("device")
    )
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="uses", verbose_name=_("part")
    )
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    note = models.CharField(_("note"), max_length=240, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("fitted by")
    )
    used_at = models.DateTimeField(_("fitted on"), auto_now_add=True)

    class Meta:
        ordering = ["used_at"]
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")

    def __str__(self):
        return f"{self.quantity} × {self.part}"


class OperatingSystem(models.Model):
    """An entry of the catalogue of systems the workshop installs."""

    name = models.CharField(_("name"), max_length=60)
    version = models.CharField(_("version"), max_length=30, blank=True)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["name", "version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="one_os_version")]
        verbose_name = _("operating system")
        verbose_name_plural = _("operating systems")

    def __str__(self):
        return f"{self.name} {self.version}".strip()


class OsInstall(models.Model):
    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="os_installs", verbose_name=_("device")
    )
    system = models.ForeignKey(
        OperatingSystem, on_delete=models.PROTECT, verbose_name=_("operating system")
    )
    installed_at = models.DateTimeField(_("installed on"))
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("installed by")
    )
    note = models.CharField(_("note"), max_length=240, blank=True)

    class Meta:
        ordering = ["-installed_at"]
        verbose_name = _("system installation")
        verbose_name_plural = _("system installations")

    def __str__(self):
        return str(self.system)

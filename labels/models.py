"""Label layouts (sheets and rolls, as data) and the PDF batches built from them."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

MM = {"max_digits": 6, "decimal_places": 2}


def _mm(verbose_name, default=Decimal("0"), **kwargs):
    return models.DecimalField(verbose_name, default=default, **MM, **kwargs)


class LabelLayout(models.Model):
    """Where labels sit on a page: a sheet of several labels or a roll of one per page.

    Everything is in millimetres as printed on the label stock's box; the offsets
    correct a printer that shifts its print (measured with a test page).
    """

    class Kind(models.TextChoices):
        SHEET = "sheet", _("Sheet of labels")
        ROLL = "roll", _("Roll (one label per page)")

    class Dpi(models.IntegerChoices):
        THERMAL_203 = 203, _("203 dpi (most thermal printers)")
        THERMAL_300 = 300, _("300 dpi (Brother QL, better thermal printers)")
        LASER_600 = 600, _("600 dpi (laser and inkjet printers)")

    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.SHEET)
    printer_dpi = models.PositiveSmallIntegerField(
        _("printer resolution"),
        choices=Dpi,
        default=Dpi.LASER_600,
        help_text=_("Bars are drawn as a whole number of printer dots so that they scan."),
    )
    page_width_mm = _mm(_("page width (mm)"), validators=[MinValueValidator(10)])
    page_height_mm = _mm(_("page height (mm)"), validators=[MinValueValidator(10)])
    label_width_mm = _mm(_("label width (mm)"), validators=[MinValueValidator(20)])
    label_height_mm = _mm(_("label height (mm)"), validators=[MinValueValidator(15)])
    columns = models.PositiveSmallIntegerField(
        _("columns"), default=1, validators=[MinValueValidator(1)]
    )
    rows = models.PositiveSmallIntegerField(_("rows"), default=1, validators=[MinValueValidator(1)])
    margin_left_mm = _mm(_("left margin (mm)"))
    margin_top_mm = _mm(_("top margin (mm)"))
    gap_x_mm = _mm(_("gap between columns (mm)"))
    gap_y_mm = _mm(_("gap between rows (mm)"))
    offset_x_mm = _mm(
        _("printer offset right (mm)"),
        help_text=_("Calibration: moves everything right (negative: left)."),
    )
    offset_y_mm = _mm(
        _("printer offset down (mm)"),
        help_text=_("Calibration: moves everything down (negative: up)."),
    )
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("label layout")
        verbose_name_plural = _("label layouts")

    def __str__(self):
        return self.name

    @property
    def per_page(self):
        return self.columns * self.rows

    def clean(self):
        fields = (
            self.page_width_mm,
            self.page_height_mm,
            self.label_width_mm,
            self.label_height_mm,
            self.margin_left_mm,
            self.margin_top_mm,
            self.gap_x_mm,
            self.gap_y_mm,
        )
        if any(value is None for value in fields) or not self.columns or not self.rows:
            return  # the field errors already say what is missing
        width = self.margin_left_mm + self.columns * self.label_width_mm
        width += (self.columns - 1) * self.gap_x_mm
        height = self.margin_top_mm + self.rows * self.label_height_mm
        height += (self.rows - 1) * self.gap_y_mm
        errors = {}
        if width > self.page_width_mm:
            errors["columns"] = _(
                "%(columns)s columns of %(width)s mm with their margin and gaps take "
                "%(total)s mm: wider than the page (%(page)s mm)."
            ) % {
                "columns": self.columns,
                "width": self.label_width_mm,
                "total": width,
                "page": self.page_width_mm,
            }
        if height > self.page_height_mm:
            errors["rows"] = _(
                "%(rows)s rows of %(height)s mm with their margin and gaps take "
                "%(total)s mm: taller than the page (%(page)s mm)."
            ) % {
                "rows": self.rows,
                "height": self.label_height_mm,
                "total": height,
                "page": self.page_height_mm,
            }
        if errors:
            raise ValidationError(errors)


class LabelBatch(models.Model):
    """One PDF of labels, built in the request or, when large, by a Celery task."""

    class Kind(models.TextChoices):
        DEVICE = "device", _("Device labels")
        LOCATION = "location", _("Location labels")
        ACTION = "action", _("Action barcodes")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")

    # A random key: the download address cannot be guessed from another batch's.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.DEVICE)
    layout = models.ForeignKey(
        LabelLayout, on_delete=models.PROTECT, related_name="batches", verbose_name=_("layout")
    )
    # What to print, read by the task: {"tags": [...]} or {"donation": id} or
    # {"locations": [...]}, plus "start" and "copies".
    params = models.JSONField(default=dict)
    description = models.CharField(_("description"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PENDING)
    total = models.PositiveIntegerField(_("labels"), default=0)
    done = models.PositiveIntegerField(_("labels drawn"), default=0)
    file = models.FileField(_("file"), upload_to="labels/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("label batch")
        verbose_name_plural = _("label batches")

    def __str__(self):
        return self.description or str(self.id)

    @property
    def percent(self):
        return 100 if not self.total else min(100, round(100 * self.done / self.total))


class LabelRequest(models.Model):
    """A device label waiting to be printed: queued when a workstation registers the
    device (the asset tag goes on at once) and when it becomes ready (the label then
    says its grade). At most one request per device waits; printing it sets `printed_at`.
    """

    class Reason(models.TextChoices):
        REGISTERED = "registered", _("Registered by a workstation")
        READY = "ready", _("Became ready")
        ASKED = "asked", _("Asked for")

    device = models.ForeignKey(
        "inventory.Device",
        on_delete=models.CASCADE,
        related_name="label_requests",
        verbose_name=_("device"),
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason)
    workstation = models.ForeignKey(
        "inventory.WorkstationToken",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("workstation"),
    )
    requested_at = models.DateTimeField(_("asked on"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    # The batch is deleted with its PDF after a few hours; `printed_at` stays.
    printed_in = models.ForeignKey(
        LabelBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("printed in"),
    )
    printed_at = models.DateTimeField(_("printed on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("label to print")
        verbose_name_plural = _("labels to print")
        constraints = [
            models.UniqueConstraint(
                fields=["device"],
                condition=models.Q(printed_at__isnull=True),
                name="labels_one_pending_request_per_device",
            )
        ]

    def __str__(self):
        return f"{self.device_id} · {self.get_reason_display()}"


class WorkstationPrinter(models.Model):
    """The label stock loaded in the printer next to a workstation: the workbench program
    fetches its machine's label in this layout. Kept in labels, not on the workstation's
    token, because the inventory knows nothing of labels (docs/architecture.md)."""

    workstation = models.OneToOneField(
        "inventory.WorkstationToken",
        on_delete=models.CASCADE,
        related_name="label_printer",
        verbose_name=_("workstation"),
    )
    layout = models.ForeignKey(
        LabelLayout, on_delete=models.PROTECT, related_name="+", verbose_name=_("label stock")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("workstation's label printer")
        verbose_name_plural = _("workstations' label printers")

    def __str__(self):
        return f"{self.workstation_id} · {self.layout}"

"""Loan programmes, the households enrolled in them, and their workshops."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from inventory.models import Category
from lending.models.fields import ChoiceListField
from lending.models.households import Household
from lending.models.structures import Criterion, Funder, Structure


class Programme(models.Model):
    """E.g. "Atelier digital solidaire — Bruay 2026": 15 households, a laptop and 4G each."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("programme status", "Draft")
        OPEN = "open", pgettext_lazy("programme status", "Open")
        CLOSED = "closed", pgettext_lazy("programme status", "Closed")

    name = models.CharField(_("name"), max_length=160, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    description = models.TextField(_("description"), blank=True)
    structures = models.ManyToManyField(
        Structure,
        related_name="programmes",
        verbose_name=_("partner structures"),
        help_text=_("Their social workers may enrol households."),
    )
    funders = models.ManyToManyField(
        Funder, blank=True, related_name="programmes", verbose_name=_("funders")
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="coordinated_programmes",
        verbose_name=_("coordinators"),
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity (households)"), validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    default_loan_days = models.PositiveSmallIntegerField(
        _("default loan length (days)"),
        default=180,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    lent_categories = ChoiceListField(
        _("devices lent"),
        item_choices=Category.choices,
        default=list,
        help_text=_("Device categories a loan may include."),
    )
    lends_router = models.BooleanField(_("lends a 4G router"), default=False)
    lends_sim = models.BooleanField(_("lends a SIM card with a data plan"), default=False)
    data_plan_gb = models.PositiveSmallIntegerField(
        _("data plan (GB a month)"), null=True, blank=True
    )
    expected_workshops = models.PositiveSmallIntegerField(
        _("workshops each household is expected to attend"), default=0
    )
    criteria = models.ManyToManyField(
        Criterion, blank=True, related_name="programmes", verbose_name=_("eligibility criteria")
    )
    min_criteria = models.PositiveSmallIntegerField(
        _("criteria to meet"),
        default=1,
        help_text=_("How many of the eligibility criteria a household must meet."),
    )
    contact_name = models.CharField(
        _("contact to call"), max_length=120, blank=True, help_text=_("Shown on the device's page.")
    )
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    return_instructions = models.TextField(
        _("how to return a device"),
        blank=True,
        help_text=_("Printed on the loan agreement and shown on the device's public page."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("loan programme")
        verbose_name_plural = _("loan programmes")
        permissions = [
            ("decide_enrolment", _("Can decide on enrolments")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="programme_ends_after_it_starts",
                violation_error_message=_("A programme cannot end before it starts."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("lending:programme_detail", args=[self.pk])


class EnrolmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=Enrolment.ACTIVE)

    def waitlist(self):
        return self.filter(status=Enrolment.Status.WAITLISTED).order_by("waitlist_position", "pk")


class Enrolment(models.Model):
    """A household's place in a programme: applied → eligible | rejected → enrolled, or
    waitlisted while the programme is full; then withdrawn or completed."""

    class Status(models.TextChoices):
        APPLIED = "applied", pgettext_lazy("enrolment status", "Applied")
        ELIGIBLE = "eligible", pgettext_lazy("enrolment status", "Eligible")
        REJECTED = "rejected", pgettext_lazy("enrolment status", "Rejected")
        WAITLISTED = "waitlisted", pgettext_lazy("enrolment status", "Waiting list")
        ENROLLED = "enrolled", pgettext_lazy("enrolment status", "Enrolled")
        WITHDRAWN = "withdrawn", pgettext_lazy("enrolment status", "Withdrawn")
        COMPLETED = "completed", pgettext_lazy("enrolment status", "Completed")

    ACTIVE = [Status.APPLIED, Status.ELIGIBLE, Status.WAITLISTED, Status.ENROLLED]

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("household")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("programme")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.APPLIED, editable=False
    )
    applied_at = models.DateTimeField(_("applied on"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("applied by"),
    )
    criteria_met = models.ManyToManyField(
        Criterion, blank=True, related_name="+", verbose_name=_("criteria met")
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # First come, first served; a coordinator may reorder.
    waitlist_position = models.PositiveIntegerField(_("position on the waiting list"), null=True)
    enrolled_at = models.DateTimeField(_("enrolled on"), null=True, blank=True)
    history = HistoricalRecords()
    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["applied_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "programme"],
                condition=models.Q(status__in=["applied", "eligible", "waitlisted", "enrolled"]),
                name="one_active_enrolment_per_programme",
                violation_error_message=_("This household is already enrolled in this programme."),
            )
        ]

    def __str__(self):
        return f"{self.household.code} · {self.programme}"

    def get_absolute_url(self):
        return reverse("lending:enrolment_detail", args=[self.pk])


class Workshop(models.Model):
    """A session families are expected to attend (e-mail, CAF procedures, school work…)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="workshops", verbose_name=_("programme")
    )
    topic = models.CharField(_("topic"), max_length=160)
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=120, validators=[MinValueValidator(15)]
    )
    place = models.CharField(_("place"), max_length=160, blank=True)
    facilitator = models.CharField(_("facilitator"), max_length=120, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity (households)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self):
        return f"{self.topic} ({self.starts_at:%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("lending:workshop_detail", args=[self.pk])


class Attendance(models.Model):
    class Presence(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("workshop")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("household")
    )
    presence = models.CharField(_("presence"), max_length=10, choices=Presence)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["workshop", "household"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "household"], name="one_attendance_each")
        ]

    def __str__(self):
        return f"{self.household.code} · {self.workshop}: {self.get_presence_display()}"

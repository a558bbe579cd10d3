"""Loans: devices and connectivity lent to a household, their return, and reminders."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from inventory.models import Comment, Device
from lending.models.fields import ChoiceListField
from lending.models.households import Household
from lending.models.programmes import Enrolment, Programme

ICCID_VALIDATOR = RegexValidator(
    r"^89\d{17,18}$", _("An ICCID has 19 or 20 digits and starts with 89.")
)


class SimCard(models.Model):
    class Status(models.TextChoices):
        STOCK = "stock", pgettext_lazy("SIM status", "In stock")
        LENT = "lent", pgettext_lazy("SIM status", "Lent")
        SUSPENDED = "suspended", pgettext_lazy("SIM status", "Suspended")
        TERMINATED = "terminated", pgettext_lazy("SIM status", "Terminated")
        LOST = "lost", pgettext_lazy("SIM status", "Lost")
        # Given with the devices of a loan turned gift: the household holds the line now.
        TRANSFERRED = "transferred", pgettext_lazy("SIM status", "Transferred")

    iccid = models.CharField(
        _("ICCID"),
        max_length=20,
        unique=True,
        validators=[ICCID_VALIDATOR],
        help_text=_("The number printed on the SIM card, 19 or 20 digits."),
    )
    phone_number = models.CharField(_("phone number"), max_length=20, blank=True)
    operator = models.CharField(_("operator"), max_length=60)
    data_plan_gb = models.PositiveSmallIntegerField(
        _("data plan (GB a month)"), validators=[MaxValueValidator(10_000)]
    )
    monthly_cost = models.DecimalField(
        _("monthly cost (€)"),
        max_digits=7,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    ends_on = models.DateField(_("plan ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.STOCK, editable=False
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["ends_on", "iccid"]
        verbose_name = _("SIM card")
        verbose_name_plural = _("SIM cards")

    def __str__(self):
        return f"{self.operator} {self.phone_number or self.iccid[-6:]}"


class Accessory(models.TextChoices):
    CHARGER = "charger", _("Charger")
    BAG = "bag", _("Bag or sleeve")
    MOUSE = "mouse", _("Mouse")
    ROUTER_CHARGER = "router_charger", _("4G router charger")
    SIM = "sim", _("SIM card")


class LoanQuerySet(models.QuerySet):
    def running(self):
        """Loans whose devices are with the household."""
        return self.filter(status=Loan.Status.ACTIVE)

    def overdue(self, today=None):
        return self.running().filter(due_on__lt=today or timezone.localdate())

    def due_within(self, days, today=None):
        today = today or timezone.localdate()
        return self.running().filter(
            due_on__gte=today, due_on__lte=today + timezone.timedelta(days=days)
        )

    def awaiting_review(self):
        return self.filter(status=Loan.Status.RETURNED, return_record__reviewed_at__isnull=True)


class Loan(models.Model):
    """requested → approved (devices reserved) → active (handed over) → returned
    (inspected, then reviewed), or lost, or a gift; cancelled before the hand-over."""

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("loan status", "Requested")
        APPROVED = "approved", pgettext_lazy("loan status", "Approved, to hand over")
        ACTIVE = "active", pgettext_lazy("loan status", "Active")
        RETURNED = "returned", pgettext_lazy("loan status", "Returned")
        LOST = "lost", pgettext_lazy("loan status", "Lost")
        GIFT = "gift", pgettext_lazy("loan status", "Converted to a gift")
        CANCELLED = "cancelled", pgettext_lazy("loan status", "Cancelled")

    OPEN = [Status.REQUESTED, Status.APPROVED, Status.ACTIVE]

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="loans", verbose_name=_("household")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="loans", verbose_name=_("programme")
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="loans", verbose_name=_("enrolment")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.REQUESTED, editable=False
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested on"), auto_now_add=True)
    request_note = models.TextField(_("request"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    due_on = models.DateField(_("due back on"), null=True, blank=True)
    sim = models.ForeignKey(
        SimCard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
        verbose_name=_("SIM card"),
    )
    handed_over_at = models.DateTimeField(_("handed over on"), null=True, blank=True)
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    accessories_given = ChoiceListField(
        _("accessories given"), item_choices=Accessory.choices, default=list, blank=True
    )
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    comments = GenericRelation(Comment)
    history = HistoricalRecords()
    objects = LoanQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        permissions = [
            ("approve_loan", _("Can approve loans and decide on returns")),
            ("inspect_return", _("Can inspect returned loans")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["sim"],
                condition=models.Q(status__in=["approved", "active"]),
                name="one_open_loan_per_sim",
                violation_error_message=_("This SIM card is already in another loan."),
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gt=models.F("starts_on"))
                | models.Q(due_on__isnull=True)
                | models.Q(starts_on__isnull=True),
                name="loan_due_after_start",
                violation_error_message=_("The due date must come after the start date."),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return _("Loan #%(number)s") % {"number": self.pk}

    def get_absolute_url(self):
        return reverse("lending:loan_detail", args=[self.pk])

    def is_overdue(self, today=None):
        return (
            self.status == self.Status.ACTIVE
            and self.due_on is not None
            and self.due_on < (today or timezone.localdate())
        )


class LoanDevice(models.Model):
    """A device in a loan, with what the return inspection found and what was decided."""

    class Condition(models.TextChoices):
        GOOD = "good", _("Good")
        WORN = "worn", _("Worn")
        DAMAGED = "damaged", _("Damaged")
        MISSING = "missing", _("Not returned")

    class Decision(models.TextChoices):
        ERASURE = "erasure", _("Back to erasure, then the next family")
        REPAIR = "repair", _("Back to erasure, then repair")
        RECYCLE = "recycle", _("Recycle (after erasure)")
        LOST = "lost", _("Lost")

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="items")
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="loan_items", verbose_name=_("device")
    )
    # True while the device belongs to this loan: from its reservation to the review.
    active = models.BooleanField(default=True, editable=False)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition, blank=True)
    inspection_note = models.TextField(_("inspection note"), blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("lent device")
        verbose_name_plural = _("lent devices")
        constraints = [
            # The database itself keeps a device in one loan at a time.
            models.UniqueConstraint(
                fields=["device"],
                condition=models.Q(active=True),
                name="one_active_loan_per_device",
                violation_error_message=_("This device is already in another loan."),
            )
        ]

    def __str__(self):
        return f"{self.loan} · {self.device.asset_tag}"


class LoanExtension(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="extensions")
    previous_due_on = models.DateField(_("previous due date"))
    new_due_on = models.DateField(_("new due date"))
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("loan extension")
        verbose_name_plural = _("loan extensions")

    def __str__(self):
        return f"{self.loan}: {self.previous_due_on} → {self.new_due_on}"


class Return(models.Model):
    """The inspection of a loan that came back (technician), then its review (coordinator)."""

    loan = models.OneToOneField(Loan, on_delete=models.CASCADE, related_name="return_record")
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    inspected_at = models.DateTimeField(_("inspected on"))
    accessories_back = ChoiceListField(
        _("accessories back"), item_choices=Accessory.choices, default=list, blank=True
    )
    sim_back = models.BooleanField(_("SIM card back"), default=False)
    notes = models.TextField(_("inspection notes"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed on"), null=True, blank=True)
    damage_noted = models.BooleanField(_("damage or loss noted"), default=False)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["-inspected_at"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")

    def __str__(self):
        return _("Return of %(loan)s") % {"loan": self.loan}


class Reminder(models.Model):
    """A reminder sent once: the unique constraints make a second run of the task a no-op."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        SIM_ENDING = "sim_ending", _("Data plan ending")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel)
    loan = models.ForeignKey(
        Loan, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    sim = models.ForeignKey(
        SimCard, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    # The date the reminder is about (the due date, the plan's end): a new due date after
    # an extension gets its own reminders.
    about_date = models.DateField()
    # Who it went to, as a role ("social worker", "household"), never an address.
    recipient = models.CharField(_("sent to"), max_length=40)
    sent_at = models.DateTimeField(_("sent on"), default=timezone.now)

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel", "loan", "about_date"],
                condition=models.Q(loan__isnull=False),
                name="one_loan_reminder",
            ),
            models.UniqueConstraint(
                fields=["kind", "channel", "sim", "about_date"],
                condition=models.Q(sim__isnull=False),
                name="one_sim_reminder",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_channel_display()} · {self.about_date}"


class GiftAttestation(models.Model):
    """The attestation handed to a household whose loan became a gift: numbered and fixed
    when issued (its PDF is kept as drawn, so that a reprint is the same document)."""

    class SimOutcome(models.TextChoices):
        NONE = "", _("No SIM card")
        CLOSE = "close", _("The line is closed")
        TRANSFER = "transfer", _("The line is transferred to the household")

    loan = models.OneToOneField(
        Loan, on_delete=models.PROTECT, related_name="gift_attestation", verbose_name=_("loan")
    )
    number = models.CharField(_("number"), max_length=20, unique=True)
    issued_at = models.DateTimeField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sim_outcome = models.CharField(
        _("SIM line"), max_length=10, choices=SimOutcome, blank=True, default=""
    )
    # Null once the household is anonymised: the PDF names it (lending.privacy).
    pdf = models.BinaryField(null=True, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("gift attestation")
        verbose_name_plural = _("gift attestations")

    def __str__(self):
        return _("Gift attestation %(number)s") % {"number": self.number}

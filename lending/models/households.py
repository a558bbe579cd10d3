"""Households: the families a social worker refers. Sensitive social data (RGPD)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lending.models.consents import ConsentPurpose
from lending.models.fields import ChoiceListField
from lending.models.structures import Criterion, Structure


class Need(models.TextChoices):
    SCHOOL = "school", _("School work")
    JOB = "job", _("Job seeking")
    ADMIN = "admin", _("Online procedures (CAF, France Travail, taxes…)")
    CONTACT = "contact", _("Keeping in touch with family")
    TRAINING = "training", _("Training")
    HEALTH = "health", _("Health (appointments, records)")


POSTCODE_VALIDATOR = RegexValidator(r"^\d{5}$", _("A French postcode has five digits."))


class Household(models.Model):
    """A family enrolled in loan programmes. Other roles see only its `code`."""

    code = models.CharField(_("household code"), max_length=12, unique=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, validators=[POSTCODE_VALIDATOR])
    commune = models.CharField(_("commune"), max_length=120)
    size = models.PositiveSmallIntegerField(
        _("people in the household"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    school_age_children = models.PositiveSmallIntegerField(
        _("school-age children"), default=0, validators=[MaxValueValidator(29)]
    )
    situations = models.ManyToManyField(
        Criterion, blank=True, related_name="households", verbose_name=_("situation")
    )
    needs = ChoiceListField(_("needs"), item_choices=Need.choices, default=list, blank=True)
    structure = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("referring structure"),
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="followed_households",
        verbose_name=_("social worker"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("registered on"), auto_now_add=True)
    # Set once by lending.privacy.anonymise: the names, contact and free texts are gone;
    # the reason (a retention rule or the person's request) is not personal and stays.
    anonymised_on = models.DateTimeField(_("anonymised on"), null=True, editable=False)
    anonymisation_reason = models.TextField(
        _("reason for anonymisation"), blank=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("lending:household_detail", args=[self.code])

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def needs_display(self):
        labels = dict(Need.choices)
        return [str(labels.get(value, value)) for value in self.needs]

    def consented_purposes(self):
        """The purposes of the household's open consents: read from `active_consents`
        when a list page prefetched them (lending.models.consents.active_consents_prefetch),
        else one query."""
        consents = getattr(self, "active_consents", None)
        if consents is None:
            consents = self.consents.active()
        return {consent.purpose for consent in consents}

    @property
    def accepts_sms(self):
        return bool(self.phone) and ConsentPurpose.SMS in self.consented_purposes()

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
# The commune's INSEE code (code officiel géographique): five characters, digits except
# Corsica's 2A and 2B departments. Not a postcode: Bruay-La-Buissière is 62178, postcode 62700.
INSEE_CODE_VALIDATOR = RegexValidator(
    r"^(\d{2}|2[AB])\d{3}$",
    _(
        "An INSEE commune code has five characters: five digits, or 2A or 2B followed by "
        "three digits in Corsica (not the postcode)."
    ),
)


# The categories of the national médiation-numérique data (la Coop de la médiation
# numérique, inclusion-numerique/coop-mediation-numerique, apps/web/prisma/schema.prisma:
# enums TrancheAge and StatutSocial), so that a programme's figures add up with the
# network's. The person is the one the file is about (the reference person).
class AgeBand(models.TextChoices):
    UNDER_12 = "under_12", _("Under 12")
    FROM_12_TO_17 = "12_17", _("12 to 17")
    FROM_18_TO_24 = "18_24", _("18 to 24")
    FROM_25_TO_39 = "25_39", _("25 to 39")
    FROM_40_TO_59 = "40_59", _("40 to 59")
    FROM_60_TO_69 = "60_69", _("60 to 69")
    FROM_70 = "70_plus", _("70 and over")
    UNKNOWN = "unknown", _("Not given")


class SocialStatus(models.TextChoices):
    IN_SCHOOL = "in_school", _("In school or studying")
    UNEMPLOYED = "unemployed", _("Without a job")
    EMPLOYED = "employed", _("In work")
    RETIRED = "retired", _("Retired")
    UNKNOWN = "unknown", _("Not given")


class Qpv(models.TextChoices):
    """Does the household live in a quartier prioritaire de la politique de la ville?"""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class Household(models.Model):
    """A family enrolled in loan programmes. Other roles see only its `code`."""

    code = models.CharField(_("household code"), max_length=12, unique=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, validators=[POSTCODE_VALIDATOR])
    commune = models.CharField(_("commune"), max_length=120)
    insee_code = models.CharField(
        _("INSEE commune code"),
        max_length=5,
        blank=True,
        validators=[INSEE_CODE_VALIDATOR],
        help_text=_("Five characters (2A or 2B in Corsica), not the postcode. Optional."),
    )
    qpv = models.CharField(
        _("lives in a priority neighbourhood (QPV)"),
        max_length=8,
        choices=Qpv,
        default=Qpv.UNKNOWN,
    )
    age_band = models.CharField(
        _("age band (reference person)"),
        max_length=8,
        choices=AgeBand,
        default=AgeBand.UNKNOWN,
    )
    social_status = models.CharField(
        _("social status (reference person)"),
        max_length=12,
        choices=SocialStatus,
        default=SocialStatus.UNKNOWN,
    )
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

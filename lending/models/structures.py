"""Who is around a household: the referring structures, the funders, the criteria."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Structure(models.Model):
    """A CCAS, social centre, mission locale or association whose social workers refer
    households. A social worker sees the households of their own structures only."""

    class Kind(models.TextChoices):
        CCAS = "ccas", _("CCAS")
        SOCIAL_CENTRE = "social_centre", _("Social centre")
        MISSION_LOCALE = "mission_locale", _("Mission locale")
        ASSOCIATION = "association", _("Association")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=160, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.CCAS)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="structures",
        blank=True,
        verbose_name=_("social workers"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("structure")
        verbose_name_plural = _("structures")

    def __str__(self):
        return self.name


class Funder(models.Model):
    """Who pays for a programme and reads its figures (FEDER, CAF, département…)."""

    class Kind(models.TextChoices):
        EUROPE = "europe", _("European Union")
        STATE = "state", _("State")
        CAF = "caf", _("CAF")
        LOCAL = "local", _("Local authority")
        FOUNDATION = "foundation", _("Foundation")
        COMPANY = "company", _("Company")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=160, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)

    class Meta:
        ordering = ["name"]
        verbose_name = _("funder")
        verbose_name_plural = _("funders")

    def __str__(self):
        return self.name


class Criterion(models.Model):
    """One eligibility criterion (RSA beneficiary, QPV resident…), configurable by
    coordinators. `sensitive` marks criteria that reveal health data (AAH: a disability),
    which RGPD article 9 protects more strictly."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    sensitive = models.BooleanField(
        _("sensitive (health data)"),
        default=False,
        help_text=_("Reveals a disability or an illness: shown only to whom needs it."),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("eligibility criterion")
        verbose_name_plural = _("eligibility criteria")

    def __str__(self):
        return self.name

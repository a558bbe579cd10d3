"""A household's consents to the optional purposes (RGPD art. 6.1.a and 9.2.a).

Loan follow-up and anonymous statistics do not rest on consent (lending.privacy.purposes):
only what a family may refuse without losing its loan is here. A consent is a row, given
on the day it is recorded and withdrawn by a later edit of the same row; its history
keeps both. At most one open consent per household and purpose.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ConsentPurpose(models.TextChoices):
    """The optional purposes: the only ones a household consents to, and may refuse."""

    SMS = "sms", _("Reminders by text message")
    SENSITIVE = "sensitive", _("Recording of a health or disability situation (e.g. AAH)")


class ConsentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_on__isnull=True)


class Consent(models.Model):
    household = models.ForeignKey(
        "lending.Household",
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("household"),
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose)
    given_on = models.DateField(_("given on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("withdrawn by"),
    )
    history = HistoricalRecords()

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["household", "purpose", "-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "purpose"],
                condition=Q(withdrawn_on__isnull=True),
                name="one_open_consent_per_purpose",
            )
        ]

    def __str__(self):
        return f"{self.household_id} · {self.get_purpose_display()}"

    @property
    def active(self):
        return self.withdrawn_on is None


def active_consents_prefetch(lookup="consents"):
    """Prefetch a household's open consents into `active_consents` (what
    Household.accepts_sms reads), so that a list asks one query for all its rows."""
    return models.Prefetch(lookup, queryset=Consent.objects.active(), to_attr="active_consents")

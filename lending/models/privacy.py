"""Who opened which household's file: the access log a coordinator reads (RGPD art. 5.1.f
and 32, accountability: a file on a vulnerable family is read by whom it concerns only).

Written by lending.privacy.access_log.record_access, never edited: no history, no admin form.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lending.models.households import Household


class HouseholdAccess(models.Model):
    class What(models.TextChoices):
        VIEWED = "viewed", _("Opened the household's file")
        EXPORTED = "exported", _("Exported it in a list of households")
        SUBJECT_EXPORT = "subject_export", _("Downloaded its data (right of access)")
        AGREEMENT = "agreement", _("Opened a loan agreement")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("household")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("date"), default=timezone.now)
    what = models.CharField(_("access"), max_length=16, choices=What)
    # What was opened, never a personal value: "loan #12", "csv".
    detail = models.CharField(_("detail"), max_length=80, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access to a household's file")
        verbose_name_plural = _("accesses to households' files")
        indexes = [
            models.Index(fields=["household", "-at"]),
            models.Index(fields=["-at"], name="householdaccess_at"),
        ]

    def __str__(self):
        return f"{self.household_id} · {self.user_id} · {self.get_what_display()}"

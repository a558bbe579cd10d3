"""The association itself: the legal details printed on receipts and attestations, and
the contact shown on the public page behind every QR code."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

SIRET_VALIDATOR = RegexValidator(r"^\d{14}$", _("A SIRET number has 14 digits."))


class Organisation(models.Model):
    """One row: edited by coordinators (and in the admin); `current()` reads it."""

    name = models.CharField(_("name"), max_length=160)
    address = models.TextField(_("address"), blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[SIRET_VALIDATOR])
    vat_mention = models.CharField(
        _("VAT mention"),
        max_length=200,
        default="TVA non applicable, article 293 B du code général des impôts",
        help_text=_("Printed on receipts: the VAT exemption, or your VAT number."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="organisation/", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisation")

    def __str__(self):
        return self.name

    @classmethod
    def current(cls):
        """The saved details, or an unsaved default named after ORGANISATION_NAME."""
        return cls.objects.order_by("pk").first() or cls(name=settings.ORGANISATION_NAME)


def organisation_name():
    """The name documents and labels print: the saved details' or ORGANISATION_NAME."""
    return Organisation.objects.order_by("pk").values_list("name", flat=True).first() or (
        settings.ORGANISATION_NAME
    )

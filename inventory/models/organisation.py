"""The association itself: the legal details printed on receipts and attestations, and
the contact shown on the public page behind every QR code."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

SIRET_VALIDATOR = RegexValidator(r"^\d{14}$", _("A SIRET number has 14 digits."))
RNA_VALIDATOR = RegexValidator(
    r"^W\d{9}$", _("An RNA number is a W followed by 9 digits, e.g. W751234567.")
)


# The levels a workbench can reach by itself (Destroy is a person's job).
ERASURE_LEVELS = [("clear", _("Clear (overwrite)")), ("purge", _("Purge (the drive's own erase)"))]


# The security categorisation of a donor's data before erasure (NIST SP 800-88 Rev. 1
# appendix G "Pre-Sanitization Confidentiality Categorization", FIPS 199 levels).
CONFIDENTIALITY_LEVELS = [("low", _("Low")), ("moderate", _("Moderate")), ("high", _("High"))]


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
    # Printed on donation attestations and tax receipts (CERFA 11580 and 2041-MEC-SD ask
    # for the organisation's SIREN or RNA number and its object).
    rna = models.CharField(_("RNA number"), max_length=10, blank=True, validators=[RNA_VALIDATOR])
    purpose = models.TextField(
        _("object"), blank=True, help_text=_("The association's object, as in its statutes.")
    )
    # Empty: the organisation issues no tax receipt (only an organisation of general
    # interest may, CGI art. 200 and 238 bis; an undue receipt is fined, art. 1740 A).
    tax_receipt_status = models.CharField(
        _("tax receipts"),
        max_length=200,
        blank=True,
        help_text=_(
            "Empty if the organisation may not issue tax receipts. Otherwise the kind of "
            "organisation as ticked on the forms, e.g. « Association d'intérêt général »."
        ),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    # Printed on the information notice and the register of processing (RGPD art. 13
    # and 30): whom a family writes to about its data.
    privacy_contact = models.TextField(
        _("data protection contact"),
        blank=True,
        help_text=_(
            "The data protection officer or referent: name, e-mail and postal address. "
            "Empty: the organisation's own address and e-mail."
        ),
    )
    # The legal notice of the public pages (loi n° 2004-575 du 21 juin 2004, LCEN,
    # art. 6 III-1 c and d): the director of publication and the host of the site.
    publication_director = models.CharField(
        _("director of publication"),
        max_length=120,
        blank=True,
        help_text=_("Usually the association's president; printed on the public pages."),
    )
    web_host = models.TextField(
        _("host of the site"),
        blank=True,
        help_text=_("Name, address and phone of the company hosting this site."),
    )
    logo = models.ImageField(_("logo"), upload_to="organisation/", blank=True)
    # The NIST SP 800-88 level the workbench aims at per kind of drive (docs/workbench.md):
    # Purge runs the drive's own sanitize / secure erase, Clear overwrites it with nwipe.
    erasure_hdd = models.CharField(
        _("erasure of hard disks"), max_length=10, choices=ERASURE_LEVELS, default="clear"
    )
    erasure_ssd = models.CharField(
        _("erasure of SATA SSDs"), max_length=10, choices=ERASURE_LEVELS, default="purge"
    )
    erasure_nvme = models.CharField(
        _("erasure of NVMe drives"), max_length=10, choices=ERASURE_LEVELS, default="purge"
    )
    erasure_other = models.CharField(
        _("erasure of eMMC and other drives"),
        max_length=10,
        choices=ERASURE_LEVELS,
        default="clear",
    )
    # What the association chose for its loans (the code civil leaves it to the contract):
    # printed on every loan agreement as « choix de l'association ».
    loan_deposit = models.DecimalField(
        _("loan deposit (€)"),
        max_digits=7,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Asked of the household at the hand-over, given back at the return. 0: none."),
    )
    loan_damage_cap = models.DecimalField(
        _("most asked for loss or damage (€)"),
        max_digits=7,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_(
            "The most the household is asked to pay for a device lost, stolen or damaged by "
            "its fault. 0: nothing is asked. Normal wear is never charged."
        ),
    )
    loan_loss_report_days = models.PositiveSmallIntegerField(
        _("days to report a loss or theft"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    loan_early_end_notice_days = models.PositiveSmallIntegerField(
        _("notice before the association ends a loan early (days)"),
        default=15,
        validators=[MaxValueValidator(365)],
    )
    loan_non_return_days = models.PositiveSmallIntegerField(
        _("days after the due date before a loan is declared not returned"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    # Printed on erasure certificates (NIST SP 800-88 Rev. 1 appendix G): the title of
    # the person who erases and of the coordinator who validates, unless they say other.
    erasure_operator_title = models.CharField(
        _("title of the people who erase"),
        max_length=80,
        blank=True,
        help_text=_("Printed on erasure certificates, e.g. “Reuse technician”."),
    )
    erasure_validator_title = models.CharField(
        _("title of the people who validate erasures"),
        max_length=80,
        blank=True,
        help_text=_("Printed on erasure certificates, e.g. “Workshop coordinator”."),
    )
    erasure_confidentiality = models.CharField(
        _("confidentiality of donors' data"),
        max_length=10,
        choices=CONFIDENTIALITY_LEVELS,
        default="moderate",
        help_text=_(
            "How sensitive the data on donated drives is presumed to be before erasure "
            "(NIST SP 800-88 categorisation), printed on erasure certificates."
        ),
    )
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

    def erasure_policy(self):
        """The level per kind of drive (Drive.Kind codes), as the workbench reads it."""
        return {
            "hdd": self.erasure_hdd,
            "ssd": self.erasure_ssd,
            "nvme": self.erasure_nvme,
            "emmc": self.erasure_other,
            "other": self.erasure_other,
        }


def organisation_name():
    """The name documents and labels print: the saved details' or ORGANISATION_NAME."""
    return Organisation.objects.order_by("pk").values_list("name", flat=True).first() or (
        settings.ORGANISATION_NAME
    )

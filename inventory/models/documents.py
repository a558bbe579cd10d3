"""Documents fixed when issued: a numbered copy of exactly what was handed out.

A document (a donation attestation, the data of a tax receipt…) is drawn once, when it is
issued; its bytes and their SHA-256 are kept, and every reprint hands out the same bytes
under the same number, whatever changed in the records since. A corrected document is a
new revision with a new number; the earlier one stays, as it was handed out.
inventory.issuing.issue is the one way to create them.
"""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class IssuedDocument(models.Model):
    class Kind(models.TextChoices):
        DONATION_ATTESTATION = "donation_attestation", _("Donation attestation")
        COMPANY_TAX_RECEIPT = "company_tax_receipt", _("Company tax receipt (2041-MEC-SD)")
        INDIVIDUAL_TAX_RECEIPT = "individual_tax_receipt", _("Individual tax receipt (11580)")

    # The number's prefix per kind: ATT-2026-0001.
    PREFIXES = {
        Kind.DONATION_ATTESTATION: "ATT",
        Kind.COMPANY_TAX_RECEIPT: "RFE",
        Kind.INDIVIDUAL_TAX_RECEIPT: "RFP",
    }

    kind = models.CharField(_("kind"), max_length=40, choices=Kind)
    number = models.CharField(_("number"), max_length=30, unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    # 1 for the first document of this kind about this subject; a corrected one is 2…
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.BinaryField(_("content"))
    content_type_name = models.CharField(max_length=60, default="application/pdf")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # What the document said, for lists and exports (the bytes are the document).
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    # The bytes are not copied into every history row.
    history = HistoricalRecords(excluded_fields=["content"])

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "revision"],
                name="one_issued_document_per_revision",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id", "kind"])]

    def __str__(self):
        return self.number

    @staticmethod
    def digest(content):
        return hashlib.sha256(bytes(content)).hexdigest()

    def intact(self):
        """Whether the stored bytes are still those that were issued."""
        return self.digest(self.content) == self.sha256

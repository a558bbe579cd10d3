"""Data erasure: what was done to each drive, the raw logs, and the certificates."""

import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from inventory.models.core import Device, Drive


class ErasureLog(models.Model):
    """A raw log file (nwipe, ShredOS…) kept as proof; one log may cover several drives."""

    file = models.FileField(_("file"), upload_to="erasure-logs/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    # Unique: the same log imported twice, even at the same moment, is refused.
    sha256 = models.CharField(max_length=64, unique=True)
    tool = models.CharField(_("tool"), max_length=40, blank=True)
    tool_version = models.CharField(_("tool version"), max_length=40, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("erasure log")
        verbose_name_plural = _("erasure logs")

    def __str__(self):
        return self.original_name or self.file.name


class Erasure(models.Model):
    """The record that a drive's data was destroyed (or the drive taken out)."""

    class Standard(models.TextChoices):
        NIST_R2 = "nist-800-88r2", _("NIST SP 800-88 Rev. 2 (2025)")
        NIST_R1 = "nist-800-88r1", _("NIST SP 800-88 Rev. 1 (2014)")
        OTHER = "other", _("Other")

    class Level(models.TextChoices):
        CLEAR = "clear", pgettext_lazy("erasure level", "Clear")
        PURGE = "purge", pgettext_lazy("erasure level", "Purge")
        DESTROY = "destroy", pgettext_lazy("erasure level", "Destroy")

    class Method(models.TextChoices):
        OVERWRITE = "overwrite", _("Overwrite")
        SECURE_ERASE = "secure_erase", _("ATA Secure Erase")
        SANITIZE = "sanitize", _("NVMe Sanitize / Format")
        CRYPTO_ERASE = "crypto_erase", _("Cryptographic erase")
        DESTROYED = "destroyed", _("Physical destruction")
        REMOVED = "removed", _("Drive removed and kept")
        # A phone's or tablet's own reset; on an encrypted one it is a CRYPTO_ERASE.
        FACTORY_RESET = "factory_reset", _("Factory reset")

    class Tool(models.TextChoices):
        NWIPE = "nwipe", "nwipe"
        SHREDOS = "shredos", "ShredOS"
        HDPARM = "hdparm", "hdparm"
        NVME_CLI = "nvme-cli", "nvme-cli"
        BLKDISCARD = "blkdiscard", "blkdiscard"
        OTHER = "other", _("Other")

    class Verification(models.TextChoices):
        NONE = "none", pgettext_lazy("verification", "None")
        SAMPLED = "sampled", pgettext_lazy("verification", "Sampled")
        FULL = "full", pgettext_lazy("verification", "Full")

    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    drive = models.ForeignKey(
        Drive, on_delete=models.CASCADE, related_name="erasures", verbose_name=_("drive")
    )
    standard = models.CharField(
        _("standard"), max_length=20, choices=Standard, default=Standard.NIST_R2
    )
    level = models.CharField(_("level"), max_length=10, choices=Level, blank=True)
    method = models.CharField(_("technique"), max_length=20, choices=Method)
    passes = models.PositiveSmallIntegerField(_("passes"), null=True, blank=True)
    pattern = models.CharField(_("pattern"), max_length=60, blank=True)
    tool = models.CharField(_("tool"), max_length=20, choices=Tool, blank=True)
    tool_version = models.CharField(_("tool version"), max_length=40, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    performed_at = models.DateTimeField(_("finished at"), db_index=True)
    verification = models.CharField(
        _("verification"), max_length=10, choices=Verification, default=Verification.NONE
    )
    verification_passed = models.BooleanField(_("verification passed"), null=True, blank=True)
    result = models.CharField(_("outcome"), max_length=10, choices=Result)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("operator")
    )
    log = models.ForeignKey(
        ErasureLog,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="erasures",
        verbose_name=_("raw log"),
    )
    notes = models.TextField(_("notes"), blank=True)
    # NIST SP 800-88 Rev. 1 appendix G: the person performing (name, title) and the
    # person validating (name, title, date). Titles are copied when the erasure is
    # certified or validated, so a later change of the defaults does not rewrite them.
    operator_title = models.CharField(_("operator's title"), max_length=80, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="validated_erasures",
        verbose_name=_("validated by"),
    )
    validator_title = models.CharField(_("validator's title"), max_length=80, blank=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    # Why the validator accepts Clear for a drive whose device leaves the organisation
    # (inventory.erasure.rules.LEAVING_CONTROL): printed on the certificate.
    exception = models.TextField(_("stated exception"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-performed_at"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        permissions = [("validate_erasure", _("Can validate erasures"))]

    def __str__(self):
        return f"{self.drive} · {self.get_method_display()} · {self.get_result_display()}"


# The NIST SP 800-88 level each technique reaches when it succeeds. Overwriting is
# only "Clear" (an SSD keeps spare blocks that an overwrite cannot reach).
LEVEL_OF_METHOD = {
    Erasure.Method.OVERWRITE: Erasure.Level.CLEAR,
    Erasure.Method.SECURE_ERASE: Erasure.Level.PURGE,
    Erasure.Method.SANITIZE: Erasure.Level.PURGE,
    Erasure.Method.CRYPTO_ERASE: Erasure.Level.PURGE,
    Erasure.Method.DESTROYED: Erasure.Level.DESTROY,
    Erasure.Method.REMOVED: "",
    # NIST SP 800-88 Rev. 1, appendix A (mobile devices): a factory reset of a device
    # that does not encrypt its storage clears it; an encrypted one is a CRYPTO_ERASE.
    Erasure.Method.FACTORY_RESET: Erasure.Level.CLEAR,
}


class ErasureCertificate(models.Model):
    """A numbered certificate that a device's drives were sanitised; publicly verifiable."""

    # CE-<year>-<serial>, as inventory.erasure.services numbers them.
    NUMBER = re.compile(r"CE-\d{4}-\d{5,}")

    class Destination(models.TextChoices):
        """Where the device goes after the erasure (NIST SP 800-88 Rev. 1 appendix G,
        "Post-Sanitization Destination"), from its status when the certificate is issued."""

        REUSE = "reuse", _("Reuse outside the organisation (to be sold, given or lent)")
        SOLD = "sold", _("Sold")
        GIVEN = "given", _("Given")
        LENT = "lent", _("Lent")
        RECYCLED = "recycled", _("Sent to a recycler")
        KEPT = "kept", _("Kept by the organisation (parts)")

    number = models.CharField(_("certificate number"), max_length=20, unique=True)
    device = models.ForeignKey(
        Device,
        on_delete=models.PROTECT,
        related_name="erasure_certificates",
        verbose_name=_("device"),
    )
    erasures = models.ManyToManyField(Erasure, related_name="certificates")
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("issued by")
    )
    # Fixed when issued: a later sale does not rewrite what the certificate said.
    destination = models.CharField(
        _("post-sanitization destination"),
        max_length=10,
        choices=Destination,
        default=Destination.REUSE,
    )
    confidentiality = models.CharField(
        _("confidentiality of the data before erasure"), max_length=10, blank=True
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("erasure certificate")
        verbose_name_plural = _("erasure certificates")

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("public:verify_certificate", args=[self.number])


class ErasureRun(models.Model):
    """An erasure a workstation is running on a device now: shown live on its page.

    Opened by the workstation just before it wipes (POST /api/erasure-starts/), closed by
    the log it sends after. At most one is open per device.
    """

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="erasure_runs", verbose_name=_("device")
    )
    workstation = models.ForeignKey(
        "inventory.WorkstationToken",
        on_delete=models.PROTECT,
        related_name="erasure_runs",
        verbose_name=_("workstation"),
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    # What the workstation said it wipes: [{path, model, serial, size_bytes, kind, method}].
    drives = models.JSONField(_("drives"), default=list)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # How far each drive is, in per cent, as the workstation last said: {path: 0-100}.
    progress = models.JSONField(_("progress"), default=dict, blank=True)
    progress_at = models.DateTimeField(_("progress reported at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("erasure in progress")
        verbose_name_plural = _("erasures in progress")
        constraints = [
            models.UniqueConstraint(
                fields=["device"],
                condition=models.Q(finished_at__isnull=True),
                name="one_open_erasure_run_per_device",
            )
        ]

    def __str__(self):
        return f"{self.device} · {self.workstation} · {self.started_at:%Y-%m-%d %H:%M}"

"""Hardware reports read from the machine itself, and the workstations that send them."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inventory.models.core import Device, Site


class WorkstationToken(models.Model):
    """The API key of one wiping/test workstation; shown once, stored hashed, revocable."""

    name = models.CharField(_("workstation"), max_length=80)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, verbose_name=_("site"))
    # Reports sent with this token are recorded in this person's name.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("on behalf of")
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("workstation token")
        verbose_name_plural = _("workstation tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, **fields):
        """Create a token; return it with the clear key, which is never stored."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(prefix=key[:8], key_hash=cls.hash_key(key), **fields)
        return token, key


class HardwareReport(models.Model):
    """The raw output of lshw / smartctl / lsblk for a device, kept as received."""

    class Source(models.TextChoices):
        PAGE = "page", _("Upload on a page")
        COMMAND = "command", _("Command line")
        API = "api", _("Workstation (API)")

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="hardware_reports", verbose_name=_("device")
    )
    lshw = models.TextField("lshw -json")
    smartctl = models.JSONField("smartctl --json", default=list, blank=True)
    lsblk = models.TextField("lsblk --json", blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source)
    workstation = models.ForeignKey(
        WorkstationToken, on_delete=models.SET_NULL, null=True, blank=True
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("received by")
    )
    received_at = models.DateTimeField(_("received on"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("hardware report")
        verbose_name_plural = _("hardware reports")

    def __str__(self):
        return f"{self.device.asset_tag} {self.received_at:%Y-%m-%d}"

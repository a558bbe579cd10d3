"""Reusable selections of devices: the vocabulary of list pages and reports."""

from django.db import models
from django.db.models import Q


class DeviceQuerySet(models.QuerySet):
    def with_relations(self):
        """What a list row or card shows, fetched in the same query."""
        return self.select_related("site", "location", "donation__donor")

    def ready(self):
        """Devices on the shelf, erased, tested and graded: what a loan, a sale or a gift
        may take (the workflow's READY)."""
        # The status's value, not Status.READY: the models module imports this one.
        return self.filter(status="ready")

    def search(self, text):
        """Match an asset tag, a serial number, a manufacturer or a model."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(asset_tag__icontains=text)
            | Q(serial_number__icontains=text)
            | Q(model__icontains=text)
            | Q(manufacturer__icontains=text)
        )

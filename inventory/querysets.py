"""Reusable selections of devices: the vocabulary of list pages and reports."""

from django.db import models
from django.db.models import Q


class DeviceQuerySet(models.QuerySet):
    def with_relations(self):
        """What a list row or card shows, fetched in the same query."""
        return self.select_related("site", "location", "donation__donor")

    def in_status(self, *statuses):
        return self.filter(status__in=statuses)

    def at(self, site):
        return self.filter(site=site)

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

    def find_by_code(self, code):
        """The device an exact asset tag or serial number designates, or None."""
        code = (code or "").strip()
        if not code:
            return None
        return (
            self.filter(Q(asset_tag__iexact=code) | Q(serial_number__iexact=code))
            .with_relations()
            .order_by(models.Case(models.When(asset_tag__iexact=code, then=0), default=1))
            .first()
        )

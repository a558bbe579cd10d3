"""What a report counts, from its filters: the period, the site, and the devices of a
programme or of a funder's programmes (those lent in their loans)."""

from functools import cached_property

from django.db.models import Q

from inventory.impact import flows, monthly
from inventory.models import Device
from lending.models import LoanDevice


class Scope:
    def __init__(self, filters, user):
        self.filters = filters
        self.user = user
        self.period = filters.period
        self.site = filters.site

    @cached_property
    def devices(self):
        """A Device queryset (not evaluated) narrowed to the programme or funder chosen,
        or None for every device."""
        rule = Q()
        if self.filters.programme is not None:
            rule &= Q(loan__programme=self.filters.programme)
        if self.filters.funder is not None:
            rule &= Q(loan__programme__funders=self.filters.funder)
        if not rule:
            return None
        lent = LoanDevice.objects.filter(rule).values("device_id")
        return Device.objects.filter(pk__in=lent)

    @cached_property
    def known(self):
        """The monthly summary's state, read once for every section of the page."""
        return None if self.devices is not None else monthly.state()

    def reused_counts(self):
        """{category: devices reused in the period}, net of returns (sold, given, loan
        turned gift): what the CO2e avoided is computed on."""
        return flows.reused_counts(self.period, self.site, self.devices, self.known)

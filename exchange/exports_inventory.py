"""Exports of inventory pages that have nothing to import: the donations (they are
recorded one by one, with the devices a donor's file brings through the device import)."""

from django.db.models import Count
from django.utils.translation import gettext_lazy

from inventory.models import Donation

from .columns import Column
from .exporting import ExportOnlyResource
from .resources import ExchangeResource
from .widgets import DateWidget, IntegerWidget, TextWidget


class DonationExportResource(ExportOnlyResource):
    # Named like the model's primary key so that it comes first.
    id = Column("number", attribute="pk", label=gettext_lazy("Donation"), widget=IntegerWidget())
    donor = Column(
        "donor", attribute="donor__name", label=gettext_lazy("Donor"), widget=TextWidget()
    )
    received_on = Column("received_on", label=gettext_lazy("Received on"), widget=DateWidget())
    site = Column("site", attribute="site__code", label=gettext_lazy("Site"), widget=TextWidget())
    reference = Column("reference", label=gettext_lazy("Donor's reference"), widget=TextWidget())
    device_count = Column("device_count", label=gettext_lazy("Devices"), widget=IntegerWidget())
    notes = Column("notes", label=gettext_lazy("Notes"), widget=TextWidget())

    class Meta(ExchangeResource.Meta):
        model = Donation

    @classmethod
    def export_queryset(cls, user):
        donations = Donation.objects.select_related("donor", "site")
        return donations.annotate(device_count=Count("devices")).order_by("-received_on", "-pk")

"""Exports of inventory pages that have nothing to import: the donations (they are
recorded one by one, with the devices a donor's file brings through the device import),
and the companies' donations for the accountant's tax receipts."""

from django.db.models import Count
from django.utils.translation import gettext_lazy

from inventory.donors.documents import company_donations
from inventory.models import Donation
from spreadsheets.columns import Column
from spreadsheets.exporting import ExportOnlyResource
from spreadsheets.resources import ExchangeResource
from spreadsheets.widgets import DateWidget, DecimalWidget, IntegerWidget, NotesWidget, TextWidget


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


class DonationTaxExportResource(ExportOnlyResource):
    """Donations from companies (form 2041-MEC-SD) or individuals (CERFA 11580), for the
    accountant: the donor's legal details, the value the donor declared and its basis."""

    # Attribute names that are not the model's fields keep the columns in this order
    # (django-import-export puts a model's own fields first).
    legal_name = Column(
        "legal_name", attribute="donor__name", label=gettext_lazy("Legal name"), widget=TextWidget()
    )
    siren = Column(
        "siren", attribute="donor__siren", label=gettext_lazy("SIREN"), widget=TextWidget()
    )
    address = Column(
        "address", attribute="donor__address", label=gettext_lazy("Address"), widget=NotesWidget()
    )
    number = Column(
        "number", attribute="pk", label=gettext_lazy("Donation"), widget=IntegerWidget()
    )
    date = Column(
        "date", attribute="received_on", label=gettext_lazy("Received on"), widget=DateWidget()
    )
    nature = Column(
        "nature",
        attribute="gift_description",
        label=gettext_lazy("Nature of the gift"),
        widget=TextWidget(),
    )
    value = Column(
        "value", attribute="valuation", label=gettext_lazy("Valuation (€)"), widget=DecimalWidget()
    )
    basis = Column(
        "basis",
        attribute="get_valuation_basis_display",
        label=gettext_lazy("Valuation basis"),
        widget=TextWidget(),
    )
    value_date = Column(
        "value_date", attribute="valued_on", label=gettext_lazy("Valued on"), widget=DateWidget()
    )
    device_count = Column("device_count", label=gettext_lazy("Devices"), widget=IntegerWidget())

    class Meta(ExchangeResource.Meta):
        model = Donation

    @classmethod
    def may_export(cls, user):
        # Valuations are the coordinators' (they enter them).
        return user.has_perms(["inventory.view_donation", "inventory.value_donation"])

    @classmethod
    def export_queryset(cls, user):
        return company_donations()

"""The loans list exported."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from lending import access
from lending.models import Loan, LoanDevice
from spreadsheets.columns import Column
from spreadsheets.exporting import ExportOnlyResource
from spreadsheets.resources import ExchangeResource
from spreadsheets.widgets import ChoiceWidget, DateWidget, IntegerWidget, TextWidget


# Exports of the loan and programme pages ------------------------------------------------
class LoanExportResource(ExportOnlyResource):
    """The loans page: a household is its code only (technicians export it too)."""

    # Named like the model's fields so that the columns come in this order.
    id = Column("number", attribute="pk", label=gettext_lazy("Loan"), widget=IntegerWidget())
    household = Column(
        "household",
        attribute="household__code",
        label=gettext_lazy("Household code"),
        widget=TextWidget(),
    )
    programme = Column(
        "programme",
        attribute="programme__name",
        label=gettext_lazy("Programme"),
        widget=TextWidget(),
    )
    status = Column(
        "status", label=gettext_lazy("Status"), widget=ChoiceWidget(Loan.Status.choices)
    )
    starts_on = Column("starts_on", label=gettext_lazy("Starts on"), widget=DateWidget())
    due_on = Column("due_on", label=gettext_lazy("Due back on"), widget=DateWidget())
    days_late = Column("days_late", label=gettext_lazy("Days overdue"), widget=IntegerWidget())
    devices = Column("devices", label=gettext_lazy("Devices"), widget=TextWidget())
    sim_iccid = Column(
        "sim",
        attribute="sim__iccid",
        label=pgettext_lazy("loan", "SIM card"),
        widget=TextWidget(identifier=True),
    )

    class Meta(ExchangeResource.Meta):
        model = Loan

    def dehydrate_days_late(self, loan):
        today = timezone.localdate()
        return (today - loan.due_on).days if loan.is_overdue(today) else None

    def dehydrate_devices(self, loan):
        return ", ".join(item.device.asset_tag for item in loan.items.all())

    @classmethod
    def export_queryset(cls, user):
        items = LoanDevice.objects.select_related("device").order_by("pk")
        loans = access.loans_visible_to(user).select_related("household", "programme", "sim")
        return loans.prefetch_related(Prefetch("items", queryset=items)).order_by("-pk")

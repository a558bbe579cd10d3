"""The sales list as a file, for the accountant: one row a receipt, its filters applied.

The buyer is their postcode only, never their name; nothing is imported (a sale is
recorded at the counter, a cancellation is a credit note).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy

from sales import selectors
from sales.models import PaymentMethod, Sale
from spreadsheets.columns import Column
from spreadsheets.exporting import ExportOnlyResource
from spreadsheets.resources import ExchangeResource
from spreadsheets.widgets import (
    BooleanWidget,
    ChoiceWidget,
    DateWidget,
    DecimalWidget,
    IntegerWidget,
    TextWidget,
)


class DateTimeWidget(DateWidget):
    """A moment, written as the day and time it was in the interface's time zone."""

    def text(self, value):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


class SaleResource(ExportOnlyResource):
    # Not named like the model's fields, which would come first in the model's order:
    # these come in the order written here.
    receipt = Column("number", label=gettext_lazy("Receipt number"), widget=TextWidget())
    date = Column("sold_at", label=gettext_lazy("Date"), widget=DateTimeWidget())
    at_site = Column(
        "site", attribute="site__code", label=gettext_lazy("Site"), widget=TextWidget()
    )
    sold_by = Column("seller", label=gettext_lazy("Seller"), widget=TextWidget())
    postcode = Column(
        "buyer_postcode",
        label=gettext_lazy("Buyer's postcode"),
        widget=TextWidget(identifier=True),
    )
    paid_by = Column(
        "payment_method", label=gettext_lazy("Payment"), widget=ChoiceWidget(PaymentMethod.choices)
    )
    at_solidarity_price = Column(
        "solidarity", label=gettext_lazy("Solidarity price"), widget=BooleanWidget()
    )
    devices = Column("items_count", label=gettext_lazy("Devices"), widget=IntegerWidget())
    asset_tags = Column("asset_tags", label=gettext_lazy("Asset tags"), widget=TextWidget())
    amount = Column("total", label=gettext_lazy("Total (€)"), widget=DecimalWidget())
    sale_status = Column(
        "status", label=gettext_lazy("Status"), widget=ChoiceWidget(Sale.Status.choices)
    )
    credit_note_number = Column(
        "credit_note", label=gettext_lazy("Credit note"), widget=TextWidget()
    )

    class Meta(ExchangeResource.Meta):
        model = Sale

    def dehydrate_sold_by(self, sale):
        return sale.seller.get_full_name() or sale.seller.get_username()

    def dehydrate_devices(self, sale):
        return len(sale.items.all())

    def dehydrate_asset_tags(self, sale):
        return ", ".join(item.device.asset_tag for item in sale.items.all())

    def dehydrate_credit_note_number(self, sale):
        # select_related caches a missing credit note as None: no query here.
        note = getattr(sale, "credit_note", None)
        return note.number if note else ""

    @classmethod
    def export_queryset(cls, user):
        return selectors.with_rows(Sale.objects.all())

"""The ledger through the upper layers' own services: a sale and its credit note."""

import pytest

from inventory.impact import flows
from inventory.impact.period import Period
from inventory.models import ExitChannel, StockExit
from sales.models import PaymentMethod
from sales.services import cancel_sale
from tests.factories import SiteFactory
from tests.sales_factories import SaleFactory, ready_device

pytestmark = pytest.mark.django_db


def test_a_sale_then_its_credit_note_leave_no_net_exit(technician, coordinator):
    site = SiteFactory()
    device = ready_device(site=site)
    sale = SaleFactory(by=technician, site=site, devices=[device])
    assert list(StockExit.objects.values_list("channel", "sign")) == [(ExitChannel.SOLD, 1)]

    cancel_sale(sale=sale, by=coordinator, reason="Retour", refund_method=PaymentMethod.CASH)

    rows = StockExit.objects.filter(device=device).values_list("channel", "sign", "by")
    assert list(rows) == [
        (ExitChannel.SOLD, 1, technician.pk),
        (ExitChannel.SOLD, -1, coordinator.pk),
    ]
    this_year = Period.year(StockExit.objects.first().at.year)
    assert flows.exits(this_year).by_channel[ExitChannel.SOLD].count == 0

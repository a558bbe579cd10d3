"""The till of a day: per site and payment method, the sales of the day, the credit
notes issued that day deducted, the net; the day and the site chosen."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import Grade, Status
from sales import services
from sales.models import PaymentMethod, Sale
from tests.factories import DeviceFactory, SiteFactory, UserFactory
from tests.sales_factories import EligibilityProofFactory, PriceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CASH, CARD = PaymentMethod.CASH, PaymentMethod.CARD


@pytest.fixture(autouse=True)
def price(db):
    # Laptops of grade B: 50 €, 20 € at the solidarity price.
    return PriceFactory()


@pytest.fixture
def site():
    return SiteFactory(code="BRU", name="Bruay")


@pytest.fixture
def boss(db):
    return UserFactory(is_superuser=True)


def sell(by, site, payment_method=CASH, **fields):
    device = DeviceFactory(status=Status.READY, site=site, grade=Grade.B)
    return services.record_sale(
        by=by, site=site, devices=[device], payment_method=payment_method, **fields
    )


def on_day(sale, day):
    """Move a sale (and its credit note) to noon of `day`, straight in the rows."""
    noon = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    Sale.objects.filter(pk=sale.pk).update(sold_at=noon)
    return noon


def rows_of(response, site):
    (till,) = [till for till in response.context["tills"] if till.site == site]
    return till, {row.payment_method: row for row in till.rows}


def test_the_till_adds_up_each_payment_method_and_deducts_the_credit_notes(
    technician, technician_client, site, boss
):
    proof = EligibilityProofFactory()
    cancelled = sell(technician, site)
    sell(technician, site, solidarity=True, proofs=[proof])
    sell(technician, site, CARD)
    note = services.cancel_sale(
        sale=cancelled, refund_method=cancelled.payment_method, by=boss, reason="Écran cassé"
    )

    response = technician_client.get(f"/sales/till/?site={site.pk}")

    till, rows = rows_of(response, site)
    assert (rows[CASH].sales, rows[CASH].amount) == (2, Decimal("70.00"))
    assert (rows[CASH].credit_notes, rows[CASH].refunded) == (1, Decimal("50.00"))
    assert rows[CASH].net == Decimal("20.00")
    assert (rows[CARD].sales, rows[CARD].net) == (1, Decimal("50.00"))
    assert (till.sales, till.amount, till.refunded, till.net) == (
        3,
        Decimal("120.00"),
        Decimal("50.00"),
        Decimal("70.00"),
    )
    assert till.credit_notes == [note]
    html = response.content.decode()
    assert "−50.00 €" in html
    assert note.number in html


def test_the_till_counts_only_the_chosen_day_and_site(technician, technician_client, site):
    other = SiteFactory(code="LEN")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    on_day(sell(technician, site), yesterday)
    sell(technician, site, CARD)
    sell(technician, other)

    today = technician_client.get(f"/sales/till/?site={site.pk}")
    before = technician_client.get(f"/sales/till/?site={site.pk}&day={yesterday:%Y-%m-%d}")

    _till, rows = rows_of(today, site)
    assert (rows[CASH].sales, rows[CARD].sales) == (0, 1)
    assert [till.site for till in today.context["tills"]] == [site]
    _till, rows = rows_of(before, site)
    assert (rows[CASH].sales, rows[CASH].amount, rows[CARD].sales) == (1, Decimal("50.00"), 0)


def test_a_credit_note_is_deducted_on_the_day_it_is_issued(
    technician, technician_client, site, boss
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    sale = sell(technician, site)
    on_day(sale, yesterday)
    services.cancel_sale(
        sale=sale, refund_method=sale.payment_method, by=boss, reason="Retour sous garantie"
    )

    response = technician_client.get(f"/sales/till/?site={site.pk}")

    till, rows = rows_of(response, site)
    assert (rows[CASH].sales, rows[CASH].refunded, rows[CASH].net) == (
        0,
        Decimal("50.00"),
        Decimal("-50.00"),
    )
    assert till.net == Decimal("-50.00")


def test_the_till_opens_on_today_at_the_sellers_last_site(technician, technician_client, site):
    SiteFactory(code="AAA", name="A first site by name")
    sell(technician, site)

    response = technician_client.get("/sales/till/")

    assert response.context["day"] == timezone.localdate()
    assert [till.site for till in response.context["tills"]] == [site]


def test_the_till_of_all_sites_has_one_summary_a_site(technician, technician_client, site):
    other = SiteFactory(code="LEN", name="Lens")
    sell(technician, site)
    sell(technician, other, CARD)

    response = technician_client.get("/sales/till/?site=")

    tills = {till.site: till for till in response.context["tills"]}
    assert set(tills) == {site, other}
    assert (tills[site].amount, tills[other].amount) == (Decimal("50.00"), Decimal("50.00"))


def test_the_till_ignores_a_bad_day(technician_client, site):
    response = technician_client.get(f"/sales/till/?site={site.pk}&day=2026-02-31")

    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()


def test_the_till_is_printable(technician_client, site):
    html = technician_client.get(f"/sales/till/?site={site.pk}").content.decode()

    # The Print button (data-print) is wired by a script file: the CSP refuses onclick="".
    assert "data-print" in html and "js/print-button.js" in html
    assert 'class="filters no-print"' in html


def test_the_till_runs_a_fixed_number_of_queries(
    technician, technician_client, site, boss, django_assert_max_num_queries
):
    for _ in range(5):
        sale = sell(technician, site)
    services.cancel_sale(sale=sale, refund_method=sale.payment_method, by=boss, reason="Test")

    # session, user, permissions (2), roles, last site, the site choices, sales, credit notes
    with django_assert_max_num_queries(9):
        technician_client.get("/sales/till/")


def test_a_credit_note_is_booked_under_the_method_the_buyer_was_refunded_by(
    technician, technician_client, site, boss
):
    # Paid by card, refunded in cash: the cash drawer is short, the card total is not.
    sale = sell(technician, site, payment_method=CARD)
    services.cancel_sale(sale=sale, by=boss, reason="Écran qui scintille", refund_method=CASH)

    response = technician_client.get("/sales/till/", {"site": site.pk})

    _till, rows = rows_of(response, site)
    assert (rows[CARD].sales, rows[CARD].amount, rows[CARD].refunded) == (1, Decimal("50"), 0)
    assert (rows[CASH].credit_notes, rows[CASH].refunded) == (1, Decimal("50"))
    assert rows[CASH].net == Decimal("-50")
    assert "(Cash)" in response.content.decode()

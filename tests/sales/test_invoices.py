"""Invoices for business and association buyers: the mentions the code de commerce asks
for (L.441-9, L.441-10, D.441-5), numbered and frozen when issued, and each refusal."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.refusals import PermissionRefused
from inventory import pdf
from inventory.models import Organisation, Sequence
from sales import legal
from sales.invoicing import issue_invoice, valid_siren
from sales.models import Invoice, PaymentMethod
from sales.receipts import invoice_pdf
from sales.services import SaleRefused, cancel_sale
from tests.factories import SiteFactory
from tests.lending_factories import HouseholdFactory
from tests.sales.test_receipts import pdf_text
from tests.sales_factories import SaleFactory, ready_device

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BUYER = {
    "buyer_name": "Association Trait d'Union",
    "buyer_address": "3 rue des Écoles\n62700 Bruay-la-Buissière",
    "buyer_siren": "732 829 320",
    "order_reference": "BC-2026-17",
}


@pytest.fixture
def organisation():
    return Organisation.objects.create(
        name="Ressourcerie du Ponant",
        address="12 rue de Siam\n29200 Brest",
        siret="12345678901234",
        vat_mention="TVA non applicable, article 293 B du code général des impôts",
    )


@pytest.fixture
def site():
    return SiteFactory(code="BRU", name="Boutique de Brest")


@pytest.fixture
def sale(technician, organisation, site):
    return SaleFactory(
        by=technician,
        site=site,
        devices=[ready_device(site=site, serial_number="PF1ABCDE")],
        payment_method=PaymentMethod.TRANSFER,
        buyer_name="Association Trait d'Union",
    )


def test_an_invoice_is_numbered_apart_and_keeps_the_buyers_details(sale, technician):
    invoice = issue_invoice(sale=sale, by=technician, **BUYER)

    year = timezone.localdate().year
    assert invoice.number == f"FA-BRU-{year}-0001"
    assert invoice.buyer_siren == "732829320"
    assert invoice.buyer_address == "3 rue des Écoles\n62700 Bruay-la-Buissière"
    assert invoice.due_date == timezone.localdate() + datetime.timedelta(days=30)
    assert invoice.recovery_indemnity == Decimal("40.00")
    assert invoice.history.get().history_user == technician


def test_the_invoice_carries_every_mention_of_the_code_de_commerce(sale, technician):
    invoice = issue_invoice(sale=sale, by=technician, **BUYER)

    text = pdf_text(invoice_pdf(invoice))

    item = sale.items.get()
    for expected in [
        # L.441-9: the parties, their addresses, the seller's SIRET, the buyer's SIREN.
        "Ressourcerie du Ponant",
        "12 rue de Siam 29200 Brest",
        "SIRET 12345678901234",
        "TVA non applicable, article 293 B du code général des impôts",
        "Association Trait d'Union",
        "3 rue des Écoles 62700 Bruay-la-Buissière",
        "SIREN 732829320",
        # Its number and date, the date of the sale, the purchase order.
        f"Invoice {invoice.number}",
        f"Date of issue {pdf.when(invoice.issued_at, 'SHORT_DATE_FORMAT')}",
        f"Date of sale {pdf.when(sale.sold_at, 'SHORT_DATE_FORMAT')}",
        f"Receipt {sale.number}",
        "Purchase order BC-2026-17",
        # The goods, their unit price before VAT, the total.
        f"{item.device.asset_tag} PF1ABCDE",
        "Amount excl. VAT",
        "Total excl. VAT 50.00 €",
        "Total due 50.00 €",
        # The due date, the penalty rate, the 40 € recovery indemnity.
        f"Payment due on {invoice.due_date:%m/%d/%Y} at the latest",
        legal.DEFAULT_LATE_PAYMENT_RATE.text,
        "costs of 40.00 € (code de commerce, art. L.441-10 and D.441-5)",
    ]:
        assert " ".join(expected.split()) in text, expected


def test_the_payment_term_and_the_penalty_rate_are_the_associations_settings(
    sale, technician, settings
):
    settings.SALES_INVOICE_PAYMENT_DAYS = 45
    settings.SALES_LATE_PAYMENT_RATE = "trois fois le taux d'intérêt légal"

    invoice = issue_invoice(sale=sale, by=technician, **BUYER)

    assert invoice.due_date == timezone.localdate() + datetime.timedelta(days=45)
    assert "Late payment penalties" in pdf_text(invoice_pdf(invoice))
    assert "trois fois le taux d'intérêt légal" in pdf_text(invoice_pdf(invoice))


def test_a_reprint_is_the_same_invoice_whatever_the_settings_say_since(sale, technician, settings):
    invoice = issue_invoice(sale=sale, by=technician, **BUYER)
    first = pdf_text(invoice_pdf(invoice))

    settings.SALES_INVOICE_PAYMENT_DAYS = 10
    settings.SALES_LATE_PAYMENT_RATE = "autre taux"

    assert pdf_text(invoice_pdf(Invoice.objects.get(pk=invoice.pk))) == first


def written():
    return (list(Invoice.objects.values_list()), list(Sequence.objects.values_list()))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("buyer_siren", "732829321", "is not a SIREN number"),
        ("buyer_siren", "12345", "is not a SIREN number"),
        ("buyer_siren", "", "is not a SIREN number"),
        ("buyer_address", "  \n ", "Give the buyer's address"),
        ("buyer_name", " ", "Give the buyer's name"),
    ],
)
def test_an_invoice_without_the_buyers_legal_details_is_refused(
    sale, technician, field, value, message
):
    before = written()

    with pytest.raises(SaleRefused, match=message):
        issue_invoice(sale=sale, by=technician, **{**BUYER, field: value})

    assert written() == before


def test_a_cancelled_sale_is_not_invoiced(sale, technician, coordinator):
    cancel_sale(sale=sale, by=coordinator, reason="Retour", refund_method=PaymentMethod.TRANSFER)
    before = written()

    with pytest.raises(SaleRefused, match="cancelled by a credit note"):
        issue_invoice(sale=sale, by=technician, **BUYER)

    assert written() == before


def test_a_sale_is_invoiced_once(sale, technician):
    first = issue_invoice(sale=sale, by=technician, **BUYER)
    before = written()

    with pytest.raises(SaleRefused, match="has an invoice already"):
        issue_invoice(sale=sale, by=technician, **BUYER)

    assert written() == before
    assert Invoice.objects.get() == first


def test_a_household_gets_a_receipt_not_a_business_invoice(technician, site):
    sale = SaleFactory(
        by=technician, site=site, devices=[ready_device(site=site)], household=HouseholdFactory()
    )

    with pytest.raises(SaleRefused, match="made to a household"):
        issue_invoice(sale=sale, by=technician, **BUYER)

    assert not Invoice.objects.exists()


def test_a_social_worker_cannot_issue_an_invoice(sale, social_worker):
    with pytest.raises(PermissionRefused):
        issue_invoice(sale=sale, by=social_worker, **BUYER)

    assert not Invoice.objects.exists()


def test_a_payment_term_beyond_the_legal_maximum_is_refused(sale, technician, settings):
    settings.SALES_INVOICE_PAYMENT_DAYS = 90

    with pytest.raises(SaleRefused, match="outside the legal"):
        issue_invoice(sale=sale, by=technician, **BUYER)

    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("value", "valid"), [("732829320", True), ("356000000", True), ("732829321", False)]
)
def test_a_siren_is_nine_digits_with_a_right_checksum(value, valid):
    assert valid_siren(value) is valid


# The pages ------------------------------------------------------------------------------


def test_a_seller_issues_the_invoice_from_the_sale_page(technician_client, sale):
    page = technician_client.get(f"/sales/{sale.pk}/").content.decode()
    assert "Invoice for a business or an association" in page

    response = technician_client.post(f"/sales/{sale.pk}/invoice/", BUYER, follow=True)

    invoice = Invoice.objects.get()
    assert f"Invoice {invoice.number} issued." in response.content.decode()
    assert f"/sales/invoices/{invoice.pk}.pdf" in response.content.decode()
    document = technician_client.get(f"/sales/invoices/{invoice.pk}.pdf")
    assert document["Content-Type"] == "application/pdf"
    assert "SIREN 732829320" in pdf_text(document.content)


def test_a_wrong_siren_on_the_page_says_what_and_writes_nothing(technician_client, sale):
    response = technician_client.post(
        f"/sales/{sale.pk}/invoice/", {**BUYER, "buyer_siren": "1234"}, follow=True
    )

    assert "“1234” is not a SIREN number" in response.content.decode()
    assert not Invoice.objects.exists()


def test_a_missing_field_on_the_page_names_it(technician_client, sale):
    response = technician_client.post(
        f"/sales/{sale.pk}/invoice/", {**BUYER, "buyer_address": ""}, follow=True
    )

    assert "Address: This field is required." in response.content.decode()
    assert not Invoice.objects.exists()

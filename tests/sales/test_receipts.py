"""The receipt and credit note PDFs: the organisation's legal details, the numbered sale
and its lines as the sale froze them, the « reconditionné » wording per device, and the
legal guarantees.

The legal texts are asserted in their English source: the French catalogue comes later.
"""

import io
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from django.utils import translation

from inventory import pdf
from inventory.models import Category, ChecklistItem, CheckResult, Device, Grade, Organisation
from sales import legal
from sales.models import PaymentMethod, Price
from sales.receipts import credit_note_pdf, receipt_pdf
from sales.services import cancel_sale
from tests.factories import DriveFactory, SiteFactory
from tests.lending_factories import HouseholdFactory
from tests.sales_factories import EligibilityProofFactory, PriceFactory, SaleFactory, ready_device

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# The model box of art. D.211-2 (décret 2022-946), printed verbatim in French whatever
# the interface language, then the second-hand presumption (L.217-7).
LEGAL_SENTENCES = [
    *legal.GUARANTEE_BOX.text.splitlines(),
    legal.SECOND_HAND_PRESUMPTION.text,
    "“Refurbished” means that all its functions were tested and all data of its previous "
    "users was deleted (code de la consommation, art. R.122-4)",
]


def pdf_text(content):
    """The text of every page, with the lines that table cells wrap joined again."""
    document = pdfium.PdfDocument(io.BytesIO(content))
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.split())


@pytest.fixture
def organisation():
    return Organisation.objects.create(
        name="Ressourcerie du Ponant",
        address="12 rue de Siam\n29200 Brest",
        siret="12345678901234",
        vat_mention="TVA non applicable, article 293 B du code général des impôts",
        phone="02 98 00 00 00",
        email="contact@ponant.example",
    )


@pytest.fixture
def site():
    return SiteFactory(code="BRU", name="Boutique de Brest")


@pytest.fixture
def laptop(site):
    return ready_device(
        site=site,
        manufacturer="Dell",
        model="Latitude E7470",
        serial_number="PF1ABCDE",
        cpu="Intel Core i5-6300U",
        ram_mb=8192,
        storage_summary="256 GB SSD",
    )


@pytest.fixture
def screen(site):
    PriceFactory(category=Category.SCREEN, price=Decimal("15.00"), solidarity_price="5.00")
    return ready_device(
        site=site,
        category=Category.SCREEN,
        manufacturer="Iiyama",
        model="E2083",
        serial_number="IY-77",
    )


@pytest.fixture
def sale(technician, organisation, site, laptop, screen):
    technician.first_name, technician.last_name = "Yann", "Kerbrat"
    technician.save()
    return SaleFactory(
        by=technician,
        site=site,
        devices=[laptop, screen],
        payment_method=PaymentMethod.CARD,
        buyer_name="Jo Le Gall",
        buyer_postcode="29200",
        discounts={laptop.pk: ("7.50", "Rayure sur le capot")},
    )


def test_the_receipt_gives_the_organisations_legal_details(sale):
    text = pdf_text(receipt_pdf(sale))

    for expected in [
        "Ressourcerie du Ponant",
        "12 rue de Siam 29200 Brest",
        "SIRET 12345678901234",
        "TVA non applicable, article 293 B du code général des impôts",
        "02 98 00 00 00 · contact@ponant.example",
    ]:
        assert expected in text, expected


def test_without_saved_details_the_receipt_is_headed_with_the_configured_name(
    technician, settings, site, laptop
):
    settings.ORGANISATION_NAME = "Ressourcerie de l'Artois"

    text = pdf_text(receipt_pdf(SaleFactory(by=technician, site=site, devices=[laptop])))

    assert text.count("Ressourcerie de l'Artois") >= 2


def test_the_receipt_is_numbered_dated_and_names_the_site_the_seller_and_the_payment(sale):
    text = pdf_text(receipt_pdf(sale))

    for expected in [
        f"Receipt {sale.number}",
        f"Date {pdf.when(sale.sold_at)}",
        "Site Boutique de Brest",
        "Seller Yann Kerbrat",
        "Buyer Jo Le Gall 29200",
        "Payment Card",
        "Prices Price list",
    ]:
        assert expected in text, expected


def test_the_receipt_lists_each_device_with_its_prices_and_the_total(sale, laptop, screen):
    text = pdf_text(receipt_pdf(sale))

    assert (
        f"{laptop.asset_tag} PF1ABCDE "
        "Laptop · Dell Latitude E7470 · Intel Core i5-6300U · 8 GB · 256 GB SSD "
        "Refurbished device 50.00 € Price list −7.50 € Rayure sur le capot 42.50 €"
    ) in text
    assert (
        f"{screen.asset_tag} IY-77 Screen · Iiyama E2083 Refurbished device "
        "15.00 € Price list — 15.00 €"
    ) in text
    assert "Total paid 57.50 €" in text


def test_the_receipt_says_eligibility_was_checked_but_not_which_proof_was_seen(
    technician, site, laptop
):
    # Minimisation: « RSA » next to the buyer's name tells anyone who sees the receipt
    # about their situation; the sale keeps the proof, the receipt does not.
    proof = EligibilityProofFactory(name="Attestation de bénéficiaire du RSA")
    sale = SaleFactory(
        by=technician,
        site=site,
        devices=[laptop],
        solidarity=True,
        proofs=[proof],
        buyer_name="Jo Le Gall",
    )

    text = pdf_text(receipt_pdf(sale))

    assert "Prices Solidarity price" in text
    assert "Solidarity price: eligibility checked." in text
    assert "RSA" not in text
    assert "Attestation" not in text
    assert "20.00 € Solidarity price — 20.00 €" in text
    assert "Total paid 20.00 €" in text


def test_a_household_buyer_is_named_by_its_code_only(technician, site, laptop):
    household = HouseholdFactory(first_name="Ysaline", last_name="Dumortier", postcode="62460")
    sale = SaleFactory(by=technician, site=site, devices=[laptop], household=household)

    text = pdf_text(receipt_pdf(sale))

    assert f"Buyer Household {household.code}" in text
    for personal in ["Ysaline", "Dumortier", "62460"]:
        assert personal not in text


def test_an_anonymous_buyer_is_left_blank(technician, site, laptop):
    text = pdf_text(receipt_pdf(SaleFactory(by=technician, site=site, devices=[laptop])))

    assert "Buyer — Payment Cash" in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_receipt_states_the_legal_guarantees_in_the_mandatory_wording(sale, language):
    with translation.override(language):
        text = pdf_text(receipt_pdf(sale))

    for sentence in LEGAL_SENTENCES[:-1]:
        assert " ".join(sentence.split()) in text, sentence
    if language == "en":
        assert LEGAL_SENTENCES[-1] in text
    assert "essential" not in text


def test_the_receipt_is_one_a4_page(sale):
    document = pdfium.PdfDocument(io.BytesIO(receipt_pdf(sale)))

    assert len(document) == 1
    width, height = document[0].get_size()
    assert (round(width), round(height)) == (595, 842)


# The « reconditionné » wording rule, item by item ---------------------------------


def mandatory_test_missing(device):
    CheckResult.objects.filter(device=device, item__mandatory=True).first().delete()


def drive_not_erased(device):
    DriveFactory(device=device)


def pass_every_test(device):
    """A pass for each test of the device's checklist that has none (a test added since)."""
    done = set(device.check_results.values_list("item", flat=True))
    first = device.check_results.first()
    for item in ChecklistItem.objects.filter(category=device.category).exclude(pk__in=done):
        CheckResult.objects.create(
            device=device,
            item=item,
            outcome=CheckResult.Outcome.PASS,
            checked_by=first.checked_by,
            checked_at=first.checked_at,
        )


def optional_test_missing(device):
    # An optional test (webcam, sound) lets a device be ready without it; R.122-4 still
    # asks for tests of all its functions before « reconditionné ».
    item = ChecklistItem.objects.create(
        category=device.category, label="Lecteur d’empreintes (optionnel)", mandatory=False
    )
    assert not item.mandatory


def optional_test_failed(device):
    item = ChecklistItem.objects.create(
        category=device.category, label="Haut-parleurs (optionnel)", mandatory=False
    )
    CheckResult.objects.create(
        device=device,
        item=item,
        outcome=CheckResult.Outcome.FAIL,
        checked_by=device.check_results.first().checked_by,
        checked_at=device.check_results.first().checked_at,
    )


@pytest.mark.parametrize(
    "spoil", [mandatory_test_missing, drive_not_erased, optional_test_missing, optional_test_failed]
)
def test_a_device_not_fully_tested_or_erased_is_called_second_hand(technician, site, spoil):
    good, spoilt = ready_device(site=site), ready_device(site=site)
    spoil(spoilt)
    pass_every_test(good)
    sale = SaleFactory(by=technician, site=site, devices=[good, spoilt])

    text = pdf_text(receipt_pdf(sale))

    assert f"{good.asset_tag} {good.serial_number}" in text
    after_good = text.split(good.asset_tag, 1)[1].split(spoilt.asset_tag, 1)[0]
    after_spoilt = text.split(spoilt.asset_tag, 1)[1]
    assert "Refurbished device" in after_good
    assert "Second-hand device" in after_spoilt.split("Total paid")[0]


def test_a_screen_with_no_checklist_is_called_second_hand(technician, site):
    # Nothing says any of its functions was tested.
    ChecklistItem.objects.filter(category=Category.SCREEN).update(active=False)
    PriceFactory(category=Category.SCREEN)
    screen = ready_device(site=site, category=Category.SCREEN)

    text = pdf_text(receipt_pdf(SaleFactory(by=technician, site=site, devices=[screen])))

    assert "Second-hand device" in text
    assert "Refurbished device" not in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_like_new_never_appears_even_for_a_grade_a_device(technician, site, language):
    PriceFactory(grade=Grade.A, price="90.00", solidarity_price="40.00")
    device = ready_device(site=site, grade=Grade.A)
    sale = SaleFactory(by=technician, site=site, devices=[device])

    with translation.override(language):
        text = pdf_text(receipt_pdf(sale)).lower()

    assert "like new" not in text
    assert "comme neuf" not in text
    assert "neuf" not in text


# Drawn from the stored sale only --------------------------------------------------


def test_a_reprint_is_identical_whatever_happened_to_the_device_since(sale, laptop):
    first = pdf_text(receipt_pdf(sale))
    Device.objects.filter(pk=laptop.pk).update(
        serial_number="CHANGED", model="Autre", cpu="", ram_mb=1024, grade=Grade.C
    )
    CheckResult.objects.filter(device=laptop).delete()
    DriveFactory(device=laptop)
    Price.objects.update(price=Decimal("99.00"))

    assert pdf_text(receipt_pdf(sale)) == first


def test_a_cancelled_sales_receipt_says_which_credit_note_cancelled_it(sale, coordinator):
    note = cancel_sale(
        sale=sale, refund_method=sale.payment_method, by=coordinator, reason="Écran défectueux"
    )
    sale.refresh_from_db()

    text = pdf_text(receipt_pdf(sale))

    assert f"Cancelled by credit note {note.number} of " in text
    assert "Total paid 57.50 €" in text


def test_a_completed_sales_receipt_says_nothing_of_a_cancellation(sale):
    assert "Cancelled" not in pdf_text(receipt_pdf(sale))


# The credit note ------------------------------------------------------------------


def test_the_credit_note_gives_its_number_the_sale_the_items_the_refund_and_the_reason(
    sale, coordinator, laptop, screen
):
    coordinator.first_name, coordinator.last_name = "Maëlle", "Tanguy"
    coordinator.save()
    note = cancel_sale(
        sale=sale,
        refund_method=sale.payment_method,
        by=coordinator,
        reason="Écran défectueux, remboursé",
    )

    text = pdf_text(credit_note_pdf(note))

    for expected in [
        "Ressourcerie du Ponant",
        "SIRET 12345678901234",
        f"Credit note {note.number}",
        f"Cancels receipt {sale.number} of {pdf.when(sale.sold_at, 'SHORT_DATE_FORMAT')}.",
        f"Date {pdf.when(note.issued_at)}",
        "Issued by Maëlle Tanguy",
        "Paid by Card",
        "Refunded by Card",
        "Reason Écran défectueux, remboursé",
        f"{laptop.asset_tag} PF1ABCDE",
        "−7.50 € Rayure sur le capot 42.50 €",
        f"{screen.asset_tag} IY-77",
        "Amount refunded 57.50 €",
    ]:
        assert expected in text, expected
    assert note.number.startswith("AV-BRU-")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_grade_is_labelled_with_a_wording_forbidden_for_refurbished_goods(language):
    # R.122-4 to R.122-6: « état neuf », « comme neuf », « à neuf » or any equivalent.
    with translation.override(language):
        labels = [str(label).lower() for label in Grade.labels]

    for label in labels:
        for forbidden in ("neuf", "like new", "as new"):
            assert forbidden not in label, label

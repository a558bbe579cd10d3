"""Every kind of PDF the app hands out prints the same on any printer and reads as French:
it embeds every font it uses (no Helvetica left for the viewer or the printer driver to
substitute), says in French what it is (title, subject), declares the language fr-FR, and
downloads under a French, ASCII-only file name that every browser keeps.

Each PDF is fetched the way a user gets it (the page or API answering with it) and read
back with pypdfium2, the PDF reader the tests already use: no system tool needed."""

import ctypes
import re
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from django.test import Client
from django.utils import timezone
from reportlab.pdfbase.pdfmetrics import getFont

from inventory import pdf
from inventory.donors.documents import summary_link
from inventory.erasure.services import issue_certificate
from inventory.models import (
    Category,
    ClosedReport,
    Donor,
    IssuedDocument,
    Location,
    Organisation,
    Status,
    ValuationBasis,
    WorkstationToken,
)
from labels import services as label_services
from labels.models import LabelBatch, LabelLayout
from lending.loans import workflow as loan_workflow
from sales.invoicing import issue_invoice
from sales.services import cancel_sale
from tests.factories import (
    DeviceFactory,
    DonationFactory,
    DonorFactory,
    DriveFactory,
    ErasureFactory,
    SiteFactory,
)
from tests.lending_factories import LoanFactory
from tests.sales_factories import PriceFactory, SaleFactory, ready_device

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

ORGANISATION = "Ressourcerie du Ponant"


@pytest.fixture(autouse=True)
def organisation(settings):
    settings.SITE_URL = "https://reemploi.example.org"
    return Organisation.objects.create(
        name=ORGANISATION,
        siret="12345678901234",
        address="4 rue du Port\n29200 Brest",
        purpose="Réemploi de matériel informatique",
        tax_receipt_status="Association d'intérêt général",
    )


# What a PDF says about itself, read back -------------------------------------------------


def fonts_of(document):
    """(base font name, embedded?) of every font a text object of `document` uses."""
    fonts = set()
    for page in document:
        for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=5):
            font = pdfium_c.FPDFTextObj_GetFont(item.raw)
            size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
            name = ctypes.create_string_buffer(size)
            pdfium_c.FPDFFont_GetBaseFontName(font, name, size)
            fonts.add((name.value.decode(), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    return fonts


def language_of(document):
    size = pdfium_c.FPDFCatalog_GetLanguage(document.raw, None, 0)
    if not size:
        return None
    buffer = (ctypes.c_ushort * (size // 2))()
    pdfium_c.FPDFCatalog_GetLanguage(document.raw, buffer, size)
    return bytes(buffer)[: size - 2].decode("utf-16-le")


def download_name(response):
    match = re.search(r'filename="([^"]+)"', response["Content-Disposition"])
    return match.group(1)


# Each kind of PDF, fetched as a user gets it ---------------------------------------------


def _sale(by):
    site = SiteFactory(code="BRU")
    PriceFactory(category=Category.SCREEN, price=Decimal("15.00"), solidarity_price="5.00")
    device = ready_device(site=site, category=Category.SCREEN, manufacturer="Iiyama")
    return SaleFactory(by=by, site=site, devices=[device])


def receipt(users):
    sale = _sale(users["coordinator"])
    return users["client"].get(f"/sales/{sale.pk}/receipt.pdf"), sale.number


def credit_note(users):
    sale = _sale(users["coordinator"])
    note = cancel_sale(
        sale=sale,
        refund_method=sale.payment_method,
        by=users["coordinator"],
        reason="Écran défectueux",
    )
    return users["client"].get(f"/sales/credit-notes/{note.pk}.pdf"), note.number


def invoice(users):
    sale = _sale(users["coordinator"])
    found = issue_invoice(
        sale=sale,
        by=users["coordinator"],
        buyer_name="Association Trait d'Union",
        buyer_address="3 rue des Écoles\n62700 Bruay-la-Buissière",
        buyer_siren="732829320",
    )
    return users["client"].get(f"/sales/invoices/{found.pk}.pdf"), found.number


def _erased_device(by, **fields):
    device = DeviceFactory(**fields)
    ErasureFactory(drive=DriveFactory(device=device), operator=by, certifiable=True)
    return device


def erasure_certificate(users):
    certificate = issue_certificate(
        device=_erased_device(users["technician"]), by=users["technician"]
    )
    tag, number = certificate.device.asset_tag, certificate.number
    return users["client"].get(f"/devices/{tag}/erasure-certificate/{number}.pdf"), number


def donation_erasure_summary(users):
    donation = DonationFactory()
    _erased_device(users["technician"], donation=donation)
    return users["client"].get(f"/donations/{donation.pk}/erasure-summary.pdf"), donation.pk


def shared_erasure_summary(users):
    donation = DonationFactory(donor=DonorFactory(email="contact@banque.example"))
    _erased_device(users["technician"], donation=donation)
    link = summary_link(donation).removeprefix("https://reemploi.example.org")
    return Client().get(link), donation.pk


def _donation(kind=Donor.Kind.COMPANY):
    donor = DonorFactory(kind=kind, siren="552120222", address="1 quai Est\n29200 Brest")
    donation = DonationFactory(
        donor=donor, valuation=Decimal("40"), valuation_basis=ValuationBasis.COST_PRICE
    )
    DeviceFactory(donation=donation)
    return donation


def donation_attestation(users):
    donation = _donation()
    response = users["client"].post(f"/donations/{donation.pk}/attestation.pdf")
    return response, IssuedDocument.objects.get().number


def company_tax_receipt(users):
    donation = _donation()
    response = users["client"].post(f"/donations/{donation.pk}/tax-receipt.pdf")
    return response, IssuedDocument.objects.get().number


def individual_tax_receipt(users):
    donation = _donation(Donor.Kind.INDIVIDUAL)
    response = users["client"].post(f"/donations/{donation.pk}/tax-receipt.pdf")
    return response, IssuedDocument.objects.get().number


def _approved_loan(users):
    coordinator = users["coordinator"]
    loan = LoanFactory(enrolment__programme__coordinators=[coordinator])
    device = DeviceFactory(status=Status.READY, category=Category.LAPTOP)
    today = timezone.localdate()
    return loan_workflow.approve_loan(loan=loan, by=coordinator, devices=[device], starts_on=today)


def loan_agreement(users):
    loan = _approved_loan(users)
    return users["client"].get(f"/loans/{loan.pk}/agreement.pdf"), loan.pk


def gift_attestation(users):
    loan = _approved_loan(users)
    loan_workflow.hand_over_loan(loan=loan, by=users["technician"], signed_on=timezone.localdate())
    loan_workflow.convert_to_gift(loan=loan, by=users["coordinator"])
    number = loan.gift_attestation.number
    return users["client"].get(f"/loans/{loan.pk}/gift-attestation.pdf"), number


def _sheet():
    return LabelLayout.objects.get(kind=LabelLayout.Kind.SHEET, columns=3, rows=7)


def _widest():
    # Action barcodes are long; only the widest shipped labels take them all.
    return LabelLayout.objects.order_by("-label_width_mm").first()


def _preview(users, kind, layout=None, **selection):
    query = {"layout": (layout or _sheet()).pk, "start": 1, "copies": 1, **selection}
    return users["client"].get(f"/labels/print/{kind}/preview.pdf", query)


def device_labels(users):
    tags = [device.asset_tag for device in DeviceFactory.create_batch(2)]
    return _preview(users, "device", tags=tags), None


def location_labels(users):
    location = Location.objects.create(site=SiteFactory(), code="A01", name="Étagère du fond")
    return _preview(users, "location", site=location.site_id, locations=[location.pk]), None


def action_labels(users):
    return _preview(users, "action", _widest()), None


def label_batch(users):
    donation = DonationFactory()
    DeviceFactory.create_batch(2, donation=donation)
    params = {"donation": donation.pk, "start": 1, "copies": 1}
    batch = label_services.create_batch(
        by=users["technician"], kind=LabelBatch.Kind.DEVICE, layout=_sheet(), params=params
    )
    return users["client"].get(f"/labels/batches/{batch.pk}/download/"), None


def workstation_label(users):
    _token, key = WorkstationToken.issue(
        name="Établi 2", site=SiteFactory(), user=users["technician"]
    )
    device = DeviceFactory(status=Status.REFURBISHING)
    response = Client().get(
        f"/api/labels/{device.asset_tag}.pdf", headers={"Authorization": f"Token {key}"}
    )
    return response, device.asset_tag


def privacy_notice(users):
    return users["client"].get("/privacy/notice.pdf"), None


def processing_register(users):
    return users["client"].get("/privacy/register.pdf"), None


def report(users):
    DeviceFactory.create_batch(2)
    query = {"start": "2026-01-01", "end": "2026-12-31", "export": "pdf"}
    return users["client"].get("/reports/", query), None


def closed_report(users):
    DeviceFactory.create_batch(2)
    users["client"].post(
        "/reports/close/", {"start": "2026-01-01", "end": "2026-12-31", "title": "Bilan 2026"}
    )
    number = ClosedReport.objects.get().number
    return users["client"].get(f"/reports/closed/{number}/", {"export": "pdf"}), number


# kind, French title and subject (their beginning), French download name (a pattern; {} is
# the document's number).
KINDS = [
    (receipt, "Ticket de caisse n° {}", "Ticket de caisse de la vente", "recu-{}"),
    (credit_note, "Avoir n° {}", "Avoir annulant la vente", "avoir-{}"),
    (invoice, "Facture n° {}", "Facture de la vente", "facture-{}"),
    (
        erasure_certificate,
        "Certificat d'effacement des données {}",
        "Certificat d'effacement des données de l'appareil",
        "certificat-effacement-{}",
    ),
    (
        donation_erasure_summary,
        "Récapitulatif de l'effacement des données",
        "Comment les données de chaque appareil donné ont été effacées",
        "recapitulatif-effacement-don-{}",
    ),
    (
        shared_erasure_summary,
        "Récapitulatif de l'effacement des données",
        "Comment les données de chaque appareil donné ont été effacées",
        "recapitulatif-effacement-don-{}",
    ),
    (
        donation_attestation,
        "Attestation de don {}",
        "Attestation de don de matériel",
        "attestation-don-{}",
    ),
    (
        company_tax_receipt,
        "Reçu fiscal {} (formulaire 2041-MEC-SD)",
        "Reçu fiscal d'un don en nature (formulaire 2041-MEC-SD)",
        "recu-fiscal-{}",
    ),
    (
        individual_tax_receipt,
        "Reçu fiscal {} (formulaire 11580)",
        "Reçu fiscal d'un don en nature (formulaire 11580)",
        "recu-fiscal-{}",
    ),
    (
        loan_agreement,
        "Convention de prêt n° {}",
        "Convention de prêt de matériel",
        "convention-de-pret-{}",
    ),
    (
        gift_attestation,
        "Attestation de don n° {}",
        "Attestation du don de matériel à un foyer",
        "attestation-don-{}",
    ),
    (
        privacy_notice,
        "Notice d'information sur les données personnelles",
        "Ce qui est enregistré sur un foyer",
        "notice-information-donnees",
    ),
    (
        processing_register,
        "Registre des traitements",
        "Registre de l'article 30 du RGPD",
        "registre-des-traitements",
    ),
    (
        report,
        "Rapport du 01/01/2026 au 31/12/2026",
        "Chiffres d'impact et d'activité",
        "rapport-2026-01-01-2026-12-31",
    ),
    (closed_report, "Rapport {} : Bilan 2026", "Chiffres d'impact et d'activité", "rapport-{}"),
    (device_labels, "Étiquettes", "Étiquettes à coller", "apercu-etiquettes"),
    (location_labels, "Étiquettes", "Étiquettes à coller", "apercu-etiquettes"),
    (action_labels, "Étiquettes", "Étiquettes à coller", "apercu-etiquettes"),
    (label_batch, "Étiquettes", "Étiquettes à coller", r"etiquettes-\d{4}-\d\d-\d\d"),
    (workstation_label, "Étiquettes", "Étiquettes à coller", "etiquette-{}"),
]


@pytest.fixture
def users(superuser, technician, coordinator):
    client = Client()
    client.force_login(superuser)
    return {"client": client, "technician": technician, "coordinator": coordinator}


@pytest.mark.parametrize(
    ("produce", "title", "subject", "name"), KINDS, ids=[kind[0].__name__ for kind in KINDS]
)
def test_every_pdf_embeds_its_fonts_and_is_described_in_french(
    users, produce, title, subject, name
):
    response, number = produce(users)

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    document = pdfium.PdfDocument(content)
    fonts = fonts_of(document)
    assert fonts, "the PDF has no text"
    assert {embedded for _name, embedded in fonts} == {True}, fonts
    assert not any("Helvetica" in font for font, _embedded in fonts)
    # Not even referenced without use, as pdffonts would list it (reportlab writes its
    # font objects uncompressed, so the raw file shows every font it names).
    assert b"/Helvetica" not in content
    info = document.get_metadata_dict()
    assert info["Title"].startswith(title.format(number))
    assert info["Subject"].startswith(subject)
    assert info["Author"] == ORGANISATION
    assert info["Creator"] == "Réemploi"
    assert language_of(document) == "fr-FR"
    expected_name = name.replace("{}", re.escape(str(number))) + r"\.pdf"
    assert re.fullmatch(expected_name, download_name(response))
    assert download_name(response).isascii()


def test_the_embedded_fonts_come_with_the_project_not_from_the_server():
    # A server without fonts-dejavu-core must draw the same PDFs: no fallback to Helvetica.
    for name in pdf.fonts():
        assert Path(getFont(name).face.filename).parent == Path(pdf.__file__).parent / "fonts"
    assert (Path(pdf.__file__).parent / "fonts" / "LICENSE").exists()


def test_download_names_keep_only_ascii_letters_digits_and_dashes():
    assert pdf.download_name("reçu", "R-2026-00012") == "recu-R-2026-00012.pdf"
    assert pdf.download_name("convention de prêt", "n° 12/3") == "convention-de-pret-n-12-3.pdf"
    assert pdf.download_name("étiquette", 'A"B;\r\nC') == "etiquette-A-B-C.pdf"

"""The register of processing (RGPD art. 30): a page and its exports, for coordinators."""

import io

import pypdfium2 as pdfium
import pytest

from inventory.models import Organisation
from spreadsheets.reading import read_sheet

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PROCESSINGS = [
    "Follow-up of households and their loans",
    "Reminders by text message",
    "Statistics for the programmes' funders",
    "Reporting to la Coop de la médiation numérique",
    "Workshop and inventory",
    "Donor management",
    "Sales at the counter",
]


@pytest.fixture(autouse=True)
def organisation():
    return Organisation.objects.create(
        name="Ressourcerie du Ponant", email="contact@ponant.example"
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [("coordinator", 200), ("superuser", 200), ("technician", 403), ("social_worker", 403)],
)
@pytest.mark.parametrize(
    "url",
    [
        "/privacy/register/",
        "/privacy/register.csv",
        "/privacy/register.xlsx",
        "/privacy/register.pdf",
    ],
)
def test_who_may_read_the_register(client_for, role, expected, url):
    assert client_for(role).get(url).status_code == expected


def test_the_register_page_lists_every_processing_with_its_controller(coordinator_client):
    page = coordinator_client.get("/privacy/register/").content.decode()

    assert "Ressourcerie du Ponant" in page
    for name in PROCESSINGS:
        assert name.replace("'", "&#x27;") in page
    assert "None: the data stays in the European Union." in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_register_spreadsheet_has_a_row_per_processing(coordinator_client, fmt):
    response = coordinator_client.get(f"/privacy/register.{fmt}")

    sheet = read_sheet(f"registre.{fmt}", response.content)
    rows = [cells for _number, cells in sheet.rows]
    assert [row[0] for row in rows] == PROCESSINGS
    assert "Time limits for erasure" in sheet.headers


def test_the_register_pdf_names_the_controller_and_each_processing(coordinator_client):
    response = coordinator_client.get("/privacy/register.pdf")

    document = pdfium.PdfDocument(io.BytesIO(response.content))
    text = " ".join(" ".join(p.get_textpage().get_text_range().split()) for p in document)
    assert "Ressourcerie du Ponant" in text
    for name in PROCESSINGS:
        assert name in text


def test_an_unknown_export_format_is_a_404(coordinator_client):
    assert coordinator_client.get("/privacy/register.exe").status_code == 404

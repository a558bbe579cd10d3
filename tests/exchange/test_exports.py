"""Exports of the list pages (their filters applied) in CSV, XLSX and ODS, and the round
trip: every export imports back as "unchanged", row for row."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from exchange import engine
from exchange.models import ImportJob
from inventory.models import Device, Donor, Drive, Grade, Location, Part, Site, Status
from inventory.resources import (
    DeviceResource,
    DonorResource,
    DriveResource,
    LocationResource,
    PartResource,
    SiteResource,
)
from lending.households.resources import HouseholdResource
from lending.models import ConsentPurpose, Criterion, SimCard
from lending.sims.resources import SimCardResource
from spreadsheets.exporting import export_dataset
from spreadsheets.reading import read_sheet
from tests.factories import (
    DeviceFactory,
    DonationFactory,
    DonorFactory,
    DriveFactory,
    LocationFactory,
    SiteFactory,
)
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
    SimCardFactory,
    StructureFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _rows(response, fmt):
    """The data rows of a downloaded file, as lists of cells."""
    return [cells for _line, cells in read_sheet(f"x.{fmt}", response.content).rows]


def _analyse(resource, content, fmt, user):
    job = ImportJob.objects.create(
        resource=resource, filename=f"export.{fmt}", content=content, created_by=user, options={}
    )
    return engine.analyse(job)


# Every list page ------------------------------------------------------------------------


def _some_of_everything(social_worker):
    site = SiteFactory()
    device = DeviceFactory(status=Status.READY, site=site, donation=DonationFactory(site=site))
    DriveFactory(device=device)
    LocationFactory(site=site)
    Part.objects.create(name="Chargeur 65 W", kind=Part.Kind.CHARGER, quantity=4)
    structure = StructureFactory(members=[social_worker])
    household = HouseholdFactory(structure=structure, social_worker=social_worker)
    programme = ProgrammeFactory(structures=[structure])
    loan = LoanFactory(enrolment=EnrolmentFactory(household=household, programme=programme))
    SimCardFactory()
    return device, household, loan


LIST_PAGES = [
    ("superuser", "/devices/"),
    ("superuser", "/donors/"),
    ("superuser", "/donations/"),
    ("superuser", "/sites/"),
    ("superuser", "/sites/?data=locations"),
    ("superuser", "/workshop/parts/"),
    ("social_worker", "/households/"),
    ("superuser", "/loans/"),
    ("superuser", "/sims/"),
    ("superuser", "/programmes/"),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
@pytest.mark.parametrize(("role", "url"), LIST_PAGES)
def test_every_list_page_downloads_its_rows_in_each_format(
    client_for, social_worker, role, url, fmt
):
    _some_of_everything(social_worker)
    separator = "&" if "?" in url else "?"

    response = client_for(role).get(f"{url}{separator}export={fmt}")

    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'-{timezone.localdate():%Y-%m-%d}.{fmt}"')
    assert len(_rows(response, fmt)) == 1


def test_the_file_is_named_after_the_list_and_the_day(superuser_client):
    response = superuser_client.get("/devices/?export=xlsx")

    expected = f'attachment; filename="devices-{timezone.localdate():%Y-%m-%d}.xlsx"'
    assert response["Content-Disposition"] == expected


def test_each_list_page_offers_its_export_links(superuser_client):
    page = superuser_client.get("/devices/?status=ready").content.decode()

    assert 'href="?status=ready&amp;export=csv"' in page
    assert 'href="?status=ready&amp;export=xlsx"' in page
    assert 'href="?status=ready&amp;export=ods"' in page


def test_an_unknown_format_shows_the_page(superuser_client):
    response = superuser_client.get("/devices/?export=pdf")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


# As shown: the page's filters -----------------------------------------------------------


def test_the_device_export_holds_only_the_devices_the_filter_shows(superuser_client):
    ready = DeviceFactory.create_batch(2, status=Status.READY)
    received = DeviceFactory(status=Status.RECEIVED)

    response = superuser_client.get("/devices/?status=ready&export=csv")

    tags = {cells[0] for cells in _rows(response, "csv")}
    assert tags == {device.asset_tag for device in ready}
    assert received.asset_tag not in response.content.decode("utf-8-sig")


def test_the_export_holds_every_page_of_the_list_not_only_the_first(superuser_client):
    DeviceFactory.create_batch(60, status=Status.READY)

    response = superuser_client.get("/devices/?status=ready&page=2&export=csv")

    assert len(_rows(response, "csv")) == 60


def test_the_export_keeps_the_order_of_the_page(superuser_client):
    DeviceFactory(asset_tag="RE-000002")
    DeviceFactory(asset_tag="RE-000001")
    DeviceFactory(asset_tag="RE-000003")

    response = superuser_client.get("/devices/?sort=tag&export=csv")

    assert [cells[0] for cells in _rows(response, "csv")] == ["RE-000001", "RE-000002", "RE-000003"]


def test_the_donor_export_holds_only_the_donors_the_search_finds(superuser_client):
    DonorFactory(name="Mairie de Bruay")
    DonorFactory(name="Entreprise Dupont")

    response = superuser_client.get("/donors/?q=mairie&export=csv")

    assert [cells[0] for cells in _rows(response, "csv")] == ["Mairie de Bruay"]


def test_the_loan_export_holds_only_the_loans_of_the_chosen_programme(superuser_client):
    kept = LoanFactory()
    LoanFactory()

    response = superuser_client.get(f"/loans/?programme={kept.programme.pk}&export=csv")

    assert [cells[0] for cells in _rows(response, "csv")] == [str(kept.pk)]


def test_the_sim_card_export_holds_only_the_status_asked_for(superuser_client):
    SimCardFactory(iccid="8933010000000000001")
    lost = SimCardFactory(iccid="8933010000000000002")
    SimCard.objects.filter(pk=lost.pk).update(status=SimCard.Status.LOST)

    response = superuser_client.get("/sims/?status=lost&export=csv")

    assert [cells[0] for cells in _rows(response, "csv")] == ["8933010000000000002"]


def test_a_page_the_user_may_not_read_exports_nothing(social_worker_client):
    DeviceFactory()

    response = social_worker_client.get("/devices/?export=csv")

    assert response.status_code == 403


# What the files look like ---------------------------------------------------------------


@pytest.fixture
def french(settings):
    # Numbers are written as the interface's language writes them.
    settings.LANGUAGE_CODE = "fr"


def test_the_csv_is_for_a_french_spreadsheet(superuser_client):
    donation = DonationFactory(received_on=datetime.date(2026, 3, 31))
    DeviceFactory(donation=donation, site=donation.site, weight_kg=Decimal("1.58"))

    response = superuser_client.get("/donations/?export=csv")

    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text.count("\r\n") == 2
    assert text.splitlines()[1].split(";")[2] == '"31/03/2026"'


def test_the_csv_writes_decimals_with_a_comma_in_french(superuser_client, french):
    DeviceFactory(weight_kg=Decimal("1.58"))

    response = superuser_client.get("/devices/?export=csv")

    assert ";1,58;" in response.content.decode("utf-8-sig")


def test_the_xlsx_holds_real_dates_and_numbers_and_text_never_as_formula(superuser_client):
    SimCardFactory(
        monthly_cost=Decimal("9.99"), activated_on=datetime.date(2026, 1, 15), notes="=1+1"
    )

    response = superuser_client.get("/sims/?export=xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    row = dict(zip(headers, sheet[2], strict=True))
    assert row["Monthly cost (€)"].value == 9.99
    assert row["Activated on"].value == datetime.datetime(2026, 1, 15)
    assert row["Activated on"].number_format == "DD/MM/YYYY"
    assert row["Notes"].value == "=1+1"
    assert row["Notes"].data_type == "s"


def test_the_device_export_costs_the_same_queries_for_10_and_300_devices(
    superuser_client, django_assert_max_num_queries
):
    site = SiteFactory()
    location = LocationFactory(site=site)
    donation = DonationFactory(site=site)
    DeviceFactory.create_batch(10, site=site, location=location, donation=donation)
    superuser_client.get("/devices/?export=csv")
    with django_assert_max_num_queries(5):
        assert superuser_client.get("/devices/?export=csv").status_code == 200

    DeviceFactory.create_batch(290, site=site, location=location, donation=donation)
    with django_assert_max_num_queries(5):
        response = superuser_client.get("/devices/?export=xlsx")
    assert len(_rows(response, "xlsx")) == 300


# Round trips: export, then import the file as it is -------------------------------------


def _devices():
    site = SiteFactory(code="BRU")
    location = LocationFactory(site=site, code="ETA-A1")
    donation = DonationFactory(site=site)
    DeviceFactory(
        site=site,
        location=location,
        donation=donation,
        cpu="Intel Core i5-8350U",
        ram_mb=8192,
        storage_summary="256 GB SSD",
        weight_kg=Decimal("1.48"),
        notes="Chargeur fourni.\nBatterie à 80 %",
        grade=Grade.B,
        status=Status.READY,
    )
    DeviceFactory(site=site, ram_mb=1536, weight_kg=Decimal("2"), manufacturer="Dell", model="")
    DeviceFactory(site=site, serial_number="", manufacturer="", notes="+33 6 12 34 56 78")


def _donors():
    DonorFactory(
        name="Mairie de Bruay",
        kind=Donor.Kind.PUBLIC_BODY,
        siren="216201784",
        contact_name="Claire Dupont",
        email="info@mairie.example.fr",
        phone="03 21 61 00 00",
        # An address on two lines, as typed in the donor's form.
        address="Place Henri Cadot\r\n62700 Bruay-La-Buissière",
    )
    DonorFactory(
        name="Particulier", kind=Donor.Kind.INDIVIDUAL, notes="Don annuel.\nRappeler en mai."
    )


def _sites():
    SiteFactory(code="BRU", name="Bruay", address="1 rue Haute")
    SiteFactory(code="HOU", name="Houdain", kind=Site.Kind.STORAGE)


def _locations():
    LocationFactory(code="ETA-A1", name="Étagère A1")
    LocationFactory(code="ETA-B2", name="Étagère B2 (à effacer)")


def _drives():
    DriveFactory(capacity_gb=256, smart_passed=True, power_on_hours=8760)
    DriveFactory(kind=Drive.Kind.HDD, capacity_gb=None, smart_passed=False, model="")


def _parts():
    Part.objects.create(name="Barrette DDR4 8 Go", kind=Part.Kind.RAM, quantity=12)
    Part.objects.create(name="Chargeur 65 W", kind=Part.Kind.CHARGER, quantity=0)


def _sim_cards():
    SimCardFactory(monthly_cost=Decimal("9.99"), notes="Forfait solidaire")
    SimCardFactory(phone_number="", monthly_cost=0, activated_on=None, ends_on=None)


def _households(user):
    structure = StructureFactory(members=[user])
    first = HouseholdFactory(
        structure=structure,
        social_worker=user,
        email="famille@example.org",
        postcode="02100",
        needs=["school", "admin", "job"],
        notes="Appeler après 17 h.\r\nPas le mercredi.",
    )
    first.situations.set(Criterion.objects.filter(name__in=["Bénéficiaire du RSA"]))
    # Its situations include the AAH (health data): recorded with the explicit consent.
    second = HouseholdFactory(
        structure=structure,
        social_worker=user,
        size=1,
        school_age_children=0,
        consents=[ConsentPurpose.SMS, ConsentPurpose.SENSITIVE],
    )
    second.situations.set(Criterion.objects.all()[:3])


ROUND_TRIPS = {
    "devices": (DeviceResource, _devices, Device),
    "donors": (DonorResource, _donors, Donor),
    "sites": (SiteResource, _sites, Site),
    "locations": (LocationResource, _locations, Location),
    "drives": (DriveResource, _drives, Drive),
    "parts": (PartResource, _parts, Part),
    "sim-cards": (SimCardResource, _sim_cards, SimCard),
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
@pytest.mark.parametrize("name", list(ROUND_TRIPS))
def test_an_export_imports_back_unchanged_row_for_row(superuser, name, fmt):
    resource, make, model = ROUND_TRIPS[name]
    make()
    content = export_dataset(resource, resource.export_queryset(superuser), fmt, superuser)

    job = _analyse(name, content, fmt, superuser)

    count = model.objects.count()
    assert job.problems == []
    assert job.counts == {"new": 0, "update": 0, "unchanged": count, "error": 0}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_a_household_export_imports_back_unchanged(social_worker, fmt):
    _households(social_worker)
    queryset = HouseholdResource.export_queryset(social_worker)
    content = export_dataset(HouseholdResource, queryset, fmt, social_worker)

    job = _analyse("households", content, fmt, social_worker)

    assert job.counts == {"new": 0, "update": 0, "unchanged": 2, "error": 0}


def test_a_french_list_page_export_imports_back_unchanged(superuser, superuser_client, french):
    _devices()
    content = superuser_client.get("/devices/?export=csv").content

    job = _analyse("devices", content, "csv", superuser)

    assert job.counts == {"new": 0, "update": 0, "unchanged": 3, "error": 0}


def test_notes_on_several_lines_import_back_unchanged(superuser):
    SimCardFactory(notes="Forfait solidaire\r\nà résilier en décembre")
    content = export_dataset(SimCardResource, SimCardResource.export_queryset(superuser), "csv")

    job = _analyse("sim-cards", content, "csv", superuser)

    assert job.counts == {"new": 0, "update": 0, "unchanged": 1, "error": 0}

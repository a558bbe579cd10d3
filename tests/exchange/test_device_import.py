"""Device files the way associations really send them: the preview says what each line
will do, in words a person can act on; the confirmation writes all or nothing, and the
device's history says who changed what through which import."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exchange import engine
from exchange.models import ImportJob
from inventory import chatter
from inventory.models import Category, Device, Sequence
from inventory.resources import DeviceResource
from inventory.services import ASSET_TAG_SEQUENCE
from tests import paths
from tests.factories import DeviceFactory, DonationFactory, SiteFactory
from tests.import_jobs import errors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
FIXTURES = paths.FIXTURES / "imports"


@pytest.fixture
def bruay(db):
    return SiteFactory(code="BRU", name="Ressourcerie de Bruay")


@pytest.fixture
def bethune(db):
    return SiteFactory(code="BET", name="Béthune")


@pytest.fixture
def donation(bruay):
    return DonationFactory(site=bruay)


def import_job(user, name=None, content=None, **options):
    """A job for a fixture file (`name`) or for `content` (bytes)."""
    if content is None:
        content = (FIXTURES / name).read_bytes()
    return ImportJob.objects.create(
        resource="devices",
        filename=name or "devices.csv",
        content=content,
        size=len(content),
        created_by=user,
        options=options,
    )


def preview(job):
    engine.analyse(job)
    return {row.line: row.kind for row in job.rows.all()}


def csv(*lines):
    return "\n".join(lines).encode()


# Messy files ------------------------------------------------------------------------


def test_a_bom_semicolon_crlf_donor_file_is_previewed_line_by_line(technician, donation):
    DeviceFactory(serial_number="5CG7301XYZ", manufacturer="HP", model="EliteBook 840 G3")
    job = import_job(technician, "donation-bom-semicolon-crlf.csv", donation=donation.pk)

    kinds = preview(job)

    # Lines 3 and 10 are blank; line 5 is a device already registered; line 6 repeats
    # line 2's serial number in lower case.
    assert kinds == {
        2: "new",
        4: "new",
        5: "update",
        6: "error",
        7: "new",
        8: "new",
        9: "new",
        11: "new",
        12: "error",
        13: "new",
    }
    assert errors(job) == {
        6: [
            {"column": "Serial number", "message": "“pf1a2b3c” is already on line 2 of this file."}
        ],
        12: [
            {
                "column": "RAM",
                "message": "“eight” is not an amount of memory (write e.g. 8 GB or 8192 MB).",
            }
        ],
    }
    assert job.rows.get(line=5).changes == ["Processor", "RAM", "Storage", "Weight (kg)", "Notes"]
    assert job.status == ImportJob.Status.INVALID
    assert job.problems == []
    assert not Device.objects.exclude(serial_number="5CG7301XYZ").exists()


def test_a_windows_1252_file_with_cr_line_ends_reads_its_accents(technician, donation):
    job = import_job(technician, "donation-cp1252-cr.csv", donation=donation.pk)

    kinds = preview(job)

    assert kinds == {2: "new", 3: "new", 4: "new", 5: "error", 6: "new"}
    assert errors(job) == {
        5: [
            {
                "column": "Category",
                "message": "“Imprimante laser” is not one of: Laptop, Desktop, Tablet, "
                "Smartphone, Screen, 4G router, Other.",
            }
        ]
    }
    assert job.problems == []


def test_a_ram_column_in_mo_reads_bare_numbers_as_megabytes(technician, donation):
    content = (
        (FIXTURES / "donation-cp1252-cr.csv").read_bytes().replace(b"Imprimante laser", b"Autre")
    )
    job = import_job(technician, "donation-cp1252-cr.csv", content, donation=donation.pk)
    engine.analyse(job)

    engine.apply(job)

    ram = dict(Device.objects.values_list("serial_number", "ram_mb"))
    assert ram == {
        "NXMRWEF0018": 8192,
        "MXL4321ABC": 4096,
        "6CR1234XYZ": None,
        "CND9876543": None,
        "NXMRWEF0019": 8192,
    }
    assert Device.objects.get(serial_number="6CR1234XYZ").category == Category.SCREEN
    assert Device.objects.get(serial_number="MXL4321ABC").model == "ProDesk 400 G4"


def test_a_comma_lf_file_with_english_headers_imports_what_people_typed(technician, bruay, bethune):
    job = import_job(technician, "inventory-comma-lf.csv")
    assert preview(job) == {2: "new", 3: "new", 4: "new", 5: "new"}

    engine.apply(job)

    devices = {
        d.serial_number: (d.ram_mb, d.storage_summary, d.weight_kg, d.site.code, d.category)
        for d in Device.objects.select_related("site")
    }
    assert devices == {
        "PC0ABCDE": (8192, "256 GB SSD", Decimal("1.30"), "BRU", Category.DESKTOP),
        "PC0ABCDF": (8192, "1 TB HDD", Decimal("1.30"), "BRU", Category.DESKTOP),
        "5CD0123XYZ": (16384, "512 GB NVMe + 1 TB HDD", Decimal("2.10"), "BET", Category.LAPTOP),
        "DMPXK0001": (2048, "32 GB", Decimal("0.47"), "BET", Category.TABLET),
    }
    assert job.status == ImportJob.Status.DONE
    assert job.counts == {"new": 4, "update": 0, "unchanged": 0, "error": 0}


def test_abbreviated_headers_are_recognised(technician, bruay):
    job = import_job(technician, "header-variants.csv")
    assert preview(job) == {2: "new", 3: "new"}
    assert job.problems == []

    engine.apply(job)

    first, second = Device.objects.order_by("serial_number")
    assert (first.serial_number, first.manufacturer, first.model) == (
        "S1V4R1ANT",
        "Fujitsu",
        "Esprimo Q556",
    )
    assert (first.category, first.storage_summary, first.weight_kg, first.site) == (
        Category.DESKTOP,
        "240 GB SSD",
        Decimal("1.20"),
        bruay,
    )
    # « RAM (Mo) » says the unit: 8192 is 8192 MB, and 8 is 8 MB (not 8 GB).
    assert (first.ram_mb, second.ram_mb) == (8192, 8)


def test_a_ram_column_in_go_reads_bare_numbers_as_gigabytes(technician, bruay):
    job = import_job(
        technician,
        content=csv("Numéro de série;Type;RAM (Go);Site", "A1;Portable;8;BRU", "A2;Portable;4;BRU"),
    )
    preview(job)

    engine.apply(job)

    assert dict(Device.objects.values_list("serial_number", "ram_mb")) == {"A1": 8192, "A2": 4096}


def test_two_ram_columns_in_one_file_are_refused(technician, bruay):
    job = import_job(
        technician, content=csv("Serial;Category;RAM (Go);RAM (Mo);Site", "A1;Laptop;8;8192;BRU")
    )

    preview(job)

    assert job.status == ImportJob.Status.INVALID
    assert job.problems == ["These columns say the same thing as another one: « RAM (Mo) »."]
    assert not job.rows.exists()


def test_an_xlsx_file_with_number_cells_imports_into_its_donation(technician, donation):
    job = import_job(technician, "donation.xlsx", donation=donation.pk)
    # Line 4 of the sheet is empty.
    assert preview(job) == {2: "new", 3: "new", 5: "new"}

    engine.apply(job)

    devices = {
        d.serial_number: (d.ram_mb, d.storage_summary, d.weight_kg) for d in Device.objects.all()
    }
    assert devices == {
        "20231145": (8192, "256 GB", Decimal("1.58")),
        "5CG8123ABC": (16384, "512 GB SSD", Decimal("1.33")),
        "PF2ABCDE": (4096, "500 GB", Decimal("1.90")),
    }
    assert set(Device.objects.values_list("donation", "site")) == {(donation.pk, donation.site_id)}


def test_an_ods_file_says_a_ram_of_8192_go_is_a_slip(technician, donation):
    job = import_job(technician, "donation.ods", donation=donation.pk)

    assert preview(job) == {2: "new", 3: "error", 4: "new"}
    assert errors(job) == {
        3: [
            {
                "column": "RAM",
                "message": "“8192” GB of memory is not plausible: this column counts in GB "
                "(write e.g. 8, or 8192 MB).",
            }
        ]
    }
    assert job.rows.get(line=2).key == "DELL · 20231146"


@pytest.mark.parametrize(
    ("cell", "ram_mb"),
    [
        ("8 Go", 8192),
        ("8GB", 8192),
        ("8192 Mo", 8192),
        ("8", 8192),
        ("8192", 8192),
        ("4,5 Go", 4608),
    ],
)
def test_ram_is_read_as_people_write_it(technician, bruay, cell, ram_mb):
    job = import_job(technician, content=csv("Serial;Category;RAM;Site", f"A1;Laptop;{cell};BRU"))
    preview(job)

    engine.apply(job)

    assert Device.objects.get().ram_mb == ram_mb


@pytest.mark.parametrize(
    ("cell", "summary"),
    [
        ("256 Go SSD", "256 GB SSD"),
        ("500GB HDD", "500 GB HDD"),
        ("SSD 128", "128 GB SSD"),
        ("1 To", "1 TB"),
        ("1,5 To", "1.5 TB"),
        ("2 x 500 Go", "2 × 500 GB"),
        ("256 Go SSD + 1 To HDD", "256 GB SSD + 1 TB HDD"),
    ],
)
def test_storage_is_read_as_people_write_it(technician, bruay, cell, summary):
    job = import_job(
        technician, content=csv("Serial;Category;Disque;Site", f"A1;Laptop;{cell};BRU")
    )
    preview(job)

    engine.apply(job)

    assert Device.objects.get().storage_summary == summary


def test_a_storage_written_otherwise_than_recorded_is_unchanged(technician, bruay):
    # As a hardware report wrote it with the interface in French.
    device = DeviceFactory(
        serial_number="A1", manufacturer="", site=bruay, storage_summary="512 Go NVMe + 1000 Go HDD"
    )
    job = import_job(
        technician,
        content=csv("Serial;Category;Storage;Site", "A1;Laptop;512 GB NVMe + 1000 GB HDD;BRU"),
    )

    assert preview(job) == {2: "unchanged"}
    device.refresh_from_db()
    assert device.storage_summary == "512 Go NVMe + 1000 Go HDD"


# A donation's file ------------------------------------------------------------------


def test_every_new_device_of_a_donation_file_gets_the_donation_and_its_site(
    technician, donation, bethune
):
    known = DeviceFactory(serial_number="KNOWN1", manufacturer="", site=bethune)
    job = import_job(
        technician,
        content=csv(
            "N° série;Type;RAM", "NEW1;Portable;8 Go", "NEW2;Écran;", "KNOWN1;Portable;4 Go"
        ),
        donation=donation.pk,
    )
    assert preview(job) == {2: "new", 3: "new", 4: "update"}

    engine.apply(job)

    new = Device.objects.filter(serial_number__in=["NEW1", "NEW2"])
    assert {(d.donation_id, d.site_id) for d in new} == {(donation.pk, donation.site_id)}
    known.refresh_from_db()
    # A device already registered keeps its own donation and site.
    assert (known.donation_id, known.site, known.ram_mb) == (None, bethune, 4096)


def test_a_donation_that_no_longer_exists_is_said_on_each_new_line(technician):
    job = import_job(technician, content=csv("Serial;Category", "A1;Laptop"), donation=999999)

    assert preview(job) == {2: "error"}
    assert errors(job) == {
        2: [{"column": "Donation", "message": "Donation #999999 does not exist (any more)."}]
    }


def test_a_file_without_site_nor_donation_asks_for_the_site(technician):
    job = import_job(technician, content=csv("Serial;Category", "A1;Laptop"))

    assert preview(job) == {2: "error"}
    assert errors(job) == {
        2: [
            {
                "column": "Site",
                "message": "Say which site received the device: fill the “Site” column (its code).",
            }
        ]
    }


def test_the_preview_of_a_donation_file_costs_no_query_per_row(technician, donation):
    def queries(count):
        lines = [f"SN{number:05d};Portable;8 Go" for number in range(count)]
        job = import_job(technician, content=csv("N° série;Type;RAM", *lines), donation=donation.pk)
        with CaptureQueriesContext(connection) as context:
            engine.analyse(job)
        assert job.counts["new"] == count
        return len(context.captured_queries)

    # The preview's own rows go to the database in batches: a few more queries at most.
    assert queries(300) <= queries(10) + 3


# Updates and history ------------------------------------------------------------------


def test_an_update_through_an_import_is_in_the_device_history(technician, bruay):
    device = DeviceFactory(
        serial_number="5CG7301XYZ", manufacturer="HP", site=bruay, ram_mb=8192, cpu=""
    )
    job = import_job(
        technician,
        "inventaire.csv",
        csv("N° série;Marque;Type;Processeur;RAM", "5CG7301XYZ;HP;Portable;Intel Core i5;16 Go"),
    )
    preview(job)

    engine.apply(job)

    device.refresh_from_db()
    assert (device.cpu, device.ram_mb) == ("Intel Core i5", 16384)
    record = device.history.latest("history_id")
    assert record.history_user == technician
    assert record.history_change_reason == f"Import #{job.pk} (inventaire.csv)"
    entry = chatter.timeline(device)[0]
    assert (entry.kind, entry.user, entry.note) == (
        "changed",
        technician,
        f"Import #{job.pk} (inventaire.csv)",
    )
    assert [(c.field, c.old, c.new) for c in entry.changes] == [
        ("cpu", "—", "Intel Core i5"),
        ("ram_mb", "8192", "16384"),
    ]


def test_new_devices_of_an_import_start_their_history_with_it(technician, bruay):
    job = import_job(technician, "don.csv", csv("Serial;Category;Site", "A1;Laptop;BRU"))
    preview(job)

    engine.apply(job)

    device = Device.objects.get()
    record = device.history.get()
    assert (record.history_type, record.history_user) == ("+", technician)
    assert record.history_change_reason == f"Import #{job.pk} (don.csv)"
    assert device.asset_tag.endswith("000001")


def test_the_same_file_again_is_unchanged_and_writes_no_history(technician, bruay):
    content = (FIXTURES / "inventory-comma-lf.csv").read_bytes()
    SiteFactory(code="BET")
    first = import_job(technician, "inventory-comma-lf.csv", content)
    preview(first)
    engine.apply(first)
    history = Device.history.count()

    again = import_job(technician, "inventory-comma-lf.csv", content)

    assert set(preview(again).values()) == {"unchanged"}
    engine.apply(again)
    assert again.counts == {"new": 0, "update": 0, "unchanged": 4, "error": 0}
    assert Device.history.count() == history


def test_a_blank_cell_does_not_erase_what_is_recorded(technician, bruay):
    device = DeviceFactory(
        serial_number="A1", manufacturer="", site=bruay, ram_mb=16384, storage_summary="256 GB SSD"
    )
    job = import_job(technician, content=csv("Serial;Category;RAM;Storage;Notes", "A1;Laptop;;;"))

    assert preview(job) == {2: "unchanged"}
    engine.apply(job)
    device.refresh_from_db()
    assert (device.ram_mb, device.storage_summary) == (16384, "256 GB SSD")


# The same device twice in one file -----------------------------------------------------


def test_a_device_named_again_chunks_later_is_refused_with_its_first_line(
    technician, bruay, monkeypatch
):
    # Keys are checked a chunk of rows at a time: the rule holds within a chunk and across.
    monkeypatch.setattr(engine, "CHUNK", 3)
    job = import_job(
        technician,
        content=csv(
            "Manufacturer;Serial;Category;Site",
            "HP;SN1;Laptop;BRU",
            "HP;SN2;Laptop;BRU",
            "HP;sn1;Laptop;BRU",
            "",
            "Dell;SN1;Laptop;BRU",
            "HP;SN2;Laptop;BRU",
            "HP;SN3;Laptop;BRU",
            "HP;SN4;Laptop;BRU",
            "HP; sn2 ;Laptop;BRU",
            "Dell;SN1;Laptop;BRU",
        ),
    )

    assert preview(job) == {
        2: "new",
        3: "new",
        4: "error",
        6: "new",
        7: "error",
        8: "new",
        9: "new",
        10: "error",
        11: "error",
    }
    expected = {
        4: [{"column": "Serial number", "message": "“sn1” is already on line 2 of this file."}],
        7: [{"column": "Serial number", "message": "“SN2” is already on line 3 of this file."}],
        10: [{"column": "Serial number", "message": "“sn2” is already on line 3 of this file."}],
        11: [{"column": "Serial number", "message": "“SN1” is already on line 6 of this file."}],
    }
    assert errors(job) == expected

    engine.apply(job)

    assert job.status == ImportJob.Status.FAILED
    assert errors(job) == expected
    assert not Device.objects.exists()


# All or nothing -----------------------------------------------------------------------


def test_one_error_on_the_last_line_writes_nothing_of_the_earlier_chunks(technician, bruay):
    DeviceFactory(serial_number="OLD1", manufacturer="", site=bruay, ram_mb=4096)
    count = engine.CHUNK + 100
    lines = [f"SN{number:05d};Laptop;8 Go;BRU" for number in range(count)]
    lines += ["OLD1;Laptop;16 Go;BRU", "LAST;Laptop;eight;BRU"]
    job = import_job(technician, content=csv("Serial;Category;RAM;Site", *lines))
    devices, history = Device.objects.count(), Device.history.count()
    tags = Sequence.objects.filter(name=ASSET_TAG_SEQUENCE).values_list("last_value", flat=True)
    tags_before = list(tags)

    engine.apply(job)

    last = count + 3
    assert job.status == ImportJob.Status.FAILED
    assert job.problems == ["Nothing was imported: correct the rows below, then try again."]
    assert [(row.line, row.kind, row.messages) for row in job.rows.all()] == [
        (
            last,
            "error",
            [
                {
                    "column": "RAM",
                    "message": "“eight” is not an amount of memory (write e.g. 8 GB or 8192 MB).",
                }
            ],
        )
    ]
    assert (Device.objects.count(), Device.history.count()) == (devices, history)
    assert Device.objects.get(serial_number="OLD1").ram_mb == 4096
    assert list(tags) == tags_before


# Exports ------------------------------------------------------------------------------


def test_the_ram_columns_that_say_their_unit_are_not_exported():
    headers = DeviceResource().get_export_headers()

    assert "RAM" in headers
    assert "RAM (GB)" not in headers
    assert "RAM (MB)" not in headers

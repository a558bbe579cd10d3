"""Moving from Snipe-IT or eReuse DeviceHub: their export files are read with their own
column names, and what identified a device there stays in its notes."""

import pytest

from exchange import engine
from exchange.models import ImportJob
from exchange.registry import resource_class
from inventory.migration_sources import DeviceHubDeviceResource, SnipeItDeviceResource
from inventory.models import Category, Device
from tests import paths
from tests.factories import DeviceFactory, SiteFactory
from tests.import_jobs import errors, kinds

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
FIXTURES = paths.FIXTURES / "imports"
SNIPEIT_REPORT = "snipeit-custom-asset-report.csv"
SNIPEIT_LIST = "snipeit-hardware-list-export.csv"
DEVICEHUB = "devicehub-devices-export.csv"


@pytest.fixture
def bruay(db):
    return SiteFactory(code="BRU", name="Ressourcerie de Bruay")


@pytest.fixture
def bethune(db):
    return SiteFactory(code="BET", name="Béthune")


def analysed(user, source, name, content=None, **options):
    content = (FIXTURES / name).read_bytes() if content is None else content
    job = ImportJob.objects.create(
        resource="devices",
        source=source,
        filename=name,
        content=content,
        size=len(content),
        created_by=user,
        options=options,
    )
    engine.analyse(job)
    return job


def test_the_registry_gives_each_tool_its_resource():
    assert resource_class("devices", "snipeit") is SnipeItDeviceResource
    assert resource_class("devices", "devicehub") is DeviceHubDeviceResource


# Snipe-IT ---------------------------------------------------------------------------


def test_a_snipeit_report_is_previewed_with_its_locations_as_sites(technician, bruay, bethune):
    job = analysed(technician, "snipeit", SNIPEIT_REPORT)

    assert kinds(job) == {2: "new", 3: "new", 4: "new", 5: "new", 6: "error"}
    assert errors(job) == {
        6: [
            {
                "column": "Location",
                "message": "No site is named or coded “Siège social” in Réemploi: create it, "
                "or empty the cell to use the site chosen for the whole file.",
            }
        ]
    }
    assert job.problems == [
        "Columns ignored (unknown here): « Company », « Purchased », « Cost », « Status », "
        "« MAC Address »."
    ]


def test_a_snipeit_report_becomes_devices_with_their_former_tags(technician, bruay, bethune):
    SiteFactory(code="SIEGE", name="Siège social")
    job = analysed(technician, "snipeit", SNIPEIT_REPORT)

    engine.apply(job)

    assert job.status == ImportJob.Status.DONE
    devices = {
        d.serial_number: (d.manufacturer, d.model, d.category, d.ram_mb, d.cpu, d.site.code)
        for d in Device.objects.select_related("site")
    }
    assert devices == {
        "4XK9JH2": ("Dell", "Latitude 5490", Category.LAPTOP, 8192, "Intel Core i5-8250U", "BRU"),
        "9ZL4MN2": ("Dell", "OptiPlex 7050", Category.DESKTOP, 16384, "Intel Core i7-7700", "BET"),
        "CN0F1234ABC": ("Dell", "P2419H", Category.SCREEN, None, "", "BRU"),
        # No model name in Snipe-IT: its model number says it.
        "R58M123XYZ": ("Samsung", "SM-A405FN", Category.SMARTPHONE, 4096, "", "BRU"),
        "PF1A2B3C": (
            "Lenovo",
            "ThinkPad T470",
            Category.LAPTOP,
            8192,
            "Intel Core i5-7300U",
            "SIEGE",
        ),
    }
    notes = dict(Device.objects.values_list("serial_number", "notes"))
    assert notes["4XK9JH2"] == (
        "Former Snipe-IT asset tag: 00012\nName in Snipe-IT: PC-ACCUEIL-01\nBatterie faible"
    )
    assert notes["CN0F1234ABC"] == "Former Snipe-IT asset tag: 00014"
    assert notes["R58M123XYZ"] == (
        "Former Snipe-IT asset tag: 00015\nName in Snipe-IT: TEL-ACCUEIL\n"
        "Coque + chargeur, code PIN dans le coffre"
    )
    # Réemploi gives its own tags; Snipe-IT's stay in the notes.
    assert not Device.objects.filter(asset_tag__in=["00012", "00013"]).exists()


def test_a_site_created_after_a_first_preview_is_found_by_the_next(technician, bruay, bethune):
    analysed(technician, "snipeit", SNIPEIT_REPORT)
    SiteFactory(code="SIEGE", name="Siège social")

    job = analysed(technician, "snipeit", SNIPEIT_REPORT)

    assert kinds(job)[6] == "new"


def test_a_snipeit_report_imported_again_is_unchanged(technician, bruay, bethune):
    SiteFactory(code="SIEGE", name="Siège social")
    engine.apply(analysed(technician, "snipeit", SNIPEIT_REPORT))

    again = analysed(technician, "snipeit", SNIPEIT_REPORT)

    assert set(kinds(again).values()) == {"unchanged"}


def test_a_device_already_known_by_its_serial_is_updated_and_keeps_its_notes(
    technician, bruay, bethune
):
    device = DeviceFactory(
        serial_number="4XK9JH2", manufacturer="DELL", model="Latitude", site=bruay, notes="Vu."
    )
    SiteFactory(code="SIEGE", name="Siège social")
    job = analysed(technician, "snipeit", SNIPEIT_REPORT)

    assert kinds(job)[2] == "update"
    assert job.rows.get(line=2).changes == ["Manufacturer", "Model", "CPU", "RAM"]
    engine.apply(job)
    device.refresh_from_db()
    assert (device.model, device.ram_mb, device.notes) == ("Latitude 5490", 8192, "Vu.")


def test_a_snipeit_list_export_without_manufacturers_is_read(technician, bruay):
    job = analysed(technician, "snipeit", SNIPEIT_LIST)
    assert kinds(job) == {2: "new", 3: "new"}

    engine.apply(job)

    tablet, laptop = Device.objects.order_by("serial_number")
    assert (laptop.serial_number, laptop.category, laptop.ram_mb, laptop.manufacturer) == (
        "LR0ABC12",
        Category.LAPTOP,
        8192,
        "",
    )
    assert (tablet.category, tablet.ram_mb) == (Category.TABLET, 2048)
    assert laptop.notes == "Former Snipe-IT asset tag: ASSET-0107\nName in Snipe-IT: PC-ATELIER-07"


def test_a_snipeit_file_without_category_column_is_refused(technician, bruay):
    content = b"Asset Tag,Serial,Model\n00012,4XK9JH2,Latitude 5490\n"

    job = analysed(technician, "snipeit", "assets.csv", content)

    assert job.status == ImportJob.Status.INVALID
    assert job.problems == ["Required columns are missing: « Category »."]
    assert not job.rows.exists()


def test_a_snipeit_row_with_an_empty_location_goes_to_the_site_chosen(technician, bruay, bethune):
    content = (
        b"Asset Tag,Serial,Category,Location\n00012,4XK9JH2,Laptops,\n00013,9ZL4MN2,Laptops,\n"
    )

    job = analysed(technician, "snipeit", "assets.csv", content, site=bethune.pk)
    engine.apply(job)

    assert set(Device.objects.values_list("site__code", flat=True)) == {"BET"}


def test_a_snipeit_row_without_location_nor_site_chosen_asks_for_it(technician):
    content = b"Asset Tag,Serial,Category,Location\n00012,4XK9JH2,Laptops,\n"

    job = analysed(technician, "snipeit", "assets.csv", content)

    assert errors(job) == {
        2: [
            {
                "column": "Location",
                "message": "Say which site received the device: fill the “Location” column "
                "(a site's name or code), or choose a site for the whole file.",
            }
        ]
    }


# DeviceHub --------------------------------------------------------------------------


def test_a_devicehub_export_becomes_devices_of_the_site_chosen(technician, bruay):
    job = analysed(technician, "devicehub", DEVICEHUB, site=bruay.pk)
    assert kinds(job) == {2: "new", 3: "new", 4: "new", 5: "new"}

    engine.apply(job)

    devices = {
        d.serial_number: (d.manufacturer, d.model, d.category, d.ram_mb, d.storage_summary)
        for d in Device.objects.all()
    }
    assert devices == {
        "PF0ABC12": ("lenovo", "20f6cto1ww", Category.LAPTOP, 8192, "256 GB"),
        "CZC7123ABC": ("hp", "hp prodesk 400 g3 mt", Category.DESKTOP, 4096, "500 GB"),
        "R58N12ABC": ("samsung", "SM-A105FN", Category.SMARTPHONE, None, ""),
        "CN0F1234DHB": ("Dell", "P2419H", Category.SCREEN, None, ""),
    }
    laptop = Device.objects.get(serial_number="PF0ABC12")
    assert laptop.cpu == "intel core i5-6300u cpu @ 2.40ghz"
    assert laptop.notes == "Former DeviceHub DHID: O48N2"
    assert set(Device.objects.values_list("site", flat=True)) == {bruay.pk}


def test_a_devicehub_export_imported_again_is_unchanged(technician, bruay):
    engine.apply(analysed(technician, "devicehub", DEVICEHUB, site=bruay.pk))

    again = analysed(technician, "devicehub", DEVICEHUB, site=bruay.pk)

    assert set(kinds(again).values()) == {"unchanged"}


def test_a_devicehub_export_says_which_site_is_missing(technician):
    job = analysed(technician, "devicehub", DEVICEHUB)

    message = (
        "A DeviceHub export does not say where the devices are: choose the site (or the "
        "donation) of the whole file."
    )
    assert errors(job) == {line: [{"column": "", "message": message}] for line in (2, 3, 4, 5)}


def _devicehub_with(row):
    """The fixture's header line with one more device, its other cells empty."""
    lines = (FIXTURES / DEVICEHUB).read_text().splitlines()
    headers = lines[0].split(";")
    return "\n".join([lines[0], ";".join(row.get(h, "") for h in headers)]).encode()


def test_a_drive_listed_among_devicehub_devices_is_refused(technician, bruay):
    content = _devicehub_with(
        {"DHID": "Q2W3E", "Device Type": "HardDrive", "Device Serial Number": "WD-123"}
    )

    job = analysed(technician, "devicehub", "export.csv", content, site=bruay.pk)

    assert errors(job) == {
        2: [
            {
                "column": "Device Type",
                "message": "“HardDrive” is a drive, not a device: import it as a drive of the "
                "device it came from, or count it in the parts stock.",
            }
        ]
    }


def test_a_devicehub_computer_is_told_by_its_chassis(technician, bruay):
    content = _devicehub_with(
        {"Device Type": "Computer", "Device Chassis": "AllInOne", "Device Serial Number": "AIO1"}
    )

    job = analysed(technician, "devicehub", "export.csv", content, site=bruay.pk)
    engine.apply(job)

    assert Device.objects.get().category == Category.DESKTOP


def test_a_devicehub_storage_size_that_is_no_number_is_refused(technician, bruay):
    content = _devicehub_with(
        {"Device Type": "Laptop", "Data Storage Size (MB)": "256 Go", "Device Serial Number": "X"}
    )

    job = analysed(technician, "devicehub", "export.csv", content, site=bruay.pk)

    assert errors(job) == {
        2: [
            {
                "column": "Data Storage Size (MB)",
                "message": "“256 Go” is not a number of megabytes (write e.g. 256060).",
            }
        ]
    }

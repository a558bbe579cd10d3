"""Issue 14, hardware data, through the database: the import, the command, the device page,
the readiness check, the label and the receipt line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from inventory import workflow
from inventory.hardware.report import HardwareReportError
from inventory.hardware.services import import_hardware_report
from inventory.models import Device, Drive, Erasure, HardwareReport, Status
from labels.content import device_lines
from sales.wording import describe
from tests import paths
from tests.factories import DeviceFactory, ErasureFactory, SiteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FIXTURES = paths.FIXTURES / "hardware"
COMMAND = HardwareReport.Source.COMMAND
WHITEBOX = str(FIXTURES / "broken/no-serial-oem-placeholder.lshw.json")


def fixture(name):
    return (FIXTURES / name).read_bytes()


def import_optiplex_with_failing_dock(technician):
    device, _ = import_hardware_report(
        lshw=fixture("variants/optiplex-7010-usb-dock.object.lshw.json"),
        smartctl=[
            fixture("smartctl/optiplex-7010-sda-ssd.smartctl.json"),
            fixture("smartctl/optiplex-7010-sdb-hdd.smartctl.json"),
            fixture("variants/optiplex-7010-sdd-jmicron-failing.smartctl.json"),
        ],
        lsblk=fixture("variants/optiplex-7010-usb-dock.lsblk.json"),
        by=technician,
        site=SiteFactory(),
        source=COMMAND,
    )
    return device


# --- 1. A failing disk behind a USB bridge ------------------------------------------------


def test_a_failing_disk_in_a_usb_dock_is_recorded_failing_and_blocks_ready(technician):
    device = import_optiplex_with_failing_dock(technician)

    failing = device.drives.get(serial_number="X4ABC123T")
    assert (failing.kind, failing.smart_passed, failing.capacity_gb) == ("hdd", False, 1000)
    assert device.drives.count() == 3  # the SSD, the HDD and the docked disk; not the stick
    missing = " ".join(workflow.missing_for(device, workflow.READY))
    assert "A drive failed its SMART health check: 1000 GB HDD X4ABC123T" in missing


def test_a_failing_disk_taken_out_no_longer_blocks(technician):
    device = import_optiplex_with_failing_dock(technician)
    failing = device.drives.get(serial_number="X4ABC123T")
    assert workflow.failing_drives(device) == [failing]

    ErasureFactory(drive=failing, method=Erasure.Method.REMOVED)

    assert workflow.failing_drives(device) == []


def test_the_device_page_says_which_drive_failed_smart(technician, technician_client):
    device = import_optiplex_with_failing_dock(technician)
    failing = device.drives.get(serial_number="X4ABC123T")

    page = technician_client.get(reverse("inventory:device_detail", args=[device.asset_tag]))

    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="smart-failed-{failing.pk}"' in html
    assert html.count("SMART health check failed") == 1  # the two good drives: no badge
    assert "A drive failed its SMART health check" in html  # the « missing » banner


# --- 3 and 4. The brand once, the memory as installed, in French ---------------------------


def test_an_imported_hp_shows_its_brand_once_on_title_label_and_receipt(technician):
    device, _ = import_hardware_report(
        lshw=fixture("variants/hp-compaq-8200-elite.object.lshw.json"),
        by=technician,
        site=SiteFactory(),
        source=COMMAND,
    )
    assert (device.manufacturer, device.model) == ("HP", "Compaq 8200 Elite SFF PC")
    assert str(device) == f"{device.asset_tag} · HP Compaq 8200 Elite SFF PC"
    assert "HP Compaq 8200 Elite SFF PC" in device_lines(device)  # the label's second line
    assert describe(device).startswith("Desktop · HP Compaq 8200 Elite SFF PC ·")


def test_devices_recorded_before_show_their_brand_once(db):
    device = DeviceFactory(manufacturer="Lenovo", model="Lenovo G560")
    assert "Lenovo G560" in device_lines(device)
    assert "Lenovo Lenovo" not in describe(device)
    assert str(device).endswith("· Lenovo G560")


def test_soldered_ram_prints_as_installed_with_a_french_decimal_comma(technician):
    device, _ = import_hardware_report(
        lshw=fixture("variants/thinkpad-x1-carbon-soldered-ram.array.lshw.json"),
        by=technician,
        site=SiteFactory(),
        source=COMMAND,
    )
    assert device.ram_mb == 16384
    recorded_before = DeviceFactory(ram_mb=16256, cpu="", storage_summary="")
    small = DeviceFactory(ram_mb=1536, cpu="", storage_summary="")
    with translation.override("fr"):
        assert "i5-8350U · 16 Go · 512 GB NVMe" in device_lines(device)
        assert "16 Go" in device_lines(recorded_before)
        assert "16 Go" in describe(recorded_before)
        assert "15.875" not in describe(recorded_before)
        assert "1,5 Go" in device_lines(small)


# --- 5. The command's --serial ------------------------------------------------------------


def test_the_command_takes_the_serial_of_a_machine_whose_firmware_has_none(technician):
    SiteFactory(code="BRU")
    with pytest.raises(CommandError, match="no serial number"):
        call_command("import_hardware", WHITEBOX, "--site", "BRU", "--user", "technician")
    assert Device.objects.count() == 0
    out = StringIO()

    call_command(
        "import_hardware",
        WHITEBOX,
        "--serial",
        " WB-2024-0042 ",
        "--site",
        "BRU",
        "--user",
        "technician",
        stdout=out,
    )

    device = Device.objects.get()
    assert device.serial_number == "WB-2024-0042"
    assert device.status == Status.RECEIVED
    assert f"created {device.asset_tag}" in out.getvalue()
    # Run again, the same machine is found, not made twice.
    call_command("import_hardware", WHITEBOX, "--serial", "WB-2024-0042", "--user", "technician")
    assert Device.objects.count() == 1


def test_the_command_refuses_a_serial_that_contradicts_the_firmware(technician):
    SiteFactory(code="BRU")
    lshw = str(FIXTURES / "lshw/optiplex-7010-ssd-hdd.object.lshw.json")
    with pytest.raises(CommandError, match="The firmware gives serial number 7XK2D5J"):
        call_command(
            "import_hardware", lshw, "--serial", "OTHER", "--site", "BRU", "--user", "technician"
        )
    assert Device.objects.count() == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([WHITEBOX, WHITEBOX, "--serial", "WB-1"], "describe one machine"),
        ([WHITEBOX, "--serial", "  "], "--serial is empty"),
        ([WHITEBOX, "--serial", "To Be Filled By O.E.M."], "no serial number"),
    ],
)
def test_the_command_refuses_a_useless_serial(technician, arguments, message):
    SiteFactory(code="BRU")
    with pytest.raises(CommandError, match=message):
        call_command("import_hardware", *arguments, "--site", "BRU", "--user", "technician")
    assert (Device.objects.count(), Drive.objects.count()) == (0, 0)


def test_the_service_takes_a_serial_parameter(technician):
    device, created = import_hardware_report(
        lshw=fixture("broken/no-serial-oem-placeholder.lshw.json"),
        serial="WB-7",
        by=technician,
        site=SiteFactory(),
        source=COMMAND,
    )
    assert (created, device.serial_number) == (True, "WB-7")
    with pytest.raises(HardwareReportError):
        import_hardware_report(
            lshw=fixture("broken/no-serial-oem-placeholder.lshw.json"),
            by=technician,
            site=SiteFactory(),
            source=COMMAND,
        )

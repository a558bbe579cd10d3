"""Issue 14, hardware data: what the machines said, recorded as they said it.

On the samples of tests/fixtures/hardware/ and their hand-built variants in variants/
(the README says which real machine each one reproduces).
"""

import json

import pytest

from inventory import specs
from inventory.hardware.report import DriveSpec, parse_hardware_report
from tests import paths

pytestmark = pytest.mark.usefixtures("english")

FIXTURES = paths.FIXTURES / "hardware"


def read(name):
    return (FIXTURES / name).read_bytes()


# --- 1. A failing disk in a USB dock -------------------------------------------------------

FAILING_IN_DOCK = DriveSpec("hdd", "TOSHIBA MQ01ABD100", "X4ABC123T", 1000, False, 17843)


def optiplex_with_dock(dock_report, lsblk="variants/optiplex-7010-usb-dock.lsblk.json"):
    return parse_hardware_report(
        read("variants/optiplex-7010-usb-dock.object.lshw.json"),
        [
            read("smartctl/optiplex-7010-sda-ssd.smartctl.json"),
            read("smartctl/optiplex-7010-sdb-hdd.smartctl.json"),
            read(dock_report),
        ],
        read(lsblk) if lsblk else None,
    )


@pytest.mark.parametrize(
    "dock_report",
    [
        "variants/optiplex-7010-sdd-jmicron-failing.smartctl.json",  # smartctl -d sat
        "variants/optiplex-7010-sdd-usbjmicron-failing.smartctl.json",  # -d usbjmicron
    ],
)
@pytest.mark.parametrize("lsblk", ["variants/optiplex-7010-usb-dock.lsblk.json", None])
def test_a_failing_disk_behind_a_usb_bridge_is_recorded_as_failing(dock_report, lsblk):
    spec = optiplex_with_dock(dock_report, lsblk)
    assert FAILING_IN_DOCK in spec.drives
    # The live stick, on USB too, still is not a drive; nor is the DVD writer.
    assert [d.serial for d in spec.drives] == ["S3Z9NB0K612345A", "Z9A4K1QH", "X4ABC123T"]
    assert spec.storage_summary == "250 GB SSD + 2 × 1000 GB HDD"


def test_a_usb_disk_whose_bridge_gives_no_smart_verdict_is_still_left_out():
    spec = optiplex_with_dock("smartctl/optiplex-7010-sdc-usb-bridge.smartctl.json")
    assert [d.serial for d in spec.drives] == ["S3Z9NB0K612345A", "Z9A4K1QH"]


def test_a_usb_dock_reported_by_smartctl_alone_is_recorded():
    # lshw did not list the dock (unplugged during lshw, plugged for smartctl).
    lshw = json.loads(read("lshw/optiplex-7010-ssd-hdd.object.lshw.json"))
    spec = parse_hardware_report(
        json.dumps(lshw),
        [read("variants/optiplex-7010-sdd-usbjmicron-failing.smartctl.json")],
        read("variants/optiplex-7010-usb-dock.lsblk.json"),
    )
    assert FAILING_IN_DOCK in spec.drives


# --- 2. An old hard disk without rotation rate -------------------------------------------


def test_an_old_hitachi_without_rotation_rate_is_a_hard_disk():
    spec = parse_hardware_report(
        read("lshw/elitebook-8440p-hdd.object.lshw.json"),
        [read("variants/elitebook-8440p-sda-hitachi-no-rotation.smartctl.json")],
    )
    assert spec.drives == (
        DriveSpec("hdd", "Hitachi HTS725032A9A364", "100503PBN40017KXGHTK", 320, True, 9120),
    )
    assert spec.storage_summary == "320 GB HDD"


@pytest.mark.parametrize(
    ("model", "kind"),
    [
        ("Hitachi HTS725032A9A364", "hdd"),
        ("HTS545050A7E380", "hdd"),
        ("HGST HTS721010A9E630", "hdd"),
        ("HDS721050CLA362", "hdd"),
        ("WDC WD5000LPVX-22V0TT0", "hdd"),
        ("WD10EZEX-08WN4A0", "hdd"),
        ("ST500LM012 HN-M500MBB", "hdd"),
        ("TOSHIBA MK3265GSX", "hdd"),
        ("TOSHIBA MQ01ABD100", "hdd"),
        ("MQ01ABF050", "hdd"),
        ("SAMSUNG HM500JI", "hdd"),
        ("WDC WDS250G2B0A-00SM50", "ssd"),
        ("Samsung SSD 860 EVO 250GB", "ssd"),
        ("KINGSTON SA400S37240G", "ssd"),
        ("SanDisk Ultra II 240GB", "other"),
        ("", "other"),
    ],
)
def test_drive_kind_from_the_model_when_no_tool_tells(model, kind):
    lshw = {
        "class": "system",
        "id": "pc",
        "serial": "PC-1",
        "children": [
            {
                "class": "disk",
                "id": "disk",
                "logicalname": "/dev/sda",
                "product": model,
                "serial": "D1",
                "units": "bytes",
                "size": 500 * 10**9,
            }
        ],
    }
    assert parse_hardware_report(json.dumps(lshw)).drives[0].kind == kind


# --- 3. The brand once -------------------------------------------------------------------

LSHW_FIXTURES = {
    "lshw/thinkpad-t480-nvme.array.lshw.json": ("Lenovo", "ThinkPad T480 (20L5000AFR)"),
    "lshw/optiplex-7010-ssd-hdd.object.lshw.json": ("Dell", "OptiPlex 7010"),
    "lshw/elitebook-8440p-hdd.object.lshw.json": ("HP", "EliteBook 8440p"),
    "variants/hp-compaq-8200-elite.object.lshw.json": ("HP", "Compaq 8200 Elite SFF PC"),
    "variants/lenovo-g560.array.lshw.json": ("Lenovo", "G560 (0679)"),
    "variants/thinkpad-x1-carbon-soldered-ram.array.lshw.json": (
        "Lenovo",
        "ThinkPad X1 Carbon 6th (20KHCTO1WW)",
    ),
    "variants/optiplex-7010-usb-dock.object.lshw.json": ("Dell", "OptiPlex 7010"),
}


@pytest.mark.parametrize(("name", "expected"), LSHW_FIXTURES.items())
def test_the_model_never_repeats_the_manufacturer(name, expected):
    spec = parse_hardware_report(read(name))
    assert (spec.manufacturer, spec.model) == expected
    assert not spec.model.lower().startswith(spec.manufacturer.lower())


@pytest.mark.parametrize(
    ("manufacturer", "model", "shown"),
    [
        ("HP", "HP Compaq 8200 Elite", "HP Compaq 8200 Elite"),
        ("Lenovo", "Lenovo G560", "Lenovo G560"),
        ("Lenovo", "LENOVO Lenovo G560", "Lenovo G560"),
        ("HP", "Hewlett-Packard Compaq 6000", "HP Compaq 6000"),
        ("Dell", "OptiPlex 7010", "Dell OptiPlex 7010"),
        ("HP", "HP", "HP HP"),  # nothing else to show: left as typed
        ("HP", "HPE-123", "HP HPE-123"),  # a model that only starts with the same letters
        ("", "Lenovo G560", "Lenovo G560"),
        ("Acer", "", "Acer"),
    ],
)
def test_titles_show_the_brand_once(manufacturer, model, shown):
    assert specs.make_and_model(manufacturer, model) == shown


# --- 4. Installed memory, in French -------------------------------------------------------


def test_soldered_ram_is_read_as_the_installed_size():
    spec = parse_hardware_report(read("variants/thinkpad-x1-carbon-soldered-ram.array.lshw.json"))
    assert spec.ram_mb == 16384  # the firmware said 16,256 MiB


@pytest.mark.parametrize(
    ("ram_mb", "installed"),
    [
        (16256, 16384),  # ThinkPad X1 Carbon: 16 GB soldered
        (7883, 8192),  # 8 GB, 309 MiB reserved
        (3840, 4096),
        (11900, 12288),  # 8 + 4 GB
        (8192, 8192),
        (1536, 1536),  # 1.5 GB in banks: kept
        (512, 512),
        (None, None),
    ],
)
def test_installed_ram(ram_mb, installed):
    assert specs.installed_ram_mb(ram_mb) == installed


@pytest.mark.parametrize(
    ("language", "ram_mb", "shown"),
    [
        ("fr", 16256, "16 Go"),
        ("fr", 1536, "1,5 Go"),
        ("fr", 512, "0,5 Go"),
        ("en", 16256, "16 GB"),
        ("en", 1536, "1.5 GB"),
    ],
)
def test_ram_is_printed_in_the_language_number_format(language, ram_mb, shown):
    from django.utils import translation

    with translation.override(language):
        assert specs.ram_display(ram_mb) == shown

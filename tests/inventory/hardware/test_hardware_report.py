"""The hardware report parser (inventory/hardware_report.py), without a database.

Samples are in tests/fixtures/hardware/ (its README says where each one comes from): real
output of this project's Debian 12 VM, hand-written samples in the exact shape of lshw,
smartctl and lsblk output for real machines, and broken files.
"""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.hardware.report import (
    DriveSpec,
    HardwareReportError,
    HardwareSpec,
    parse_hardware_report,
)
from tests import paths

pytestmark = pytest.mark.usefixtures("english")

FIXTURES = paths.FIXTURES / "hardware"


def read(name):
    return (FIXTURES / name).read_bytes()


def load(name):
    return json.loads(read(name))


def parse_json(lshw, smartctl=(), lsblk=None, **kwargs):
    return parse_hardware_report(
        json.dumps(lshw),
        [json.dumps(report) for report in smartctl],
        None if lsblk is None else json.dumps(lsblk),
        **kwargs,
    )


# --- Real output of this machine (a VM: no DMI, so no serial number) --------------------------


def test_real_vm_report_is_refused_for_its_missing_serial_number():
    with pytest.raises(HardwareReportError, match="the system node has no serial number"):
        parse_hardware_report(
            read("real/vm-debian12.lshw.json"),
            [read("real/vm-debian12-vda.smartctl.json")],
            read("real/vm-debian12.lsblk.json"),
        )


def test_real_vm_report_with_a_serial_number_reads_the_rest():
    lshw = load("real/vm-debian12.lshw.json")
    lshw["serial"] = "VM-0001"
    spec = parse_json(
        lshw,
        # smartctl cannot read a virtio disk nor a zram device: exit status 1, no data.
        [load("real/vm-debian12-vda.smartctl.json"), load("real/vm-debian12-zram0.smartctl.json")],
        load("real/vm-debian12.lsblk.json"),
    )
    assert spec == HardwareSpec(
        manufacturer="",
        model="",
        serial="VM-0001",
        category="other",
        cpu="AMD EPYC",
        ram_mb=24 * 1024,
        # lshw gives the virtio disk no size: lsblk does, and says it rotates.
        drives=(DriveSpec("hdd", "", "", 275, None, None),),
        battery_design_mwh=None,
        battery_full_mwh=None,
        battery_health=None,
        storage_summary="275 GB HDD",
    )


def test_real_lshw_run_with_class_option_is_refused():
    with pytest.raises(HardwareReportError, match="was lshw run with -class"):
        parse_hardware_report(read("real/vm-debian12-class-disk.lshw.json"))


# --- Hand-written samples of real machines ------------------------------------------------


THINKPAD = HardwareSpec(
    manufacturer="Lenovo",
    model="ThinkPad T480 (20L5000AFR)",
    serial="PF1KQ2ZX",
    category="laptop",
    cpu="Intel Core i5-8350U CPU @ 1.70GHz",
    ram_mb=16384,
    drives=(DriveSpec("nvme", "SAMSUNG MZVLB512HAJQ-000L7", "S3TNNX0K812345", 512, True, 4711),),
    battery_design_mwh=96000,
    battery_full_mwh=72000,
    battery_health=75,
    storage_summary="512 GB NVMe",
)


def thinkpad(**kwargs):
    arguments = {
        "lshw": read("lshw/thinkpad-t480-nvme.array.lshw.json"),
        "smartctl": [
            read("smartctl/thinkpad-t480-nvme0n1.smartctl.json"),
            read("smartctl/thinkpad-t480-sda-live-stick.smartctl.json"),
        ],
        "lsblk": read("lsblk/thinkpad-t480.lsblk.json"),
        "battery": read("battery/thinkpad-t480.uevent"),
    }
    arguments.update(kwargs)
    return parse_hardware_report(**arguments)


def test_thinkpad_with_nvme_and_two_batteries():
    # The live USB stick (lshw, smartctl and lsblk all see it) is not one of its drives.
    assert thinkpad() == THINKPAD


def test_thinkpad_from_lshw_alone():
    spec = parse_hardware_report(read("lshw/thinkpad-t480-nvme.array.lshw.json"))
    assert spec.drives == (
        DriveSpec("nvme", "SAMSUNG MZVLB512HAJQ-000L7", "S3TNNX0K812345", 512, None, None),
    )
    # lshw knows the design capacity only: no health without the uevent file.
    assert (spec.battery_design_mwh, spec.battery_full_mwh, spec.battery_health) == (
        96000,
        None,
        None,
    )
    assert spec.ram_mb == 16384


def test_text_and_bytes_give_the_same_spec():
    as_text = {
        "lshw": read("lshw/thinkpad-t480-nvme.array.lshw.json").decode(),
        "smartctl": [read("smartctl/thinkpad-t480-nvme0n1.smartctl.json").decode()],
        "lsblk": read("lsblk/thinkpad-t480.lsblk.json").decode(),
        "battery": read("battery/thinkpad-t480.uevent").decode(),
    }
    assert thinkpad(**as_text) == THINKPAD


OPTIPLEX = HardwareSpec(
    manufacturer="Dell",
    model="OptiPlex 7010",
    serial="7XK2D5J",
    category="desktop",
    cpu="Intel Core i5-3470 CPU @ 3.20GHz",
    ram_mb=8192,
    drives=(
        DriveSpec("ssd", "Samsung SSD 860 EVO 250GB", "S3Z9NB0K612345A", 250, True, 8731),
        DriveSpec("hdd", "ST1000DM003-1SB102", "Z9A4K1QH", 1000, True, 21544),
    ),
    battery_design_mwh=None,
    battery_full_mwh=None,
    battery_health=None,
    storage_summary="250 GB SSD + 1000 GB HDD",
)


def optiplex_smartctl():
    return [
        read("smartctl/optiplex-7010-sda-ssd.smartctl.json"),
        read("smartctl/optiplex-7010-sdb-hdd.smartctl.json"),
        read("smartctl/optiplex-7010-sdc-usb-bridge.smartctl.json"),
    ]


def test_desktop_with_ssd_hdd_dvd_and_live_stick():
    spec = parse_hardware_report(
        read("lshw/optiplex-7010-ssd-hdd.object.lshw.json"),
        optiplex_smartctl(),
        read("lsblk/optiplex-7010.lsblk.json"),
    )
    assert spec == OPTIPLEX


def test_desktop_from_lshw_alone_guesses_kinds_from_model_names_only():
    spec = parse_hardware_report(read("lshw/optiplex-7010-ssd-hdd.object.lshw.json"))
    # lshw cuts ATA model names to 16 characters and cannot tell an HDD from an SSD: the
    # model names do (Seagate's ST…).
    assert spec.drives == (
        DriveSpec("ssd", "Samsung SSD 860", "S3Z9NB0K612345A", 250, None, None),
        DriveSpec("hdd", "ST1000DM003-1SB1", "Z9A4K1QH", 1000, None, None),
    )
    assert spec.storage_summary == "250 GB SSD + 1000 GB HDD"


def test_desktop_with_lsblk_knows_rotating_disks_and_full_model_names():
    spec = parse_hardware_report(
        read("lshw/optiplex-7010-ssd-hdd.object.lshw.json"),
        lsblk=read("lsblk/optiplex-7010.lsblk.json"),
    )
    assert spec.drives == (
        DriveSpec("ssd", "Samsung SSD 860 EVO 250GB", "S3Z9NB0K612345A", 250, None, None),
        DriveSpec("hdd", "ST1000DM003-1SB102", "Z9A4K1QH", 1000, None, None),
    )


ELITEBOOK = HardwareSpec(
    manufacturer="HP",
    model="EliteBook 8440p",  # the firmware's "HP EliteBook 8440p", without the brand
    serial="CNU0251KXQ",
    category="laptop",
    cpu="Intel Core i5 CPU M 520 @ 2.40GHz",
    ram_mb=4096,
    drives=(DriveSpec("hdd", "Hitachi HTS72503", "100503PBN40017KXGHTK", 320, None, None),),
    # A battery counting in µAh: 5.1 Ah × 10.8 V.
    battery_design_mwh=55080,
    battery_full_mwh=30294,
    battery_health=55,
    storage_summary="320 GB HDD",
)


def test_old_laptop_with_hdd_old_lsblk_and_worn_battery():
    spec = parse_hardware_report(
        read("lshw/elitebook-8440p-hdd.object.lshw.json"),
        lsblk=read("lsblk/elitebook-8440p.lsblk.json"),  # util-linux 2.29: strings only
        battery=read("battery/elitebook-8440p.uevent"),
    )
    assert spec == ELITEBOOK


def test_old_laptop_from_lshw_alone():
    spec = parse_hardware_report(read("lshw/elitebook-8440p-hdd.object.lshw.json"))
    assert spec.drives == (
        DriveSpec("hdd", "Hitachi HTS72503", "100503PBN40017KXGHTK", 320, None, None),
    )
    assert spec.battery_design_mwh == 55000
    assert spec.battery_health is None


def test_both_lshw_shapes_give_the_same_spec():
    array = load("lshw/thinkpad-t480-nvme.array.lshw.json")
    assert isinstance(array, list)
    assert parse_json(array[0]) == parse_json(array)
    single = load("lshw/optiplex-7010-ssd-hdd.object.lshw.json")
    assert isinstance(single, dict)
    assert parse_json([single]) == parse_json(single)


# --- Broken samples -----------------------------------------------------------------------

GOOD_LSHW = "lshw/thinkpad-t480-nvme.array.lshw.json"


@pytest.mark.parametrize(
    ("lshw", "message"),
    [
        ("broken/not-json-lshw-short.txt", "lshw: not JSON, it starts with “H/W path"),
        ("broken/truncated.lshw.json", "lshw: not valid JSON (line 299"),
        ("broken/missing-commas.lshw.json", "lshw: not valid JSON (line 12, column 8"),
        ("broken/empty.json", "lshw: the file is empty"),
        ("broken/lshw.json.gz", "lshw: the file is compressed (gzip)"),
        ("broken/other-shape-object.json", 'the top-level object has no "class"'),
        ("broken/other-shape-numbers.json", "lshw: this JSON is not lshw output: a list"),
        ("broken/no-serial-key.lshw.json", "lshw: the system node has no serial number"),
        (
            "broken/no-serial-oem-placeholder.lshw.json",
            'no serial number (found "To Be Filled By O.E.M.")',
        ),
        ("broken/no-serial-default-string.lshw.json", 'no serial number (found "Default string")'),
        ("broken/sanitized.lshw.json", "the serial numbers were removed (lshw -sanitize)"),
        (
            "broken/absurd-ram-10pb.lshw.json",
            r"lshw: $.children[0].children[1] (memory): the memory adds up to 9313225 GB, "
            "more than 4 TB",
        ),
        (
            "broken/negative-disk-size.lshw.json",
            "lshw: $.children[0].children[2].children[0] (disk): the size is negative",
        ),
        (
            "broken/absurd-disk-180pb.lshw.json",
            "(disk): a drive of 180000 TB is more than 100 TB",
        ),
    ],
)
def test_broken_lshw(lshw, message):
    with pytest.raises(HardwareReportError) as caught:
        parse_hardware_report(read(lshw))
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"smartctl": ["broken/list-of-reports.smartctl.json"]},
            "smartctl[0]: expected one JSON object per smartctl run, got a list",
        ),
        (
            {"smartctl": ["smartctl/thinkpad-t480-nvme0n1.smartctl.json", "broken/empty.json"]},
            "smartctl[1]: the file is empty",
        ),
        (
            {"smartctl": ["broken/other-shape-object.json"]},
            "smartctl[0]: this JSON is not smartctl --json output",
        ),
        (
            {"smartctl": ["broken/negative-capacity.smartctl.json"]},
            "smartctl[0] (sdb): user_capacity.bytes is negative",
        ),
        (
            {"lsblk": "broken/blockdevices-not-a-list.lsblk.json"},
            'lsblk: this JSON is not lsblk --json output (no "blockdevices" list)',
        ),
        ({"lsblk": "broken/not-json-lshw-short.txt"}, "lsblk: not JSON"),
        (
            {"battery": "broken/battery-full-3x-design.uevent"},
            "battery BAT0: the full-charge capacity (144000 mWh) is more than twice the design "
            "capacity (48000 mWh)",
        ),
        (
            {"battery": "broken/other-shape-object.json"},
            "battery: no POWER_SUPPLY_ line",
        ),
    ],
)
def test_broken_companion_files(arguments, message):
    files = {
        key: [read(name) for name in value] if isinstance(value, list) else read(value)
        for key, value in arguments.items()
    }
    with pytest.raises(HardwareReportError) as caught:
        parse_hardware_report(read(GOOD_LSHW), **files)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "serial",
    [
        "",
        "   ",
        "To be filled by O.E.M.",
        "Default string",
        "0123456789",
        "System Serial Number",
        "Not Specified",
        "00000000",
        "XXXXXXXXXX",
        "None",
        "N/A",
        None,
        12345,
        ["PF1KQ2ZX"],
    ],
)
def test_placeholder_serial_numbers_count_as_missing(serial):
    lshw = minimal_system(serial=serial)
    with pytest.raises(HardwareReportError, match="the system node has no serial number"):
        parse_json(lshw)


def test_a_serial_number_longer_than_the_field_is_refused():
    with pytest.raises(HardwareReportError, match="81 characters long, at most 80"):
        parse_json(minimal_system(serial="A1" * 40 + "B"))


# --- Rules, on small hand-made trees ---------------------------------------------------------


def minimal_system(**fields):
    return {"id": "debian", "class": "system", "serial": "SN-0001", **fields}


def disk(devname, size, **fields):
    return {
        "id": "disk",
        "class": "disk",
        "description": "ATA Disk",
        "logicalname": f"/dev/{devname}",
        "units": "bytes",
        "size": size,
        **fields,
    }


def test_weird_but_valid_minimal_report():
    assert parse_json(minimal_system()) == HardwareSpec(
        manufacturer="",
        model="",
        serial="SN-0001",
        category="other",
        cpu="",
        ram_mb=None,
        drives=(),
        battery_design_mwh=None,
        battery_full_mwh=None,
        battery_health=None,
        storage_summary="",
    )


def test_unexpected_types_are_ignored_not_fatal():
    lshw = minimal_system(
        vendor=["LENOVO"],
        product=12,
        configuration="chassis=notebook",
        children={"id": "core"},
    )
    assert parse_json(lshw).manufacturer == ""
    lshw = minimal_system(
        children=[
            None,
            "core",
            {"class": "memory", "id": "memory", "size": "8589934592", "children": [7, None]},
            {"class": "disk", "logicalname": [None, 3, "/dev/sda"], "size": 1.5e11},
            {"class": "processor", "product": {"name": "x"}, "version": None},
            {"class": "power", "id": "battery", "capacity": "lots", "units": "mWh"},
        ]
    )
    spec = parse_json(lshw)
    assert spec.ram_mb == 8192
    assert spec.drives == (DriveSpec("other", "", "", 150, None, None),)
    assert spec.battery_design_mwh is None


@pytest.mark.parametrize(
    ("chassis", "category"),
    [
        ("notebook", "laptop"),
        ("laptop", "laptop"),
        ("portable", "laptop"),
        ("sub-notebook", "laptop"),
        ("convertible", "laptop"),
        ("desktop", "desktop"),
        ("tower", "desktop"),
        ("mini-tower", "desktop"),
        ("low-profile", "desktop"),
        ("all-in-one", "desktop"),
        ("tablet", "tablet"),
        ("detachable", "tablet"),
        ("server", "other"),
        ("rackmount", "other"),
        ("", "other"),
    ],
)
def test_category_from_chassis(chassis, category):
    lshw = minimal_system(configuration={"chassis": chassis})
    assert parse_json(lshw).category == category


def test_category_from_english_description_when_no_chassis():
    assert parse_json(minimal_system(description="Notebook")).category == "laptop"
    assert parse_json(minimal_system(description="Desktop Computer")).category == "desktop"
    # lshw translates its descriptions: without a chassis, a German one says nothing.
    assert parse_json(minimal_system(description="Tragbar")).category == "other"


def test_manufacturer_names_and_lenovo_models():
    lshw = minimal_system(
        vendor="ASUSTeK COMPUTER INC.",
        product="X541UA (X541UA)",
        version="1.0",
        configuration={"sku": "X541UA"},
    )
    spec = parse_json(lshw)
    assert (spec.manufacturer, spec.model) == ("ASUS", "X541UA")
    lshw = minimal_system(vendor="LENOVO", product="20HRCTO1WW", version="ThinkPad X1 Carbon 5th")
    assert parse_json(lshw).model == "ThinkPad X1 Carbon 5th (20HRCTO1WW)"
    lshw = minimal_system(vendor="System manufacturer", product="System Product Name")
    assert (parse_json(lshw).manufacturer, parse_json(lshw).model) == ("", "")


def test_ram_is_the_sum_of_banks_else_the_memory_node():
    banks = {
        "class": "memory",
        "id": "memory",
        "description": "System Memory",
        "size": 999,  # the banks win
        "children": [
            {"class": "memory", "id": "bank:0", "units": "bytes", "size": 4 * 1024**3},
            {"class": "memory", "id": "bank:1", "description": "[empty]"},
            {"class": "memory", "id": "bank:2", "units": "bytes", "size": 2 * 1024**3},
        ],
    }
    flash = {"class": "memory", "id": "memory:1", "description": "Flash Memory", "size": 2**30}
    cache = {"class": "memory", "id": "cache:0", "size": 2**20}
    controller = {"class": "memory", "id": "memory", "businfo": "pci@0000:00:1f.2", "size": 1}
    core = {"class": "bus", "id": "core", "children": [banks, flash, cache, controller]}
    assert parse_json(minimal_system(children=[core])).ram_mb == 6144


def test_ram_of_zero_is_refused():
    memory = {"class": "memory", "id": "memory", "units": "bytes", "size": 0}
    with pytest.raises(HardwareReportError, match=r"the memory adds up to 0 bytes"):
        parse_json(minimal_system(children=[memory]))


def test_cpu_names_are_tidied_and_empty_sockets_skipped():
    cpus = [
        {
            "class": "processor",
            "id": "cpu:0",
            "product": "Core i7",
            "version": "Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz",
        },
        {
            "class": "processor",
            "id": "cpu:1",
            "product": "Xeon",
            "version": "Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz",
        },
        {"class": "processor", "id": "cpu:2", "disabled": True, "product": "Other"},
    ]
    spec = parse_json(minimal_system(children=cpus))
    assert spec.cpu == "Intel Xeon CPU E5-2620 v3 @ 2.40GHz"


def test_sd_cards_usb_disks_optical_drives_and_live_media_are_not_drives():
    mmc_host = {
        "class": "storage",
        "id": "mmc0",
        "description": "MMC Host",
        "children": [
            {
                "class": "disk",
                "id": "card",
                "description": "SD/MMC Device",
                "logicalname": "/dev/mmcblk0",
                "serial": "3142965337",
                "units": "bytes",
                "size": 31268536320,
            },
        ],
    }
    sd_reader = {
        "class": "storage",
        "id": "mmc1",
        "description": "MMC Host",
        "children": [
            {
                "class": "disk",
                "id": "card",
                "description": "SD Card",
                "logicalname": "/dev/mmcblk1",
                "serial": "1234abcd",
                "units": "bytes",
                "size": 15931539456,
            },
        ],
    }
    usb_disk = {
        "class": "storage",
        "id": "usb",
        "businfo": "usb@2:1",
        "children": [disk("sdb", 2000398934016, serial="WD-WX11A", businfo="scsi@4:0.0.0")],
    }
    live_on_sata = disk(
        "sdc",
        32017047552,
        serial="LIVE-SSD",
        children=[{"class": "volume", "logicalname": ["/dev/sdc1", "/run/live/medium"]}],
    )
    dvd = {"class": "disk", "id": "cdrom", "logicalname": ["/dev/cdrom", "/dev/sr0"]}
    blu_ray = {"class": "disk", "id": "disk:3", "capabilities": {"bd": "Blu-ray"}}
    removable = disk("sdd", 8004304896, serial="CARD", capabilities={"removable": "yes"})
    children = [mmc_host, sd_reader, usb_disk, live_on_sata, dvd, blu_ray, removable]
    spec = parse_json(minimal_system(children=children))
    assert spec.drives == (DriveSpec("emmc", "", "3142965337", 31, None, None),)
    assert spec.storage_summary == "31 GB eMMC"


def test_lsblk_tells_usb_and_removable_disks_lshw_did_not_flag():
    lshw = minimal_system(
        children=[disk("sda", 256060514304, serial="S1"), disk("sdb", 64023257088, serial="S2")]
    )
    lsblk = {
        "blockdevices": [
            {"name": "sda", "type": "disk", "size": 256060514304, "rota": False, "tran": "sata"},
            {"name": "sdb", "type": "disk", "size": 64023257088, "rota": True, "tran": "usb"},
        ]
    }
    assert parse_json(lshw, lsblk=lsblk).drives == (DriveSpec("ssd", "", "S1", 256, None, None),)


def test_lsblk_adds_whole_disks_lshw_missed_but_not_ram_disks_or_firmware_areas():
    lsblk = {
        "blockdevices": [
            {"name": "zram0", "type": "disk", "size": 8589934592, "rota": False},
            {"name": "loop0", "type": "loop", "size": 734003200, "rota": False},
            {"name": "mmcblk0boot0", "type": "disk", "size": 4194304, "rota": False},
            {
                "name": "mmcblk0",
                "type": "disk",
                "size": 62537072640,
                "rota": False,
                "serial": "0x5a3b1c2d",
            },
            {
                "name": "sda",
                "type": "disk",
                "size": "500107862016",
                "rota": "1",
                "tran": "sata",
                "model": "WDC WD5000LPCX-24C6HT0",
                "serial": "WD-WX41A",
            },
            {"name": "sr0", "type": "rom", "size": 1073741312, "rota": True},
        ]
    }
    spec = parse_json(minimal_system(), lsblk=lsblk)
    assert spec.drives == (
        DriveSpec("emmc", "", "0x5a3b1c2d", 63, None, None),
        DriveSpec("hdd", "WDC WD5000LPCX-24C6HT0", "WD-WX41A", 500, None, None),
    )


def test_smartctl_matches_lshw_b0218_nvme_controller_without_serial():
    # lshw B.02.18 knows no NVMe namespaces: just a PCI controller named after its chip.
    controller = {
        "class": "storage",
        "id": "storage",
        "description": "Non-Volatile memory controller",
        "product": "NVMe SSD Controller SM981/PM981",
        "businfo": "pci@0000:3d:00.0",
        "configuration": {"driver": "nvme", "latency": "0"},
    }
    smart = load("smartctl/thinkpad-t480-nvme0n1.smartctl.json")
    spec = parse_json(minimal_system(children=[controller]), [smart])
    assert spec.drives == (
        DriveSpec("nvme", "SAMSUNG MZVLB512HAJQ-000L7", "S3TNNX0K812345", 512, True, 4711),
    )
    alone = parse_json(minimal_system(children=[controller]))
    assert alone.drives == (
        DriveSpec("nvme", "NVMe SSD Controller SM981/PM981", "", None, None, None),
    )
    assert alone.storage_summary == "NVMe"


def test_smartctl_matches_by_device_name_when_serials_are_written_differently():
    lshw = minimal_system(children=[disk("sdb", 1000204886016, serial="  Z9A4 K1QH-lshw")])
    smart = load("smartctl/optiplex-7010-sdb-hdd.smartctl.json")
    spec = parse_json(lshw, [smart])
    assert spec.drives == (DriveSpec("hdd", "ST1000DM003-1SB102", "Z9A4K1QH", 1000, True, 21544),)


def test_smartctl_adds_a_drive_lshw_missed_and_reads_failing_drives():
    smart = load("smartctl/optiplex-7010-sda-ssd.smartctl.json")
    smart["smart_status"] = {"passed": False}
    smart["smartctl"]["exit_status"] = 8
    smart["power_on_time"] = {"hours": 3_000_000}  # a vendor's garbage counter
    spec = parse_json(minimal_system(), [smart])
    assert spec.drives == (
        DriveSpec("ssd", "Samsung SSD 860 EVO 250GB", "S3Z9NB0K612345A", 250, False, None),
    )


def test_smartctl_of_usb_devices_without_a_smart_verdict_is_not_a_drive():
    smart = load("smartctl/optiplex-7010-sdb-hdd.smartctl.json")
    smart["device"] = {"name": "/dev/sdb", "type": "usbjmicron", "protocol": "ATA"}
    del smart["smart_status"]  # a stick or a bridge that does not pass SMART through
    assert parse_json(minimal_system(), [smart]).drives == ()


def test_same_drive_twice_is_counted_once():
    lshw = minimal_system(
        children=[
            disk("sda", 250059350016, serial="S3Z9NB0K612345A"),
            disk("sdx", 250059350016, serial="S3Z9NB0K612345A"),
        ]
    )
    assert len(parse_json(lshw).drives) == 1


def test_storage_summary_groups_identical_drives():
    lshw = minimal_system(
        children=[
            disk("sda", 500107862016, serial="A"),
            disk("sdb", 500107862016, serial="B"),
            disk("sdc", 240057409536, serial="C", product="KINGSTON SSD"),
        ]
    )
    lsblk = {
        "blockdevices": [
            {"name": "sda", "type": "disk", "rota": True},
            {"name": "sdb", "type": "disk", "rota": True},
        ]
    }
    assert parse_json(lshw, lsblk=lsblk).storage_summary == "240 GB SSD + 2 × 500 GB HDD"


def test_battery_health_is_clamped_and_power_supplies_are_not_batteries():
    battery = {"class": "power", "id": "battery", "units": "mWh", "capacity": 48000}
    psu = {"class": "power", "id": "power", "capacity": 240}  # a desktop PSU, in watts
    uevent = (
        "POWER_SUPPLY_NAME=BAT0\nPOWER_SUPPLY_TYPE=Battery\n"
        "POWER_SUPPLY_ENERGY_FULL_DESIGN=48000000\nPOWER_SUPPLY_ENERGY_FULL=50400000\n"
        "POWER_SUPPLY_NAME=hidpp_battery_0\nPOWER_SUPPLY_TYPE=Battery\n"
        "POWER_SUPPLY_SCOPE=Device\nPOWER_SUPPLY_ENERGY_FULL_DESIGN=1000\n"
    )
    spec = parse_json(minimal_system(children=[battery, psu]), battery=uevent)
    assert (spec.battery_design_mwh, spec.battery_full_mwh, spec.battery_health) == (
        48000,
        50400,
        100,
    )
    spec = parse_json(minimal_system(children=[psu]))
    assert spec.battery_design_mwh is None


def test_battery_in_mah_without_voltage_still_gives_health():
    uevent = (
        "POWER_SUPPLY_NAME=BAT1\nPOWER_SUPPLY_CHARGE_FULL_DESIGN=4400000\n"
        "POWER_SUPPLY_CHARGE_FULL=3300000\n"
    )
    battery = {"class": "power", "id": "battery", "units": "mWh", "capacity": 47520}
    spec = parse_json(minimal_system(children=[battery]), battery=uevent)
    assert (spec.battery_design_mwh, spec.battery_full_mwh, spec.battery_health) == (
        47520,
        None,
        75,
    )


def test_absurd_battery_is_refused():
    battery = {"class": "power", "id": "battery", "units": "mWh", "capacity": 5_000_000}
    with pytest.raises(HardwareReportError, match="a battery of 5000000 mWh is more than 500 Wh"):
        parse_json(minimal_system(children=[battery]))


def test_long_texts_are_cut_to_the_field_lengths():
    lshw = minimal_system(vendor="Vendor " * 30, product="Product " * 30)
    spec = parse_json(lshw)
    assert (len(spec.manufacturer), len(spec.model)) == (80, 120)


def test_control_characters_and_bad_bytes_do_not_reach_the_spec():
    lshw = json.dumps(minimal_system(product="Vostro\u0000 3500\t")).encode()
    spec = parse_hardware_report(lshw.replace(b"Vostro", b"Vostro\xff"))
    assert spec.model == "Vostro\ufffd 3500"


def test_original_inputs_are_not_modified():
    lshw = load("lshw/thinkpad-t480-nvme.array.lshw.json")
    before = copy.deepcopy(lshw)
    parse_json(lshw)
    assert lshw == before


# --- Fuzzing: nothing but HardwareReportError may come out -------------------------------

LSHW_KEYS = [
    "id",
    "class",
    "serial",
    "product",
    "vendor",
    "version",
    "description",
    "children",
    "size",
    "units",
    "capacity",
    "logicalname",
    "businfo",
    "configuration",
    "capabilities",
    "disabled",
    "chassis",
    "sku",
    "blockdevices",
    "name",
    "type",
    "rota",
    "tran",
    "rm",
    "model_name",
    "serial_number",
    "user_capacity",
    "bytes",
    "rotation_rate",
    "smart_status",
    "passed",
    "power_on_time",
    "hours",
    "device",
    "smartctl",
]
LSHW_VALUES = [
    "system",
    "disk",
    "memory",
    "processor",
    "power",
    "storage",
    "volume",
    "bank:0",
    "memory",
    "battery",
    "cdrom",
    "card",
    "nvme",
    "usb@1:2",
    "pci@0000:00:1f.2",
    "/dev/sda",
    "/dev/nvme0n1",
    "nvme0",
    "mWh",
    "bytes",
    "NVMe device",
    "SD Card",
    "notebook",
    "/run/live/medium",
    "removable",
    "To Be Filled By O.E.M.",
    "sda",
    "usb",
    "disk",
    "nvme",
]

json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(LSHW_VALUES)
)
json_values = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.sampled_from(LSHW_KEYS) | st.text(max_size=8), children, max_size=8)
    ),
    max_leaves=60,
)


def lshw_nodes():
    leaf = st.fixed_dictionaries(
        {"class": st.sampled_from(["disk", "memory", "processor", "power", "storage", "volume"])},
        optional={key: json_leaves for key in LSHW_KEYS[:16] if key != "class"},
    )
    return st.recursive(
        leaf,
        lambda children: st.builds(
            lambda node, kids: {**node, "children": kids}, leaf, st.lists(children, max_size=4)
        ),
        max_leaves=15,
    )


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(call):
    try:
        spec = call()
    except HardwareReportError:
        return
    assert isinstance(spec, HardwareSpec)
    assert spec.serial
    assert spec.category in {"laptop", "desktop", "tablet", "other"}
    assert spec.ram_mb is None or 0 < spec.ram_mb <= 4 * 1024 * 1024
    assert spec.battery_health is None or 0 <= spec.battery_health <= 100
    assert len(spec.storage_summary) <= 120 and len(spec.model) <= 120
    for drive in spec.drives:
        assert drive.kind in {"hdd", "ssd", "nvme", "emmc", "other"}
        assert drive.capacity_gb is None or 0 < drive.capacity_gb <= 100_000


@FUZZ
@given(json_values)
def test_fuzz_any_json_as_each_input(value):
    text = json.dumps(value)
    check(lambda: parse_hardware_report(text))
    check(lambda: parse_hardware_report(read(GOOD_LSHW), [text]))
    check(lambda: parse_hardware_report(read(GOOD_LSHW), lsblk=text))
    check(lambda: parse_hardware_report(read(GOOD_LSHW), battery=text))


@settings(FUZZ, max_examples=150)  # drawing these trees is what takes the time
@given(st.lists(lshw_nodes(), max_size=6), json_values, json_values, st.text(max_size=200))
def test_fuzz_lshw_like_trees(children, smartctl, lsblk, uevent):
    lshw = json.dumps({"class": "system", "serial": "SN-0001", "children": children})
    check(lambda: parse_hardware_report(lshw))
    check(lambda: parse_hardware_report(lshw, [json.dumps(smartctl)], json.dumps(lsblk)))
    check(lambda: parse_hardware_report(lshw, battery="POWER_SUPPLY_NAME=BAT0\n" + uevent))


@FUZZ
@given(st.binary(max_size=400))
def test_fuzz_arbitrary_bytes(data):
    check(lambda: parse_hardware_report(data))
    check(lambda: parse_hardware_report(read(GOOD_LSHW), [data], data, battery=data))


def test_deeply_nested_json_is_refused():
    with pytest.raises(HardwareReportError, match="nested too deeply"):
        parse_hardware_report("[" * 100_000 + "]" * 100_000)

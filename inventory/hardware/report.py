"""Read the hardware report of a live USB stick (lshw, smartctl, lsblk) into device specs.

A technician boots a donated computer on the live USB stick, whose script runs standard Linux
tools (see docs/live-usb-report.md) and sends their JSON output. This module turns that output
into a `HardwareSpec`: plain data, no database access, so that the API endpoint, an upload page
and a management command can all share it.

Inputs, all as sent (bytes or text):

- `lshw -json` (required). Two shapes exist in the wild: one JSON object for the root node
  (lshw B.02.18, and Debian 12's 02.19 snapshot), or a JSON array holding that object (some
  lshw git snapshots, e.g. Ubuntu 20.04's). Both are read. The output of `lshw -json -class X`
  (a list of nodes without the root) is refused: it has no serial number.
- `smartctl --json -a /dev/X` (any number, one per disk): the real model name, serial number,
  capacity, SSD or HDD, SMART verdict and power-on hours, matched to lshw's disks by serial
  number (then by device name).
- `lsblk --json -b -o NAME,TYPE,SIZE,MODEL,SERIAL,ROTA,TRAN,VENDOR[,RM]` (optional): tells
  rotating disks from SSDs, and USB or removable disks from internal ones, when lshw cannot.
- the text of `/sys/class/power_supply/BAT*/uevent` (optional, keyword `battery`): lshw only
  knows a battery's design capacity (from the firmware), never what it holds today, so the
  battery health comes from there.

Rules (each is tested in tests/inventory/hardware/test_hardware_report.py):

- The machine's serial number (lshw's root node) is required: without it, a second report of
  the same machine would make a second device. Placeholders written by manufacturers ("To be
  filled by O.E.M.", "Default string", "0123456789", "System Serial Number", "Not Specified",
  one character repeated…) count as missing.
- RAM is the sum of the memory banks' sizes, or the size of the system memory node when it has
  no banks.
- Drives are lshw's "disk" nodes and NVMe controllers, skipping what is not part of the
  computer: CD/DVD drives, floppies, anything on a USB bus (the live USB stick itself, external
  disks, card readers), removable media (SD cards), and the disk holding a mounted live system
  (/run/live/medium and the like). An NVMe controller and its namespaces are one drive.
  smartctl reports and lsblk disks that lshw missed are added, with the same exclusions.
- A drive's kind: NVMe or eMMC when lshw or smartctl says so; else smartctl's rotation rate
  (0: SSD); else lsblk's ROTA; else "ssd" if its model name says SSD; else "other".
- The model: lshw's product without the SKU it appends; for Lenovo, the version ("ThinkPad
  T480") followed by the machine type. Manufacturers' firmware names are shortened to the
  usual ones ("Dell Inc." -> "Dell", "LENOVO" -> "Lenovo").
- Absurd values are refused, naming the file and the JSON path: RAM of 0 or above 4 TB, a
  negative size, a drive above 100 TB, a battery above 500 Wh or whose full charge holds more
  than twice its design capacity.
- Missing optional keys never fail: the spec then says None or "".
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from inventory.specs import installed_ram_mb, without_brand

__all__ = ["DriveSpec", "HardwareReportError", "HardwareSpec", "parse_hardware_report"]

# Limits: beyond them a value is a reading error, not a real machine.
MAX_RAM_BYTES = 4 * 1024**4  # 4 TB (TiB): no donated desktop or laptop comes close
MAX_DRIVE_BYTES = 100 * 10**12  # 100 TB
MAX_BATTERY_MWH = 500_000  # 500 Wh: laptop batteries stay below 100 Wh
MAX_BATTERY_FULL_RATIO = 2  # a worn battery holds less than new, a new one a few % more
MAX_POWER_ON_HOURS = 500_000  # 57 years: above that, the drive's counter is garbage

# The lengths of the Device and Drive fields these values go into.
SERIAL_MAX_LENGTH = 80
TEXT_MAX_LENGTH = {"manufacturer": 80, "model": 120, "cpu": 120, "storage_summary": 120}

KIND_ORDER = ("nvme", "ssd", "emmc", "hdd", "other")

# lshw's "chassis" configuration value (the SMBIOS chassis type, as lshw names it).
LAPTOP_CHASSIS = {"portable", "laptop", "notebook", "sub-notebook", "convertible"}
DESKTOP_CHASSIS = {
    "desktop",
    "low-profile",
    "pizzabox",
    "mini-tower",
    "tower",
    "all-in-one",
    "space-saving",
    "lunchbox",
    "sealed",
    "mini",
}
TABLET_CHASSIS = {"tablet", "detachable"}
# When lshw gives no chassis, its root description, if in English.
LAPTOP_DESCRIPTIONS = {"notebook", "laptop", "portable computer", "sub notebook"}
DESKTOP_DESCRIPTIONS = {
    "desktop computer",
    "low profile desktop computer",
    "mini tower computer",
    "tower computer",
    "all in one",
}

# Strings firmware writers leave in place of a real value.
PLACEHOLDERS = {
    "to be filled by o.e.m.",
    "to be filled by oem",
    "to be filled",
    "fill by oem",
    "default string",
    "default",
    "0123456789",
    "123456789",
    "1234567890",
    "system serial number",
    "chassis serial number",
    "base board serial number",
    "serial number",
    "system product name",
    "system manufacturer",
    "system version",
    "not specified",
    "not applicable",
    "not available",
    "not present",
    "no asset information",
    "none",
    "null",
    "n/a",
    "na",
    "unknown",
    "invalid",
    "empty",
    "oem",
    "o.e.m.",
    "x.x",
    "type1productconfigid",
    "[removed]",  # lshw -sanitize
}

# How manufacturers name themselves in firmware, and the name people use.
MANUFACTURER_NAMES = {
    "lenovo": "Lenovo",
    "hp": "HP",
    "hewlett-packard": "HP",
    "hewlett packard": "HP",
    "dell inc.": "Dell",
    "dell": "Dell",
    "dell computer corporation": "Dell",
    "asustek computer inc.": "ASUS",
    "asustek computer inc": "ASUS",
    "acer": "Acer",
    "fujitsu": "Fujitsu",
    "fujitsu siemens": "Fujitsu Siemens",
    "toshiba": "Toshiba",
    "dynabook inc.": "Dynabook",
    "apple inc.": "Apple",
    "apple computer, inc.": "Apple",
    "microsoft corporation": "Microsoft",
    "samsung electronics co., ltd.": "Samsung",
    "micro-star international co., ltd.": "MSI",
    "micro-star international co., ltd": "MSI",
    "gigabyte technology co., ltd.": "Gigabyte",
    "medion": "Medion",
    "packard bell": "Packard Bell",
    "sony corporation": "Sony",
    "panasonic corporation": "Panasonic",
    "intel corporation": "Intel",
    "lg electronics": "LG",
}

USB_BUS = "on a USB bus"
CDROM_CAPABILITIES = {"cd-r", "cd-rw", "dvd", "dvd-r", "dvd-ram", "audio", "bd", "bd-r", "bd-re"}
# Where live systems mount the medium they booted from: the disk holding it is the stick.
LIVE_MOUNTPOINTS = {
    "/run/live/medium",
    "/lib/live/mount/medium",
    "/cdrom",
    "/run/initramfs/live",
    "/run/archiso/bootmnt",
    "/run/archiso/img_dev",
}
# Block devices that are not drives: RAM disks, loops, optical, software RAID, eMMC boot areas.
NOT_A_DRIVE_NAME = re.compile(
    r"^(loop|zram|ram|sr|fd|md|dm-|nbd|mtdblock|drbd|rbd)\d*|^mmcblk\d+(boot\d+|rpmb)$"
)
# Drive model names that say what the drive is, when nothing else does.
SSD_MODEL = re.compile(r"\bSSD\b|solid.state|\bflash\b|^(WDC )?WDS\d|^SAMSUNG MZ|^KINGSTON S", re.I)
HDD_MODEL = re.compile(
    r"(HGST |Hitachi |IBM-?)?(HTS|HDS|HDT|HTE|HUA|HDP|HCS|HTC|HDN)\d"  # Hitachi/HGST
    r"|Hitachi\b|HGST\b"
    r"|(WDC )?WD\d"  # Western Digital hard disks (WDS…: SSDs, above)
    r"|(Seagate )?ST\d"  # Seagate
    r"|(TOSHIBA )?(MK|MQ|DT|HDW|MG|MD)\d"  # Toshiba
    r"|SAMSUNG H[DMN]\d"  # Samsung SpinPoint
    r"|(FUJITSU )?MH[TVWYZ]\d"  # Fujitsu laptop disks
    r"|(MAXTOR )?(STM|6[LVY])\d",
    re.I,
)
NVME_NAMESPACE_NAME = re.compile(r"^(nvme\d+)(c\d+)?n\d+$")
NVME_CONTROLLER_NAME = re.compile(r"^nvme\d+$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
TRADEMARKS = re.compile(r"\((?:R|TM|C)\)", re.IGNORECASE)


@dataclass(frozen=True)
class DriveSpec:
    kind: str  # "hdd" | "ssd" | "nvme" | "emmc" | "other", the codes of Drive.Kind
    model: str
    serial: str
    capacity_gb: int | None  # decimal gigabytes, as written on the drive's label
    smart_passed: bool | None
    power_on_hours: int | None


@dataclass(frozen=True)
class HardwareSpec:
    manufacturer: str
    model: str
    serial: str
    category: str  # "laptop" | "desktop" | "tablet" | "other", the codes of Category
    cpu: str
    ram_mb: int | None
    drives: tuple[DriveSpec, ...]
    battery_design_mwh: int | None
    battery_full_mwh: int | None
    battery_health: int | None  # percent: full / design, clamped to 0..100
    storage_summary: str  # e.g. "512 GB NVMe + 1000 GB HDD"


class HardwareReportError(ValueError):
    """The report cannot be used; the message says what is wrong and where."""


def parse_hardware_report(
    lshw: bytes | str,
    smartctl: Iterable[bytes | str] = (),
    lsblk: bytes | str | None = None,
    *,
    battery: bytes | str | None = None,
) -> HardwareSpec:
    """Read the tools' output into a HardwareSpec, or raise HardwareReportError."""
    root, root_path = _lshw_root(_load_json(lshw, "lshw"))
    nodes = list(_walk(root, root_path))
    serial = _system_serial(root)
    lsblk_devices = _parse_lsblk(lsblk) if lsblk is not None else {}

    if smartctl is None or isinstance(smartctl, (str, bytes, bytearray)):
        smartctl = [smartctl] if smartctl else []
    smart_reports = [_parse_smartctl(raw, index) for index, raw in enumerate(smartctl)]

    drives, skipped = _lshw_drives(nodes, lsblk_devices)
    _merge_smartctl(drives, skipped, [r for r in smart_reports if r], lsblk_devices)
    _merge_lsblk(drives, skipped, lsblk_devices)
    drive_specs = _drive_specs(drives)

    design_mwh, full_mwh, health = _battery(nodes, battery)
    manufacturer = _manufacturer(root)
    return HardwareSpec(
        manufacturer=_clip(manufacturer, TEXT_MAX_LENGTH["manufacturer"]),
        model=_clip(_model(root, manufacturer), TEXT_MAX_LENGTH["model"]),
        serial=serial,
        category=_category(root),
        cpu=_clip(_cpu(nodes), TEXT_MAX_LENGTH["cpu"]),
        ram_mb=_ram_mb(nodes),
        drives=drive_specs,
        battery_design_mwh=design_mwh,
        battery_full_mwh=full_mwh,
        battery_health=health,
        storage_summary=_clip(_storage_summary(drive_specs), TEXT_MAX_LENGTH["storage_summary"]),
    )


# --- Reading values -------------------------------------------------------------------------


def _load_json(raw: Any, source: str) -> Any:
    if isinstance(raw, (bytes, bytearray, memoryview)):
        if bytes(raw[:2]) == b"\x1f\x8b":
            raise HardwareReportError(
                _("%(source)s: the file is compressed (gzip): send it as it was printed.")
                % {"source": source}
            )
        # Firmware strings may hold any byte; a stray one must not cost the whole report.
        text = bytes(raw).decode("utf-8", errors="replace")
    elif isinstance(raw, str):
        text = raw
    else:
        raise HardwareReportError(
            _("%(source)s: expected text, got %(type)s.")
            % {"source": source, "type": type(raw).__name__}
        )
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise HardwareReportError(_("%(source)s: the file is empty.") % {"source": source})
    if text[0] not in "{[":
        raise HardwareReportError(
            _(
                "%(source)s: not JSON, it starts with “%(start)s”: was the tool run without "
                "its JSON option?"
            )
            % {"source": source, "start": _clip(_clean(text[:40]), 30)}
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise HardwareReportError(
            _("%(source)s: the JSON is nested too deeply to be a hardware report.")
            % {"source": source}
        ) from None
    except json.JSONDecodeError as error:
        raise HardwareReportError(
            _("%(source)s: not valid JSON (line %(line)s, column %(column)s: %(problem)s).")
            % {"source": source, "line": error.lineno, "column": error.colno, "problem": error.msg}
        ) from None
    except ValueError as error:  # e.g. an integer of thousands of digits
        raise HardwareReportError(
            _("%(source)s: not valid JSON (%(problem)s).") % {"source": source, "problem": error}
        ) from None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _clean(value: Any) -> str:
    """A string value with control characters removed and spaces collapsed, else ""."""
    if not isinstance(value, str):
        return ""
    return " ".join(CONTROL_CHARACTERS.sub(" ", value).split())


def _is_placeholder(text: str) -> bool:
    folded = text.strip().lower()
    if not folded or folded in PLACEHOLDERS:
        return True
    # "00000000", "XXXXXXXX", "--------", " . . . ": one character repeated.
    significant = re.sub(r"[\s.\-_]", "", folded)
    return len(set(significant)) <= 1


def _real(value: Any) -> str:
    """A cleaned string, or "" if it is a placeholder."""
    text = _clean(value)
    return "" if _is_placeholder(text) else text


def _int(value: Any) -> int | None:
    """An integer from an int, an integral float or a string of digits; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,30}\s*", value):
        return int(value)
    return None


def _bool(value: Any) -> bool | None:
    """lsblk's booleans: true/false in util-linux >= 2.33, "1"/"0" before."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {0: False, 1: True}.get(value)
    if isinstance(value, str):
        return {"0": False, "1": True, "false": False, "true": True}.get(value.strip().lower())
    return None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _normal_serial(serial: str) -> str:
    return re.sub(r"\s+", "", serial).upper()


def _devname(path: Any) -> str:
    """ "/dev/sda" -> "sda"; anything that is not a device path -> ""."""
    text = _clean(path)
    if text.startswith("/dev/"):
        text = text[5:]
    return text if re.fullmatch(r"[A-Za-z0-9_.:\-]+", text) else ""


def _aliases(name: str) -> set[str]:
    """A block device's names: an NVMe namespace also answers to its controller's name."""
    if not name:
        return set()
    names = {name}
    match = NVME_NAMESPACE_NAME.match(name)
    if match:
        names.add(match.group(1))
    return names


# --- lshw -----------------------------------------------------------------------------------


@dataclass
class _Node:
    data: dict
    path: str
    ancestors: tuple[_Node, ...]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def cls(self) -> str:
        return _clean(self.data.get("class")).lower()

    @property
    def id(self) -> str:
        return _clean(self.data.get("id")).lower()

    @property
    def label(self) -> str:
        """Where the node is, for messages: its JSON path and its lshw id."""
        return f"{self.path} ({_clean(self.data.get('id')) or '?'})"

    def logicalnames(self) -> list[str]:
        value = self.data.get("logicalname")
        return [_clean(v) for v in (value if isinstance(value, list) else [value]) if _clean(v)]

    def devnames(self) -> set[str]:
        names: set[str] = set()
        for logicalname in self.logicalnames():
            if logicalname.startswith("/dev/") or NVME_CONTROLLER_NAME.match(logicalname):
                names |= _aliases(_devname(logicalname))
        return names

    def capabilities(self) -> set[str]:
        return {str(key).lower() for key in _dict(self.data.get("capabilities"))}

    def configuration(self) -> dict:
        return _dict(self.data.get("configuration"))

    def bytes_size(self) -> int | None:
        """The node's "size" in bytes, None if absent or in other units; checked sign."""
        size = _int(self.data.get("size"))
        units = _clean(self.data.get("units")).lower()
        if size is None or units not in ("", "bytes"):
            return None
        if size < 0:
            raise HardwareReportError(
                _("lshw: %(node)s: the size is negative (%(size)s bytes).")
                % {"node": self.label, "size": size}
            )
        return size


def _lshw_root(document: Any) -> tuple[dict, str]:
    if isinstance(document, list):
        objects = [(index, item) for index, item in enumerate(document) if isinstance(item, dict)]
        if not objects:
            raise HardwareReportError(
                _(
                    "lshw: this JSON is not lshw output: a list without any object "
                    "(lshw -json prints the machine as an object)."
                )
            )
        for index, item in objects:
            if _clean(item.get("class")).lower() == "system":
                return item, f"$[{index}]"
        raise HardwareReportError(
            _(
                'lshw: the list holds no "system" node, only parts: was lshw run with '
                "-class or -C? Run plain lshw -json."
            )
        )
    if not isinstance(document, dict):
        raise HardwareReportError(
            _("lshw: this JSON is not lshw output: expected an object, got %(type)s.")
            % {"type": _json_type(document)}
        )
    node_class = _clean(document.get("class")).lower()
    if node_class != "system":
        if not node_class:
            raise HardwareReportError(
                _('lshw: this JSON is not lshw output: the top-level object has no "class".')
            )
        raise HardwareReportError(
            _(
                'lshw: the top-level node is of class "%(class)s", not "system": was lshw run '
                "with -class or -C? Run plain lshw -json."
            )
            % {"class": node_class}
        )
    return document, "$"


def _json_type(value: Any) -> str:
    for kind, name in ((bool, "a boolean"), (int, "a number"), (float, "a number")):
        if isinstance(value, kind):
            return name
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else type(value).__name__


def _walk(root: dict, root_path: str) -> Iterator[_Node]:
    """Every node of the tree, parents before children, in lshw's order (no recursion)."""
    stack = [_Node(root, root_path, ())]
    while stack:
        node = stack.pop()
        yield node
        children = node.data.get("children")
        if not isinstance(children, list):
            continue
        ancestors = (*node.ancestors, node)
        for index in range(len(children) - 1, -1, -1):
            child = children[index]
            if isinstance(child, dict):
                stack.append(_Node(child, f"{node.path}.children[{index}]", ancestors))


def _system_serial(root: dict) -> str:
    raw = _clean(root.get("serial"))
    if raw.lower() == "[removed]":
        raise HardwareReportError(
            _(
                "lshw: the serial numbers were removed (lshw -sanitize): run lshw -json "
                "without -sanitize."
            )
        )
    serial = _real(raw)
    if not serial:
        raise HardwareReportError(
            _(
                "lshw: the system node has no serial number (found %(value)s): type it by hand "
                "from the label under the machine."
            )
            % {"value": f'"{raw}"' if raw else _("nothing")}
        )
    if len(serial) > SERIAL_MAX_LENGTH:
        raise HardwareReportError(
            _("lshw: the system serial number is %(length)s characters long, at most %(max)s.")
            % {"length": len(serial), "max": SERIAL_MAX_LENGTH}
        )
    return serial


def _manufacturer(root: dict) -> str:
    vendor = _real(root.get("vendor"))
    return MANUFACTURER_NAMES.get(vendor.lower(), vendor)


def _model(root: dict, manufacturer: str) -> str:
    product = _real(root.get("product"))
    # lshw appends the SKU to the product: "HP ProBook 430 G4 (W6P93AV)",
    # "20L5000AFR (LENOVO_MT_20L5_BU_Think_FM_ThinkPad T480)". Drop it.
    sku = _clean(_dict(root.get("configuration")).get("sku"))
    if sku and product.endswith(f" ({sku})"):
        product = product[: -len(sku) - 3].strip()
    version = _real(root.get("version"))
    # Lenovo's product is a machine type (20L5000AFR); the name people know is the version.
    if manufacturer == "Lenovo" and version and not re.fullmatch(r"[\d.]+", version):
        version = without_brand(manufacturer, version)
        return f"{version} ({product})" if product and product != version else version
    # "HP Compaq 8200 Elite": the manufacturer is printed beside the model already.
    return without_brand(manufacturer, product)


def _category(root: dict) -> str:
    chassis = _clean(_dict(root.get("configuration")).get("chassis")).lower()
    if chassis in LAPTOP_CHASSIS:
        return "laptop"
    if chassis in DESKTOP_CHASSIS:
        return "desktop"
    if chassis in TABLET_CHASSIS:
        return "tablet"
    if not chassis:
        description = _clean(root.get("description")).lower()
        if description in LAPTOP_DESCRIPTIONS:
            return "laptop"
        if description in DESKTOP_DESCRIPTIONS:
            return "desktop"
    return "other"


def _cpu(nodes: list[_Node]) -> str:
    names: list[str] = []
    for node in nodes:
        if node.cls != "processor" or node.get("disabled") is True:
            continue
        product = _real(node.get("product"))
        version = _real(node.get("version"))
        # DMI puts the family in product ("Core i5") and the full name in version; lshw
        # replaces product with /proc/cpuinfo's full name when it can. Versions like
        # "6.142.9" (family.model.stepping) are not names.
        name = product
        if version and re.search(r"[A-Za-z]", version) and len(version) > len(product):
            name = version
        name = " ".join(TRADEMARKS.sub("", name).split())
        if name and name not in names:
            names.append(name)
    return " + ".join(names)


def _ram_mb(nodes: list[_Node]) -> int | None:
    total: int | None = None
    where = ""
    for node in nodes:
        if node.cls != "memory" or not re.fullmatch(r"memory(:\d+)?", node.id):
            continue
        if _clean(node.get("businfo")).startswith("pci@"):  # a memory controller
            continue
        description = _clean(node.get("description")).lower()
        if any(word in description for word in ("flash", "video", "nvram", "cache", "rom")):
            continue
        banks = [
            size
            for child in _list(node.get("children"))
            if isinstance(child, dict)
            and _clean(child.get("class")).lower() == "memory"
            and re.fullmatch(r"bank(:\d+)?", _clean(child.get("id")).lower())
            and (size := _bank_size(child, node)) is not None
        ]
        size = sum(banks) if banks else node.bytes_size()
        if size is not None and not banks:
            # Soldered memory has no banks: the node says what the kernel left, not what
            # is installed (16,256 MiB of 16 GB).
            size = installed_ram_mb(size // 1024**2) * 1024**2
        if size is not None:
            total = (total or 0) + size
            where = where or node.label
    if total is None:
        return None
    if total == 0:
        raise HardwareReportError(
            _("lshw: %(node)s: the memory adds up to 0 bytes.") % {"node": where}
        )
    if total > MAX_RAM_BYTES:
        raise HardwareReportError(
            _("lshw: %(node)s: the memory adds up to %(size)s GB, more than 4 TB.")
            % {"node": where, "size": total // 1024**3}
        )
    return total // 1024**2


def _bank_size(bank: dict, array: _Node) -> int | None:
    size = _int(bank.get("size"))
    if size is None or _clean(bank.get("units")).lower() not in ("", "bytes"):
        return None
    if size < 0:
        raise HardwareReportError(
            _("lshw: %(node)s, bank %(bank)s: the size is negative (%(size)s bytes).")
            % {"node": array.label, "bank": _clean(bank.get("id")) or "?", "size": size}
        )
    return size


# --- Drives ---------------------------------------------------------------------------------


@dataclass
class _Drive:
    """A drive being assembled from the three tools."""

    kind: str | None  # None: not known yet
    model: str
    serial: str
    capacity: int | None  # bytes
    where: str
    names: set[str] = field(default_factory=set)
    smart_passed: bool | None = None
    power_on_hours: int | None = None
    from_smartctl: bool = False  # smartctl's model name is the drive's own: keep it
    skip_reason: str = ""  # why lshw's disk was set aside, if it was

    def matches(self, serial: str, names: set[str]) -> bool:
        if serial and self.serial and _normal_serial(serial) == _normal_serial(self.serial):
            return True
        return bool(names & self.names)


def _lshw_drives(nodes: list[_Node], lsblk: dict[str, dict]) -> tuple[list[_Drive], list[_Drive]]:
    drives: list[_Drive] = []
    skipped: list[_Drive] = []  # kept to recognise their smartctl and lsblk entries
    done: set[int] = set()  # NVMe namespaces already counted with their controller
    for node in nodes:
        if id(node.data) in done:
            continue
        if node.cls == "storage" and _is_nvme_controller(node):
            drive = _nvme_drive(node, done)
        elif node.cls == "disk" and not any(a.cls == "disk" for a in node.ancestors):
            drive = _disk_drive(node)
        else:
            continue
        if drive.capacity is not None and drive.capacity > MAX_DRIVE_BYTES:
            raise HardwareReportError(
                _("lshw: %(node)s: a drive of %(size)s TB is more than 100 TB.")
                % {"node": drive.where, "size": drive.capacity // 10**12}
            )
        drive.skip_reason = _skip_reason(node, drive, lsblk)
        if drive.skip_reason:
            skipped.append(drive)
        else:
            drives.append(drive)
    return drives, skipped


def _is_nvme_controller(node: _Node) -> bool:
    return (
        _clean(node.get("description")) == "NVMe device"
        or any(NVME_CONTROLLER_NAME.match(_devname(name)) for name in node.logicalnames())
        or _clean(node.configuration().get("driver")) == "nvme"
        or "nvm_express" in node.capabilities()
    )


def _nvme_drive(node: _Node, done: set[int]) -> _Drive:
    """An NVMe controller and its namespaces (disks) make one drive."""
    model = _real(node.get("product"))
    serial = _real(node.get("serial"))
    names = node.devnames()
    capacity: int | None = None
    for index, child in enumerate(_list(node.get("children"))):
        if not isinstance(child, dict) or _clean(child.get("class")).lower() != "disk":
            continue
        namespace = _Node(child, f"{node.path}.children[{index}]", (*node.ancestors, node))
        done.add(id(child))
        size = namespace.bytes_size()
        if size is not None:
            capacity = (capacity or 0) + size
        names |= namespace.devnames()
        # Older lshw put the model and serial on the namespace.
        model = model or _real(child.get("product"))
        serial = serial or _real(child.get("serial"))
    # lshw B.02.18 knows NVMe only as a PCI controller: its product is the controller's
    # name ("NVMe SSD Controller SM981/PM981"), not the drive's; smartctl will tell.
    return _Drive("nvme", model, serial, capacity, node.label, names)


def _disk_drive(node: _Node) -> _Drive:
    size = node.bytes_size()
    if size is None:  # a removable disk's size is on its "medium" child
        for child in _list(node.get("children")):
            if isinstance(child, dict) and _clean(child.get("class")).lower() == "disk":
                size = _Node(child, node.path, ()).bytes_size()
                break
    names = node.devnames()
    model = _real(node.get("product"))
    description = _clean(node.get("description"))
    kind: str | None = None
    if any(NVME_NAMESPACE_NAME.match(name) for name in names) or description == "NVMe disk":
        kind = "nvme"
    elif _is_emmc(node):
        kind = "emmc"
    return _Drive(kind, model, _real(node.get("serial")), size, node.label, names)


def _is_emmc(node: _Node) -> bool:
    return re.fullmatch(r"card(:\d+)?", node.id) is not None or any(
        name.startswith("mmcblk") for name in node.devnames()
    )


def _skip_reason(node: _Node, drive: _Drive, lsblk: dict[str, dict]) -> str:
    """Why a disk is not part of the computer, or "" if it is."""
    capabilities = node.capabilities()
    logicalnames = node.logicalnames()
    if (
        node.id.startswith(("cdrom", "floppy"))
        or capabilities & CDROM_CAPABILITIES
        or any(re.fullmatch(r"/dev/(sr\d+|cdrom|dvd|fd\d+)", name) for name in logicalnames)
    ):
        return "optical or floppy drive"
    known = [lsblk[name] for name in drive.names if name in lsblk]
    if "removable" in capabilities or any(entry["rm"] for entry in known):
        return "removable medium"
    if _clean(node.get("description")) == "SD Card":
        return "SD card"
    for descendant in _walk(node.data, node.path):
        if LIVE_MOUNTPOINTS & set(descendant.logicalnames()):
            return "holds the running live system"
    # Checked last: only this reason gives way to a SMART report (see _merge_smartctl).
    if any(_clean(n.get("businfo")).startswith("usb@") for n in (*node.ancestors, node)):
        return USB_BUS
    if any(entry["tran"] == "usb" for entry in known):
        return USB_BUS
    return ""


# --- smartctl -------------------------------------------------------------------------------


@dataclass
class _SmartReport:
    index: int
    names: set[str]
    usb: bool
    kind: str | None
    model: str
    serial: str
    capacity: int | None
    passed: bool | None
    power_on_hours: int | None

    def __bool__(self) -> bool:  # a report that could read nothing is no report
        return bool(self.model or self.serial)


def _parse_smartctl(raw: Any, index: int) -> _SmartReport:
    source = f"smartctl[{index}]"
    document = _load_json(raw, source)
    if not isinstance(document, dict):
        raise HardwareReportError(
            _("%(source)s: expected one JSON object per smartctl run, got %(type)s.")
            % {"source": source, "type": _json_type(document)}
        )
    if not {"smartctl", "json_format_version", "device", "model_name"} & document.keys():
        raise HardwareReportError(
            _("%(source)s: this JSON is not smartctl --json output.") % {"source": source}
        )
    device = _dict(document.get("device"))
    device_name = _devname(device.get("name"))
    source = f"{source} ({device_name})" if device_name else source
    device_type = _clean(device.get("type")).lower()
    protocol = _clean(device.get("protocol")).lower()

    model = _real(document.get("model_name")) or _real(document.get("scsi_model_name"))
    if not model:
        model = " ".join(
            part
            for part in (_real(document.get("scsi_vendor")), _real(document.get("scsi_product")))
            if part
        )

    key = "user_capacity.bytes"
    capacity = _int(_dict(document.get("user_capacity")).get("bytes"))
    if capacity is None:
        key = "nvme_total_capacity"
        capacity = _int(document.get(key))
    if capacity is not None and capacity < 0:
        raise HardwareReportError(
            _("%(source)s: %(key)s is negative (%(value)s).")
            % {"source": source, "key": key, "value": capacity}
        )
    if capacity is not None and capacity > MAX_DRIVE_BYTES:
        raise HardwareReportError(
            _("%(source)s: %(key)s says %(size)s TB, more than 100 TB.")
            % {"source": source, "key": key, "size": capacity // 10**12}
        )

    kind: str | None = None
    rotation_rate = _int(document.get("rotation_rate"))
    if device_type == "nvme" or protocol == "nvme":
        kind = "nvme"
    elif rotation_rate == 0:
        kind = "ssd"
    elif rotation_rate is not None and rotation_rate > 0:
        kind = "hdd"

    passed = _dict(document.get("smart_status")).get("passed")
    hours = _int(_dict(document.get("power_on_time")).get("hours"))
    if hours is None:
        hours = _int(_dict(document.get("nvme_smart_health_information_log")).get("power_on_hours"))
    if hours is not None and not 0 <= hours <= MAX_POWER_ON_HOURS:
        hours = None  # vendor-specific encodings sometimes leak through: unknown, not wrong

    return _SmartReport(
        index=index,
        names=_aliases(device_name),
        usb=device_type.startswith("usb"),
        kind=kind,
        model=model,
        serial=_real(document.get("serial_number")),
        capacity=capacity or None,
        passed=passed if isinstance(passed, bool) else None,
        power_on_hours=hours,
    )


def _merge_smartctl(
    drives: list[_Drive],
    skipped: list[_Drive],
    reports: list[_SmartReport],
    lsblk: dict[str, dict],
) -> None:
    """smartctl knows drives best: its values replace lshw's for the same drive.

    A report goes with the lshw drive of the same serial number; failing that, with the one of
    the same device name (/dev/sda), since some tools format serials differently; failing
    that, an NVMe report goes with an NVMe controller lshw saw without a serial (lshw B.02.18).
    A report of a skipped disk (the live stick…) is dropped, except a SMART verdict of a
    disk skipped only for being on USB: an internal disk read in a USB dock, which must be
    erased and whose failing verdict must show. Any other report is a drive lshw missed.
    """
    matched: set[int] = set()

    def free(drive: _Drive) -> bool:
        return id(drive) not in matched

    pending = []
    for report in reports:
        blocker = next((d for d in skipped if d.matches(report.serial, report.names)), None)
        if blocker is not None:
            if not _bridged_disk(blocker.skip_reason, report, lsblk):
                continue
            skipped.remove(blocker)
            drives.append(blocker)
            matched.add(id(blocker))
            _apply_smartctl(blocker, report)
            continue
        drive = next((d for d in drives if free(d) and d.matches(report.serial, set())), None)
        if drive is None:
            pending.append(report)
        else:
            matched.add(id(drive))
            _apply_smartctl(drive, report)
    for report in pending:
        drive = next((d for d in drives if free(d) and d.matches("", report.names)), None)
        if drive is None and report.kind == "nvme":
            drive = next((d for d in drives if free(d) and d.kind == "nvme" and not d.serial), None)
        if drive is None:
            known = [lsblk[name] for name in report.names if name in lsblk]
            on_usb = report.usb or any(e["tran"] == "usb" for e in known)
            if on_usb and not _bridged_disk(USB_BUS, report, lsblk):
                continue
            if any(e["rm"] for e in known):
                continue
            drive = _Drive(None, "", "", None, f"smartctl[{report.index}]", set(report.names))
            drives.append(drive)
        matched.add(id(drive))
        _apply_smartctl(drive, report)


def _bridged_disk(skip_reason: str, report: _SmartReport, lsblk: dict[str, dict]) -> bool:
    """A disk behind a USB bridge that answered SMART (smartctl -d sat, -d usbjmicron…).

    The live stick and card readers are removable or hold the live system, and do not
    answer SMART: they stay out. A disk in a dock gives its own verdict: it is one of the
    machine's drives (often taken out of it), to be erased, and never sold failing.
    """
    if skip_reason != USB_BUS or report.passed is None:
        return False
    return not any(lsblk[name]["rm"] for name in report.names if name in lsblk)


def _apply_smartctl(drive: _Drive, report: _SmartReport) -> None:
    drive.from_smartctl = True
    drive.model = report.model or drive.model
    drive.serial = report.serial or drive.serial
    drive.capacity = report.capacity or drive.capacity
    if drive.kind != "emmc":
        drive.kind = report.kind or drive.kind
    drive.names |= report.names
    drive.smart_passed = report.passed
    drive.power_on_hours = report.power_on_hours


# --- lsblk ----------------------------------------------------------------------------------


def _parse_lsblk(raw: Any) -> dict[str, dict]:
    """lsblk's whole disks by name: {"sda": {"size", "rota", "tran", "rm", ...}}."""
    document = _load_json(raw, "lsblk")
    devices = document.get("blockdevices") if isinstance(document, dict) else None
    if not isinstance(devices, list):
        raise HardwareReportError(
            _('lsblk: this JSON is not lsblk --json output (no "blockdevices" list).')
        )
    result: dict[str, dict] = {}
    for index, entry in enumerate(devices):
        if not isinstance(entry, dict):
            continue
        name = _devname(entry.get("name"))
        if not name:
            continue
        size = _int(entry.get("size"))
        where = f"lsblk: blockdevices[{index}] ({name})"
        if size is not None and size < 0:
            raise HardwareReportError(
                _("%(where)s: the size is negative (%(size)s bytes).")
                % {"where": where, "size": size}
            )
        if size is not None and size > MAX_DRIVE_BYTES:
            raise HardwareReportError(
                _("%(where)s: a drive of %(size)s TB is more than 100 TB.")
                % {"where": where, "size": size // 10**12}
            )
        result[name] = {
            "name": name,
            "type": _clean(entry.get("type")).lower(),
            "size": size,
            "model": _real(entry.get("model")),
            "serial": _real(entry.get("serial")),
            "rota": _bool(entry.get("rota")),
            "tran": _clean(entry.get("tran")).lower(),
            "rm": _bool(entry.get("rm")) is True,
            "where": where,
        }
    return result


def _merge_lsblk(drives: list[_Drive], skipped: list[_Drive], lsblk: dict[str, dict]) -> None:
    """Fill what lshw and smartctl left unknown; add the whole disks they both missed."""
    used: set[str] = set()
    for drive in drives:
        entry = next((lsblk[n] for n in sorted(drive.names) if n in lsblk), None)
        if entry is None and drive.serial:
            entry = next(
                (
                    e
                    for e in lsblk.values()
                    if e["serial"] and _normal_serial(e["serial"]) == _normal_serial(drive.serial)
                ),
                None,
            )
        if entry is None:
            continue
        used.add(entry["name"])
        if drive.kind is None:
            if entry["tran"] == "nvme" or NVME_NAMESPACE_NAME.match(entry["name"]):
                drive.kind = "nvme"
            elif entry["rota"] is not None:
                drive.kind = "hdd" if entry["rota"] else "ssd"
        drive.capacity = drive.capacity or entry["size"] or None
        # lshw cuts ATA models to 16 characters ("ST1000DM003-1SB1"); lsblk may know all.
        if entry["model"].startswith(drive.model) and not drive.from_smartctl:
            drive.model = entry["model"]
        drive.serial = drive.serial or entry["serial"]
    for drive in skipped:
        used |= drive.names
    for entry in lsblk.values():
        if (
            entry["name"] in used
            or entry["type"] != "disk"
            or NOT_A_DRIVE_NAME.match(entry["name"])
            or entry["tran"] == "usb"
            or entry["rm"]
            or not entry["size"]
            or entry["size"] < 10**9  # below 1 GB: a firmware area, not a drive
            or any(d.matches(entry["serial"], _aliases(entry["name"])) for d in drives)
        ):
            continue
        kind = None
        if entry["tran"] == "nvme" or NVME_NAMESPACE_NAME.match(entry["name"]):
            kind = "nvme"
        elif entry["name"].startswith("mmcblk"):
            kind = "emmc"
        elif entry["rota"] is not None:
            kind = "hdd" if entry["rota"] else "ssd"
        drives.append(
            _Drive(
                kind,
                entry["model"],
                entry["serial"],
                entry["size"],
                entry["where"],
                _aliases(entry["name"]),
            )
        )


def _drive_specs(drives: list[_Drive]) -> tuple[DriveSpec, ...]:
    specs: list[DriveSpec] = []
    serials: set[str] = set()
    for drive in drives:
        if drive.serial:
            if _normal_serial(drive.serial) in serials:
                continue  # the same drive seen twice
            serials.add(_normal_serial(drive.serial))
        # Last resort, when neither smartctl nor lsblk told: the model's own words.
        kind = drive.kind or _kind_from_model(drive.model)
        capacity_gb = round(drive.capacity / 10**9) if drive.capacity else None
        specs.append(
            DriveSpec(
                kind=kind,
                model=_clip(drive.model, 120),
                serial=_clip(drive.serial, SERIAL_MAX_LENGTH),
                capacity_gb=capacity_gb or None,
                smart_passed=drive.smart_passed,
                power_on_hours=drive.power_on_hours,
            )
        )
    specs.sort(key=lambda spec: KIND_ORDER.index(spec.kind))
    return tuple(specs)


def _kind_from_model(model: str) -> str:
    """ "ssd" or "hdd" from a drive's model name, "other" if it does not say.

    Old disks leave the rotation rate out of their identity (ATA-7 and before), and lshw
    alone never tells; the model names of hard disk lines are well known.
    """
    if SSD_MODEL.search(model):
        return "ssd"
    if HDD_MODEL.match(model):
        return "hdd"
    return "other"


def _storage_summary(drives: tuple[DriveSpec, ...]) -> str:
    labels = {"nvme": "NVMe", "ssd": "SSD", "emmc": "eMMC", "hdd": "HDD", "other": _("drive")}
    groups: dict[tuple[int | None, str], int] = {}
    for drive in drives:
        key = (drive.capacity_gb, drive.kind)
        groups[key] = groups.get(key, 0) + 1
    parts = []
    for (capacity_gb, kind), count in groups.items():
        text = labels[kind]
        if capacity_gb:
            text = _("%(size)s GB %(kind)s") % {"size": capacity_gb, "kind": text}
        parts.append(f"{count} × {text}" if count > 1 else text)
    return " + ".join(parts)


# --- Battery --------------------------------------------------------------------------------


def _battery(nodes: list[_Node], uevent: Any) -> tuple[int | None, int | None, int | None]:
    design = None
    for node in nodes:
        if node.cls != "power":
            continue
        units = _clean(node.get("units")).lower()
        if not (node.id.startswith("battery") or units == "mwh") or units not in ("", "mwh"):
            continue  # a desktop's power supply (DMI type 39) is in watts
        capacity = _int(node.get("capacity"))
        if capacity is None:
            continue
        if capacity < 0:
            raise HardwareReportError(
                _("lshw: %(node)s: the battery capacity is negative (%(value)s mWh).")
                % {"node": node.label, "value": capacity}
            )
        if capacity > MAX_BATTERY_MWH:
            raise HardwareReportError(
                _("lshw: %(node)s: a battery of %(value)s mWh is more than 500 Wh.")
                % {"node": node.label, "value": capacity}
            )
        design = (design or 0) + capacity
    full = None
    health = None
    if uevent is not None:
        batteries = _parse_uevent(uevent)
        if batteries:
            uevent_design, uevent_full, health = _uevent_capacities(batteries)
            if uevent_design:  # the same source for both numbers: their ratio is the health
                design, full = uevent_design, uevent_full
    if design is not None and design <= 0:
        design = None
    if design and full is not None:
        health = max(0, min(100, round(100 * full / design)))
    return design, full, health


def _parse_uevent(raw: Any) -> list[dict[str, str]]:
    """The POWER_SUPPLY_* lines of one or more /sys/class/power_supply/*/uevent files."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        text = bytes(raw).decode("utf-8", errors="replace")
    elif isinstance(raw, str):
        text = raw
    else:
        raise HardwareReportError(
            _("battery: expected text, got %(type)s.") % {"type": type(raw).__name__}
        )
    supplies: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if not sep or not key.startswith("POWER_SUPPLY_"):
            continue
        key = key[len("POWER_SUPPLY_") :]
        if key == "NAME" and current:
            supplies.append(current)
            current = {}
        current[key] = value.strip()
    if current:
        supplies.append(current)
    if text.strip() and not supplies:
        raise HardwareReportError(
            _("battery: no POWER_SUPPLY_ line: this is not a power_supply uevent file.")
        )
    return [
        supply
        for supply in supplies
        if supply.get("TYPE", "Battery") == "Battery" and supply.get("SCOPE") != "Device"
    ]


def _uevent_capacities(
    batteries: list[dict[str, str]],
) -> tuple[int | None, int | None, int | None]:
    """Sum the batteries' design and full capacities in mWh (and the health, if in mAh)."""
    design_total = full_total = 0
    ratios = []
    convertible = every_full = True
    for battery in batteries:
        name = battery.get("NAME") or "?"
        values = {key: _int(battery.get(key)) for key in battery}
        if values.get("ENERGY_FULL_DESIGN") is not None:
            design, full, scale = values["ENERGY_FULL_DESIGN"], values.get("ENERGY_FULL"), 1000
        elif values.get("CHARGE_FULL_DESIGN") is not None:
            design, full = values["CHARGE_FULL_DESIGN"], values.get("CHARGE_FULL")
            volts = values.get("VOLTAGE_MIN_DESIGN")  # µV; µAh × µV / 10⁹ = mWh
            scale = 10**9 / volts if volts and volts > 0 else None
        else:
            continue
        if design < 0 or (full is not None and full < 0):
            raise HardwareReportError(
                _("battery %(name)s: a capacity is negative.") % {"name": name}
            )
        if full is not None and design and full > MAX_BATTERY_FULL_RATIO * design:
            unit = "mWh" if scale else "mAh"
            raise HardwareReportError(
                _(
                    "battery %(name)s: the full-charge capacity (%(full)s %(unit)s) is more "
                    "than twice the design capacity (%(design)s %(unit)s): a reading error."
                )
                % {
                    "name": name,
                    "full": round(full / (scale or 1000)),
                    "design": round(design / (scale or 1000)),
                    "unit": unit,
                }
            )
        if design and full is not None:
            ratios.append(full / design)
        every_full = every_full and full is not None
        if scale is None:
            convertible = False
            continue
        design_total += round(design / scale)
        full_total = full_total + round(full / scale) if full is not None else full_total
        if design / scale > MAX_BATTERY_MWH:
            raise HardwareReportError(
                _("battery %(name)s: a battery of %(value)s mWh is more than 500 Wh.")
                % {"name": name, "value": round(design / scale)}
            )
    if not convertible:
        health = round(100 * ratios[0]) if len(ratios) == 1 else None
        return None, None, None if health is None else max(0, min(100, health))
    if not design_total:
        return None, None, None
    return design_total, full_total if every_full else None, None

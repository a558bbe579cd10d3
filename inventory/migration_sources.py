"""Devices from other tools' exports, read with those tools' own column names, so that
an association moves to Réemploi without retyping its inventory.

- Snipe-IT (snipe/snipe-it): the hardware list's "Export" button writes the columns on
  screen with their titles, and Reports › Custom Asset Report writes the columns ticked;
  both in the interface's language, English by default ("Asset Tag", "Asset Name",
  "Serial", "Model", "Model No.", "Category", "Manufacturer", "Location", "Status",
  "Notes"…), then the custom fields by their names ("RAM", "CPU", "MAC Address"…).
- eReuse DeviceHub (ereuse/devicehub-teal): Inventory › Export › Devices writes one row
  a device, `;`-separated, about 250 columns ("DHID", "Device Type", "Device Chassis",
  "Device Serial Number", "Device Model", "Device Manufacturer", "Processor",
  "RAM (MB)", "Data Storage Size (MB)", then every component's details).

Only the columns that describe the device are read; the others are listed as ignored.
Their identifiers (Snipe-IT's asset tag, printed on labels already stuck on the devices;
DeviceHub's DHID) are written in the notes of each new device, where the search finds
them. A known serial number updates the device, as in any device import; the notes of
a known device are left as they are.
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory.models import Category, Site
from inventory.resources import CATEGORY_ALIASES, DeviceResource, PluralChoiceWidget, SerialWidget
from spreadsheets.columns import Column, header_key
from spreadsheets.values import is_empty, plain
from spreadsheets.widgets import LookupWidget, RamWidget, StorageWidget, TextWidget


class SourceColumn(Column):
    """A column of another tool's export, recognised by that tool's headers only; its
    label is the header itself, so that messages name the column as the file does."""

    def __init__(self, key, header, *, aliases=(), **kwargs):
        super().__init__(key, label=header, aliases=(header, *aliases), **kwargs)

    def names(self):
        return {header_key(alias) for alias in self.aliases} - {""}


class SourceDeviceResource(DeviceResource):
    """The device import, reading another tool's columns (SourceColumn) and only them."""

    # Their asset tags are theirs: devices are found by serial number only.
    natural_keys = (("manufacturer", "serial_number"), ("serial_number",))

    @classmethod
    def columns(cls):
        return [field for field in cls.fields.values() if isinstance(field, SourceColumn)]

    def after_import_values(self, instance, row):
        super().after_import_values(instance, row)
        if instance.pk is None:
            instance.notes = "\n".join(line for line in self.notes_for(row) if line)

    def notes_for(self, row):
        """The lines of a new device's notes: its identifiers in the other tool."""
        return []


def _words(value):
    return "" if is_empty(value) else " ".join(str(value).split())


def _text(row, key):
    return _words(row.get(key))


class SiteNameWidget(LookupWidget):
    """A site named by its name or its code, accents and case aside (Snipe-IT's
    "Location" names the place; sites are few, so they are all read at once)."""

    def __init__(self, **kwargs):
        super().__init__(
            Site,
            "code",
            message=gettext_lazy(
                "No site is named or coded “%(value)s” in Réemploi: create it, or empty "
                "the cell to use the site chosen for the whole file."
            ),
            **kwargs,
        )
        self.loaded = False

    def key(self, value):
        return plain(value)

    def prime(self, raw_values):
        if self.loaded:
            return
        for site in Site.objects.all():
            self.cache[plain(site.code)] = site
            self.cache.setdefault(plain(site.name), site)
        self.loaded = True


class SnipeItDeviceResource(SourceDeviceResource):
    """A Snipe-IT asset export (hardware list export or custom asset report)."""

    serial_number = SourceColumn("serial_number", "Serial", widget=SerialWidget())
    manufacturer = SourceColumn("manufacturer", "Manufacturer", widget=TextWidget())
    model = SourceColumn("model", "Model", widget=TextWidget())
    model_number = SourceColumn("model_number", "Model No.", attribute=None)
    category = SourceColumn(
        "category",
        "Category",
        widget=PluralChoiceWidget(Category.choices, CATEGORY_ALIASES),
        required=True,
    )
    # Custom fields, named by each installation; the usual names.
    cpu = SourceColumn("cpu", "CPU", aliases=["Processor"], widget=TextWidget())
    ram_mb = SourceColumn("ram_mb", "RAM", aliases=["Memory"], widget=RamWidget())
    storage_summary = SourceColumn(
        "storage_summary",
        "Storage",
        aliases=["Hard Drive", "HDD", "SSD", "Disk"],
        widget=StorageWidget(),
    )
    site = SourceColumn("site", "Location", widget=SiteNameWidget())
    former_tag = SourceColumn("former_tag", "Asset Tag", attribute=None)
    former_name = SourceColumn("former_name", "Asset Name", attribute=None)
    their_notes = SourceColumn("their_notes", "Notes", attribute=None)

    def after_import_values(self, instance, row):
        super().after_import_values(instance, row)
        if not instance.model:
            instance.model = _text(row, "model_number")

    def notes_for(self, row):
        tag, name = _text(row, "former_tag"), _text(row, "former_name")
        return [
            tag and _("Former Snipe-IT asset tag: %(tag)s") % {"tag": tag},
            name and _("Name in Snipe-IT: %(name)s") % {"name": name},
            _text(row, "their_notes"),
        ]

    def missing_site_message(self):
        return _(
            "Say which site received the device: fill the “Location” column (a site's "
            "name or code), or choose a site for the whole file."
        )


# DeviceHub's device types (its model class names) and chassis, as ours.
DEVICEHUB_TYPES = {
    "Laptop": Category.LAPTOP,
    "Desktop": Category.DESKTOP,
    "Server": Category.DESKTOP,
    "Smartphone": Category.SMARTPHONE,
    "Cellphone": Category.SMARTPHONE,
    "Mobile": Category.SMARTPHONE,
    "Tablet": Category.TABLET,
    "Monitor": Category.SCREEN,
    "ComputerMonitor": Category.SCREEN,
    "TelevisionSet": Category.SCREEN,
    "Projector": Category.OTHER,
    "Printer": Category.OTHER,
    "LabelPrinter": Category.OTHER,
    "Keyboard": Category.OTHER,
    "Mouse": Category.OTHER,
    "MemoryCardReader": Category.OTHER,
    "SAI": Category.OTHER,
}
DEVICEHUB_CHASSIS = {
    "Laptop": Category.LAPTOP,
    "Netbook": Category.LAPTOP,
    "Convertible": Category.LAPTOP,
    "Detachable": Category.LAPTOP,
    "Tower": Category.DESKTOP,
    "Microtower": Category.DESKTOP,
    "AllInOne": Category.DESKTOP,
    "PizzaBox": Category.DESKTOP,
    "Lunchbox": Category.DESKTOP,
    "Docking": Category.DESKTOP,
    "Stick": Category.DESKTOP,
    "Tablet": Category.TABLET,
}
# Drives DeviceHub lists among devices: here a drive belongs to the device it came
# from, where its erasure is recorded, or to the parts stock.
DEVICEHUB_DRIVES = {"DataStorage", "HardDrive", "SolidStateDrive"}


class DeviceHubTypeWidget(PluralChoiceWidget):
    """DeviceHub's "Device Type", its "Device Chassis" saying what a "Computer" is."""

    # It reads another cell of the row (the chassis).
    memoizable = False

    def __init__(self, **kwargs):
        super().__init__(Category.choices, CATEGORY_ALIASES, **kwargs)

    def clean(self, value, row=None, **kwargs):
        kind = _words(value)
        if kind in DEVICEHUB_DRIVES:
            raise ValueError(
                _(
                    "“%(text)s” is a drive, not a device: import it as a drive of the "
                    "device it came from, or count it in the parts stock."
                )
                % {"text": kind}
            )
        chassis = _text(row or {}, "chassis")
        if kind in DEVICEHUB_TYPES:
            return DEVICEHUB_TYPES[kind]
        if chassis in DEVICEHUB_CHASSIS and kind in ("", "Computer"):
            return DEVICEHUB_CHASSIS[chassis]
        return super().clean(value, row, **kwargs)


class MegabytesStorageWidget(TextWidget):
    """DeviceHub's "Data Storage Size (MB)", the drives' total in decimal megabytes,
    as a summary in gigabytes like a hardware report's (256060 → "256 GB")."""

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if not text:
            return ""
        try:
            megabytes = Decimal(re.sub(r"\s", "", text).replace(",", "."))
        except InvalidOperation:
            megabytes = Decimal(-1)
        if not megabytes.is_finite() or megabytes < 0:
            raise ValueError(
                _("“%(text)s” is not a number of megabytes (write e.g. 256060).") % {"text": text}
            )
        gigabytes = round(megabytes / 1000)
        return f"{gigabytes} GB" if gigabytes else ""


class DeviceHubDeviceResource(SourceDeviceResource):
    """An eReuse DeviceHub device export (CSV)."""

    serial_number = SourceColumn("serial_number", "Device Serial Number", widget=SerialWidget())
    manufacturer = SourceColumn("manufacturer", "Device Manufacturer", widget=TextWidget())
    model = SourceColumn("model", "Device Model", widget=TextWidget())
    category = SourceColumn("category", "Device Type", widget=DeviceHubTypeWidget(), required=True)
    chassis = SourceColumn("chassis", "Device Chassis", attribute=None)
    cpu = SourceColumn("cpu", "Processor", widget=TextWidget())
    ram_mb = SourceColumn("ram_mb", "RAM (MB)", widget=RamWidget(unit="mb"))
    storage_summary = SourceColumn(
        "storage_summary", "Data Storage Size (MB)", widget=MegabytesStorageWidget()
    )
    dhid = SourceColumn("dhid", "DHID", attribute=None)

    def notes_for(self, row):
        dhid = _text(row, "dhid")
        return [dhid and _("Former DeviceHub DHID: %(dhid)s") % {"dhid": dhid}]

    def missing_site_message(self):
        return _(
            "A DeviceHub export does not say where the devices are: choose the site (or "
            "the donation) of the whole file."
        )


# Other tools' exports, by the source name the import page and `import_data --source` use.
SOURCE_RESOURCES = {"snipeit": SnipeItDeviceResource, "devicehub": DeviceHubDeviceResource}

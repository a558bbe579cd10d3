"""What each kind of label says: the barcode, the text under it, the QR code, the lines.

Builders return plain strings in the active language, so that a PDF drawn by a task
inside `translation.override(...)` speaks that language.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inventory.models import Device, Donation, Grade, Location, Organisation, organisation_name
from inventory.scan.codes import ACTIONS, device_public_url
from labels.models import LabelBatch

Kind = LabelBatch.Kind


@dataclass
class LabelContent:
    """One label: `barcode` is encoded as Code128 and printed in words as `human`
    under the bars; `qr` (optional) becomes a QR code; `lines` are printed above, the
    first in bold, the last ones dropped first when the label is short of room."""

    barcode: str
    human: str
    qr: str | None = None
    lines: list[str] = field(default_factory=list)


class NothingToPrint(ValueError):
    """What was asked for does not exist; the message names what is missing."""


# "Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz" is printed "i5-8350U".
_CPU_NOISE = re.compile(r"\((R|TM)\)|\bCPU\b|\bProcessor\b|@.*$", re.IGNORECASE)
_CPU_BRAND = re.compile(r"^Intel (Core )?", re.IGNORECASE)


def short_cpu(cpu):
    return _CPU_BRAND.sub("", " ".join(_CPU_NOISE.sub(" ", cpu).split()))


def _grade_line(device):
    if not device.grade:
        return ""
    if device.grade == Grade.PARTS:
        return str(device.get_grade_display())
    return _("Grade %(grade)s") % {"grade": device.grade}


def device_lines(device, organisation="", phone=""):
    """The lines of a device's label; the organisation's phone last, so that it is the
    first line left out on a label short of room."""
    specs = (short_cpu(device.cpu), str(device.ram_display), device.storage_summary)
    lines = [
        str(device.get_category_display()),
        device.make_and_model,
        " · ".join(part for part in specs if part),
        _grade_line(device),
        organisation or organisation_name(),
        _("Tel. %(phone)s") % {"phone": phone} if phone else "",
    ]
    return [line for line in lines if line]


def _organisation_name_and_phone():
    """The name and phone labels print, in one query (ORGANISATION_NAME when unsaved)."""
    saved = Organisation.objects.order_by("pk").values_list("name", "phone").first()
    if saved is None:
        return settings.ORGANISATION_NAME, ""
    return saved[0] or settings.ORGANISATION_NAME, saved[1]


def device_labels(devices):
    """A label per device: asset tag in bars and words, QR code of its public page."""
    organisation, phone = _organisation_name_and_phone()
    return [
        LabelContent(
            barcode=device.asset_tag,
            human=device.asset_tag,
            qr=device_public_url(device.asset_tag),
            lines=device_lines(device, organisation, phone),
        )
        for device in devices
    ]


def location_labels(locations):
    """A label per shelf or bin: its code in bars and large type, its name and site."""
    return [
        LabelContent(
            barcode=location.code,
            human=location.code,
            lines=[line for line in (location.name, location.site.name) if line],
        )
        for location in locations
    ]


def action_labels(actions=ACTIONS):
    """The sheet of scan-station actions: each code with what it does, in words."""
    return [LabelContent(barcode=action.code, human=str(action.label)) for action in actions]


def _normalised(codes):
    return list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))


def devices_for(tags=None, donation=None):
    """Devices to label, by asset tag and/or donation (a Donation or its id), ordered
    by asset tag, with what the labels print fetched in one query.

    Raises NothingToPrint naming the asset tags or the donation that do not exist.
    """
    if tags is None and donation is None:
        raise ValueError("devices_for() needs tags or a donation")
    devices = Device.objects.select_related("site", "location").order_by("asset_tag")
    if donation is not None:
        donation_id = getattr(donation, "pk", donation)
        if not Donation.objects.filter(pk=donation_id).exists():
            raise NothingToPrint(_("There is no donation #%(id)s.") % {"id": donation_id})
        devices = devices.filter(donation_id=donation_id)
    if tags is not None:
        tags = _normalised(tags)
        devices = devices.filter(asset_tag__in=tags)
        found = set(Device.objects.filter(asset_tag__in=tags).values_list("asset_tag", flat=True))
        missing = [tag for tag in tags if tag not in found]
        if missing:
            raise NothingToPrint(
                ngettext(
                    "No device has the asset tag %(tags)s.",
                    "No device has these asset tags: %(tags)s.",
                    len(missing),
                )
                % {"tags": ", ".join(missing)}
            )
    return devices


def locations_for(codes):
    """Locations by code, in code order; raises NothingToPrint naming unknown codes."""
    codes = _normalised(codes)
    locations = list(Location.objects.filter(code__in=codes).select_related("site"))
    found = {location.code for location in locations}
    missing = [code for code in codes if code not in found]
    if missing:
        raise NothingToPrint(
            ngettext(
                "No location has the code %(codes)s.",
                "No location has these codes: %(codes)s.",
                len(missing),
            )
            % {"codes": ", ".join(missing)}
        )
    return locations


# What a selection prints --------------------------------------------------------------


def _devices(params):
    tags, donation = params.get("tags") or None, params.get("donation")
    if tags is None and donation is None:
        return Device.objects.none()
    return devices_for(tags=tags, donation=donation)


def _locations(params):
    return (
        Location.objects.filter(pk__in=params.get("locations") or [])
        .select_related("site")
        .order_by("code")
    )


def count_labels(kind, params):
    """How many different labels a selection gives (before copies), without drawing them.

    Raises NothingToPrint naming the asset tags or donation that do not exist.
    """
    if kind == Kind.DEVICE:
        return _devices(params).count()
    if kind == Kind.LOCATION:
        return _locations(params).count()
    return len(action_labels())


def first_tags(tags, count):
    """The first `count` of these asset tags, in the order their labels are printed."""
    return list(_devices({"tags": tags}).values_list("asset_tag", flat=True)[:count])


def selected_tags(params):
    """The asset tags of a device selection, in the order their labels are printed.

    Raises NothingToPrint naming the asset tags or donation that do not exist.
    """
    return list(_devices(params).values_list("asset_tag", flat=True))


def tagged_labels(tags):
    """The labels of the devices of these asset tags, in the order given, repeats kept.

    Raises NothingToPrint naming the asset tags that no longer exist.
    """
    by_tag = {label.barcode: label for label in device_labels(devices_for(tags=set(tags)))}
    return [by_tag[tag] for tag in tags]


def selected_labels(kind, params, *, limit=None):
    """The contents of the labels a selection gives, the first `limit` ones if given."""
    if kind == Kind.DEVICE:
        return device_labels(_devices(params)[:limit])
    if kind == Kind.LOCATION:
        return location_labels(_locations(params)[:limit])
    return action_labels()[:limit]

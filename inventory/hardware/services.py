"""Writes of hardware reports: a machine's own description, read by lshw/smartctl/lsblk.

A report registers the device it describes, or updates it when its serial number is
already known, and is kept as received. The upload page, the device page, the
workstations' API and the `import_hardware` command all call `import_hardware_report`.
"""

import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import Refused, require
from inventory import services, workflow, workstations
from inventory.hardware.report import HardwareReportError, parse_hardware_report
from inventory.models import Category, Device, Drive, HardwareReport, WorkstationToken
from inventory.signals import device_registered

# What a report may change on a device it finds already registered.
DEVICE_FIELDS = (
    "manufacturer",
    "model",
    "cpu",
    "ram_mb",
    "storage_summary",
    "battery_design_mwh",
    "battery_full_mwh",
    "battery_health",
)
DRIVE_FIELDS = ("kind", "model", "capacity_gb", "smart_passed", "power_on_hours")


class MissingSiteError(HardwareReportError):
    """The report describes a new device and nothing says which site received it."""


class NotInWorkshopError(HardwareReportError):
    """The report is of a device away from the workshop (lent, sold…): it changes nothing."""


def import_hardware_report(
    *,
    lshw,
    smartctl=(),
    lsblk=None,
    battery=None,
    by,
    site=None,
    donation=None,
    source,
    workstation=None,
    device=None,
    serial=None,
):
    """Register or update the device a hardware report describes; keep the raw report.

    The device is found by its serial number; a new one starts in `received` at `site`
    (else the donation's, else the workstation's). Given `device`, the report must be
    of that device: it fills in a serial number typed nowhere yet, and the one typed
    from the label stands in for a firmware that holds none. `serial` does the same
    without a device (the command's --serial); a firmware's own serial number that
    differs from it is refused rather than guessed between.
    Fields the report leaves empty keep their value, a device without a donation gets
    `donation`; drives are matched by serial number and never removed.
    `battery` is the text of /sys/class/power_supply/BAT*/uevent, the only source of a
    battery's health; it is read, not kept (HardwareReport has no field for it).
    A device found away from the workshop (see workflow.WORKSHOP_STATUSES) is not
    touched: NotInWorkshopError.
    Returns (device, created); `device.hardware_changes` lists what changed.
    Raises HardwareReportError (nothing saved) and PermissionRefused.
    """
    require(by, "inventory.add_hardwarereport")
    typed = serial or (device.serial_number if device is not None else "")
    spec = _parse(lshw, list(smartctl), lsblk, battery, typed)
    if serial and services.normalise_serial(spec.serial) != services.normalise_serial(serial):
        raise HardwareReportError(
            _(
                "The firmware gives serial number %(found)s, not %(typed)s: leave the typed "
                "serial number out, or check the label."
            )
            % {"found": spec.serial, "typed": serial}
        )
    # The parser refuses a report without the machine's serial number.
    serial = services.normalise_serial(spec.serial)
    raw = {"lshw": lshw, "smartctl": smartctl, "lsblk": lsblk}
    site = site or _site_of(donation, workstation)
    # Two workstations sending the same new machine at once both find no device; the
    # second insert breaks the serial-number constraint and, tried again, finds the first.
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                target, created = _register_or_update(
                    spec, serial, by, site, donation, device, workstation
                )
                _keep_report(target, raw, source, workstation, by)
                if created:
                    device_registered.send(Device, device=target, by=by, workstation=workstation)
            return target, created
        except IntegrityError:
            if attempt == 2:
                raise
        except ValidationError as error:
            # A value the device cannot hold (too long, out of range): the report's fault.
            raise HardwareReportError(" ".join(error.messages)) from error


def _parse(lshw, smartctl, lsblk, battery, typed_serial):
    try:
        return parse_hardware_report(lshw, smartctl, lsblk, battery=battery)
    except HardwareReportError as error:
        # Whitebox firmware often holds no serial number ("To Be Filled By O.E.M."): for
        # a device registered by hand, the serial number typed from its label stands in.
        patched = _with_serial(lshw, typed_serial.strip()) if typed_serial else None
        if patched is None:
            raise
        first_error = error
    try:
        return parse_hardware_report(patched, smartctl, lsblk, battery=battery)
    except HardwareReportError:
        # Not (only) the serial number: the first error is the one to show.
        raise first_error from None


def _with_serial(lshw, serial):
    """lshw's JSON with `serial` as the machine's, or None where that cannot help."""
    try:
        document = json.loads(_text(lshw))
    except ValueError:
        return None
    nodes = document if isinstance(document, list) else [document]
    root = next((n for n in nodes if isinstance(n, dict) and n.get("class") == "system"), None)
    # lshw -sanitize hid every serial number, the drives' too: run it again without.
    if not serial or root is None or str(root.get("serial")).upper() == "[REMOVED]":
        return None
    root["serial"] = serial
    return json.dumps(document)


def _register_or_update(spec, serial, by, site, donation, device, workstation=None):
    target = _target_device(device, serial, spec.manufacturer)
    if target is None:
        target = _register(spec, serial, by, site, donation)
        target.hardware_changes = []
        created = True
    else:
        try:
            workflow.require_in_workshop(target)
        except workflow.NotInWorkshop as refusal:
            raise NotInWorkshopError(refusal.message) from refusal
        if workstation is not None:
            workstations.require_same_site(workstation, target)
        target.hardware_changes = _update(target, spec, serial, by, donation)
        created = False
    target.hardware_changes += _sync_drives(target, spec.drives, by)
    return target, created


def _site_of(donation, workstation):
    if donation is not None:
        return donation.site
    return workstation.site if workstation is not None else None


def _target_device(device, serial, manufacturer):
    if device is not None:
        if device.serial_number and device.serial_number != serial:
            raise HardwareReportError(
                _("This report is of the machine with serial number %(serial)s, not of %(tag)s.")
                % {"serial": serial, "tag": device.asset_tag}
            )
        if not device.serial_number and _find_by_serial(serial, manufacturer):
            raise HardwareReportError(
                _("Serial number %(serial)s is already registered on another device.")
                % {"serial": serial}
            )
        return Device.objects.select_for_update().get(pk=device.pk)
    return _find_by_serial(serial, manufacturer)


def _find_by_serial(serial, manufacturer):
    """The device with this serial; among several, the one of the same manufacturer."""
    found = list(Device.objects.select_for_update().filter(serial_number__iexact=serial))
    same_make = [d for d in found if d.manufacturer.lower() == (manufacturer or "").lower()]
    if same_make:
        return same_make[0]
    return found[0] if len(found) == 1 else None


def _register(spec, serial, by, site, donation):
    if site is None:
        raise MissingSiteError(
            _("This machine is not registered yet: choose the site that received it.")
        )
    fields = {name: getattr(spec, name) for name in DEVICE_FIELDS}
    return services.register_device(
        by=by,
        category=spec.category,
        serial_number=serial,
        site=site,
        donation=donation,
        **_fit(Device, {k: v for k, v in fields.items() if v is not None}),
    )


def _update(device, spec, serial, by, donation):
    wanted = {name: getattr(spec, name) for name in DEVICE_FIELDS}
    if device.category == Category.OTHER:
        wanted["category"] = spec.category
    if not device.serial_number:
        wanted["serial_number"] = serial
    if device.donation_id is None:
        wanted["donation"] = donation
    changed = _apply(device, _fit(Device, wanted))
    if changed:
        device.clean_fields(exclude=_other_fields(Device, changed))
        services.update_device(
            device=device, by=by, fields=changed, note=_("Hardware report imported")
        )
    return [str(Device._meta.get_field(name).verbose_name) for name in changed]


def _apply(obj, values):
    """Set the non-empty `values` that differ on `obj`; return the names of those fields."""
    changed = []
    for name, value in values.items():
        if value not in (None, "") and getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _fit(model, values):
    """Cut text to its column's length: lshw descriptions can be longer than we keep."""
    fitted = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        fitted[name] = value[:limit].strip() if isinstance(value, str) and limit else value
    return fitted


def _other_fields(model, names):
    return [f.name for f in model._meta.concrete_fields if f.name not in names]


def _sync_drives(device, drive_specs, by):
    """Add the drives not seen before; update those found by serial. Returns what changed.

    Drives missing from the report stay: taking a drive out is recorded as an erasure
    outcome ("removed"), never by a report.
    """
    existing = list(device.drives.all())
    changes = []
    for spec in drive_specs:
        serial = services.normalise_serial(spec.serial)
        values = _fit(Drive, {name: getattr(spec, name) for name in DRIVE_FIELDS})
        drive = _matching_drive(existing, serial, values)
        if drive is None:
            values = {k: v for k, v in values.items() if v is not None}
            drive = services.add_drive(device=device, by=by, serial_number=serial, **values)
            existing.append(drive)
            changes.append(_("new drive %(drive)s") % {"drive": drive})
            continue
        changed = _apply(drive, values)
        if changed:
            require(by, "inventory.change_drive")
            drive.clean_fields(exclude=_other_fields(Drive, changed))
            drive._history_user = by
            drive._change_reason = _("Hardware report imported")
            drive.save(update_fields=changed)
            changes += [
                _("drive %(drive)s: %(field)s")
                % {"drive": drive, "field": Drive._meta.get_field(name).verbose_name}
                for name in changed
            ]
    return changes


def _matching_drive(drives, serial, values):
    if serial:
        return next((d for d in drives if d.serial_number == serial), None)
    # Without a serial number, the same model and size with no serial is the same drive.
    return next(
        (
            d
            for d in drives
            if not d.serial_number
            and d.model == (values["model"] or "")
            and d.capacity_gb == values["capacity_gb"]
        ),
        None,
    )


def _keep_report(device, raw, source, workstation, by):
    return HardwareReport.objects.create(
        device=device,
        lshw=_text(raw["lshw"]),
        smartctl=[_json_or_text(item) for item in raw["smartctl"]],
        lsblk=_text(raw["lsblk"]) if raw["lsblk"] is not None else "",
        source=source,
        workstation=workstation,
        received_by=by,
    )


def _text(raw):
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    # PostgreSQL text and jsonb refuse NUL characters, even escaped in JSON.
    return text.replace("\x00", "").replace("\\u0000", "")


def _json_or_text(raw):
    text = _text(raw)
    try:
        return json.loads(text)
    except ValueError:
        return text


# Workstation tokens ---------------------------------------------------------------


def issue_workstation_token(*, name, site, user, by):
    """Create the API key of a workstation; return (token, clear key), the key shown once."""
    require(by, "inventory.add_workstationtoken")
    if not user.is_active or not user.has_perm("inventory.add_hardwarereport"):
        raise Refused(
            _("%(person)s may not send hardware reports: choose a technician.") % {"person": user}
        )
    return WorkstationToken.issue(name=name.strip(), site=site, user=user)


def revoke_workstation_token(*, token, by):
    """Revoke `token` at once; a second revocation keeps the first date."""
    require(by, "inventory.change_workstationtoken")
    WorkstationToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    return token

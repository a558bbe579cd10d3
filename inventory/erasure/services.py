"""Erasure services: importing an nwipe log, issuing certificates, and what a drive's
erasure state is this cycle.

Writes go through services.record_erasure and services.add_drive, so the permission
checks, the defaults (NIST level of the technique) and the history are the same as the
form's. Each write below is one transaction: on any error nothing is saved.
"""

import hashlib
import os
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Trim, Upper
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.refusals import Refused, require
from inventory import services, workflow, workstations
from inventory.erasure import rules
from inventory.erasure.nwipe import ErasureLogError, parse_nwipe_log
from inventory.erasure.workbench_record import (
    WorkbenchRecord,
    WorkbenchRecordError,
    looks_like_record,
    parse_workbench_record,
)
from inventory.models import (
    LEVEL_OF_METHOD,
    Device,
    Drive,
    Erasure,
    ErasureCertificate,
    ErasureLog,
    ErasureRun,
    Organisation,
    Status,
)

# A real nwipe log weighs a few kilobytes; even a verbose multi-day run stays far below.
MAX_LOG_BYTES = 10 * 1024 * 1024

_TOOLS = {"nwipe": Erasure.Tool.NWIPE, "shredos": Erasure.Tool.SHREDOS}
# nwipe's --verify option: "last_pass" reads back only the last pass, hence "sampled".
_VERIFICATIONS = {
    "none": Erasure.Verification.NONE,
    "last_pass": Erasure.Verification.SAMPLED,
    "all_passes": Erasure.Verification.FULL,
}


# Import of an nwipe log ----------------------------------------------------------------


def import_erasure_log(*, data, filename, by, device=None):
    """Record one erasure per drive wiped in an nwipe (or ShredOS) log; keep the file.

    Drives are found by serial number, among `device`'s drives when it is given (a
    serial not found there becomes a new drive of `device`), else among all drives.
    Raises Refused (a sentence saying why, nothing saved) when the file is not a
    usable log, was already imported, or names a drive that cannot be found.
    """
    _require_import(by)
    data, sha256 = _checked_bytes(data)
    _refuse_duplicate(sha256)
    report = _parse(data, filename)
    return _import(data, filename, sha256, report, by=by, device=device)


@dataclass(frozen=True)
class Reception:
    """What a workstation's log did: its device, its erasures, whether it was new."""

    device: Device
    erasures: list
    created: bool


def receive_erasure_log(*, data, filename, workstation, device=None, reasons=None):
    """Import the nwipe log a workstation sends, then move its device along the lifecycle.

    The same reading and all-or-nothing rule as import_erasure_log, for a log whose
    drives are on one device in the workshop (workflow.NotInWorkshop otherwise, nothing
    saved). A log already recorded is not refused: sent again (a replay, an answer lost
    on the way), it returns what it recorded the first time and writes nothing. A device
    received (or returned) goes to wiping, and from wiping to refurbishing once every
    drive has a passed erasure this cycle; a move the lifecycle refuses leaves the device
    where it is. The moves are made in the key's user's name, their note naming the
    workstation. `reasons` ({device path: sentence}) says why a drive was overwritten
    although the policy wanted Purge; it goes to that erasure's notes. The log may also
    be the workbench's JSON record of its purges (workbench_record). Returns a Reception.
    """
    by = workstation.user
    _require_import(by)
    data, sha256 = _checked_bytes(data)
    previous = ErasureLog.objects.filter(sha256=sha256).first()
    if previous is not None:
        return _received_before(previous, device)
    # A workstation that names the device wiped the drives inside it: a drive without a
    # serial number can only be that device's (see _drive_of_nameless_wipe).
    report = _parse(data, filename, nameless_allowed=device is not None)
    try:
        erasures = _import(
            data,
            filename,
            sha256,
            report,
            by=by,
            device=device,
            workstation=workstation,
            reasons=reasons or {},
        )
    except IntegrityError:
        # The same log sent twice at once: the second insert breaks the unique hash.
        previous = ErasureLog.objects.filter(sha256=sha256).first()
        if previous is None:
            raise
        return _received_before(previous, device)
    moved = Device.objects.get(pk=erasures[0].drive.device_id)
    return Reception(device=moved, erasures=erasures, created=True)


def _require_import(by):
    require(by, "inventory.add_erasure")
    require(by, "inventory.add_erasurelog")


def _checked_bytes(data):
    data = bytes(data)
    if len(data) > MAX_LOG_BYTES:
        raise Refused(
            _("This file is too large for an nwipe log (more than %(size)s MB).")
            % {"size": MAX_LOG_BYTES // (1024 * 1024)}
        )
    return data, hashlib.sha256(data).hexdigest()


def _parse(data, filename, *, nameless_allowed=False):
    # The workbench's own record (its purges) is JSON; nwipe's log is text.
    parse = parse_workbench_record if looks_like_record(data) else parse_nwipe_log
    try:
        report = parse(data)
    except (ErasureLogError, WorkbenchRecordError) as error:
        raise Refused(
            _("%(file)s cannot be imported: %(reason)s")
            % {"file": _base_name(filename), "reason": error}
        ) from error
    if not nameless_allowed:
        _refuse_wipes_without_serial(report.drives)
    return report


def _import(data, filename, sha256, report, *, by, device, workstation=None, reasons=None):
    """Write the log and its erasures in one transaction; from a workstation, check the
    device's status first and move it along after."""
    log = None
    try:
        with transaction.atomic():
            if workstation is not None and device is not None:
                # Before its drives are added to it: nothing is written to a lent device.
                device = _in_workshop(device, workstation)
            drives = _drives_of_wipes(report.drives, device=device, by=by, workstation=workstation)
            if workstation is not None and device is None:
                device = _in_workshop(_one_device(drives), workstation)
            log = _save_log(data, filename, sha256, report, by)
            record = _record_purge if isinstance(report, WorkbenchRecord) else _record_wipe
            reasons = reasons or {}
            erasures = [
                record(
                    wipe,
                    drive,
                    report=report,
                    log=log,
                    by=by,
                    workstation=workstation,
                    reason=reasons.get(wipe.device_path, ""),
                )
                for wipe, drive in zip(report.drives, drives, strict=True)
            ]
            if workstation is not None:
                _close_runs(device)
                _move_along(device, by=by, workstation=workstation)
            return erasures
    except BaseException:
        # The transaction is rolled back, but the file was written to the storage.
        if log is not None:
            log.file.delete(save=False)
        raise


def _in_workshop(device, workstation):
    """The device, locked, if a workstation may write about it: in the workshop and at
    the workstation's site."""
    locked = Device.objects.select_for_update().get(pk=device.pk)
    workflow.require_in_workshop(locked)
    workstations.require_same_site(workstation, locked)
    return locked


def _one_device(drives):
    devices = {drive.device for drive in drives}
    if len(devices) > 1:
        raise Refused(
            _(
                "The drives of this log are on several devices (%(tags)s): a workstation "
                "sends the log of one machine. Nothing was saved."
            )
            % {"tags": ", ".join(sorted(d.asset_tag for d in devices))}
        )
    return devices.pop()


def _move_along(device, *, by, workstation):
    note = _("Erasure log sent by the workstation “%(name)s”.") % {"name": workstation.name}
    try:
        workflow.move_on_after_erasure(device=device, by=by, note=note)
    except Refused:
        # A drive not erased yet, a loan still holding the device: the erasures stand,
        # the device stays where it got to; the answer says what is missing.
        return


def _received_before(log, device):
    erasures = list(log.erasures.select_related("drive__device").order_by("pk"))
    recorded_on = erasures[0].drive.device
    if device is not None and device.pk != recorded_on.pk:
        _refuse_duplicate(log.sha256)
    return Reception(device=recorded_on, erasures=erasures, created=False)


def _base_name(filename):
    return os.path.basename((filename or "").replace("\\", "/")) or "nwipe.log"


class AlreadyImported(Refused):
    """The log was imported before (found by its hash)."""


def _refuse_duplicate(sha256):
    previous = ErasureLog.objects.filter(sha256=sha256).order_by("uploaded_at").first()
    if previous is not None:
        raise AlreadyImported(
            _("This log was already imported on %(date)s (%(file)s): nothing was saved.")
            % {
                "date": formats.date_format(
                    timezone.localtime(previous.uploaded_at), "SHORT_DATETIME_FORMAT"
                ),
                "file": previous,
            }
        )


def _refuse_wipes_without_serial(wipes):
    nameless = sorted({wipe.device_path for wipe in wipes if not wipe.serial})
    if nameless:
        raise Refused(
            _(
                "The log gives no serial number for %(drives)s: a drive can only be matched "
                "by its serial number. Nothing was saved; record this erasure with the form."
            )
            % {"drives": ", ".join(nameless)}
        )


def _drives_of_wipes(wipes, *, device, by, workstation=None):
    """The Drive of each wipe, in order; drives new to `device` are created on it.

    A wipe without serial number (only from a workstation naming `device`, see _parse)
    is matched by kind and size among the device's drives without one.
    """
    found = {}
    unknown, ambiguous, foreign = [], [], []
    named = [w for w in wipes if w.serial]
    for serial in dict.fromkeys(services.normalise_serial(w.serial) for w in named):
        candidates = _drives_with_serial(serial, device)
        if len(candidates) == 1:
            found[serial] = candidates[0]
        elif len(candidates) > 1:
            tags = sorted({drive.device.asset_tag for drive in candidates})
            ambiguous.append(f"{serial} ({', '.join(tags)})")
        elif device is None:
            unknown.append(serial)
        elif workstation is not None:
            foreign.append(serial)
    if ambiguous:
        raise Refused(
            _(
                "Several drives have the serial number %(drives)s: import the log from the "
                "device page (or with --device). Nothing was saved."
            )
            % {"drives": "; ".join(ambiguous)}
        )
    if unknown:
        raise Refused(
            ngettext(
                "No drive has the serial number %(serials)s: import the log from the device "
                "page (or with --device) to add it to that device. Nothing was saved.",
                "No drive has the serial numbers %(serials)s: import the log from the device "
                "page (or with --device) to add them to that device. Nothing was saved.",
                len(unknown),
            )
            % {"serials": ", ".join(unknown)}
        )
    if foreign:
        _refuse_drives_not_reported(device, foreign)
    drives, taken = [], set()
    for wipe in wipes:
        if not wipe.serial:
            drive = _drive_of_nameless_wipe(wipe, device, by, workstation, taken=taken)
            taken.add(drive.pk)
            drives.append(drive)
            continue
        serial = services.normalise_serial(wipe.serial)
        if serial not in found:
            found[serial] = _add_drive_of_wipe(wipe, device=device, by=by)
        drives.append(found[serial])
    return drives


# An nwipe wipe of unknown kind ("other": an ATA drive may be an HDD or an SSD) may be
# any of these recorded kinds.
_KINDS_OF_UNKNOWN = {Drive.Kind.HDD, Drive.Kind.SSD, Drive.Kind.OTHER}


def _drive_of_nameless_wipe(wipe, device, by, workstation, *, taken):
    """The device's drive without serial number of the wipe's kind and size (±1 GB), else
    a new drive of the device.

    Only a workstation's log reaches here: it wiped the drive inside this very machine,
    so the drive is one of this device's even when its report could not list it (no
    serial number to match, a disk lshw and lsblk do not describe as one). Two identical
    drives without serial number cannot be told apart by anyone: the first one recorded
    is taken. A drive WITH a serial number must be one the device has.
    """
    kind = _drive_kind(wipe)
    kinds = _KINDS_OF_UNKNOWN if kind == Drive.Kind.OTHER else {kind}
    size_gb = (wipe.size_bytes or 0) / 1_000_000_000
    candidates = device.drives.filter(serial_number="", kind__in=kinds).exclude(pk__in=taken)
    for drive in candidates.order_by("pk"):
        if abs((drive.capacity_gb or 0) - size_gb) <= 1:
            return drive
    return _add_nameless(wipe, device, by, workstation)


def _add_nameless(wipe, device, by, workstation):
    note = _(
        "No serial number: recorded from the workstation “%(name)s” that wiped it inside "
        "this machine."
    ) % {"name": workstation.name}
    return _add_drive_of_wipe(wipe, device=device, by=by, note=note)


def _refuse_drives_not_reported(device, serials):
    # A workstation's log must be of drives its own report described: a log of another
    # machine (a stick moved without a new report, a mistyped tag) is not recorded on it.
    raise Refused(
        _(
            "The log names drives %(tag)s does not have (serial numbers %(serials)s). "
            "Nothing was saved: send the machine's hardware report first (it lists its "
            "drives), then the log."
        )
        % {"tag": device.asset_tag, "serials": ", ".join(serials)}
    )


def _drives_with_serial(serial, device):
    # Serials typed or imported before normalise_serial existed may carry spaces or
    # lower case: compare them as normalise_serial would.
    drives = (
        Drive.objects.annotate(normalised=Upper(Trim("serial_number")))
        .filter(normalised=serial)
        .select_related("device")
    )
    if device is not None:
        drives = drives.filter(device=device)
    return [d for d in drives if services.normalise_serial(d.serial_number) == serial]


def _add_drive_of_wipe(wipe, *, device, by, note=""):
    size_gb = round(wipe.size_bytes / 1_000_000_000) if wipe.size_bytes else None
    return services.add_drive(
        device=device,
        by=by,
        note=note,
        kind=_drive_kind(wipe),
        serial_number=wipe.serial,
        model=wipe.model[:120],
        capacity_gb=size_gb or None,
    )


def _drive_kind(wipe):
    """The kind of drive, when the log says it; an ATA drive may be an HDD or an SSD."""
    if getattr(wipe, "kind", "") in Drive.Kind.values:
        return wipe.kind  # the workbench's record says it
    path, bus, model = wipe.device_path.lower(), wipe.bus.upper(), wipe.model.upper()
    if bus == "NVME" or path.startswith("/dev/nvme"):
        return Drive.Kind.NVME
    if path.startswith("/dev/mmcblk"):
        return Drive.Kind.EMMC
    if "SSD" in model.split() or model.endswith("SSD") or " SSD " in f" {model} ":
        return Drive.Kind.SSD
    return Drive.Kind.OTHER


def _save_log(data, filename, sha256, report, by):
    name = _base_name(filename)
    # The stored name starts with the file's hash: never a clash, never too long.
    stored = f"{sha256[:16]}-{name[-60:]}"
    log = ErasureLog(
        original_name=name[:255],
        sha256=sha256,
        tool=report.tool,
        tool_version=report.version[:40],
        uploaded_by=by,
    )
    log.file.save(stored, ContentFile(data), save=False)
    log.save()
    return log


def _aware(moment):
    if moment is not None and timezone.is_naive(moment):
        # nwipe writes the machine's local time without an offset.
        return timezone.make_aware(moment)
    return moment


def _record_wipe(wipe, drive, *, report, log, by, workstation=None, reason=""):
    technique = wipe.technique if wipe.technique in Erasure.Method.values else "overwrite"
    started, finished = _aware(wipe.started_at), _aware(wipe.finished_at)
    notes = _wipe_notes(wipe, log, dated=bool(finished or started))
    if not wipe.serial and workstation is not None:
        notes += "\n" + _(
            "The drive has no serial number: the workstation “%(name)s” wiped it inside "
            "this machine."
        ) % {"name": workstation.name}
    if reason:
        # The workbench overwrote a drive the policy wanted purged: say why.
        notes += "\n" + _("Clear instead of the policy's Purge: %(reason)s.") % {
            "reason": str(reason)[:300]
        }
    verification = _VERIFICATIONS.get(wipe.verification, Erasure.Verification.NONE)
    if wipe.verify_only:
        # "Verify Zeros/Ones" reads the whole drive back: a full verification.
        verification = Erasure.Verification.FULL
    passed = wipe.outcome == "passed"
    return services.record_erasure(
        drive=drive,
        by=by,
        method=technique,
        result=Erasure.Result.PASSED if passed else Erasure.Result.FAILED,
        performed_at=finished or started or timezone.now(),
        notes=notes,
        standard=Erasure.Standard.NIST_R2,
        passes=wipe.passes,
        pattern=wipe.method[:60],
        tool=_TOOLS.get(report.tool.lower(), Erasure.Tool.OTHER),
        tool_version=report.version[:40],
        started_at=started,
        verification=verification,
        verification_passed=_verification_passed(wipe, verification),
        log=log,
    )


_PURGE_TOOLS = {"hdparm": Erasure.Tool.HDPARM, "nvme-cli": Erasure.Tool.NVME_CLI}


def _record_purge(erase, drive, *, report, log, by, workstation=None, reason=""):
    """One drive's own erase from a workbench record; its level follows its method."""
    started, finished = _aware(erase.started_at), _aware(erase.finished_at)
    commands = "; ".join(
        f"{' '.join(str(word) for word in c.get('command') or [])} → {c['exit_status']}"
        for c in erase.commands
    )
    notes = [
        _("Run by the workbench on %(path)s: %(commands)s.")
        % {"path": erase.device_path, "commands": commands or "-"}
    ]
    if workstation is not None:
        notes.append(_("Sent by the workstation “%(name)s”.") % {"name": workstation.name})
    return services.record_erasure(
        drive=drive,
        by=by,
        method=erase.technique,
        result=Erasure.Result.PASSED if erase.outcome == "passed" else Erasure.Result.FAILED,
        performed_at=finished or started or timezone.now(),
        notes="\n".join(notes),
        standard=Erasure.Standard.NIST_R2,
        tool=_PURGE_TOOLS[erase.tool],
        tool_version=erase.tool_version,
        started_at=started,
        log=log,
    )


def _verification_passed(wipe, verification):
    if verification == Erasure.Verification.NONE or wipe.outcome == "interrupted":
        return None
    return wipe.outcome == "passed"


def _wipe_notes(wipe, log, *, dated):
    notes = [
        _("Imported from %(file)s: nwipe method “%(method)s” on %(path)s.")
        % {"file": log.original_name, "method": wipe.method, "path": wipe.device_path}
    ]
    if wipe.verify_only:
        notes.append(_("nwipe only read the drive back: nothing was written to it."))
    if wipe.outcome == "interrupted":
        notes.append(
            _(
                "The wipe was interrupted before the end (nwipe status “%(status)s”): "
                "the drive is not erased, the erasure is recorded as failed."
            )
            % {"status": wipe.status_text or "?"}
        )
    elif wipe.outcome != "passed":
        notes.append(
            _("nwipe reports that the wipe failed (status “%(status)s”).")
            % {"status": wipe.status_text or "?"}
        )
    if wipe.errors:
        notes.append(_("Errors reported by nwipe: %(count)s.") % {"count": wipe.errors})
    if not dated:
        notes.append(_("The log gives no time for this wipe: the import time is recorded."))
    return "\n".join(notes)


# Erasures running on a workstation -------------------------------------------------

# What a workstation may say it runs: the techniques of the program's policy.
RUN_METHODS = {
    Erasure.Method.OVERWRITE,
    Erasure.Method.SECURE_ERASE,
    Erasure.Method.SANITIZE,
    Erasure.Method.CRYPTO_ERASE,
}
# A device on the bench whose erasure starts: received (or back from a loan) → wiping.
_STARTS_WIPING = {Status.RECEIVED, Status.RETURNED}


def start_erasure_run(*, workstation, device, drives):
    """Record that `workstation` starts wiping `drives` of `device`; returns (run, created).

    The device must be in the workshop (workflow.NotInWorkshop otherwise); received or
    returned, it moves to wiping, the history naming the workstation. Sent again while
    the run is open (a retry, a lost answer), the open run is returned and nothing is
    written. `drives` is the workstation's list of {path, model, serial, size_bytes,
    kind, method}; Refused when it is not one.
    """
    by = workstation.user
    _require_import(by)
    drives = _checked_run_drives(drives)
    try:
        with transaction.atomic():
            device = _in_workshop(device, workstation)
            run = device.erasure_runs.filter(finished_at__isnull=True).first()
            if run is not None:
                return run, False
            if device.status in _STARTS_WIPING:
                note = ngettext(
                    "Erasure of %(count)s drive started by the workstation “%(name)s”.",
                    "Erasure of %(count)s drives started by the workstation “%(name)s”.",
                    len(drives),
                ) % {"count": len(drives), "name": workstation.name}
                workflow.transition_device(device=device, target=Status.WIPING, by=by, note=note)
            run = ErasureRun.objects.create(device=device, workstation=workstation, drives=drives)
    except IntegrityError:
        # Two starts at once: the unique open run made the second one fail.
        return device.erasure_runs.get(finished_at__isnull=True), False
    return run, True


class NoErasureRunning(Refused):
    """The workstation reports progress of an erasure it is not running (any more)."""


def report_erasure_progress(*, workstation, device, progress):
    """Record how far the workstation's open erasure of `device` is: {path: per cent}.

    Not a change of the device (no history entry): a figure shown live on its page, the
    latest one replacing the previous. Refused when this workstation runs no erasure on
    the device, or when `progress` names a drive the run does not wipe or is not a whole
    number from 0 to 100. Returns the run.
    """
    _require_import(workstation.user)
    run = device.erasure_runs.filter(finished_at__isnull=True, workstation=workstation).first()
    if run is None:
        raise NoErasureRunning(
            _("The workstation “%(name)s” is running no erasure of %(tag)s.")
            % {"name": workstation.name, "tag": device.asset_tag}
        )
    run.progress = _checked_progress(progress, {drive["path"] for drive in run.drives})
    run.progress_at = timezone.now()
    run.save(update_fields=["progress", "progress_at"])
    return run


def _checked_progress(progress, paths):
    if not isinstance(progress, dict) or not progress:
        raise Refused(
            _('“progress” must map each drive\'s path to a per cent, e.g. {"/dev/sda": 42}.')
        )
    for path, value in progress.items():
        if path not in paths:
            raise Refused(
                _("%(path)s is not among the drives of this erasure.") % {"path": str(path)[:80]}
            )
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise Refused(
                _("The progress of %(path)s must be a whole number from 0 to 100.") % {"path": path}
            )
    return progress


def _checked_run_drives(drives):
    if not isinstance(drives, list) or not drives:
        raise Refused(_("“drives” must be a non-empty list of the drives being wiped."))
    return [_checked_run_drive(index, drive) for index, drive in enumerate(drives, start=1)]


def _checked_run_drive(index, drive):
    where = _("Drive %(index)s of “drives”") % {"index": index}
    if not isinstance(drive, dict) or not isinstance(drive.get("path"), str) or not drive["path"]:
        raise Refused(_("%(where)s has no “path”.") % {"where": where})
    size = drive.get("size_bytes")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise Refused(_("%(where)s: “size_bytes” is not a number of bytes.") % {"where": where})
    if drive.get("method") not in RUN_METHODS:
        raise Refused(
            _("%(where)s: the method must be one of %(methods)s.")
            % {"where": where, "methods": ", ".join(sorted(RUN_METHODS))}
        )
    kind = drive.get("kind") if drive.get("kind") in Drive.Kind.values else Drive.Kind.OTHER
    return {
        "path": drive["path"][:100],
        "model": str(drive.get("model") or "")[:120],
        "serial": str(drive.get("serial") or "")[:80],
        "size_bytes": size,
        "kind": kind,
        "method": drive["method"],
    }


def _close_runs(device):
    """The log of a workstation ends the erasure it announced on `device`."""
    ErasureRun.objects.filter(device=device, finished_at__isnull=True).update(
        finished_at=timezone.now()
    )


def run_drives_summary(run):
    """Each drive of `run` as its NIST level and kind: "Purge NVMe", "Clear HDD"…"""
    parts = []
    for drive in run.drives:
        level = LEVEL_OF_METHOD.get(drive.get("method"))
        kind = Drive.Kind(drive["kind"]).label if drive.get("kind") in Drive.Kind.values else ""
        text = f"{Erasure.Level(level).label if level else ''} {kind}".strip()
        done = (run.progress or {}).get(drive["path"])
        # The workstation's latest figure, "Clear HDD 42 %" (French spacing in both).
        parts.append(f"{text} {done}\u202f%" if done is not None else text)
    return parts


# Erasure state of drives and devices ---------------------------------------------------

PASSED = "passed"
FAILED = "failed"
PENDING = "pending"


@dataclass(frozen=True)
class DriveState:
    drive: Drive
    state: str  # PASSED, FAILED (latest erasure this cycle failed) or PENDING (none yet)
    erasure: Erasure | None  # the passed one, else the latest of this cycle


def drive_states(device):
    """Each drive's erasure state in the current cycle (reads prefetched erasures)."""
    since = device.cycle_started_at
    states = []
    for drive in device.drives.all():
        current = sorted(
            (e for e in drive.erasures.all() if since is None or e.performed_at >= since),
            key=lambda e: (e.performed_at, e.pk),
            reverse=True,
        )
        passed = [e for e in current if e.result == Erasure.Result.PASSED]
        if passed:
            states.append(DriveState(drive, PASSED, passed[0]))
        elif current:
            states.append(DriveState(drive, FAILED, current[0]))
        else:
            states.append(DriveState(drive, PENDING, None))
    return states


# Certificates --------------------------------------------------------------------------


def certificate_number(year, value):
    return f"CE-{year}-{value:05d}"


def issue_certificate(*, device, by):
    """Issue the erasure certificate of `device` for its erasures of the current cycle.

    Refused (the reasons of certificate_blockers, nothing saved) unless every drive has
    a passed erasure this cycle, recorded with the proof its technique needs, consistent
    with the kind of drive, reaching the level the device's destination needs, and
    validated by a coordinator. If the latest certificate already covers exactly these
    erasures, it is returned instead. The destination and the confidentiality of the
    data are fixed on the certificate when it is issued.
    """
    require(by, "inventory.add_erasurecertificate")
    with transaction.atomic():
        current = _locked(device)
        blockers = certificate_blockers(current)
        if blockers:
            raise Refused(
                _("No certificate for %(tag)s yet.") % {"tag": current.asset_tag}
                + " "
                + " ".join(blockers)
            )
        erasures = [state.erasure for state in drive_states(current)]
        latest = current.erasure_certificates.order_by("-issued_at", "-pk").first()
        if latest is not None and set(latest.erasures.values_list("pk", flat=True)) == {
            e.pk for e in erasures
        }:
            return latest
        year = timezone.localdate().year
        value = services.reserve_sequence_values(f"erasure-certificate-{year}")
        certificate = ErasureCertificate.objects.create(
            number=certificate_number(year, value),
            device=current,
            issued_by=by,
            destination=rules.destination_of(current),
            confidentiality=Organisation.current().erasure_confidentiality,
        )
        certificate.erasures.set(erasures)
    return certificate


def _locked(device):
    queryset = (
        Device.objects.filter(pk=device.pk)
        .select_related("site")
        .prefetch_related("drives__erasures")
    )
    if connection.features.has_select_for_update:
        # Two clicks at once: the second waits, then finds the first one's certificate.
        queryset = queryset.select_for_update()
    return queryset.get()


def certificate_blockers(device, *, validation=True):
    """Why `device` cannot have its erasure certificate now: sentences, [] when it can.

    Reads `device.drives` with their erasures prefetched (no query per drive), so the
    donation summary can say it for every device. `validation=False` leaves out the
    missing validations (what a coordinator checks before validating).
    """
    states = drive_states(device)
    if not states:
        return [
            _("%(tag)s holds no drive: there is no erasure to certify.") % {"tag": device.asset_tag}
        ]
    missing = [state.drive for state in states if state.state != PASSED]
    if missing:
        return [
            _("Data erasure is missing for %(drives)s. Record a passed erasure first.")
            % {"drives": ", ".join(str(drive) for drive in missing)}
        ]
    destination = rules.destination_of(device)
    reasons = []
    for state in states:
        reasons += _erasure_problems(state.erasure, destination)
    if validation and not reasons:
        waiting = [str(s.drive) for s in states if s.erasure.validated_by_id is None]
        if waiting:
            reasons.append(
                ngettext(
                    "The erasure of %(drives)s awaits validation by a coordinator.",
                    "The erasures of %(drives)s await validation by a coordinator.",
                    len(waiting),
                )
                % {"drives": ", ".join(waiting)}
            )
    return reasons


def _erasure_problems(erasure, destination):
    drive = erasure.drive
    problems = []
    proof = rules.proof_for(erasure)
    missing = []
    if proof.tool and not erasure.tool:
        missing.append(_("the tool"))
    if proof.tool_version and not erasure.tool_version:
        missing.append(_("the tool's version"))
    if proof.log and erasure.log_id is None:
        missing.append(_("the raw log"))
    if missing:
        problems.append(
            _(
                "The erasure of %(drive)s (%(method)s) does not record %(missing)s: a "
                "certificate states them (NIST SP 800-88, appendix G). Import the tool's "
                "log, or erase the drive again from a workstation."
            )
            % {
                "drive": drive,
                "method": erasure.get_method_display(),
                "missing": ", ".join(str(m) for m in missing),
            }
        )
    if not rules.fits_media(erasure):
        problems.append(
            _(
                "“%(method)s” cannot have erased %(drive)s, a drive of type %(kind)s: "
                "correct the drive's type or erase it again with a technique for it."
            )
            % {
                "method": erasure.get_method_display(),
                "drive": drive,
                "kind": drive.get_kind_display(),
            }
        )
    elif (
        destination in rules.LEAVING_CONTROL_DESTINATIONS
        and not rules.level_allowed_leaving(erasure)
        and not erasure.exception.strip()
    ):
        problems.append(
            _(
                "%(drive)s was only brought to the level “%(level)s” (%(method)s), but "
                "the device leaves the organisation (%(destination)s): a drive of type "
                "%(kind)s must be purged or destroyed (NIST SP 800-88 Rev. 1, §4.4). "
                "Erase it again with the drive's own erase, or a coordinator states the "
                "exception when validating."
            )
            % {
                "drive": drive,
                "kind": drive.get_kind_display(),
                "level": erasure.get_level_display() or "—",
                "method": erasure.get_method_display(),
                "destination": ErasureCertificate.Destination(destination).label,
            }
        )
    return problems


def validate_erasures(*, device, by, exception=""):
    """A coordinator validates the current erasures of `device` (NIST SP 800-88 appendix
    G, the person validating): each gets the validator, their title and the date.

    Refused (nothing saved) while a drive is not erased, an erasure lacks its proof or
    does not fit its drive, or when Clear is to be accepted for a drive leaving the
    organisation without `exception`, the sentence that says why (printed on the
    certificate). Erasures already validated are left as they are. Returns the erasures
    validated now.
    """
    require(by, "inventory.validate_erasure")
    exception = (exception or "").strip()
    organisation = Organisation.current()
    with transaction.atomic():
        current = _locked(device)
        states = drive_states(current)
        if not states:
            raise Refused(
                _("%(tag)s holds no drive: there is no erasure to validate.")
                % {"tag": current.asset_tag}
            )
        destination = rules.destination_of(current)
        validated = []
        for state in states:
            erasure = state.erasure
            if state.state != PASSED:
                raise Refused(
                    _("Nothing validated: %(drive)s has no passed erasure yet.")
                    % {"drive": state.drive}
                )
            if erasure.validated_by_id is not None:
                continue
            needs_exception = destination in rules.LEAVING_CONTROL_DESTINATIONS and (
                not rules.level_allowed_leaving(erasure)
            )
            if needs_exception and exception:
                erasure.exception = exception
            problems = _erasure_problems(erasure, destination)
            if problems:
                raise Refused(_("Nothing validated.") + " " + " ".join(problems))
            erasure.validated_by = by
            erasure.validated_at = timezone.now()
            erasure.validator_title = organisation.erasure_validator_title
            if not erasure.operator_title:
                erasure.operator_title = organisation.erasure_operator_title
            erasure._history_user = by
            erasure.save()
            validated.append(erasure)
    return validated

"""Read the workbench's erasure record: the JSON the workbench program writes after it
ran a drive's own erase (ATA Secure Erase with hdparm, NVMe sanitize or format with
nvme-cli), beside nwipe's logs for the overwrites. See workbench/reemploi_erase.py.

    {"format": "reemploi-workbench-erasure/1", "tool": "reemploi-workbench",
     "tool_version": "…", "drives": [{"path", "serial", "model", "size_bytes", "kind",
     "method", "tool", "tool_version", "commands": [{"command": [...], "exit_status": 0}],
     "started_at", "finished_at", "outcome": "passed" | "failed"}]}

All or nothing, as for nwipe: any drive that cannot be read refuses the whole record.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

FORMAT = "reemploi-workbench-erasure/1"
METHODS = {"secure_erase", "sanitize", "crypto_erase"}
TOOLS = {"hdparm", "nvme-cli"}
KINDS = {"hdd", "ssd", "nvme", "emmc", "other"}


class WorkbenchRecordError(ValueError):
    """The file is not a usable workbench record; the message says where."""


@dataclass(frozen=True)
class RecordedErase:
    """One drive's erase as the workbench ran it (attributes named as nwipe.DriveWipe's
    where they mean the same, so that drives are found the same way)."""

    device_path: str
    serial: str
    model: str
    size_bytes: int | None
    kind: str
    technique: str
    tool: str
    tool_version: str
    commands: list
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str
    bus: str = ""


@dataclass(frozen=True)
class WorkbenchRecord:
    tool: str
    version: str
    drives: list


def looks_like_record(data):
    return data.lstrip()[:1] == b"{"


def parse_workbench_record(data):
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise WorkbenchRecordError(
            _("the workbench record is not complete JSON (%(error)s).") % {"error": error}
        ) from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise WorkbenchRecordError(
            _("this JSON is not a workbench erasure record (format “%(format)s” expected).")
            % {"format": FORMAT}
        )
    drives = document.get("drives")
    if not isinstance(drives, list) or not drives:
        raise WorkbenchRecordError(_("the workbench record lists no drive."))
    return WorkbenchRecord(
        tool="reemploi-workbench",
        version=str(document.get("tool_version") or "")[:40],
        drives=[_drive(index, entry) for index, entry in enumerate(drives, start=1)],
    )


def _drive(index, entry):
    where = _("drive %(index)s of the record") % {"index": index}

    def wrong(what):
        return WorkbenchRecordError(_("%(where)s: %(what)s.") % {"where": where, "what": what})

    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        raise wrong(_("no device path"))
    if entry.get("method") not in METHODS or entry.get("tool") not in TOOLS:
        raise wrong(_("the method or the tool is not one the workbench runs"))
    if entry.get("outcome") not in ("passed", "failed"):
        raise wrong(_("the outcome is neither “passed” nor “failed”"))
    commands = entry.get("commands")
    if not isinstance(commands, list) or not all(
        isinstance(c, dict) and isinstance(c.get("exit_status"), int) for c in commands
    ):
        raise wrong(_("the commands run and their exit statuses are missing"))
    if entry["outcome"] == "passed" and (not commands or any(c["exit_status"] for c in commands)):
        raise wrong(_("it says passed, but a command failed or none ran"))
    size = entry.get("size_bytes")
    return RecordedErase(
        device_path=entry["path"][:100],
        serial=str(entry.get("serial") or "").strip(),
        model=str(entry.get("model") or "").strip(),
        size_bytes=size if isinstance(size, int) and size > 0 else None,
        kind=entry.get("kind") if entry.get("kind") in KINDS else "other",
        technique=entry["method"],
        tool=entry["tool"],
        tool_version=str(entry.get("tool_version") or "")[:40],
        commands=commands,
        started_at=_moment(entry.get("started_at"), wrong),
        finished_at=_moment(entry.get("finished_at"), wrong),
        outcome=entry["outcome"],
    )


def _moment(value, wrong):
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise wrong(_("“%(value)s” is not a date and time") % {"value": value}) from error

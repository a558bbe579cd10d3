"""Read the log that nwipe (alone or inside ShredOS) writes, one record per wiped drive.

Pure Python: no model is imported, so the parser can be tested without a database and
reused by a management command, a view or a Celery task alike.

What the log looks like (nwipe 0.33 as shipped by Debian 12's package ``nwipe 0.34-1+b1``,
observed on real runs; see ``tests/fixtures/nwipe/README.md``)::

    [2026/11/28 13:02:37]  notice: Found /dev/sda, ATA, Samsung SSD 860 EVO 250GB,  250 GB, S/N=S3Y…
    [2026/11/28 13:02:37]  notice:   banner   = nwipe 0.33
    [2026/11/28 13:02:37]  notice:   method   = Fill With Zeros
    [2026/11/28 13:02:37]  notice:   rounds   = 1
    [2026/11/28 13:02:37]  notice:   verify   = 1 (last pass)
    [2026/11/28 13:02:37]  notice: /dev/sda, sect/blk/dev 512/4096/250059350016
    [2026/11/28 13:02:37]  notice: Invoking method 'Fill With Zeros' on /dev/sda
    [2026/11/28 13:02:37]  notice: Starting pass 1/1, round 1/1, on /dev/sda
    …
    ********************************* Drive Status *********************************
    !   Device | Status | Thru-put | HH:MM:SS | Model/Serial Number
    --------------------------------------------------------------------------------
           sda | Erased |  120MB/s | 00:34:41 | Samsung SSD 860 E/S3Y…
    --------------------------------------------------------------------------------
    [2026/11/28 13:37:19] Total Throughput  120MB/s, Fill With Zeros, 1R+B+VL
    ********************************************************************************
    [2026/11/28 13:37:19]    info: Nwipe successfully completed. See summary table for details.

How it is read:

* Each line may start with ``[YYYY/MM/DD hh:mm:ss]`` (local time, no offset: the datetimes
  returned are naive and the caller localises them; an offset such as ``+01:00`` after the
  time, which nwipe never writes, would give aware datetimes). Old versions put ``nwipe:``
  before the level (``nwipe: notice: …``); both forms are accepted.
* The final *Drive Status* table decides each drive's outcome: ``Erased`` -> passed,
  ``UABORTED`` (nwipe's word for a wipe stopped by a signal or by the user) -> interrupted,
  ``-FAILED-``, ``INSANITY`` and any other word -> failed. A drive with errors in the
  *Error Summary* table is failed whatever its status says. ``errors`` is the sum of that
  table's three columns (pass, verification, fdatasync), else of the ``Status: …`` debug
  line, else None.
* A run that closed without the table (versions before it existed): a drive with an
  ``error:``/``fatal:`` line naming it failed; one without "Finished final round" was
  interrupted (if the run was aborted) or failed; a finished one passed, unless the run
  closed with "Nwipe exited with errors" (failed: the log does not say which drive erred).
* The drive's model and serial come from its ``Found …, S/N=…`` line (the table cuts the
  model to 17 characters); an anonymised serial (``-q``: ``XXXXXX`` or ``?????``) or
  ``(none)`` gives "". The size in bytes comes from the ``sect/blk/dev`` line when present,
  else from the largest "N bytes written to/read from" line.
* ``verification`` is nwipe's ``--verify`` setting for the run; a verify-only method
  ("Verify Zeros (0x00)", "Verify Ones (0xFF)": ``verify_only`` is True, ``passes`` 0) reads
  the whole drive whatever that setting says.
* ``started_at`` is the time of "Invoking method … on DEV"; ``finished_at`` is that time
  plus the table's HH:MM:SS (nwipe's own end minus start), else the last line naming the
  drive.
* A file may hold several runs (nwipe appends to its ``--logfile``): each run ends with its
  closing line ("Nwipe successfully completed", "Nwipe exited with errors", "Nwipe was
  aborted by the user"). Drives of every run are returned, in order. A run cut short
  (power cut, ``kill -9``) *followed by another run* is kept, its drives "interrupted"; a
  file whose *last* run stops mid-way is refused as truncated: it may only be a partial copy.
* The log written to stdout (no ``--logfile``) has the same lines, with extra
  "Waiting for wipe thread to cancel…" lines and the closing line twice: both are ignored.
* Files that are empty, binary (NUL bytes or more than 1 % of control characters; NUL bytes
  at the very end, left by a FAT stick pulled out too early, are ignored), foreign (none of
  the lines nwipe writes) or truncated raise :class:`ErasureLogError`.

Assumptions about newer versions (read in nwipe's public source, not observed here):
the log line prefixes, the "Found" line, the two summary tables and the closing lines keep
the same wording in the current source (0.38 and later); that source logs ``sect/blk/dev``
only when a drive's size is 0 (hence the fallback for the size), and adds methods:
"HMG IS5 Enhanced", "Bruce Schneier 7-Pass", "BMB21-2019", and firmware commands
"Secure Erase (ATA/NVMe)", "Sanitize Crypto Erase", "Sanitize Block Erase", "Sanitize
Overwrite", whose technique is not "overwrite" (``secure_erase``, ``crypto_erase``,
``sanitize``: the codes of ``Erasure.Method``). ShredOS
builds nwipe with the banner "ShredOS v<release>_<arch>_<nwipe version>" (for example
``ShredOS v2021.08.2_23_x86-64_0.34``): tool "ShredOS", version "0.34".

Note: Debian 12's package is named 0.34 but the program calls itself "nwipe 0.33"; the
version returned is always the one the log states.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from django.utils.translation import gettext as _

__all__ = ["DriveWipe", "ErasureLogError", "NwipeReport", "parse_nwipe_log"]

PASSED = "passed"
FAILED = "failed"
INTERRUPTED = "interrupted"

VERIFY_NONE = "none"
VERIFY_LAST = "last_pass"
VERIFY_ALL = "all_passes"


@dataclass(frozen=True)
class DriveWipe:
    """What nwipe did to one drive during one run."""

    device_path: str  # "/dev/sda"
    model: str  # "" if unknown
    serial: str  # "" if unknown, anonymised or "(none)"
    size_bytes: int | None
    method: str  # nwipe's label, spaces collapsed: "Fill With Zeros", "DoD Short"…
    technique: str  # Erasure.Method code: "overwrite", "secure_erase", "sanitize"…
    passes: int | None  # planned: passes per round × rounds (0 for a verify-only method)
    pattern: str  # "zeros", "ones", "random", "dod", "gutmann"… ("" if unknown)
    verification: str  # "none" | "last_pass" | "all_passes" (nwipe's --verify)
    blanking: bool | None  # a final blanking (zero) pass was written; None: log silent
    outcome: str  # "passed" | "failed" | "interrupted"
    errors: int | None  # pass + verification + fdatasync errors, None if not stated
    started_at: datetime | None
    finished_at: datetime | None
    verify_only: bool = False  # "Verify Zeros/Ones": nothing was written, the drive was read
    rounds: int | None = None
    passes_completed: int | None = None  # "Finished pass" lines seen for this drive
    bus: str = ""  # nwipe's device type: "ATA", "USB", "NVME", "VIRT"…
    prng: str = ""  # "Isaac64", "Mersenne Twister"… ("" if not stated)
    duration_seconds: int | None = None  # the summary table's HH:MM:SS
    status_text: str = ""  # the summary table's word: "Erased", "-FAILED-", "UABORTED"
    line: int | None = None  # line of the drive's status (or of its start)


@dataclass(frozen=True)
class NwipeReport:
    tool: str  # "nwipe" or "ShredOS"
    version: str  # nwipe's version as the log states it: "0.33"
    drives: list[DriveWipe] = field(default_factory=list)
    banner: str = ""  # nwipe's banner line as logged: "nwipe 0.33", "ShredOS v2021…_0.34"
    host_serial: str = ""  # dmidecode system-serial-number, when nwipe logged it


class ErasureLogError(ValueError):
    """The log cannot be used; the message says what is wrong and where."""


# --- What the lines look like -------------------------------------------------------------

_TIMESTAMP = re.compile(
    r"^\[(?P<y>\d{4})/(?P<mo>\d{1,2})/(?P<d>\d{1,2}) (?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?: ?(?P<tz>Z|UTC|[+-]\d{2}:?\d{2}))?\]\s?(?P<rest>.*)$"
)
_LEVEL = re.compile(
    r"^\s*(?:nwipe:\s+)?(?P<level>debug|info|notice|warning|error|fatal|sanity|level \d+):\s?"
    r"(?P<msg>.*)$"
)
_FOUND = re.compile(
    r"^Found (?P<dev>/\S+?), (?P<bus>[^,]*), (?P<model>.*?),\s+"
    r"(?P<size>\d[\d.,]*\s*[KMGTPE]?i?B),\s*S/N=(?P<serial>.*)$"
)
_OPTION = re.compile(r"^\s+(?P<key>banner|prng|method|rounds|verify|quiet)\s*=\s*(?P<value>.*)$")
_INVOKING = re.compile(r"^Invoking method '(?P<method>.*)' on (?P<dev>\S+)\s*$")
_PASS = re.compile(
    r"^(?P<what>Starting|Finished) pass (?P<p>\d+)/(?P<pn>\d+), round (?P<r>\d+)/(?P<rn>\d+), "
    r"on (?P<dev>\S+)"
)
_ROUND = re.compile(
    r"^(?:Starting|Finished)(?P<final> final)? round \d+ of (?P<rn>\d+) on (?P<dev>\S+)"
)
_BLANKING = re.compile(
    r"^(?:\[SUCCESS\] )?Blank(?:ing|(?P<done>ed)) device '?(?P<dev>/[^\s']+?)'?\.?\s*$"
)
_GEOMETRY = re.compile(r"^(?P<dev>/\S+), sect/blk/dev \d+/\d+/(?P<size>\d+)")
_BYTES = re.compile(r"^(?P<n>\d+) bytes (?:written to|read from) '?(?P<dev>/[^\s']+?)'?\.?\s*$")
_SERIAL_LINE = re.compile(r"^(?P<dev>/\S+) has serial number (?P<serial>.*)$")
_STATUS_DEBUG = re.compile(
    r"^Status: (?P<dev>/\S+), result=-?\d+, pass_errors=(?P<a>\d+), verify_errors=(?P<b>\d+), "
    r"fsync_errors=(?P<c>\d+)"
)
_HOST_SERIAL = re.compile(r"^system-serial-number\s*=\s*(?P<serial>.*)$")
_VERSION_INFO = re.compile(r"^(?P<banner>(?:nwipe|ShredOS) v?\d\S*)\s*$")
_DEVICE_IN_TEXT = re.compile(r"(/dev/[^\s'\",;()]+)")

_CLOSING = ("nwipe successfully completed", "nwipe exited with errors", "nwipe was aborted")

_ERROR_TITLE = re.compile(r"^\*+ Error Summary \*+\s*$")
_STATUS_TITLE = re.compile(r"^\*+ Drive Status \*+\s*$")
_ERROR_ROW = re.compile(
    r"^(?P<flag>[! ])\s*(?P<dev>\S+) \|\s*(?P<a>\d+) \|\s*(?P<b>\d+) \|\s*(?P<c>\d+)\s*$"
)
_STATUS_ROW = re.compile(
    r"^(?P<flag>[! ])\s*(?P<dev>\S+) \|(?P<status>[^|]{1,12})\|(?P<thru>[^|]*)\|\s*"
    r"(?P<h>\d+):(?P<m>\d{2}):(?P<s>\d{2})\s*\|\s?(?P<ms>.*)$"
)
_TOTAL = re.compile(
    r"^Total Throughput\s+(?P<thru>.*?), (?P<method>.+), (?P<rounds>\d+)R\+(?P<blank>N?B)\+"
    r"(?P<verify>NV|VL|VA)\s*$"
)

# Control characters that never occur in a text log (tab, newlines and form feed excepted).
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")

_VERIFY_CODES = {"0": VERIFY_NONE, "1": VERIFY_LAST, "2": VERIFY_ALL}
_VERIFY_TOTAL = {"NV": VERIFY_NONE, "VL": VERIFY_LAST, "VA": VERIFY_ALL}


@dataclass(frozen=True)
class _Method:
    technique: str
    pattern: str
    passes_per_round: int | None
    verify_only: bool = False
    blanks: bool = True  # nwipe appends its blanking pass to this method


# Keys: nwipe's labels, lower-case, spaces collapsed. Passes per round as nwipe 0.33 logs
# them ("Starting pass 1/8"); the count read in the log wins when there is one.
_METHODS = {
    "fill with zeros": _Method("overwrite", "zeros", 1),
    "quick erase": _Method("overwrite", "zeros", 1),  # before 0.30
    "zero fill": _Method("overwrite", "zeros", 1),
    "fill with ones": _Method("overwrite", "ones", 1),
    "prng stream": _Method("overwrite", "random", 1),
    "dod short": _Method("overwrite", "dod", 3),
    "dod 5220.22-m": _Method("overwrite", "dod", 7),
    "gutmann wipe": _Method("overwrite", "gutmann", 35),
    "rcmp tssit ops-ii": _Method("overwrite", "ops2", 8, blanks=False),
    "hmg is5 enhanced": _Method("overwrite", "is5enh", 3),
    "bruce schneier 7-pass": _Method("overwrite", "schneier", 7),
    "bmb21-2019": _Method("overwrite", "bmb21", None),
    "verify zeros (0x00)": _Method("overwrite", "zeros", 0, verify_only=True, blanks=False),
    "verify ones (0xff)": _Method("overwrite", "ones", 0, verify_only=True, blanks=False),
    "secure erase (ata/nvme)": _Method("secure_erase", "", None, blanks=False),
    "secure erase + prng + verify": _Method("secure_erase", "random", None, blanks=False),
    "sanitize crypto erase (ata/scsi/nvme)": _Method("crypto_erase", "", None, blanks=False),
    "sanitize block erase (ata/scsi/nvme)": _Method("sanitize", "", None, blanks=False),
    "sanitize overwrite (ata/scsi/nvme)": _Method("sanitize", "", None, blanks=False),
}
_UNKNOWN_METHOD = _Method("overwrite", "", None)


def _method_info(label: str) -> _Method:
    return _METHODS.get(" ".join(label.lower().split()), _UNKNOWN_METHOD)


# --- Parsing state ------------------------------------------------------------------------


@dataclass
class _Line:
    number: int
    when: datetime | None
    level: str | None  # None: no "level:" (tables, Total Throughput…)
    text: str  # the message, or the whole line when it has no timestamp


@dataclass
class _Drive:
    path: str
    bus: str = ""
    model: str = ""
    serial: str = ""
    size: int | None = None
    bytes_seen: int = 0
    method: str = ""
    invoked_line: int | None = None
    started_at: datetime | None = None
    last_seen: datetime | None = None
    last_line: int | None = None
    passes_per_round: int | None = None
    rounds: int | None = None
    passes_finished: int = 0
    saw_pass_lines: bool = False
    finished: bool = False
    blanked: bool = False
    blanking_started: bool = False
    error_lines: int = 0
    debug_errors: int | None = None


@dataclass
class _Row:
    name: str
    status: str
    duration: int
    model: str
    serial: str
    line: int


@dataclass
class _Run:
    first_line: int
    banner: str = ""
    method: str = ""
    prng: str = ""
    rounds: int | None = None
    verify: str = ""
    noblank: bool | None = None
    host_serial: str = ""
    drives: dict[str, _Drive] = field(default_factory=dict)
    error_rows: dict[str, int] = field(default_factory=dict)
    status_rows: list[_Row] = field(default_factory=list)
    table: str = ""  # "", "errors", "status": the table being read
    status_table_line: int | None = None
    total_seen: bool = False
    closing: str = ""  # "", "completed", "errors", "aborted"
    last_line: int = 0

    @property
    def closed(self) -> bool:
        return bool(self.closing) or self.total_seen

    @property
    def invoked(self) -> list[_Drive]:
        return [d for d in self.drives.values() if d.invoked_line is not None]

    def drive(self, path: str) -> _Drive:
        if path not in self.drives:
            self.drives[path] = _Drive(path)
        return self.drives[path]


# --- Entry point --------------------------------------------------------------------------


def parse_nwipe_log(data: bytes | str) -> NwipeReport:
    """Read an nwipe / ShredOS log; raise ErasureLogError if it cannot be trusted."""
    text = _decode(data)
    lines = [_split(number, raw) for number, raw in enumerate(text.splitlines(), start=1)]
    if not any(_is_nwipe_marker(line) for line in lines):
        raise ErasureLogError(
            _("This file is not an nwipe log: none of the lines that nwipe writes were found.")
        )
    runs = _read_runs(lines)
    last_line = max((line.number for line in lines if line.text.strip()), default=0)
    drives: list[DriveWipe] = []
    for index, run in enumerate(runs):
        is_last = index == len(runs) - 1
        drives.extend(_drives_of(run, is_last=is_last, last_line=last_line))
    if not drives:
        raise ErasureLogError(
            _("The log contains no wipe: nwipe stopped before it started erasing any drive.")
        )
    banner = next((run.banner for run in reversed(runs) if run.banner), "")
    tool, version = _tool_and_version(banner)
    host_serial = next((run.host_serial for run in reversed(runs) if run.host_serial), "")
    return NwipeReport(
        tool=tool, version=version, drives=drives, banner=banner, host_serial=host_serial
    )


# --- Text ---------------------------------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data).rstrip(b"\x00")
        if not raw.strip():
            raise ErasureLogError(_("The file is empty: there is no nwipe log to read."))
        if b"\x00" in raw:
            _raise_binary(raw[: raw.index(b"\x00")].count(b"\n") + 1)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            # Latin-1 never fails; a real log in another 8-bit charset stays readable, noise
            # shows up as control characters below.
            text = raw.decode("latin-1")
            bad_line = raw[: exc.start].count(b"\n") + 1
            if _looks_binary(text):
                _raise_binary(bad_line)
    elif isinstance(data, str):
        text = data.rstrip("\x00")
        if not text.strip():
            raise ErasureLogError(_("The file is empty: there is no nwipe log to read."))
        if "\x00" in text:
            _raise_binary(text[: text.index("\x00")].count("\n") + 1)
    else:
        raise TypeError("parse_nwipe_log() needs bytes or str")
    if _looks_binary(text):
        match = _BINARY_CHARS.search(text)
        _raise_binary(text[: match.start()].count("\n") + 1 if match else 1)
    return text


def _looks_binary(text: str) -> bool:
    bad = len(_BINARY_CHARS.findall(text))
    return bad > 0 and bad * 100 > len(text)


def _raise_binary(line: int):
    raise ErasureLogError(
        _(
            "The file is not a text log: it contains binary data (line %(line)s). "
            "It may be damaged or it is not an nwipe log."
        )
        % {"line": line}
    )


def _split(number: int, raw: str) -> _Line:
    match = _TIMESTAMP.match(raw)
    if not match:
        return _Line(number, None, None, raw)
    when = _datetime(match)
    rest = match["rest"]
    level = _LEVEL.match(rest)
    if level:
        return _Line(number, when, level["level"], level["msg"])
    return _Line(number, when, None, rest)


def _datetime(match: re.Match) -> datetime | None:
    try:
        when = datetime(
            int(match["y"]),
            int(match["mo"]),
            int(match["d"]),
            int(match["h"]),
            int(match["mi"]),
            int(match["s"]),
        )
    except ValueError:
        return None
    tz = match["tz"]
    if tz in ("Z", "UTC"):
        return when.replace(tzinfo=UTC)
    if tz:
        digits = tz.replace(":", "")
        offset = timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
        try:
            return when.replace(tzinfo=timezone(-offset if digits[0] == "-" else offset))
        except ValueError:
            return when
    return when


def _is_nwipe_marker(line: _Line) -> bool:
    text = line.text
    if _ERROR_TITLE.match(text) or _STATUS_TITLE.match(text):
        return True
    if line.when is None or line.level is None:
        return line.when is not None and bool(_TOTAL.match(text))
    lowered = text.lower()
    return bool(
        _FOUND.match(text)
        or _INVOKING.match(text)
        or text.startswith("Program options are set as follows")
        or (_OPTION.match(text) and text.split("=")[0].strip() == "banner")
        or _VERSION_INFO.match(text)
        or (line.level == "info" and lowered.startswith(_CLOSING))
    )


def _tool_and_version(banner: str) -> tuple[str, str]:
    if banner.lower().startswith("shredos"):
        # "ShredOS v2021.08.2_23_x86-64_0.34": nwipe's version is the last part.
        version = re.search(r"_v?(\d+\.\d+(?:\.\d+)?)\s*$", banner)
        return "ShredOS", version[1] if version else ""
    version = re.search(r"(\d+\.\d+(?:\.\d+)?)", banner)
    return "nwipe", version[1] if version else ""


# --- Runs ---------------------------------------------------------------------------------


def _read_runs(lines: list[_Line]) -> list[_Run]:
    runs: list[_Run] = []
    run: _Run | None = None
    for line in lines:
        text = line.text
        if run is None or _starts_new_run(run, line):
            if run is not None and run.closed and _is_closing(line):
                continue  # the closing line printed twice on stdout
            run = _Run(first_line=line.number)
            runs.append(run)
        if text.strip():
            run.last_line = line.number
        if _read_table_line(run, line):
            continue
        if line.when is None:
            continue
        if line.level is None:
            total = _TOTAL.match(text)
            if total and run.table == "status":
                run.table = ""
                run.total_seen = True
                run.method = run.method or " ".join(total["method"].split())
                run.rounds = run.rounds or int(total["rounds"])
                run.verify = run.verify or _VERIFY_TOTAL[total["verify"]]
                if run.noblank is None:
                    run.noblank = total["blank"] == "NB"
            continue
        _read_message(run, line)
    return runs


def _is_closing(line: _Line) -> bool:
    # "info" only: "fatal: Nwipe exited with errors on device = …" comes before the tables.
    return line.level == "info" and line.text.lower().startswith(_CLOSING)


def _starts_new_run(run: _Run, line: _Line) -> bool:
    if line.level is None:
        return False
    if run.closing:
        return True
    # Without its closing line, a run ends where the next one starts: device scan, banner or
    # options again after drives were already being wiped (nwipe appends to its log file).
    if run.invoked or run.total_seen:
        text = line.text
        return bool(
            _FOUND.match(text)
            or _VERSION_INFO.match(text)
            or text.startswith("Program options are set as follows")
        )
    return False


def _read_table_line(run: _Run, line: _Line) -> bool:
    """Read the two summary tables; True if the line belonged to one."""
    text = line.text
    if line.level is None and line.when is None:
        if _ERROR_TITLE.match(text):
            run.table = "errors"
            return True
        if _STATUS_TITLE.match(text):
            run.table = "status"
            run.status_table_line = line.number
            return True
    if not run.table or line.level is not None or line.when is not None:
        return False
    if run.table == "errors":
        row = _ERROR_ROW.match(text)
        if row:
            run.error_rows[row["dev"]] = int(row["a"]) + int(row["b"]) + int(row["c"])
        elif text.startswith("*"):
            run.table = ""
        return True
    row = _STATUS_ROW.match(text)
    if row:
        model, _slash, serial = row["ms"].strip().rpartition("/")
        if not _slash:
            model, serial = serial, ""
        run.status_rows.append(
            _Row(
                name=row["dev"],
                status=row["status"].strip(),
                duration=int(row["h"]) * 3600 + int(row["m"]) * 60 + int(row["s"]),
                model=model.strip(),
                serial=serial.strip(),
                line=line.number,
            )
        )
    return True


def _read_message(run: _Run, line: _Line) -> None:
    text = line.text
    if _is_closing(line):
        lowered = text.lower()
        if "aborted" in lowered:
            run.closing = "aborted"
        elif "errors" in lowered:
            run.closing = "errors"
        else:
            run.closing = "completed"
        return
    option = _OPTION.match(text)
    if option and line.level == "notice":
        key, value = option["key"], option["value"].strip()
        if key == "banner":
            run.banner = value
        elif key == "method":
            run.method = " ".join(value.split())
        elif key == "prng":
            run.prng = value
        elif key == "rounds" and value.isdigit():
            run.rounds = int(value)
        elif key == "verify":
            run.verify = _VERIFY_CODES.get(value[:1], run.verify)
        return
    if text.strip() == "do not perform a final blank pass":
        run.noblank = True
        return
    version = _VERSION_INFO.match(text)
    if version and line.level == "info":
        run.banner = run.banner or version["banner"]
        return
    host = _HOST_SERIAL.match(text)
    if host:
        run.host_serial = _clean_serial(host["serial"])
        return
    found = _FOUND.match(text)
    if found:
        drive = run.drive(found["dev"])
        drive.bus = found["bus"].strip()
        drive.model = found["model"].strip()
        drive.serial = _clean_serial(found["serial"])
        return
    _read_drive_message(run, line)


def _read_drive_message(run: _Run, line: _Line) -> None:
    text = line.text
    invoking = _INVOKING.match(text)
    if invoking:
        drive = run.drive(invoking["dev"])
        drive.method = " ".join(invoking["method"].split())
        drive.invoked_line = line.number
        drive.started_at = line.when
        _seen(drive, line)
        return
    mentioned = [path.rstrip(".:'") for path in _DEVICE_IN_TEXT.findall(text)]
    known = [path for path in mentioned if path in run.drives]
    if not known:
        return
    drive = run.drives[known[0]]
    _seen(drive, line)
    if line.level in ("error", "fatal", "sanity"):
        drive.error_lines += 1
    if match := _PASS.match(text):
        drive.saw_pass_lines = True
        drive.passes_per_round = int(match["pn"])
        drive.rounds = int(match["rn"])
        if match["what"] == "Finished":
            drive.passes_finished += 1
    elif match := _ROUND.match(text):
        drive.rounds = drive.rounds or int(match["rn"])
        if match["final"]:
            drive.finished = True
    elif match := _BLANKING.match(text):
        if match["done"]:
            drive.blanked = True
        else:
            drive.blanking_started = True
    elif match := _GEOMETRY.match(text):
        drive.size = int(match["size"]) or drive.size
    elif match := _BYTES.match(text):
        drive.bytes_seen = max(drive.bytes_seen, int(match["n"]))
    elif match := _SERIAL_LINE.match(text):
        drive.serial = drive.serial or _clean_serial(match["serial"])
    elif match := _STATUS_DEBUG.match(text):
        drive.debug_errors = int(match["a"]) + int(match["b"]) + int(match["c"])


def _seen(drive: _Drive, line: _Line) -> None:
    if line.when is not None:
        drive.last_seen = line.when
    drive.last_line = line.number


def _clean_serial(value: str) -> str:
    serial = value.strip()
    if not serial or serial.lower() in ("(none)", "none", "unknown", "n/a"):
        return ""
    if set(serial) <= {"?"} or set(serial) <= {"X"}:  # anonymised by -q
        return ""
    return serial


# --- Drives of a run ----------------------------------------------------------------------


def _drives_of(run: _Run, *, is_last: bool, last_line: int) -> list[DriveWipe]:
    in_summary = run.table or run.error_rows or run.status_table_line
    if is_last and not run.closed and in_summary:
        raise ErasureLogError(
            _(
                "The log stops in the middle of nwipe's summary table (line %(line)s): "
                "it is truncated."
            )
            % {"line": last_line}
        )
    rows = {row.name: row for row in run.status_rows}
    result: list[DriveWipe] = []
    used: set[str] = set()
    for row in run.status_rows:
        drive = _drive_for_row(run, row.name)
        used.add(drive.path)
        result.append(_wipe(run, drive, row))
    for drive in run.invoked:
        if drive.path in used:
            continue
        if run.closed and rows:
            raise ErasureLogError(
                _("nwipe's summary table gives no status for %(device)s (line %(line)s).")
                % {"device": drive.path, "line": run.status_table_line}
            )
        if run.closed:
            result.append(_wipe(run, drive, None))  # old versions: no summary table
        elif is_last:
            raise ErasureLogError(
                _(
                    "The log stops before the end of the wipe of %(device)s (line %(line)s): "
                    "it is truncated."
                )
                % {"device": drive.path, "line": last_line}
            )
        else:
            result.append(_wipe(run, drive, None, cut_short=True))
    if not result and not run.closed and is_last and run.drives:
        raise ErasureLogError(
            _("The log stops before nwipe started wiping (line %(line)s): it is truncated.")
            % {"line": last_line}
        )
    return result


def _drive_for_row(run: _Run, name: str) -> _Drive:
    for path, drive in run.drives.items():
        if path.rsplit("/", 1)[-1] == name or path == name:
            return drive
    for path, drive in run.drives.items():
        if path.endswith(name) or path.endswith("/" + name.lstrip("/")):
            return drive
    path = name if name.startswith("/") else "/dev/" + name
    return run.drive(path)


def _wipe(run: _Run, drive: _Drive, row: _Row | None, *, cut_short: bool = False) -> DriveWipe:
    method = drive.method or run.method
    info = _method_info(method)
    rounds = drive.rounds or run.rounds
    per_round = drive.passes_per_round if drive.saw_pass_lines else info.passes_per_round
    if info.verify_only:
        per_round = 0
    passes = per_round * rounds if per_round is not None and rounds else None

    name = row.name if row else drive.path.rsplit("/", 1)[-1]
    errors = run.error_rows.get(name)
    if errors is None:
        errors = drive.debug_errors

    if row is not None:
        outcome = _outcome_of_status(row.status)
    elif cut_short:
        outcome = INTERRUPTED
    elif drive.error_lines or errors:
        outcome = FAILED
    elif not drive.finished:
        outcome = INTERRUPTED if run.closing == "aborted" else FAILED
    else:
        # No status row (versions without the table): a finished drive passed, unless nwipe
        # closed with "exited with errors" without saying which drive failed.
        outcome = FAILED if run.closing == "errors" else PASSED
    if outcome == PASSED and (errors or drive.error_lines):
        outcome = FAILED

    if drive.blanked or (drive.blanking_started and outcome == PASSED):
        blanking: bool | None = True
    elif run.noblank or not info.blanks or outcome != PASSED:
        blanking = False
    else:
        blanking = None

    started = drive.started_at
    duration = row.duration if row else None
    finished = drive.last_seen
    if started is not None and duration is not None:
        with contextlib.suppress(OverflowError):
            finished = started + timedelta(seconds=duration)

    model = drive.model or (row.model if row else "")
    serial = drive.serial or (_clean_serial(row.serial) if row else "")
    size = drive.size or drive.bytes_seen or None
    return DriveWipe(
        device_path=drive.path,
        model=model,
        serial=serial,
        size_bytes=size,
        method=method,
        technique=info.technique,
        passes=passes,
        pattern=info.pattern,
        verification=run.verify or VERIFY_NONE,
        blanking=blanking,
        outcome=outcome,
        errors=errors,
        started_at=started,
        finished_at=finished,
        verify_only=info.verify_only,
        rounds=rounds,
        passes_completed=drive.passes_finished if drive.saw_pass_lines else None,
        bus=drive.bus,
        prng=run.prng,
        duration_seconds=duration,
        status_text=row.status if row else "",
        line=row.line if row else drive.invoked_line,
    )


def _outcome_of_status(status: str) -> str:
    word = status.strip("- ").upper()
    if word == "ERASED":
        return PASSED
    if "ABORT" in word:
        return INTERRUPTED
    return FAILED

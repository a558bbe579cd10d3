"""Reading nwipe logs: real logs made on Debian 12 (see tests/fixtures/nwipe/README.md).

No database: the parser is pure Python.
"""

import contextlib
import dataclasses
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.erasure.nwipe import DriveWipe, ErasureLogError, NwipeReport, parse_nwipe_log
from tests import paths

pytestmark = pytest.mark.usefixtures("english")

FIXTURES = paths.FIXTURES / "nwipe"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(name: str) -> NwipeReport:
    return parse_nwipe_log(read(name))


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def without_lines(drives: list[DriveWipe]) -> list[DriveWipe]:
    return [dataclasses.replace(drive, line=None) for drive in drives]


# --- Every real log -----------------------------------------------------------------------

# file: [(device, method, verification, outcome, passes, pattern, blanking, errors)]
EXPECTED = {
    "zero-verify-last.log": [
        ("/dev/loop0", "Fill With Zeros", "last_pass", "passed", 1, "zeros", True, 0)
    ],
    "dodshort-verify-all-two-drives.log": [
        ("/dev/loop1", "DoD Short", "all_passes", "passed", 3, "dod", True, 0),
        ("/dev/loop2", "DoD Short", "all_passes", "passed", 3, "dod", True, 0),
    ],
    "prng-isaac-verify-off-noblank.log": [
        ("/dev/loop3", "PRNG Stream", "none", "passed", 1, "random", False, 0)
    ],
    "verify-zero-pass.log": [
        ("/dev/loop0", "Verify Zeros (0x00)", "last_pass", "passed", 0, "zeros", False, 0)
    ],
    "verify-one-fail-on-zeroed-drive.log": [
        ("/dev/loop0", "Verify Ones (0xFF)", "last_pass", "failed", 0, "ones", False, 32769)
    ],
    "one-two-rounds-verify-all.log": [
        ("/dev/loop3", "Fill With Ones", "all_passes", "passed", 2, "ones", True, 0)
    ],
    "gutmann-complete-8mib.log": [
        ("/dev/loop4", "Gutmann Wipe", "last_pass", "passed", 35, "gutmann", True, 0)
    ],
    "ops2-verify-last.log": [
        ("/dev/loop4", "RCMP TSSIT OPS-II", "last_pass", "passed", 8, "ops2", False, 0)
    ],
    "dod522022m-quiet.log": [
        ("/dev/loop4", "DoD 5220.22-M", "last_pass", "passed", 7, "dod", True, 0)
    ],
    "write-errors-enospc.log": [
        ("/dev/loop5", "Fill With Zeros", "last_pass", "failed", 1, "zeros", True, 2)
    ],
    "interrupted-gutmann-sigint.log": [
        ("/dev/loop5", "Gutmann Wipe", "last_pass", "interrupted", 35, "gutmann", False, 0)
    ],
    "interrupted-dod-sigterm.log": [
        ("/dev/loop5", "DoD 5220.22-M", "all_passes", "interrupted", 7, "dod", False, 0)
    ],
    "interrupted-two-drives-one-finished-sigint.log": [
        ("/dev/loop0", "Fill With Zeros", "last_pass", "passed", 1, "zeros", True, 0),
        ("/dev/loop5", "Fill With Zeros", "last_pass", "interrupted", 1, "zeros", False, 0),
    ],
    "appended-two-sessions-fail-then-pass.log": [
        ("/dev/loop0", "Verify Ones (0xFF)", "last_pass", "failed", 0, "ones", False, 32769),
        ("/dev/loop0", "Fill With Zeros", "last_pass", "passed", 1, "zeros", True, 0),
    ],
    "killed-then-rerun-appended.log": [
        ("/dev/loop0", "Gutmann Wipe", "last_pass", "interrupted", 35, "gutmann", False, None),
        ("/dev/loop1", "Fill With Zeros", "last_pass", "passed", 1, "zeros", True, 0),
    ],
    "verbose-zero-verify-off.log": [
        ("/dev/loop3", "Fill With Zeros", "none", "passed", 1, "zeros", True, 0)
    ],
    "dodshort-two-drives-with-serials.log": [
        ("/dev/sda", "DoD Short", "all_passes", "passed", 3, "dod", True, 0),
        ("/dev/sdb", "DoD Short", "all_passes", "passed", 3, "dod", True, 0),
    ],
    "zero-verify-last.stdout.txt": [
        ("/dev/loop0", "Fill With Zeros", "last_pass", "passed", 1, "zeros", True, 0)
    ],
    "interrupted-gutmann-sigint.stdout.txt": [
        ("/dev/loop5", "Gutmann Wipe", "last_pass", "interrupted", 35, "gutmann", False, 0)
    ],
    "stdout-only-dodshort.stdout.txt": [
        ("/dev/loop1", "DoD Short", "last_pass", "passed", 3, "dod", True, 0)
    ],
}


def test_every_fixture_is_described_and_tested():
    on_disk = {p.name for p in FIXTURES.iterdir() if p.name != "README.md"}
    tested = set(EXPECTED) | set(BROKEN)
    assert on_disk == tested
    readme = (FIXTURES / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in on_disk)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_logs(name):
    report = parse(name)
    assert (report.tool, report.version, report.banner) == ("nwipe", "0.33", "nwipe 0.33")
    got = [
        (
            d.device_path,
            d.method,
            d.verification,
            d.outcome,
            d.passes,
            d.pattern,
            d.blanking,
            d.errors,
        )
        for d in report.drives
    ]
    assert got == EXPECTED[name]
    for drive in report.drives:
        assert drive.technique == "overwrite"  # every method nwipe 0.33 has overwrites
        assert drive.verify_only == drive.method.startswith("Verify ")
        assert drive.started_at is not None and drive.started_at.tzinfo is None
        assert drive.finished_at is not None and drive.finished_at >= drive.started_at
        assert drive.line is not None


def test_one_drive_in_detail():
    (drive,) = parse("zero-verify-last.log").drives
    assert drive == DriveWipe(
        device_path="/dev/loop0",
        model="Loopback device",
        serial="",
        size_bytes=16 * 1024 * 1024,
        method="Fill With Zeros",
        technique="overwrite",
        passes=1,
        pattern="zeros",
        verification="last_pass",
        blanking=True,
        outcome="passed",
        errors=0,
        started_at=at("2026-11-28 13:03:02"),
        finished_at=at("2026-11-28 13:03:02"),
        verify_only=False,
        rounds=1,
        passes_completed=1,
        bus="VIRT",
        prng="Isaac64",
        duration_seconds=0,
        status_text="Erased",
        line=45,
    )


def test_timestamps_of_several_drives_and_of_an_interrupted_wipe():
    small, big = parse("interrupted-two-drives-one-finished-sigint.log").drives
    assert (small.started_at, small.finished_at) == (
        at("2026-11-28 13:22:23"),
        at("2026-11-28 13:22:23"),
    )
    # nwipe stops the clock of an aborted drive when it writes the summary.
    assert (big.started_at, big.finished_at) == (
        at("2026-11-28 13:22:23"),
        at("2026-11-28 13:22:26"),
    )
    assert big.duration_seconds == 3 and big.status_text == "UABORTED"
    assert big.passes_completed == 0 and small.passes_completed == 1

    first, second = parse("dodshort-verify-all-two-drives.log").drives
    assert first.finished_at == at("2026-11-28 13:03:05")
    assert second.finished_at == at("2026-11-28 13:03:06")


def test_the_interrupted_wipe_is_never_passed():
    for name in (
        "interrupted-gutmann-sigint.log",
        "interrupted-dod-sigterm.log",
        "interrupted-gutmann-sigint.stdout.txt",
    ):
        (drive,) = parse(name).drives
        assert drive.outcome == "interrupted"
        assert drive.blanking is False
        assert drive.size_bytes == 512 * 1024 * 1024


def test_the_serial_fixture_gives_model_and_serial():
    sda, sdb = parse("dodshort-two-drives-with-serials.log").drives
    # The Found line has the whole model; the summary table cuts it to 17 characters.
    assert (sda.model, sda.serial, sda.bus) == (
        "Samsung SSD 860 EVO 250GB",
        "S3YJNX0K123456A",
        "ATA",
    )
    assert (sdb.model, sdb.serial) == ("WDC WD5000AAKX-00ERMA0", "WD-WCC2EUK1234567")
    by_serial = {d.serial: d for d in parse("dodshort-two-drives-with-serials.log").drives}
    assert by_serial["S3YJNX0K123456A"].device_path == "/dev/sda"


def test_anonymised_serial_is_unknown():
    (drive,) = parse("dod522022m-quiet.log").drives
    assert drive.serial == ""
    assert drive.model == "Loopback device"


def test_verify_only_and_failures():
    (verified,) = parse("verify-zero-pass.log").drives
    assert verified.verify_only and verified.passes == 0 and verified.outcome == "passed"
    (failed,) = parse("verify-one-fail-on-zeroed-drive.log").drives
    assert failed.verify_only and failed.outcome == "failed" and failed.status_text == "-FAILED-"
    (io_error,) = parse("write-errors-enospc.log").drives
    assert io_error.outcome == "failed" and io_error.errors == 2


def test_stdout_captures_read_like_the_log_file():
    for log, stdout in (
        ("zero-verify-last.log", "zero-verify-last.stdout.txt"),
        ("interrupted-gutmann-sigint.log", "interrupted-gutmann-sigint.stdout.txt"),
    ):
        assert without_lines(parse(log).drives) == without_lines(parse(stdout).drives)
    # Without --logfile the closing line comes twice: still one drive.
    assert len(parse("stdout-only-dodshort.stdout.txt").drives) == 1


def test_str_input_and_windows_line_ends_and_trailing_nuls():
    raw = read("zero-verify-last.log")
    expected = parse_nwipe_log(raw)
    assert parse_nwipe_log(raw.decode()) == expected
    assert parse_nwipe_log(raw.replace(b"\n", b"\r\n")) == expected
    # A FAT stick pulled out too early leaves NUL bytes at the end of the file.
    assert parse_nwipe_log(raw + b"\x00" * 4096) == expected


def test_a_cut_after_the_summary_table_still_reads():
    raw = read("zero-verify-last.log")
    cut = raw[: raw.index(b"\n[2026/11/28 13:03:04]    info: Nwipe successfully")]
    assert without_lines(parse_nwipe_log(cut).drives) == without_lines(
        parse("zero-verify-last.log").drives
    )


@pytest.mark.parametrize(
    "name", ["zero-verify-last.log", "interrupted-two-drives-one-finished-sigint.log"]
)
def test_every_prefix_either_reads_the_same_or_is_refused(name):
    """A partial copy never yields another result than the whole log."""
    raw = read(name)
    full = without_lines(parse_nwipe_log(raw).drives)
    lines = raw.splitlines(keepends=True)
    cuts = [b"".join(lines[:n]) for n in range(len(lines) + 1)]
    cuts += [b"".join(lines[:n]) + lines[n][:20] for n in range(len(lines))]  # mid-line
    for cut in cuts:
        try:
            report = parse_nwipe_log(cut)
        except ErasureLogError:
            continue
        assert without_lines(report.drives) == full, cut[-200:]


# --- Broken files -------------------------------------------------------------------------

BROKEN = {
    "broken-empty.log": ["empty"],
    "broken-foreign-syslog.log": ["not an nwipe log"],
    "broken-foreign.json": ["not an nwipe log"],
    "broken-garbled-random.bin": ["binary data", "line 3"],
    "broken-garbled-noise-in-log.log": ["binary data", "line 17"],
    "broken-truncated-mid-wipe.log": [
        "stops before the end of the wipe of /dev/loop0",
        "line 26",
        "truncated",
    ],
    "broken-truncated-in-summary.log": ["summary table", "line 99", "truncated"],
    "broken-killed-gutmann-sigkill.log": ["/dev/loop5", "line 27", "truncated"],
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_are_refused_with_a_clear_message(name):
    with pytest.raises(ErasureLogError) as caught:
        parse(name)
    message = str(caught.value)
    for words in BROKEN[name]:
        assert words in message


def test_a_log_with_no_wipe_is_refused():
    raw = read("zero-verify-last.log")
    before_wipe = raw[: raw.index(b"[2026/11/28 13:03:02]  notice: Invoking")]
    with pytest.raises(ErasureLogError, match="before nwipe started wiping"):
        parse_nwipe_log(before_wipe)
    aborted_early = before_wipe + (
        b"[2026/11/28 13:03:03]    info: Nwipe was aborted by the user prior to the wipe "
        b"starting.\n"
    )
    with pytest.raises(ErasureLogError, match="no wipe"):
        parse_nwipe_log(aborted_early)


def test_messages_go_through_gettext(monkeypatch):
    import inventory.erasure.nwipe as module

    monkeypatch.setattr(module, "_", lambda text: "TRADUIT " + text)
    with pytest.raises(ErasureLogError, match=r"^TRADUIT The file is empty"):
        parse_nwipe_log(b"")


# --- Other versions (derived from the real logs, edited in the test) ----------------------


def test_shredos_banner():
    raw = read("zero-verify-last.log").replace(
        b"banner   = nwipe 0.33", b"banner   = ShredOS v2021.08.2_23_x86-64_0.34"
    )
    report = parse_nwipe_log(raw)
    assert (report.tool, report.version) == ("ShredOS", "0.34")
    assert report.banner == "ShredOS v2021.08.2_23_x86-64_0.34"


def test_old_prefix_with_program_name():
    # nwipe before 0.28 wrote "[…] nwipe: notice: …".
    text = read("zero-verify-last.log").decode()
    for level in ("notice", "info", "warning", "error"):
        text = text.replace(f"] {level:>7}: ", f"] nwipe: {level}: ")
    assert "nwipe: notice: Found" in text
    assert without_lines(parse_nwipe_log(text).drives) == without_lines(
        parse("zero-verify-last.log").drives
    )


def test_firmware_methods_of_newer_versions():
    text = read("zero-verify-last.log").decode()
    crypto = text.replace("Fill With Zeros", "Sanitize Crypto Erase (ATA/SCSI/NVMe)")
    (drive,) = parse_nwipe_log(crypto).drives
    assert (drive.technique, drive.outcome) == ("crypto_erase", "passed")
    secure = text.replace("Fill With Zeros", "Secure Erase (ATA/NVMe)")
    assert parse_nwipe_log(secure).drives[0].technique == "secure_erase"
    is5 = text.replace("Fill With Zeros", "HMG IS5 Enhanced")
    assert parse_nwipe_log(is5).drives[0].technique == "overwrite"


def test_summary_table_without_found_line():
    """Model and serial fall back to the table (model cut to 17 characters there)."""
    text = read("dodshort-two-drives-with-serials.log").decode()
    text = "\n".join(line for line in text.splitlines() if "notice: Found" not in line)
    sda, _sdb = parse_nwipe_log(text).drives
    assert (sda.model, sda.serial) == ("Samsung SSD 860 E", "S3YJNX0K123456A")


def test_an_offset_in_the_timestamp_gives_aware_datetimes():
    text = read("zero-verify-last.log").decode().replace(":02] ", ":02 +01:00] ")
    (drive,) = parse_nwipe_log(text).drives
    assert drive.started_at == datetime(2026, 11, 28, 13, 3, 2, tzinfo=timezone(timedelta(hours=1)))


def test_no_table_falls_back_on_the_lines():
    """A run closed without the summary table (older versions)."""

    def strip_tables(raw: bytes) -> str:
        return "\n".join(
            line
            for line in raw.decode().splitlines()
            if line.startswith("[") and "Total" not in line
        )

    (drive,) = parse_nwipe_log(strip_tables(read("zero-verify-last.log"))).drives
    assert drive.outcome == "passed" and drive.status_text == ""
    (drive,) = parse_nwipe_log(strip_tables(read("interrupted-gutmann-sigint.log"))).drives
    assert drive.outcome == "interrupted"
    (drive,) = parse_nwipe_log(strip_tables(read("write-errors-enospc.log"))).drives
    assert drive.outcome == "failed"


# --- Whatever the file holds: a report or ErasureLogError ---------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(data):
    with contextlib.suppress(ErasureLogError):
        parse_nwipe_log(data)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2048))
def test_arbitrary_text(data):
    with contextlib.suppress(ErasureLogError):
        parse_nwipe_log(data)


NWIPE_LINES = st.sampled_from(
    read("interrupted-two-drives-one-finished-sigint.log").decode().splitlines()
    + read("appended-two-sessions-fail-then-pass.log").decode().splitlines()
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(NWIPE_LINES, st.text(max_size=80)), max_size=120))
def test_shuffled_nwipe_lines(lines):
    try:
        report = parse_nwipe_log("\n".join(lines))
    except ErasureLogError:
        return
    for drive in report.drives:
        assert drive.outcome in ("passed", "failed", "interrupted")
        assert drive.verification in ("none", "last_pass", "all_passes")


DAMAGEABLE = [
    ("interrupted-two-drives-one-finished-sigint.log", "/dev/loop5"),
    ("interrupted-gutmann-sigint.log", "/dev/loop5"),
    ("write-errors-enospc.log", "/dev/loop5"),
    ("verify-one-fail-on-zeroed-drive.log", "/dev/loop0"),
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(DAMAGEABLE), st.data())
def test_losing_lines_never_turns_a_bad_wipe_into_a_passed_one(case, data):
    name, device = case
    lines = read(name).decode().splitlines()
    lost = data.draw(st.sets(st.integers(0, len(lines) - 1), max_size=len(lines)))
    kept = "\n".join(line for i, line in enumerate(lines) if i not in lost)
    try:
        report = parse_nwipe_log(kept)
    except ErasureLogError:
        return
    assert all(d.outcome != "passed" for d in report.drives if d.device_path == device)

"""The workbench program (workbench/reemploi_workbench.py): its pure parts, and one run of
the real program against the live server, wiping a loop device with the real nwipe."""

import json
import os
import subprocess
import sys
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

import pytest

from inventory.models import Device, Erasure, ErasureLog, ErasureRun, Status, WorkstationToken
from tests.factories import SiteFactory
from workbench import reemploi_workbench as wb

PROGRAM = Path(wb.__file__)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hardware"
LSHW = FIXTURES / "lshw" / "optiplex-7010-ssd-hdd.object.lshw.json"
LSHW_SERIAL = "7XK2D5J"


def disk(name, *, type="disk", rm=False, tran="sata", mountpoints=(None,), children=()):
    # The shape of `lsblk --json -b -O` (util-linux 2.38), trimmed to what is read.
    return {
        "name": name,
        "path": f"/dev/{name}",
        "type": type,
        "rm": rm,
        "tran": tran,
        "mountpoints": list(mountpoints),
        "children": list(children) or None,
    }


def part(name, *mountpoints):
    return disk(name, type="part", mountpoints=mountpoints or (None,))


LSBLK = {
    "blockdevices": [
        disk("loop0", type="loop", tran=None),
        disk("sda", children=[part("sda1", "/boot/efi"), part("sda2", "/")]),
        disk("sdb", children=[part("sdb1")]),
        disk("sdc", tran="usb", rm=True, children=[part("sdc1", "/run/live/medium")]),
        disk("sdd", tran="usb"),
        disk("nvme0n1", tran="nvme", children=[part("nvme0n1p1", "[SWAP]")]),
        disk("nvme1n1", tran="nvme"),
        disk("mmcblk0", tran=None, rm=True),
        disk("sr0", type="rom", tran="sata", rm=True),
    ]
}


# Choosing the drives ------------------------------------------------------------------


def test_by_default_only_the_internal_unmounted_disks_are_chosen():
    assert wb.choose_drives(LSBLK) == (["/dev/sdb", "/dev/nvme1n1"], [])


def test_the_disk_of_the_running_system_is_refused_even_when_named():
    drives, refusals = wb.choose_drives(LSBLK, ["/dev/sda"])
    assert drives == []
    assert refusals == ["/dev/sda holds the running system (mounted on /): it is never wiped."]


def test_a_disk_with_a_mounted_filesystem_or_swap_is_refused_when_named():
    drives, refusals = wb.choose_drives(LSBLK, ["/dev/sdc", "/dev/nvme0n1"])
    assert drives == []
    assert refusals == [
        "/dev/sdc holds a mounted filesystem (/run/live/medium): it is not wiped.",
        "/dev/nvme0n1 holds a mounted filesystem ([SWAP]): it is not wiped.",
    ]


def test_a_usb_disk_is_refused_even_when_named():
    assert "/dev/sdd" not in wb.choose_drives(LSBLK)[0]
    assert wb.choose_drives(LSBLK, ["/dev/sdd"]) == (
        [],
        ["/dev/sdd is on USB (the live stick?): USB disks are not wiped by this version."],
    )


def test_a_removable_disk_is_wiped_only_when_named():
    assert "/dev/mmcblk0" not in wb.choose_drives(LSBLK)[0]
    assert wb.choose_drives(LSBLK, ["/dev/mmcblk0"]) == (["/dev/mmcblk0"], [])


def test_a_loop_device_is_wiped_only_when_named():
    assert "/dev/loop0" not in wb.choose_drives(LSBLK)[0]
    assert wb.choose_drives(LSBLK, ["/dev/loop0"]) == (["/dev/loop0"], [])


def test_a_partition_a_cd_or_an_unknown_path_is_refused():
    _drives, refusals = wb.choose_drives(LSBLK, ["/dev/sdb1", "/dev/sr0", "/dev/nope"])
    assert refusals == [
        "/dev/sdb1 is not a disk.",
        "/dev/sr0 is a rom, not a whole disk: it is not wiped.",
        "/dev/nope is not a disk.",
    ]


def test_the_report_describes_neither_the_running_system_nor_the_stick_nor_unnamed_loops():
    assert wb.not_this_machine(LSBLK) == {"loop0", "sda", "sdc"}
    assert wb.not_this_machine(LSBLK, ["/dev/loop0"]) == {"sda", "sdc"}
    raw = json.dumps({"blockdevices": [{"name": n} for n in ("loop0", "sda", "sdb")]})
    kept = json.loads(wb.lsblk_without(raw.encode(), {"loop0", "sda"}))
    assert kept == {"blockdevices": [{"name": "sdb"}]}


def test_the_old_single_mountpoint_of_lsblk_is_read_too():
    old = {"blockdevices": [{"name": "sda", "type": "disk", "rm": "0", "mountpoint": "/"}]}
    assert wb.choose_drives(old) == ([], [])


# Requests -------------------------------------------------------------------------------


def test_the_multipart_body_carries_files_and_plain_fields():
    fields = [("lshw", "lshw.json", b'{"a": 1}\r\n'), ("donation", None, b"42")]
    body, content_type = wb.build_multipart(fields, boundary="XYZ")

    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts = list(message.iter_parts())
    assert [p.get_param("name", header="content-disposition") for p in parts] == [
        "lshw",
        "donation",
    ]
    assert parts[0].get_filename() == "lshw.json"
    assert parts[0].get_payload(decode=True) == b'{"a": 1}\r\n'
    assert parts[1].get_payload(decode=True) == b"42"


def test_an_answer_that_is_not_json_becomes_an_error():
    assert wb.read_answer(502, b"<html>Bad Gateway</html>") == {"error": "<html>Bad Gateway</html>"}
    assert wb.read_answer(201, b'{"asset_tag": "RE-000001"}') == {"asset_tag": "RE-000001"}


# Spool and flush ------------------------------------------------------------------------


class FakeServer:
    def __init__(self, *statuses):
        self.statuses = list(statuses)
        self.received = []

    def __call__(self, path, body, content_type):
        self.received.append((path, body))
        status = self.statuses.pop(0)
        return status, json.dumps({"asset_tag": "RE-000007", "error": "nope"}).encode()


def spooled(spool):
    return sorted(p.name for p in spool.iterdir())


def test_a_request_is_deleted_from_the_spool_only_after_a_2xx(tmp_path):
    name = wb.spool_request(tmp_path, wb.LOG_PATH, [("log", "nwipe.log", b"x")])

    status, _answer = wb.send_spooled(name, FakeServer(0))
    assert status == 0
    assert spooled(tmp_path) == [os.path.basename(name)]

    status, answer = wb.send_spooled(name, FakeServer(201))
    assert (status, answer["asset_tag"]) == (201, "RE-000007")
    assert spooled(tmp_path) == []


def test_flush_sends_the_oldest_first_and_keeps_what_failed(tmp_path):
    report = wb.spool_request(tmp_path, wb.REPORT_PATH, [("lshw", "lshw.json", b"{}")])
    log = wb.spool_request(tmp_path, wb.LOG_PATH, [("log", "nwipe.log", b"x")])
    server = FakeServer(200, 503)

    left = wb.flush(tmp_path, server, out=lambda line: None)

    assert left == 1
    assert [path for path, _body in server.received] == [wb.REPORT_PATH, wb.LOG_PATH]
    assert b"nwipe.log" in server.received[1][1]
    assert spooled(tmp_path) == [os.path.basename(log)]
    assert not os.path.exists(report)


def test_a_request_refused_for_good_is_set_aside_not_sent_again(tmp_path):
    log = wb.spool_request(tmp_path, wb.LOG_PATH, [("log", "nwipe.log", b"x")])

    assert wb.flush(tmp_path, FakeServer(400), out=lambda line: None) == 1
    assert spooled(tmp_path) == [os.path.basename(log) + ".refused"]
    assert wb.flush(tmp_path, FakeServer(), out=lambda line: None) == 0


# The real program, end to end -------------------------------------------------------------


def lshw_without_disks(path, source=LSHW):
    """An lshw fixture without its disks: the loop device is then the machine's only drive."""

    def trim(node):
        children = [trim(c) for c in node.get("children") or [] if c.get("class") != "disk"]
        return {**node, "children": children} if "children" in node else node

    document = json.loads(source.read_text())
    path.write_text(json.dumps(trim(document)))
    return path


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("media_root", "english")
def test_the_program_registers_the_machine_wipes_the_loop_device_and_sends_the_log(
    live_server, technician, loop_device, tmp_path
):
    _token, key = WorkstationToken.issue(name="Établi 1", site=SiteFactory(), user=technician)
    key_file = tmp_path / "token"
    key_file.write_text(key + "\n")
    spool = tmp_path / "spool"
    lshw = lshw_without_disks(tmp_path / "lshw.json")
    command = [sys.executable, str(PROGRAM), "run", "--server", live_server.url]
    command += ["--key-file", str(key_file), "--spool", str(spool)]
    command += ["--drive", loop_device, "--lshw-file", str(lshw)]

    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)

    assert done.returncode == wb.EXIT_OK, done.stdout + done.stderr
    device = Device.objects.get(serial_number=LSHW_SERIAL)
    assert device.asset_tag in done.stdout
    with open(loop_device, "rb") as wiped:
        assert wiped.read() == bytes(8 * 1024 * 1024)
    # The loop device has no serial number: the workstation named the device, so the wipe
    # is recorded on a drive of that device without one. The report described neither the
    # disk of the running system nor any other loop device: it is the only drive.
    (drive,) = device.drives.all()
    assert drive.serial_number == ""
    (erasure,) = Erasure.objects.all()
    assert (erasure.drive, erasure.result, erasure.level) == (drive, "passed", "clear")
    assert ErasureLog.objects.count() == 1
    assert list(spool.iterdir()) == []
    device.refresh_from_db()
    assert device.status == Status.REFURBISHING
    # The start was announced (received → wiping) and the log closed it.
    (run,) = ErasureRun.objects.all()
    assert run.finished_at is not None
    assert [(d["path"], d["method"]) for d in run.drives] == [(loop_device, "overwrite")]
    assert [h.status for h in device.history.order_by("history_date")][-2:] == [
        Status.WIPING,
        Status.REFURBISHING,
    ]
    reasons = [h.history_change_reason or "" for h in device.history.all()]
    assert sum("Établi 1" in reason for reason in reasons) == 2


# Progress of the wipe -----------------------------------------------------------------------

# /sys/block/sda/stat of a drive being zeroed (kernel 6.1): sectors read 3rd, written 7th.
STAT = "  1200 0 20480 300 {written_ios} 0 {written} 9000 0 4000 9300 0 0 0 0 0 0\n"


def stat_tree(root, sectors_written):
    (root / "sys/block/sda").mkdir(parents=True, exist_ok=True)
    text = STAT.format(written_ios=sectors_written // 8, written=sectors_written)
    (root / "sys/block/sda/stat").write_text(text)


def test_the_progress_counts_the_sectors_read_and_written_since_the_start():
    assert wb.sectors_moved(STAT.format(written_ios=1, written=4096)) == 20480 + 4096
    # 2,000,000 sectors zeroed, blanked and read back: 6,000,000 moved; 3,000,000 is half.
    assert wb.per_cent(3_000_000, 2_000_000 * 512) == 50
    # Never 100 before nwipe has finished: the log says whether it passed.
    assert wb.per_cent(10_000_000_000 // 512, 1_000_000_000) == 99
    assert wb.per_cent(123, 0) == 0


def test_the_watch_shows_the_progress_and_sends_it_every_30_seconds(tmp_path):
    stat_tree(tmp_path, 0)
    now, sent, shown = [0.0], [], []
    watch = wb.ProgressWatch(
        {"/dev/sda": 2_000_000 * 512},
        send=lambda path, body, content_type: sent.append((path, body)) or (200, b"{}"),
        tag="RE-000042",
        clock=lambda: now[0],
        root=str(tmp_path),
        out=shown.append,
    )

    stat_tree(tmp_path, 3_000_000)
    watch()
    now[0] = 10.0
    watch()
    now[0] = 31.0
    stat_tree(tmp_path, 4_800_000)
    watch()

    assert shown == ["  /dev/sda 50 %", "  /dev/sda 50 %", "  /dev/sda 80 %"]
    assert [path for path, _body in sent] == [wb.PROGRESS_PATH, wb.PROGRESS_PATH]
    assert b'{"/dev/sda": 80}' in sent[1][1]
    assert b"RE-000042" in sent[1][1]


def test_a_drive_whose_counters_cannot_be_read_is_left_out_silently(tmp_path):
    sent = []
    watch = wb.ProgressWatch(
        {"/dev/sdq": 10**9}, send=lambda *a: sent.append(a), tag="RE-1", root=str(tmp_path)
    )

    watch()

    assert watch.progress() == {}
    assert sent == []

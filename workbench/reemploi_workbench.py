#!/usr/bin/env python3
"""reemploi-workbench: register this computer with Réemploi, wipe its drives, send the log.

First version (issue 13). Runs as root on the live USB stick with nothing but Python 3's
standard library and Debian's lshw, smartmontools, util-linux and nwipe. See
docs/workbench.md.

    reemploi-workbench run --server URL --key-file FILE [--donation N] [--drive /dev/X ...]
    reemploi-workbench checks --server URL --key-file FILE --device TAG [--no-guided]
    reemploi-workbench flush --server URL --key-file FILE

Every request is written to the spool folder before it is sent and deleted only once
Réemploi answered 2xx, so a report or a log survives a network cut; `flush` sends again
what is left. Sending twice creates nothing twice: Réemploi answers a known log with 200
and a known serial number's report updates the same device.
"""

import argparse
import base64
import glob
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

# The program's modules live beside this file (installed together on the stick).
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import reemploi_checks as checks
import reemploi_erase
import reemploi_label

REPORT_PATH = "/api/hardware-reports/"
LOG_PATH = "/api/erasure-logs/"
CHECKS_PATH = checks.CHECKS_PATH
PROGRESS_PATH = "/api/erasure-progress/"
# nwipe's zero method writes the drive, blanks it (writes it again) and reads it back once:
# three times its size in input/output from start to end.
NWIPE_IO_PASSES = 3
SECTOR_BYTES = 512  # the unit of /sys/block/*/stat, whatever the drive's own sector size
SHOW_EVERY_SECONDS = 2
POST_EVERY_SECONDS = 30
DEFAULT_SPOOL = "/var/spool/reemploi"
# Zero + verification of the last pass: NIST SP 800-88 Clear for hard disks.
NWIPE_METHOD = ["--method=zero", "--verify=last", "--rounds=1"]
LSBLK_COLUMNS = "NAME,TYPE,SIZE,MODEL,SERIAL,ROTA,TRAN,VENDOR,RM"

VERSION = "2"
EXIT_OK = 0
EXIT_REFUSED = 1  # nothing was done: not root, no key, a drive refused
EXIT_WIPE_FAILED = 3  # nwipe did not erase every drive
EXIT_NOT_SENT = 4  # Réemploi could not be reached or refused: see the spool


class Refusal(Exception):
    """Something the technician must fix before anything is done."""


# Choosing the drives (pure: from `lsblk --json -b -O` output) -------------------------


def _mountpoints(node):
    # lsblk 2.37+ gives a list `mountpoints`; older ones a single `mountpoint`.
    points = node.get("mountpoints") or [node.get("mountpoint")]
    return [p for p in points if p]


def _all_mountpoints(node):
    points = _mountpoints(node)
    for child in node.get("children") or []:
        points += _all_mountpoints(child)
    return points


def _path(node):
    return node.get("path") or "/dev/" + node["name"]


def _is_yes(value):
    return value in (True, 1, "1", "true")


def why_not_erase(node, *, named):
    """The sentence saying why this lsblk disk must not be wiped, or None if it may be."""
    path = _path(node)
    points = _all_mountpoints(node)
    if "/" in points:
        return f"{path} holds the running system (mounted on /): it is never wiped."
    if points:
        return f"{path} holds a mounted filesystem ({', '.join(points)}): it is not wiped."
    if node.get("type") == "loop" and not named:
        return f"{path} is a loop device: it is wiped only when named with --drive."
    if node.get("type") not in ("disk", "loop"):
        return f"{path} is a {node.get('type')}, not a whole disk: it is not wiped."
    if node.get("tran") == "usb":
        # nwipe runs with --nousb, which would skip it anyway: say so before starting.
        return f"{path} is on USB (the live stick?): USB disks are not wiped by this version."
    if not named and _is_yes(node.get("rm")):
        return f"{path} is removable: it is wiped only when named with --drive."
    return None


def choose_drives(lsblk, named=()):
    """The drives to wipe: those named, else every internal disk that is safe to wipe.

    Returns (paths, refusals); a named drive that is refused or unknown is a refusal,
    an unnamed one is only left out.
    """
    nodes = {_path(node): node for node in lsblk.get("blockdevices") or []}
    if named:
        paths, refusals = [], []
        for path in named:
            node = nodes.get(os.path.realpath(path)) or nodes.get(path)
            reason = why_not_erase(node, named=True) if node else f"{path} is not a disk."
            (refusals if reason else paths).append(reason or _path(node))
        return paths, refusals
    chosen = [p for p, node in nodes.items() if why_not_erase(node, named=False) is None]
    return chosen, []


# Building and reading requests (pure) --------------------------------------------------


def build_multipart(fields, boundary=None):
    """A multipart/form-data body from (name, filename or None, bytes) fields.

    Returns (body, content type header).
    """
    boundary = boundary or uuid.uuid4().hex
    lines = []
    for name, filename, data in fields:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        lines += [f"--{boundary}".encode(), f"Content-Disposition: {disposition}".encode()]
        if filename is not None:
            lines.append(b"Content-Type: application/octet-stream")
        lines += [b"", data]
    lines += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines), f"multipart/form-data; boundary={boundary}"


def json_body(data):
    return json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json"


def read_answer(status, body):
    """The JSON answer as a dict; {"error": …} when the body is not JSON."""
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        text = body.decode("utf-8", "replace").strip()[:200]
        return {"error": text or f"HTTP {status} without an answer"}
    return answer if isinstance(answer, dict) else {"error": f"unexpected answer: {answer!r}"}


def is_permanent_refusal(status):
    # A 4xx says the request itself is wrong: sending it again would change nothing.
    # 408 and 429 are "try later"; 0 is no answer at all.
    return 400 <= status < 500 and status not in (408, 429)


# Sending, through the spool -----------------------------------------------------------


def http_sender(server, key, timeout=120):
    """A function that POSTs a multipart body and returns (status, body); status 0 if
    Réemploi could not be reached."""

    def send(path, body, content_type):
        request = urllib.request.Request(
            server.rstrip("/") + path,
            data=body,
            method="POST",
            headers={"Authorization": f"Token {key}", "Content-Type": content_type},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (urllib.error.URLError, OSError) as error:
            return 0, json.dumps({"error": f"cannot reach {server}: {error}"}).encode()

    return send


def spool_request(spool, path, fields=(), *, body=None):
    """Writes the request in the spool folder and returns the file's name: multipart
    `fields`, or a JSON `body` (the check results)."""
    os.makedirs(spool, mode=0o700, exist_ok=True)
    kind = {REPORT_PATH: "report", LOG_PATH: "log", CHECKS_PATH: "checks"}[path]
    name = os.path.join(spool, f"{time.time_ns()}-{kind}.json")
    encoded = [[n, f, base64.b64encode(d).decode("ascii")] for n, f, d in fields]
    request = {"path": path, "fields": encoded} if body is None else {"path": path, "json": body}
    with open(name + ".tmp", "w", encoding="utf-8") as out:
        json.dump(request, out)
    # The rename makes a half-written file impossible to send.
    os.replace(name + ".tmp", name)
    return name


def send_spooled(name, send):
    """Sends one spooled request; deletes it after a 2xx, sets it aside (.refused) after a
    permanent refusal, keeps it otherwise. Returns (status, answer)."""
    with open(name, encoding="utf-8") as spooled:
        request = json.load(spooled)
    if "json" in request:
        status, body = send(request["path"], *json_body(request["json"]))
    else:
        fields = [(n, f, base64.b64decode(d)) for n, f, d in request["fields"]]
        status, body = send(request["path"], *build_multipart(fields))
    if 200 <= status < 300:
        os.remove(name)
    elif is_permanent_refusal(status):
        os.replace(name, name + ".refused")
    return status, read_answer(status, body)


def flush(spool, send, out=print):
    """Sends every spooled request, oldest first. Returns how many are left unsent."""
    left = 0
    for name in sorted(glob.glob(os.path.join(spool, "*.json"))):
        status, answer = send_spooled(name, send)
        if 200 <= status < 300:
            out(f"Sent {os.path.basename(name)}: {answer.get('asset_tag', 'ok')}")
        else:
            left += 1
            out(f"Not sent {os.path.basename(name)} ({_status_text(status)}): {answer['error']}")
    return left


def _status_text(status):
    return f"HTTP {status}" if status else "no answer"


# Reading this computer ------------------------------------------------------------------


def run_tool(command):
    """The tool's standard output; its exit status is ignored (smartctl's is a bit mask)."""
    try:
        done = subprocess.run(command, capture_output=True, check=False, timeout=600)
    except FileNotFoundError as error:
        raise Refusal(f"{command[0]} is missing on this stick.") from error
    return done.stdout


def battery_uevents(root="/sys/class/power_supply"):
    """Every power supply's uevent, each opening with its name (see live-usb-report.md)."""
    lines = []
    for supply in sorted(glob.glob(os.path.join(root, "*"))):
        try:
            with open(os.path.join(supply, "uevent"), encoding="utf-8") as uevent:
                content = uevent.read().splitlines()
        except OSError:
            continue
        lines.append(f"POWER_SUPPLY_NAME={os.path.basename(supply)}")
        lines += [line for line in content if not line.startswith("POWER_SUPPLY_NAME=")]
    return ("\n".join(lines) + "\n").encode() if lines else b""


# Where the running system lives: the root, and the live stick (Debian live mounts it on
# /run/live/medium, older live-boot on /lib/live/mount/medium).
SYSTEM_MOUNTS = ("/", "/boot", "/run/live", "/lib/live/mount")


def _holds_system(node):
    return any(
        point == mount or point.startswith(mount.rstrip("/") + "/")
        for point in _all_mountpoints(node)
        for mount in SYSTEM_MOUNTS
    )


def not_this_machine(lsblk, named=()):
    """Names of the block devices the hardware report must not describe: the disk of the
    running system, the boot medium, and loop devices not named with --drive (the live
    system's own squashfs is one)."""
    named = {os.path.realpath(path) for path in named} | set(named)
    hidden = set()
    for node in lsblk.get("blockdevices") or []:
        loop_not_named = node.get("type") == "loop" and _path(node) not in named
        if loop_not_named or _holds_system(node):
            hidden.add(node["name"])
    return hidden


def lsblk_without(raw, hidden):
    """`lsblk --json` output without the devices named in `hidden`."""
    document = json.loads(raw or b"{}")
    devices = document.get("blockdevices") or []
    document["blockdevices"] = [d for d in devices if d.get("name") not in hidden]
    return json.dumps(document, indent=1).encode()


def report_fields(lshw, lsblk_disks, *, donation=None, named=()):
    """The hardware report's fields; `lsblk_disks` is the parsed `lsblk --json -O`."""
    hidden = not_this_machine(lsblk_disks, named)
    lsblk = run_tool(["lsblk", "--json", "-b", "-o", LSBLK_COLUMNS])
    fields = [("lshw", "lshw.json", lshw), ("lsblk", "lsblk.json", lsblk_without(lsblk, hidden))]
    for node in lsblk_disks.get("blockdevices") or []:
        if node.get("type") != "disk" or node["name"].startswith(("zram", "ram")):
            continue
        if node["name"] in hidden:
            continue
        smart = run_tool(["smartctl", "--json", "-a", _path(node)])
        if smart.strip():
            fields.append(("smartctl", f"smartctl-{node['name']}.json", smart))
    battery = battery_uevents()
    if battery:
        fields.append(("battery", "battery.uevent", battery))
    if donation is not None:
        fields.append(("donation", None, str(donation).encode()))
    return fields


def read_lsblk():
    return json.loads(run_tool(["lsblk", "--json", "-b", "-O"]) or b"{}")


def read_lshw(lshw_file):
    if lshw_file:
        with open(lshw_file, "rb") as given:
            return given.read()
    lshw = run_tool(["lshw", "-json", "-quiet"])
    if not lshw.strip():
        raise Refusal("lshw printed nothing: is this run as root?")
    return lshw


def wipe(drives, logfile, watch=None):
    """Runs nwipe on the drives, calling `watch()` every few seconds while it works;
    returns its exit status."""
    command = ["nwipe", "--autonuke", "--nogui", "--nowait", "--nousb", *NWIPE_METHOD]
    command += [f"--logfile={logfile}", *drives]
    try:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    except FileNotFoundError as error:
        raise Refusal("nwipe is missing on this stick.") from error
    while True:
        try:
            return process.wait(timeout=SHOW_EVERY_SECONDS)
        except subprocess.TimeoutExpired:
            if watch is not None:
                watch()


# Progress of the wipe: nwipe --nogui says nothing until a pass ends ------------------------


def sectors_moved(stat_text):
    """Sectors read plus sectors written, from a /sys/block/<name>/stat line."""
    fields = stat_text.split()
    return int(fields[2]) + int(fields[6])


def per_cent(moved, size_bytes, passes=NWIPE_IO_PASSES):
    """How far the wipe is from the sectors moved since it started; 99 at most until
    nwipe has finished (the log says whether it passed)."""
    if not size_bytes:
        return 0
    return max(0, min(99, moved * SECTOR_BYTES * 100 // (size_bytes * passes)))


class ProgressWatch:
    """Shows each drive's progress on the machine's screen and sends it to Réemploi,
    which shows it on the device page. Never stops the wipe: a failed read or send is
    only skipped."""

    def __init__(self, sizes, *, send, tag, clock=time.monotonic, root="/", out=print):
        self.sizes, self.send, self.tag = sizes, send, tag
        self.clock, self.root, self.out = clock, root, out
        self.start = {path: self._moved(path) for path in sizes}
        self.posted_at = None

    def _moved(self, path):
        name = os.path.basename(os.path.realpath(path))
        try:
            with open(os.path.join(self.root, "sys/block", name, "stat"), encoding="ascii") as stat:
                return sectors_moved(stat.read())
        except (OSError, ValueError, IndexError):
            return None

    def progress(self):
        done = {}
        for path, size in self.sizes.items():
            now, start = self._moved(path), self.start.get(path)
            if now is not None and start is not None:
                done[path] = per_cent(now - start, size)
        return done

    def __call__(self):
        done = self.progress()
        if not done:
            return
        line = " · ".join(f"{path} {value} %" for path, value in done.items())
        self.out(f"  {line}")
        if self.tag and (
            self.posted_at is None or self.clock() - self.posted_at >= POST_EVERY_SECONDS
        ):
            self.posted_at = self.clock()
            fields = [
                ("device", None, self.tag.encode()),
                ("progress", None, json.dumps(done).encode()),
            ]
            self.send(PROGRESS_PATH, *build_multipart(fields))


# The commands -----------------------------------------------------------------------------


def print_large(tag):
    line = "=" * (len(tag) + 8)
    print(f"\n{line}\n    {tag}\n{line}\nWrite {tag} on the machine's label.\n")


def send_report(args, send, lsblk):
    """Sends the report; returns (asset tag or None, the organisation's erasure policy)."""
    fields = report_fields(
        read_lshw(args.lshw_file), lsblk, donation=args.donation, named=args.drive or ()
    )
    print("Sending the hardware report…")
    status, answer = send_spooled(spool_request(args.spool, REPORT_PATH, fields), send)
    if 200 <= status < 300:
        print_large(answer["asset_tag"])
        return answer["asset_tag"], answer.get("erasure_policy")
    _not_sent("The report", status, answer, args.spool)
    return None, None


def _not_sent(what, status, answer, spool):
    print(f"{what} was not taken ({_status_text(status)}): {answer['error']}")
    if is_permanent_refusal(status):
        print(f"It is set aside in {spool} (*.refused): upload it by hand on the device page.")
    else:
        print(f"It is kept in {spool}: run `reemploi-workbench flush` once Réemploi answers.")


def wipe_and_send(args, send, drives, tag, lsblk, policy=None):
    """Purges the drives the policy wants purged and can be, overwrites the others with
    nwipe (saying why when a purge was wanted), and sends what was done."""
    nodes = {_path(node): node for node in lsblk.get("blockdevices") or []}
    runner = reemploi_erase.subprocess_runner
    plans = {path: reemploi_erase.plan(nodes[path], policy, runner) for path in drives}
    if tag:
        entries = [reemploi_erase.drive_entry(nodes[p], plans[p]["method"]) for p in drives]
        reemploi_erase.announce(send, build_multipart, tag, entries)
    outcomes = []
    to_purge = [p for p in drives if plans[p]["method"] != reemploi_erase.OVERWRITE]
    if to_purge:
        outcomes.append(purge_and_send(args, send, to_purge, tag, nodes, plans))
    to_wipe = [p for p in drives if p not in to_purge]
    if to_wipe:
        reasons = {p: plans[p]["fallback_reason"] for p in to_wipe if plans[p]["fallback_reason"]}
        sizes = {p: int(nodes[p].get("size") or 0) for p in to_wipe}
        outcomes.append(overwrite_and_send(args, send, to_wipe, tag, reasons, sizes))
    return max(outcomes, key=[EXIT_OK, EXIT_WIPE_FAILED, EXIT_NOT_SENT].index)


def purge_and_send(args, send, paths, tag, nodes, plans):
    entries = []
    for path in paths:
        print(f"Purging {path} ({plans[path]['method']}, the drive's own erase)…")
        entries.append(
            reemploi_erase.purge(
                nodes[path],
                plans[path],
                reemploi_erase.subprocess_runner,
                clock=lambda: time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                sleep=time.sleep,
            )
        )
    record = reemploi_erase.erasure_record(entries, VERSION)
    failed = [e["path"] for e in entries if e["outcome"] != "passed"]
    fields = [("log", "workbench-erasure.json", record)]
    return _send_log(args, send, fields, tag, failed=bool(failed))


def overwrite_and_send(args, send, drives, tag, reasons, sizes=None):
    for path, reason in reasons.items():
        print(f"{path}: Clear instead of Purge, because {reason}.")
    with tempfile.TemporaryDirectory(prefix="reemploi-") as work:
        logfile = os.path.join(work, "nwipe.log")
        print(f"Wiping {', '.join(drives)} with nwipe (zeros, then verification)…")
        watch = ProgressWatch(sizes or {}, send=send, tag=tag)
        code = wipe(drives, logfile, watch)
        if not os.path.exists(logfile):
            raise Refusal(f"nwipe wrote no log (exit status {code}): nothing was wiped.")
        with open(logfile, "rb") as log:
            fields = [("log", "nwipe.log", log.read())]
    if reasons:
        fields.append(("reasons", None, json.dumps(reasons).encode()))
    return _send_log(args, send, fields, tag, failed=bool(code))


def _send_log(args, send, fields, tag, *, failed):
    if tag:
        fields.append(("device", None, tag.encode()))
    status, answer = send_spooled(spool_request(args.spool, LOG_PATH, fields), send)
    if not 200 <= status < 300:
        _not_sent("The erasure log", status, answer, args.spool)
        return EXIT_NOT_SENT
    print(f"Erasure recorded: {answer['asset_tag']} is now {answer.get('status_label')}.")
    for sentence in answer.get("missing") or []:
        print(f"  Still missing: {sentence}")
    return EXIT_WIPE_FAILED if failed or answer.get("drives_failed") else EXIT_OK


def command_run(args):
    if os.geteuid() != 0:
        raise Refusal("Run me as root (sudo reemploi-workbench run …).")
    send = http_sender(args.server, read_key(args.key_file))
    lsblk = read_lsblk()
    drives, refusals = choose_drives(lsblk, args.drive or ())
    if refusals:
        raise Refusal("\n".join(["Nothing was done:", *refusals]))
    tag, policy = send_report(args, send, lsblk)
    if tag:
        fetch = reemploi_label.http_fetcher(args.server, read_key(args.key_file))
        reemploi_label.label_machine(
            tag, server=args.server, fetch=fetch, print_command=args.print_command
        )
    run_checks(args, send, tag)
    if not drives:
        print("No drive to wipe on this computer.")
        return EXIT_OK if tag else EXIT_NOT_SENT
    outcome = wipe_and_send(args, send, drives, tag, lsblk, policy)
    if tag is None and outcome == EXIT_OK:
        return EXIT_NOT_SENT
    return outcome


def run_checks(args, send, tag):
    """The machine's checks (reemploi_checks), each result posted through the spool.
    Returns True when every result was taken."""
    if tag is None:
        print("Checks not run: Réemploi does not know this machine yet (report not taken).")
        return False

    def ask():
        status, body = send(CHECKS_PATH, *json_body({"device": tag, "results": []}))
        return read_answer(status, body) if 200 <= status < 300 else None

    def post(body, send_now=True):
        name = spool_request(args.spool, CHECKS_PATH, body=body)
        if not send_now:
            return 0, {"error": f"kept in {args.spool} until `flush`"}
        return send_spooled(name, send)

    print(f"Checks of {tag}:")
    return checks.run_checks(
        tag,
        ask=ask,
        post=post,
        machine=checks.Machine(args.root),
        console=checks.TtyConsole(),
        guided=not args.no_guided,
        threshold=args.battery_threshold,
    )


def command_checks(args):
    send = http_sender(args.server, read_key(args.key_file))
    return EXIT_OK if run_checks(args, send, args.device.strip().upper()) else EXIT_NOT_SENT


def command_flush(args):
    left = flush(args.spool, http_sender(args.server, read_key(args.key_file)))
    if left:
        print(f"{left} request(s) still in {args.spool}.")
    return EXIT_NOT_SENT if left else EXIT_OK


def read_key(key_file):
    try:
        with open(key_file, encoding="utf-8") as key:
            return "".join(key.read().split())
    except OSError as error:
        raise Refusal(f"No workstation key in {key_file}: {error.strerror}.") from error


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="reemploi-workbench", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in [
        ("run", "register this computer, wipe its drives, send the log"),
        ("checks", "only run the checks of a registered device and send their results"),
        ("flush", "send again what the spool folder holds"),
    ]:
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--server", required=True, help="Réemploi's address, https://…")
        sub.add_argument("--key-file", default="/etc/reemploi/token")
        sub.add_argument("--spool", default=DEFAULT_SPOOL)
        if name == "run":
            sub.add_argument("--donation", type=int, help="the donation's number")
            sub.add_argument("--drive", action="append", help="wipe only this drive")
            sub.add_argument("--lshw-file", help="a saved `lshw -json` instead of running it")
            sub.add_argument(
                "--print-command", help='prints the label PDF from its input, e.g. "lp -d zebra"'
            )
        if name == "checks":
            sub.add_argument("--device", required=True, help="the device's asset tag")
        if name in ("run", "checks"):
            _check_options(sub)
    return parser.parse_args(argv)


def _check_options(sub):
    sub.add_argument("--no-guided", action="store_true", help="skip screen, keyboard, touchpad")
    sub.add_argument(
        "--battery-threshold",
        type=int,
        default=checks.DEFAULT_BATTERY_THRESHOLD,
        help="the least battery health that passes, in %% of the design capacity",
    )
    sub.add_argument("--root", default="/", help="read /sys and /proc under this folder")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        commands = {"run": command_run, "checks": command_checks, "flush": command_flush}
        return commands[args.command](args)
    except Refusal as refusal:
        print(f"reemploi-workbench: {refusal}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())

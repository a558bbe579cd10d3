"""reemploi_checks: the checks the workbench program makes on the machine (issue 13).

Automatic checks read what the machine says (SMART verdicts, battery capacities, memory,
drives, Wi-Fi, camera, sound card, USB controllers); guided checks ask the technician for
ONE answer each (screen colour fill, every key pressed, touchpad touched and clicked).
Each result goes to Réemploi's POST /api/check-results/ as {"check", "outcome", "note"};
the codes are the `workbench_check` codes of the checklist tests (docs/workbench.md).

Standard library only. The checks are pure functions over text and dicts; `Machine`
reads the files and runs the tools (under a root folder the tests replace), `TtyConsole`
talks to the technician (the tests replace it with scripted keys). Notes are in French:
they are shown on the device page of a French workshop.
"""

import contextlib
import glob
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import time

CHECKS_PATH = "/api/check-results/"
DEFAULT_BATTERY_THRESHOLD = 60
PASS, FAIL, SKIP = "pass", "fail", "skip"
MAX_NOTE = 200


def result(check, outcome, note):
    return {"check": check, "outcome": outcome, "note": note[:MAX_NOTE]}


# Automatic checks (pure) ---------------------------------------------------------------


def internal_disks(lsblk):
    """The internal disks of `lsblk --json -b -O`: not USB, not removable, not zram/ram."""
    return [
        node
        for node in lsblk.get("blockdevices") or []
        if node.get("type") == "disk"
        and not node["name"].startswith(("zram", "ram"))
        and node.get("tran") != "usb"
        and node.get("rm") not in (True, 1, "1", "true")
    ]


def smart_check(verdicts):
    """From {disk name: `smartctl --json -H` output (dict)}: pass when every verdict passed."""
    if not verdicts:
        return result("smart", SKIP, "aucun disque interne à interroger")
    failed = [name for name, smart in verdicts.items() if _smart_passed(smart) is False]
    unknown = [name for name, smart in verdicts.items() if _smart_passed(smart) is None]
    passed = [name for name in verdicts if name not in failed + unknown]
    if failed:
        return result("smart", FAIL, "SMART en échec : " + ", ".join(failed))
    if not passed:
        return result("smart", SKIP, "pas de verdict SMART : " + ", ".join(unknown))
    note = "SMART correct : " + ", ".join(passed)
    if unknown:
        note += " ; sans verdict : " + ", ".join(unknown)
    return result("smart", PASS, note)


def _smart_passed(smart):
    status = (smart or {}).get("smart_status")
    return status.get("passed") if isinstance(status, dict) else None


def storage_check(lsblk):
    disks = internal_disks(lsblk)
    if not disks:
        return result("storage", FAIL, "aucun disque interne trouvé")
    unread = [d["name"] for d in disks if not int(d.get("size") or 0)]
    if unread:
        return result("storage", FAIL, "taille illisible : " + ", ".join(unread))
    sizes = [f"{d['name']} {_gb(int(d['size']))}" for d in disks]
    return result("storage", PASS, ", ".join(sizes))


def _gb(size):
    return f"{size / 1e9:.0f} Go"


def ram_check(meminfo):
    """From /proc/meminfo: pass when MemTotal is read and not zero."""
    found = re.search(r"^MemTotal:\s+(\d+)\s*kB", meminfo or "", re.MULTILINE)
    kib = int(found.group(1)) if found else 0
    if not kib:
        return result("ram", FAIL, "taille de la mémoire illisible (/proc/meminfo)")
    return result("ram", PASS, f"{kib / 1024 / 1024:.1f} Gio".replace(".", ","))


def parse_uevents(text):
    """Power supplies from uevent lines, each block opening with POWER_SUPPLY_NAME=."""
    supplies = []
    for line in (text or "").splitlines():
        key, _equal, value = line.partition("=")
        key = key.removeprefix("POWER_SUPPLY_")
        if key == "NAME":
            supplies.append({})
        if supplies:
            supplies[-1][key] = value.strip()
    return supplies


def battery_health(supply):
    """Full capacity against design capacity, in %, or None when not given."""
    for unit in ("ENERGY", "CHARGE"):
        full, design = supply.get(f"{unit}_FULL"), supply.get(f"{unit}_FULL_DESIGN")
        if full and design and full.isdigit() and design.isdigit() and int(design):
            return round(100 * int(full) / int(design))
    return None


def battery_check(supplies, threshold=DEFAULT_BATTERY_THRESHOLD):
    batteries = [
        s for s in supplies if s.get("TYPE") == "Battery" or s.get("NAME", "").startswith("BAT")
    ]
    if not batteries:
        return result("battery", FAIL, "aucune batterie trouvée")
    healths = {s["NAME"]: battery_health(s) for s in batteries}
    read = {name: health for name, health in healths.items() if health is not None}
    if not read:
        return result("battery", SKIP, "capacités de la batterie illisibles")
    note = " ; ".join(f"{name} {health} %" for name, health in read.items())
    note += f" de la capacité d'origine (seuil {threshold} %)"
    worn = any(health < threshold for health in read.values())
    return result("battery", FAIL if worn else PASS, note)


def presence_check(check, names, found, missing):
    """Pass naming what was found, or fail saying what is missing."""
    if names:
        return result(check, PASS, f"{found} : {', '.join(names)}")
    return result(check, FAIL, missing)


def sound_cards(cards):
    """The cards' names from /proc/asound/cards ("--- no soundcards ---" gives none)."""
    return re.findall(r"^\s*\d+ \[[^\]]*\]: .*? - (.*)$", cards or "", re.MULTILINE)


def automatic_checks(machine, threshold=DEFAULT_BATTERY_THRESHOLD):
    lsblk = machine.lsblk()
    disks = internal_disks(lsblk)
    return [
        smart_check({d["name"]: machine.smartctl("/dev/" + d["name"]) for d in disks}),
        battery_check(parse_uevents(machine.power_supplies()), threshold),
        ram_check(machine.read("proc/meminfo")),
        storage_check(lsblk),
        presence_check("wifi", machine.wifi_interfaces(), "interface", "aucune interface Wi-Fi"),
        presence_check("camera", machine.cameras(), "trouvée", "aucune caméra (video4linux)"),
        presence_check(
            "sound",
            sound_cards(machine.read("proc/asound/cards")),
            "carte son (haut-parleurs non essayés)",
            "aucune carte son",
        ),
        presence_check(
            "usb", machine.usb_controllers(), "contrôleurs (ports non essayés)", "aucun contrôleur"
        ),
    ]


# Reading the machine (thin) --------------------------------------------------------------


class Machine:
    """Files under `root` (/ on the stick, a fixture folder in tests) and the tools."""

    def __init__(self, root="/", run=None):
        self.root = root
        self.run = run or _run

    def path(self, relative):
        return os.path.join(self.root, relative)

    def read(self, relative):
        try:
            with open(self.path(relative), encoding="utf-8", errors="replace") as data:
                return data.read()
        except OSError:
            return None

    def names(self, pattern):
        return sorted(os.path.basename(p) for p in glob.glob(self.path(pattern)))

    def power_supplies(self):
        blocks = []
        for name in self.names("sys/class/power_supply/*"):
            uevent = self.read(f"sys/class/power_supply/{name}/uevent") or ""
            blocks.append(f"POWER_SUPPLY_NAME={name}\n{uevent}")
        return "\n".join(blocks)

    def wifi_interfaces(self):
        return [
            name
            for name in self.names("sys/class/net/*")
            if os.path.exists(self.path(f"sys/class/net/{name}/wireless"))
            or os.path.exists(self.path(f"sys/class/net/{name}/phy80211"))
        ]

    def cameras(self):
        names = self.names("sys/class/video4linux/*")
        return [(self.read(f"sys/class/video4linux/{n}/name") or n).strip() for n in names]

    def usb_controllers(self):
        return self.names("sys/bus/usb/devices/usb*")

    def lsblk(self):
        return _json(self.run(["lsblk", "--json", "-b", "-O"])) or {}

    def smartctl(self, device):
        return _json(self.run(["smartctl", "--json", "-H", device]))

    def input_events(self, name, timeout, want):
        """Reads /dev/input/`name` until `want` is seen or `timeout` seconds passed."""
        return watch_events(os.path.join("/dev/input", name), timeout, want)


def _run(command):
    if shutil.which(command[0]) is None:
        return b""
    done = subprocess.run(command, capture_output=True, check=False, timeout=120)
    return done.stdout


def _json(output):
    try:
        return json.loads(output or b"null")
    except ValueError:
        return None


# Guided checks ---------------------------------------------------------------------------

# The keys of a French AZERTY keyboard that a terminal in raw mode receives (shift, ctrl,
# alt and the dead key ^ send nothing alone; Échap ends the test).
AZERTY_ROWS = [
    ["²", "&", "é", '"', "'", "(", "-", "è", "_", "ç", "à", ")", "="],
    ["a", "z", "e", "r", "t", "y", "u", "i", "o", "p", "$"],
    ["q", "s", "d", "f", "g", "h", "j", "k", "l", "m", "ù", "*"],
    ["<", "w", "x", "c", "v", "b", "n", ",", ";", ":", "!"],
    ["Tab", "Espace", "Entrée", "Retour", "↑", "↓", "←", "→"],
]
ESCAPE = "Échap"
SPECIAL_KEYS = {
    b"\t": "Tab",
    b" ": "Espace",
    b"\r": "Entrée",
    b"\n": "Entrée",
    b"\x7f": "Retour",
    b"\x08": "Retour",
    b"\x1b": ESCAPE,
    b"\x1b[A": "↑",
    b"\x1b[B": "↓",
    b"\x1b[C": "→",
    b"\x1b[D": "←",
}


def keys_of(chunk):
    """The keys one read of a raw terminal gives (a sequence, or characters)."""
    if chunk in SPECIAL_KEYS:
        return [SPECIAL_KEYS[chunk]]
    if chunk.startswith(b"\x1b"):
        return []  # another function key: not in the list
    text = chunk.decode("utf-8", "replace")
    return [SPECIAL_KEYS.get(char.encode(), char.lower()) for char in text]


def keyboard_check(console, rows=AZERTY_ROWS):
    """Every key pressed once; Échap ends early and asks which keys failed."""
    left = [key for row in rows for key in row]
    total = len(left)
    with console.raw():
        while left:
            console.show(_keyboard_screen(rows, left))
            keys = console.read_keys()
            if not keys or ESCAPE in keys:
                break
            left = [key for key in left if key not in keys]
    if not left:
        return result("keyboard", PASS, f"les {total} touches ont répondu")
    answer = console.ask("Quelles touches ne marchent pas ? (Entrée si aucune) ").strip()
    untried = "non essayées : " + " ".join(left)
    if answer:
        return result("keyboard", FAIL, f"en panne : {answer} ; {untried}")
    return result("keyboard", PASS, f"{total - len(left)} touches ont répondu ; {untried}")


def _keyboard_screen(rows, left):
    lines = ["Clavier : appuyez sur chaque touche (Échap pour finir).", ""]
    for row in rows:
        lines.append("  ".join(key if key in left else "·" * len(key) for key in row))
    lines += ["", f"Reste {len(left)} touche(s)."]
    return "\n".join(lines)


COLOURS = [("rouge", 41), ("vert", 42), ("bleu", 44), ("blanc", 47), ("noir", 40)]


def screen_check(console, seconds=2.0):
    """Fills the screen with each colour in turn, then asks one question."""
    columns, lines = console.size()
    for _name, code in COLOURS:
        console.show(f"\x1b[{code}m" + (" " * columns + "\n") * (lines - 1) + " " * columns)
        console.sleep(seconds)
    console.show("\x1b[0m")
    answer = console.ask("Des pixels morts ? o/N ").strip().lower()
    colours = ", ".join(name for name, _code in COLOURS)
    if answer in ("o", "oui", "y", "yes"):
        return result("screen", FAIL, f"pixels morts signalés (aplats {colours})")
    return result("screen", PASS, f"aucun pixel mort vu (aplats {colours})")


# Linux input events (linux/input-event-codes.h).
EV_KEY, EV_ABS = 1, 3
BTN_LEFT, BTN_TOUCH = 0x110, 0x14A
INPUT_PROP_POINTER = 0
EVENT = struct.Struct("llHHi")  # struct input_event: timeval, type, code, value
# The kernel prints the bitmaps of /proc/bus/input/devices in words of a C long.
LONG_BITS = struct.calcsize("l") * 8


def _bits(words, bits):
    value = 0
    for word in words.split():
        value = (value << bits) | int(word, 16)
    return value


def find_touchpad(devices, bits=LONG_BITS):
    """The event handler (eventN) of a touchpad in /proc/bus/input/devices: a pointer
    (not a touchscreen) with absolute axes and BTN_TOUCH; None if there is none."""
    for block in (devices or "").split("\n\n"):
        fields = dict(re.findall(r"^B: (\w+)=(.*)$", block, re.MULTILINE))
        handler = re.search(r"^H: Handlers=.*\b(event\d+)\b", block, re.MULTILINE)
        if not handler or not {"PROP", "EV", "KEY"} <= set(fields):
            continue
        pointer = _bits(fields["PROP"], bits) >> INPUT_PROP_POINTER & 1
        absolute = _bits(fields["EV"], bits) >> EV_ABS & 1
        touch = _bits(fields["KEY"], bits) >> BTN_TOUCH & 1
        if pointer and absolute and touch:
            return handler.group(1)
    return None


def touchpad_seen(data):
    """{"touch", "click"} as far as the raw input events `data` show them."""
    seen = set()
    usable = len(data) - len(data) % EVENT.size
    for _sec, _usec, kind, code, value in EVENT.iter_unpack(data[:usable]):
        if kind == EV_ABS or (kind == EV_KEY and code == BTN_TOUCH and value):
            seen.add("touch")
        elif kind == EV_KEY and code == BTN_LEFT and value:
            seen.add("click")
    return seen


def watch_events(path, timeout, want):
    seen, data, deadline = set(), b"", time.monotonic() + timeout
    try:
        with open(path, "rb", buffering=0) as events:
            while not want <= seen and time.monotonic() < deadline:
                ready, _w, _x = select.select([events], [], [], deadline - time.monotonic())
                if ready:
                    data += events.read(EVENT.size * 64)
                    seen = touchpad_seen(data)
    except OSError:
        return None
    return seen


def touchpad_check(console, machine, timeout=20):
    """Touch and click the pad; without a touchpad to read, one question instead."""
    handler = find_touchpad(machine.read("proc/bus/input/devices"))
    if handler:
        console.show(f"Touchez et cliquez le pavé tactile ({timeout} s)…")
        seen = machine.input_events(handler, timeout, {"touch", "click"})
        if seen == {"touch", "click"}:
            return result("touchpad", PASS, f"toucher et clic reçus ({handler})")
        if seen is not None:
            missing = " et ".join(sorted({"touch", "click"} - seen))
            missing = missing.replace("touch", "toucher").replace("click", "clic")
            return result("touchpad", FAIL, f"rien reçu pour : {missing} ({handler})")
    answer = console.ask("Le pavé tactile bouge-t-il le pointeur et clique-t-il ? o/N ")
    works = answer.strip().lower() in ("o", "oui", "y", "yes")
    note = "d'après le technicien (pavé non lu)"
    return result("touchpad", PASS if works else FAIL, note)


GUIDED = ["screen", "keyboard", "touchpad"]


def guided_checks(console, machine, wanted):
    checks = {
        "screen": lambda: screen_check(console),
        "keyboard": lambda: keyboard_check(console),
        "touchpad": lambda: touchpad_check(console, machine),
    }
    return [checks[code]() for code in GUIDED if code in wanted]


class TtyConsole:
    """The technician's console: the program's own terminal."""

    def __init__(self, stdin=sys.stdin, stdout=sys.stdout):
        self.stdin, self.stdout = stdin, stdout

    def usable(self):
        return self.stdin.isatty() and self.stdout.isatty()

    def show(self, text):
        self.stdout.write("\x1b[H\x1b[2J" + text + "\n")
        self.stdout.flush()

    def ask(self, prompt):
        self.stdout.write(prompt)
        self.stdout.flush()
        return self.stdin.readline()

    def sleep(self, seconds):
        time.sleep(seconds)

    def size(self):
        size = shutil.get_terminal_size()
        return size.columns, size.lines

    @contextlib.contextmanager
    def raw(self):
        import termios
        import tty

        fd = self.stdin.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setraw(fd)
            yield
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    def read_keys(self):
        # One read is one key press: an escape sequence arrives whole.
        return keys_of(os.read(self.stdin.fileno(), 32))


# Running them and sending the results -------------------------------------------------------


def run_checks(tag, *, ask, post, machine, console, guided=True, threshold=60, out=print):
    """Runs the checks the device's checklist takes and posts their results.

    `ask()` returns Réemploi's answer to an empty request (its "checks"), or None when it
    cannot be reached: then every check runs and each result is posted alone, so that a
    check the device's checklist lacks is refused alone. `post(body, send_now)` spools the
    body, sends it if `send_now`, and returns (status, answer); status 0 is no answer.
    Returns True when every result was taken.
    """
    answer = ask()
    if answer is not None and not isinstance(answer.get("checks"), (dict, list)):
        # An answer without the list (an older Réemploi, a proxy's page): as if unreachable.
        out("  Réemploi did not say which checks this device takes: all of them run.")
        answer = None
    wanted = set(answer["checks"]) if answer else set(GUIDED) | set(AUTOMATIC)
    results = [r for r in automatic_checks(machine, threshold) if r["check"] in wanted]
    if guided and console.usable():
        results += guided_checks(console, machine, wanted)
    else:
        why = "tests guidés non faits (--no-guided)" if not guided else "pas de console"
        results += [result(code, SKIP, why) for code in GUIDED if code in wanted]
    for each in results:
        out(f"  {each['check']:<9} {each['outcome']:<5} {each['note']}")
    batches = [results] if answer else [[each] for each in results]
    taken, reachable = 0, True
    for batch in (b for b in batches if b):
        # Once Réemploi does not answer, the rest is only spooled: no wait for each.
        status, reply = post({"device": tag, "results": batch}, send_now=reachable)
        reachable = reachable and status != 0
        taken += _said(status, reply, out)
    return taken == len([b for b in batches if b])


AUTOMATIC = ["smart", "battery", "ram", "storage", "wifi", "camera", "sound", "usb"]


def _said(status, reply, out):
    if 200 <= status < 300:
        for sentence in reply.get("missing") or []:
            out(f"  Il manque encore : {sentence}")
        return True
    out(f"Résultats non pris ({status or 'pas de réponse'}) : {reply.get('error')}")
    return False

"""The workbench program's checks (workbench/reemploi_checks.py): automatic checks on fake
/sys and /proc trees and recorded tool outputs, guided checks driven by scripted keys, the
spooling of their results, and one run of the real `checks` command against the live
server."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from inventory.models import Category, ChecklistItem, CheckResult, Status, WorkstationToken
from tests.factories import DeviceFactory, bench_site
from workbench import reemploi_checks as checks
from workbench import reemploi_workbench as wb

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hardware"
LSBLK = FIXTURES / "lsblk" / "thinkpad-t480.lsblk.json"
SMART_NVME = FIXTURES / "smartctl" / "thinkpad-t480-nvme0n1.smartctl.json"
SMART_USB_BRIDGE = FIXTURES / "smartctl" / "optiplex-7010-sdc-usb-bridge.smartctl.json"
ASOUND = """\
 0 [PCH            ]: HDA-Intel - HDA Intel PCH
                      HDA Intel PCH at 0xf1340000 irq 146
"""
MEMINFO = "MemTotal:        7975468 kB\nMemFree:         6123456 kB\n"
# A ThinkPad T480's touchpad and keyboard in /proc/bus/input/devices (64-bit kernel).
INPUT_DEVICES = """\
I: Bus=0011 Vendor=0001 Product=0001 Version=ab54
N: Name="AT Translated Set 2 keyboard"
H: Handlers=sysrq kbd leds event3
B: PROP=0
B: EV=120013
B: KEY=402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe

I: Bus=0018 Vendor=06cb Product=ce67 Version=0100
N: Name="SYNA8004:00 06CB:CE67 Touchpad"
H: Handlers=mouse1 event5
B: PROP=5
B: EV=1b
B: KEY=e520 10000 0 0 0 0
B: ABS=2e0800000000003
"""


def read(path):
    return Path(path).read_bytes()


def fake_machine(root, *, battery="thinkpad-t480", wifi=True, smart=SMART_NVME):
    """A T480 as the program sees it: files under `root`, tools answering recordings."""
    supplies = root / "sys/class/power_supply"
    if battery:
        text = (FIXTURES / "battery" / f"{battery}.uevent").read_text()
        for block in text.split("POWER_SUPPLY_NAME=")[1:]:
            name, _newline, rest = block.partition("\n")
            (supplies / name).mkdir(parents=True)
            (supplies / name / "uevent").write_text(rest)
    (root / "sys/class/net/enp0s31f6").mkdir(parents=True)
    if wifi:
        (root / "sys/class/net/wlp3s0/wireless").mkdir(parents=True)
    (root / "sys/class/video4linux/video0").mkdir(parents=True)
    (root / "sys/class/video4linux/video0/name").write_text("Integrated Camera\n")
    for hub in ("usb1", "usb2", "1-0:1.0"):
        (root / "sys/bus/usb/devices" / hub).mkdir(parents=True)
    (root / "proc/asound").mkdir(parents=True)
    (root / "proc/asound/cards").write_text(ASOUND)
    (root / "proc/meminfo").write_text(MEMINFO)
    (root / "proc/bus/input").mkdir(parents=True)
    (root / "proc/bus/input/devices").write_text(INPUT_DEVICES)

    def run(command):
        return read(LSBLK) if command[0] == "lsblk" else read(smart)

    return checks.Machine(str(root), run=run)


def by_check(results):
    return {r["check"]: (r["outcome"], r["note"]) for r in results}


# Automatic checks ---------------------------------------------------------------------


def test_the_automatic_checks_of_a_laptop_in_good_order(tmp_path):
    results = by_check(checks.automatic_checks(fake_machine(tmp_path)))

    assert results == {
        # The live stick (sda, on USB) is neither asked for SMART nor counted as a drive.
        "smart": ("pass", "SMART correct : nvme0n1"),
        "battery": ("pass", "BAT0 84 % ; BAT1 72 % de la capacité d'origine (seuil 60 %)"),
        "ram": ("pass", "7,6 Gio"),
        "storage": ("pass", "nvme0n1 512 Go"),
        "wifi": ("pass", "interface : wlp3s0"),
        "camera": ("pass", "trouvée : Integrated Camera"),
        "sound": ("pass", "carte son (haut-parleurs non essayés) : HDA Intel PCH"),
        "usb": ("pass", "contrôleurs (ports non essayés) : usb1, usb2"),
    }


def test_a_worn_battery_fails_against_the_threshold_which_is_an_option(tmp_path):
    machine = fake_machine(tmp_path, battery="elitebook-8440p")

    assert by_check(checks.automatic_checks(machine))["battery"] == (
        "fail",
        "BAT0 55 % de la capacité d'origine (seuil 60 %)",
    )
    assert by_check(checks.automatic_checks(machine, threshold=50))["battery"][0] == "pass"


def test_a_laptop_without_battery_nor_wifi_fails_both(tmp_path):
    results = by_check(checks.automatic_checks(fake_machine(tmp_path, battery=None, wifi=False)))

    assert results["battery"] == ("fail", "aucune batterie trouvée")
    assert results["wifi"] == ("fail", "aucune interface Wi-Fi")


def test_smart_fails_on_a_failed_verdict_and_skips_without_any():
    nvme = json.loads(read(SMART_NVME))
    failing = {**nvme, "smart_status": {"passed": False}}
    bridge = json.loads(read(SMART_USB_BRIDGE))

    assert checks.smart_check({"nvme0n1": nvme, "sda": failing})["outcome"] == "fail"
    assert checks.smart_check({"sda": failing})["note"] == "SMART en échec : sda"
    assert checks.smart_check({"sdc": bridge, "sdd": None}) == {
        "check": "smart",
        "outcome": "skip",
        "note": "pas de verdict SMART : sdc, sdd",
    }


def test_memory_and_sound_read_nothing_from_empty_files():
    assert checks.ram_check("")["outcome"] == "fail"
    assert checks.ram_check(None)["outcome"] == "fail"
    assert checks.sound_cards("--- no soundcards ---\n") == []


# Guided checks -----------------------------------------------------------------------------


class ScriptedConsole:
    """The technician, scripted: key presses (as a raw terminal gives them) and answers."""

    def __init__(self, presses=(), answers=()):
        self.presses = list(presses)
        self.answers = list(answers)
        self.shown = []
        self.asked = []
        self.slept = 0.0

    def usable(self):
        return True

    def show(self, text):
        self.shown.append(text)

    def ask(self, prompt):
        self.asked.append(prompt)
        return self.answers.pop(0)

    def sleep(self, seconds):
        self.slept += seconds

    def size(self):
        return 80, 25

    @contextlib.contextmanager
    def raw(self):
        yield

    def read_keys(self):
        return checks.keys_of(self.presses.pop(0)) if self.presses else []


ROWS = [["a", "z", "é"], ["Espace", "Entrée", "↑"]]


def test_the_keyboard_passes_when_every_key_came_without_a_question():
    presses = [b"a", b"Z", "é".encode(), b" ", b"\r", b"\x1b[A"]
    console = ScriptedConsole(presses)

    assert checks.keyboard_check(console, ROWS) == {
        "check": "keyboard",
        "outcome": "pass",
        "note": "les 6 touches ont répondu",
    }
    assert console.asked == []
    # The keys still to press are shown, and ticked as they come.
    assert "a  z  é" in console.shown[0]
    assert "·  z  é" in console.shown[1]


def test_escape_ends_the_keyboard_test_and_the_failed_keys_are_asked():
    console = ScriptedConsole([b"a", b"z", b"\x1b"], answers=["é\n"])

    result = checks.keyboard_check(console, ROWS)

    assert result["outcome"] == "fail"
    assert result["note"] == "en panne : é ; non essayées : é Espace Entrée ↑"
    assert len(console.asked) == 1


def test_escape_with_no_failed_key_passes_naming_the_untried_ones():
    console = ScriptedConsole([b"a", b"z", "é".encode(), b"\x1b"], answers=["\n"])

    assert checks.keyboard_check(console, ROWS)["note"] == (
        "3 touches ont répondu ; non essayées : Espace Entrée ↑"
    )


def test_the_screen_fills_five_colours_then_asks_one_question():
    console = ScriptedConsole(answers=["o\n"])

    result = checks.screen_check(console, seconds=2)

    assert [text[:5] for text in console.shown[:5]] == [
        "\x1b[41m",
        "\x1b[42m",
        "\x1b[44m",
        "\x1b[47m",
        "\x1b[40m",
    ]
    assert console.asked == ["Des pixels morts ? o/N "]
    assert result["outcome"] == "fail"
    assert checks.screen_check(ScriptedConsole(answers=["\n"]))["outcome"] == "pass"


def test_the_touchpad_is_found_among_the_input_devices():
    assert checks.find_touchpad(INPUT_DEVICES, bits=64) == "event5"
    keyboard_only = INPUT_DEVICES.split("\n\n")[0]
    assert checks.find_touchpad(keyboard_only, bits=64) is None


def event(kind, code, value):
    return checks.EVENT.pack(0, 0, kind, code, value)


def test_touch_and_click_are_read_from_raw_input_events():
    touch = event(checks.EV_KEY, checks.BTN_TOUCH, 1) + event(0, 0, 0)
    click = event(checks.EV_KEY, checks.BTN_LEFT, 1)

    assert checks.touchpad_seen(touch) == {"touch"}
    assert checks.touchpad_seen(touch + click) == {"touch", "click"}
    # A release and a half event are not a click.
    assert checks.touchpad_seen(event(checks.EV_KEY, checks.BTN_LEFT, 0) + click[:10]) == set()


def test_the_touchpad_check_reads_the_pad_and_asks_only_without_one(tmp_path, monkeypatch):
    machine = fake_machine(tmp_path)
    monkeypatch.setattr(checks, "LONG_BITS", 64)
    monkeypatch.setattr(checks.find_touchpad, "__defaults__", (64,))
    monkeypatch.setattr(machine, "input_events", lambda name, timeout, want: {"touch", "click"})
    console = ScriptedConsole()

    assert checks.touchpad_check(console, machine)["outcome"] == "pass"
    assert console.asked == []

    (tmp_path / "proc/bus/input/devices").write_text(INPUT_DEVICES.split("\n\n")[0])
    console = ScriptedConsole(answers=["o\n"])
    assert checks.touchpad_check(console, machine) == {
        "check": "touchpad",
        "outcome": "pass",
        "note": "d'après le technicien (pavé non lu)",
    }


# Running and posting -----------------------------------------------------------------------


def test_only_the_checks_the_device_takes_are_run_and_posted_at_once(tmp_path):
    posted = []

    def post(body, send_now):
        posted.append(body)
        return 201, {"missing": ["No grade set."]}

    done = checks.run_checks(
        "RE-000042",
        ask=lambda: {"checks": {"ram": "Mémoire", "keyboard": "Clavier"}},
        post=post,
        machine=fake_machine(tmp_path),
        console=ScriptedConsole(),
        guided=False,
        out=lambda line: None,
    )

    assert done is True
    assert posted == [
        {
            "device": "RE-000042",
            "results": [
                {"check": "ram", "outcome": "pass", "note": "7,6 Gio"},
                {
                    "check": "keyboard",
                    "outcome": "skip",
                    "note": "tests guidés non faits (--no-guided)",
                },
            ],
        }
    ]


def test_without_an_answer_every_check_is_posted_alone(tmp_path):
    posted = []

    def post(body, send_now):
        posted.append((body, send_now))
        return 0, {"error": "cannot reach"}

    done = checks.run_checks(
        "RE-000042",
        ask=lambda: None,
        post=post,
        machine=fake_machine(tmp_path),
        console=ScriptedConsole(),
        guided=False,
        out=lambda line: None,
    )

    assert done is False
    assert [len(body["results"]) for body, _send_now in posted] == [1] * 11
    # Réemploi did not answer the first: the ten others are spooled without waiting.
    assert [send_now for _body, send_now in posted] == [True] + [False] * 10


def test_check_results_are_spooled_as_json_and_sent_once(tmp_path):
    body = {"device": "RE-000042", "results": [{"check": "ram", "outcome": "pass", "note": "é"}]}
    name = wb.spool_request(tmp_path, wb.CHECKS_PATH, body=body)
    received = []

    def server(status):
        def send(path, data, content_type):
            received.append((path, json.loads(data), content_type))
            return status, b'{"asset_tag": "RE-000042"}'

        return send

    assert wb.send_spooled(name, server(0))[0] == 0
    assert os.path.exists(name)
    assert wb.flush(tmp_path, server(200), out=lambda line: None) == 0
    assert received == [(wb.CHECKS_PATH, body, "application/json")] * 2
    assert list(tmp_path.iterdir()) == []
    assert wb.flush(tmp_path, server(200), out=lambda line: None) == 0
    assert len(received) == 2


# The real program, end to end --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("english")
def test_the_checks_command_records_the_results_on_the_devices_checklist(
    live_server, technician, tmp_path
):
    for tool in ("lsblk", "smartctl"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install util-linux smartmontools)")
    _token, key = WorkstationToken.issue(name="Établi 1", site=bench_site(), user=technician)
    (tmp_path / "token").write_text(key)
    root = tmp_path / "root"
    fake_machine(root)
    # Our own checklist: a transactional test run before this one may have emptied the
    # seeded one (migrations 0004 and 0009).
    ChecklistItem.objects.all().delete()
    for position, code in enumerate(checks.AUTOMATIC + checks.GUIDED):
        ChecklistItem.objects.create(
            category=Category.LAPTOP, label=code, position=position, workbench_check=code
        )
    device = DeviceFactory(site=bench_site(), category=Category.LAPTOP, status=Status.REFURBISHING)
    command = [sys.executable, str(Path(wb.__file__)), "checks", "--server", live_server.url]
    command += ["--key-file", str(tmp_path / "token"), "--spool", str(tmp_path / "spool")]
    command += ["--device", device.asset_tag.lower(), "--no-guided", "--root", str(root)]

    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == wb.EXIT_OK, done.stdout + done.stderr
    recorded = {
        r.item.workbench_check: r.outcome
        for r in CheckResult.objects.filter(device=device).select_related("item")
    }
    # smart and storage read this test machine's own drives, whatever they are; the guided
    # checks are skipped (--no-guided), which records nothing.
    assert {k: v for k, v in recorded.items() if k not in ("smart", "storage")} == {
        "battery": "pass",
        "ram": "pass",
        "wifi": "pass",
        "camera": "pass",
        "sound": "pass",
        "usb": "pass",
    }
    assert "Il manque encore" in done.stdout
    assert not (tmp_path / "spool").exists() or not list((tmp_path / "spool").iterdir())

    history = CheckResult.history.count()
    again = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == wb.EXIT_OK
    assert CheckResult.history.count() == history

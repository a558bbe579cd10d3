"""How many actions of the technician's own take a donated device from received to ready,
labelled and shelved: at most 8 for a laptop (with the workbench stick), 6 for a phone.

Counted: every click, choice in a list, submit, scan, and answer to the workbench's
prompts (a guided test such as pressing every key is one). Not counted: typing a brand or
a model, sticking the printed label, logging in, and what the machine does alone. Each
test prints its count (`pytest -s` shows it) and fails above the goal.

The laptop test runs the real workbench program (as root, on a loop device standing in for
the internal drive, nwipe wiping it) against the live server, then its guided tests with
scripted key presses, then the browser. The label printers are print commands that keep
what they are given: the workstation's (--print-command) and the server's
(LABEL_PRINT_COMMAND).
"""

import subprocess
import sys
import time

import pytest

from inventory.models import (
    Category,
    ChecklistItem,
    Device,
    Erasure,
    OperatingSystem,
    OsInstall,
    Status,
    WorkstationToken,
)
from labels.models import LabelRequest
from tests.browser.test_scan_station import scan
from tests.factories import (
    DeviceFactory,
    DonationFactory,
    LocationFactory,
    SiteFactory,
    UserFactory,
)
from tests.workbench.test_checks import ScriptedConsole, fake_machine
from tests.workbench.test_workbench import (
    FIXTURES,
    PROGRAM,
    lshw_without_disks,
)
from workbench import reemploi_checks as checks
from workbench import reemploi_workbench as wb

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media_root", "english", "eager_celery", "shipped_layouts"),
]

LAPTOP_GOAL, PHONE_GOAL = 8, 6
ELITEBOOK = FIXTURES / "lshw" / "elitebook-8440p-hdd.object.lshw.json"


class Actions:
    """The technician's own actions, each one counted as it is done."""

    def __init__(self, page):
        self.page, self.done = page, []

    def click(self, what, selector):
        self.page.click(selector)
        self.done.append(what)

    def choose(self, what, selector, value):
        self.page.select_option(selector, value)
        self.done.append(what)

    def scan(self, code):
        scan(self.page, code)
        self.done.append(f"scan {code}")

    def answered(self, what):
        self.done.append(what)

    def report(self, device_kind):
        print(f"\n{device_kind}: {len(self.done)} actions")
        for number, what in enumerate(self.done, 1):
            print(f"  {number}. {what}")
        return len(self.done)


@pytest.fixture
def printers(tmp_path, settings):
    """Two label printers keeping what they print: the server's and the workstation's."""
    script = tmp_path / "printer.py"
    script.write_text("import sys; open(sys.argv[1], 'ab').write(sys.stdin.buffer.read())\n")
    server, bench = tmp_path / "server-printer.pdf", tmp_path / "bench-printer.pdf"
    settings.LABEL_PRINT_COMMAND = f"{sys.executable} {script} {server}"
    return {"server": server, "bench": bench, "bench_command": f"{sys.executable} {script} {bench}"}


def checklist(category, codes, manual):
    """A checklist whose tests carry these workbench codes, plus one only a person does."""
    ChecklistItem.objects.filter(category=category).delete()
    for position, code in enumerate(codes):
        ChecklistItem.objects.create(
            category=category, label=f"Test {code}", position=position, workbench_check=code
        )
    ChecklistItem.objects.create(category=category, label=manual, position=len(codes))


def workshop_habits(site, category):
    """What the workshop did before: the system it installs, the shelf of ready devices."""
    shelf = LocationFactory(site=site, code=f"{site.code}-R01", name="Étagère des prêts")
    done = DeviceFactory(site=site, category=category, status=Status.READY, location=shelf)
    mint = OperatingSystem.objects.create(name="Linux Mint", version="22.1")
    OsInstall.objects.create(
        device=done, system=mint, installed_at=done.created_at, installed_by=UserFactory()
    )
    return shelf, mint


def test_a_laptop_with_the_workbench_takes_at_most_8_actions(
    login,
    live_server,
    technician,
    loop_device,
    printers,
    tmp_path,
    monkeypatch,
):
    from playwright.sync_api import expect

    codes = ["battery", "ram", "wifi", "camera", "sound", "usb", "screen", "keyboard", "touchpad"]
    checklist(Category.LAPTOP, codes, "Charnières, coque et chargeur")
    site = SiteFactory(code="BRU", name="Ressourcerie de Bruay")
    _token, key = WorkstationToken.issue(name="Établi 1", site=site, user=technician)
    shelf, mint = workshop_habits(site, Category.LAPTOP)
    (tmp_path / "token").write_text(key)
    root = tmp_path / "root"
    machine = fake_machine(root)
    page = login(technician)
    actions = Actions(page)

    # 1. The technician boots the laptop on the stick; the program does the rest alone:
    # report, label on the bench's printer, automatic checks, erasure, log.
    command = [sys.executable, str(PROGRAM), "run", "--server", live_server.url]
    command += ["--key-file", str(tmp_path / "token"), "--spool", str(tmp_path / "spool")]
    command += [
        "--drive",
        loop_device,
        "--lshw-file",
        str(lshw_without_disks(tmp_path / "l.json", ELITEBOOK)),
    ]
    command += ["--root", str(root), "--no-guided", "--print-command", printers["bench_command"]]
    began = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    program_seconds = time.monotonic() - began
    actions.answered("boot the laptop on the workbench stick")
    assert done.returncode == wb.EXIT_OK, done.stdout + done.stderr
    device = Device.objects.latest("pk")
    assert printers["bench"].read_bytes().startswith(b"%PDF")

    # 2-4. The guided tests on the laptop's screen: one answer each.
    keys = [checks_key(key) for row in checks.AZERTY_ROWS for key in row]
    console = ScriptedConsole(presses=keys, answers=["\n"])
    monkeypatch.setattr(machine, "input_events", lambda name, timeout, want: {"touch", "click"})
    send = wb.http_sender(live_server.url, key)
    guided = checks.run_checks(
        device.asset_tag,
        ask=lambda: wb.read_answer(
            *send(wb.CHECKS_PATH, *wb.json_body({"device": device.asset_tag, "results": []}))
        ),
        post=lambda body, send_now: (lambda s, b: (s, wb.read_answer(s, b)))(
            *send(wb.CHECKS_PATH, *wb.json_body(body))
        ),
        machine=machine,
        console=console,
        out=lambda line: None,
    )
    assert guided is True
    actions.answered("screen test: « Des pixels morts ? » Entrée")
    actions.answered("keyboard test: every key pressed")
    actions.answered("touchpad test: touch and click")
    device.refresh_from_db()
    assert device.status == Status.REFURBISHING

    # 5-8. At the bench's scan station, then the device page's ready panel.
    began = time.monotonic()
    page.goto(f"{live_server.url}/scan/")
    actions.scan(device.asset_tag)
    actions.click(
        "open the device from its card", f'#scan-card a.tag:has-text("{device.asset_tag}")'
    )
    panel = page.locator("#next-step")
    expect(panel).to_contain_text("Charnières, coque et chargeur")
    # The system the workshop installs and the shelf of its ready laptops are proposed.
    assert page.input_value("#id_ready-system") == str(mint.pk)
    assert page.input_value("#id_ready-location") == str(shelf.pk)
    actions.click("grade B", '#ready-form input[name="ready-grade"][value="B"]')
    actions.click("« All tests OK, ready »", '#ready-form button[name="ready-pass_pending"]')
    expect(page.locator("#next-step")).not_to_contain_text("All tests OK")

    device.refresh_from_db()
    assert (device.status, device.grade, device.location) == (Status.READY, "B", shelf)
    assert device.os_installs.get().system == mint
    erasure = Erasure.objects.get(drive__device=device)
    assert erasure.result == Erasure.Result.PASSED
    # Labelled: the asset tag at the bench when it registered, the grade once ready.
    assert printers["server"].read_bytes().startswith(b"%PDF")
    assert not LabelRequest.objects.filter(device=device, printed_at__isnull=True).exists()
    browser_seconds = time.monotonic() - began
    count = actions.report("Laptop, received to ready, labelled and shelved")
    print(f"  the program: {program_seconds:.1f} s (8 MiB drive), browser: {browser_seconds:.1f} s")
    assert count <= LAPTOP_GOAL


def checks_key(name):
    """The bytes a raw terminal receives for a key of checks.AZERTY_ROWS."""
    special = {v: k for k, v in checks.SPECIAL_KEYS.items() if v != checks.ESCAPE}
    special.update({"Entrée": b"\r", "Retour": b"\x7f"})
    return special.get(name, name.encode())


def test_a_phone_takes_at_most_6_actions(login, live_server, technician, printers):
    from playwright.sync_api import expect

    checklist(Category.SMARTPHONE, [], "Écran tactile, boutons, caméras, son, batterie")
    donation = DonationFactory()
    shelf, _mint = workshop_habits(donation.site, Category.SMARTPHONE)
    page = login(technician)
    actions = Actions(page)

    # 1-3. Registered from its donation's page: brand and model typed, not counted.
    page.goto(f"{live_server.url}{donation.get_absolute_url()}")
    actions.click(
        "« Register a device of this donation »", "text=Register a device of this donation"
    )
    actions.choose("category: smartphone", "#id_category", Category.SMARTPHONE)
    page.fill("#id_manufacturer", "Samsung")
    page.fill("#id_model", "Galaxy A52")
    actions.click("« Register »", 'button[type=submit]:has-text("Register")')
    device = Device.objects.get(model="Galaxy A52")
    expect(page.locator("#next-step")).to_contain_text("reset")

    # 4. The factory reset, the device being encrypted (ticked already).
    assert page.is_checked("#id_encrypted")
    actions.click("« Factory reset done »", "#factory-reset button[type=submit]")

    # 5-6. The ready panel: grade, then the tests and ready in one button.
    assert page.input_value("#id_ready-location") == str(shelf.pk)
    actions.click("grade A", '#ready-form input[name="ready-grade"][value="A"]')
    actions.click("« All tests OK, ready »", '#ready-form button[name="ready-pass_pending"]')
    expect(page.locator("#next-step")).not_to_contain_text("All tests OK")

    device.refresh_from_db()
    assert (device.status, device.grade, device.location) == (Status.READY, "A", shelf)
    erasure = Erasure.objects.get(drive__device=device)
    assert (erasure.method, erasure.level) == (Erasure.Method.CRYPTO_ERASE, "purge")
    assert printers["server"].read_bytes().startswith(b"%PDF")
    count = actions.report("Phone, received to ready, labelled and shelved")
    assert count <= PHONE_GOAL

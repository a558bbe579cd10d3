"""The workbench program's label part (workbench/reemploi_label.py): the QR code on the
console, the label PDF fetched with the workstation key and piped to the print command."""

import json
import stat
import sys

import pytest
from django.test import Client

from inventory.models import WorkstationToken
from labels.models import LabelRequest
from tests.factories import DeviceFactory, SiteFactory
from workbench import reemploi_label as label
from workbench import reemploi_workbench as wb

SERVER = "https://reemploi.example.org"


class Console:
    def __init__(self):
        self.lines = []

    def __call__(self, text=""):
        self.lines.append(str(text))

    @property
    def text(self):
        return "\n".join(self.lines)


def fake_printer(tmp_path, *, exit_status=0):
    """A print command that writes what it is given to printed.pdf."""
    script = tmp_path / "fake-lp"
    target = tmp_path / "printed.pdf"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"open({str(target)!r}, 'wb').write(sys.stdin.buffer.read())\n"
        "sys.stderr.write('printer offline')\n"
        f"sys.exit({exit_status})\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return f"{script} -d zebra", target


@pytest.fixture
def server_fetch(technician, db):
    """A fetch that asks this Réemploi (the test client) with a real workstation key."""
    _token, key = WorkstationToken.issue(name="Établi 1", site=SiteFactory(), user=technician)
    client = Client()

    def fetch(path):
        response = client.get(path, headers={"Authorization": f"Token {key}"})
        return response.status_code, response.content

    return fetch


@pytest.mark.django_db
@pytest.mark.usefixtures("media_root")
def test_the_label_pdf_is_piped_to_the_print_command(server_fetch, tmp_path):
    device = DeviceFactory()
    LabelRequest.objects.create(device=device, reason=LabelRequest.Reason.REGISTERED)
    command, printed = fake_printer(tmp_path)
    console = Console()

    assert label.print_label(
        device.asset_tag, fetch=server_fetch, print_command=command, out=console
    )

    assert printed.read_bytes().startswith(b"%PDF")
    assert f"The label of {device.asset_tag} was sent to the printer." in console.text
    assert LabelRequest.objects.get().printed_at is not None


@pytest.mark.django_db
@pytest.mark.usefixtures("media_root", "english")
def test_an_unknown_tag_is_said_and_nothing_is_printed(server_fetch, tmp_path):
    command, printed = fake_printer(tmp_path)
    console = Console()

    assert not label.print_label(
        "RE-999999", fetch=server_fetch, print_command=command, out=console
    )

    assert not printed.exists()
    assert "(HTTP 404): No device has the asset tag RE-999999." in console.text


def test_a_failing_print_command_is_said(tmp_path):
    command, _printed = fake_printer(tmp_path, exit_status=2)
    console = Console()

    done = label.print_label(
        "RE-000001", fetch=lambda path: (200, b"%PDF-1.4 x"), print_command=command, out=console
    )

    assert not done
    assert "failed (exit status 2): printer offline" in console.text


def test_a_print_command_that_does_not_exist_is_said(tmp_path):
    console = Console()

    done = label.print_label(
        "RE-000001",
        fetch=lambda path: (200, b"%PDF-1.4 x"),
        print_command=str(tmp_path / "no-such-lp"),
        out=console,
    )

    assert not done
    assert "could not run" in console.text


def test_an_unreachable_server_is_said():
    console = Console()

    done = label.print_label(
        "RE-000001", fetch=lambda path: (0, b"cannot reach it"), print_command="lp", out=console
    )

    assert not done
    assert "could not be fetched (no answer): cannot reach it" in console.text


def test_the_qr_code_is_drawn_by_qrencode_with_the_public_address():
    calls = []

    def run(command, **kwargs):
        calls.append(command)
        return type("Done", (), {"returncode": 0, "stdout": "█▀▀█".encode()})()

    drawn = label.qr_code("https://x/d/RE-000001/", which=lambda name: "/usr/bin/qrencode", run=run)

    assert drawn == "█▀▀█"
    assert calls == [["qrencode", "-t", "ANSIUTF8", "-m", "2", "https://x/d/RE-000001/"]]


def test_without_qrencode_the_console_says_it_is_missing():
    console = Console()

    label.show_qr("RE-000001", SERVER, out=console, qr=lambda text: None)

    assert "qrencode is missing" in console.text


def test_the_console_shows_the_qr_code_of_the_public_page():
    console, asked = Console(), []

    label.show_qr("RE-000001", SERVER, out=console, qr=lambda text: asked.append(text) or "QR")

    assert asked == [f"{SERVER}/d/RE-000001/"]
    assert console.lines == ["QR"]


# In the program: after the report, with a fake sender -----------------------------------


def run_args(tmp_path, key_file):
    spool = str(tmp_path / "spool")
    return ["run", "--server", SERVER, "--key-file", str(key_file), "--spool", spool]


def test_the_program_shows_and_prints_the_label_after_the_report(tmp_path, monkeypatch, capsys):
    command, printed = fake_printer(tmp_path)
    key_file = tmp_path / "token"
    key_file.write_text("the-key\n")
    fetched = []

    def sender(server, key, timeout=120):
        return lambda path, body, content_type: (
            201,
            json.dumps({"asset_tag": "RE-000042", "created": True}).encode(),
        )

    def fetcher(server, key, timeout=60):
        def fetch(path):
            fetched.append((server, key, path))
            return 200, b"%PDF-1.4 the label"

        return fetch

    monkeypatch.setattr(wb.os, "geteuid", lambda: 0)
    monkeypatch.setattr(wb, "http_sender", sender)
    monkeypatch.setattr(wb, "read_lsblk", lambda: {"blockdevices": []})
    monkeypatch.setattr(wb, "read_lshw", lambda path: b"{}")
    monkeypatch.setattr(wb.reemploi_label, "http_fetcher", fetcher)
    monkeypatch.setattr(wb.reemploi_label, "qr_code", lambda text: None)

    code = wb.main([*run_args(tmp_path, key_file), "--print-command", command])

    out = capsys.readouterr().out
    assert code == wb.EXIT_OK
    assert fetched == [(SERVER, "the-key", "/api/labels/RE-000042.pdf")]
    assert printed.read_bytes() == b"%PDF-1.4 the label"
    assert "RE-000042" in out
    assert "was sent to the printer" in out


def test_a_label_that_cannot_be_printed_does_not_stop_the_run(tmp_path, monkeypatch, capsys):
    key_file = tmp_path / "token"
    key_file.write_text("the-key\n")
    monkeypatch.setattr(wb.os, "geteuid", lambda: 0)
    monkeypatch.setattr(
        wb,
        "http_sender",
        lambda server, key: lambda p, b, c: (201, b'{"asset_tag": "RE-000042", "created": true}'),
    )
    monkeypatch.setattr(wb, "read_lsblk", lambda: {"blockdevices": []})
    monkeypatch.setattr(wb, "read_lshw", lambda path: b"{}")
    monkeypatch.setattr(wb.reemploi_label, "http_fetcher", lambda s, k: lambda p: (0, b"down"))

    code = wb.main([*run_args(tmp_path, key_file), "--print-command", "lp -d zebra"])

    assert code == wb.EXIT_OK
    assert "could not be fetched (no answer): down" in capsys.readouterr().out


def test_the_real_qrencode_draws_a_code_a_phone_reads_as_the_devices_page():
    import re
    import shutil

    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    if shutil.which("qrencode") is None:
        pytest.skip("qrencode is not installed (apt-get install qrencode)")
    url = label.public_url("https://reemploi.example.org", "RE-000042")

    drawn = label.qr_code(url)

    # ANSIUTF8: white ink on black; each character is two modules, top and bottom.
    rows = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in drawn.splitlines()]
    rows = [row for row in rows if row.strip() or row]
    light = {"█": (1, 1), "▀": (1, 0), "▄": (0, 1), " ": (0, 0)}
    width = max(len(row) for row in rows)
    image = Image.new("L", (width + 8, 2 * len(rows) + 8), 255)
    for y, row in enumerate(rows):
        for x, char in enumerate(row):
            top, bottom = light.get(char, (1, 1))
            image.putpixel((x + 4, 2 * y + 4), 255 if top else 0)
            image.putpixel((x + 4, 2 * y + 5), 255 if bottom else 0)
    image = image.resize((image.width * 8, image.height * 8), Image.NEAREST)

    assert url in [result.text for result in zxingcpp.read_barcodes(image)]

"""`python3 dev.py demo [--port N]`: the newcomer's command, on a port of their choice."""

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def dev(monkeypatch):
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    calls = []
    monkeypatch.setattr(module, "install", lambda: None)
    monkeypatch.setattr(module, "manage", lambda *args: calls.append(args))
    # Recorded, so that what demo() sets is undone after the test.
    for name in ("SITE_URL", "DEBUG"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    module.calls = calls
    return module


def test_the_demo_serves_on_8000_by_default(dev):
    dev.demo([])

    assert dev.calls[-1] == ("runserver", "127.0.0.1:8000", "--noreload")
    assert os.environ["SITE_URL"] == "http://127.0.0.1:8000"
    assert os.environ["DEBUG"] == "false"  # the site's own 404 page, not Django's


def test_another_port_moves_the_server_and_the_printed_addresses(dev):
    dev.demo(["--port", "8123"])

    assert dev.calls[-1] == ("runserver", "127.0.0.1:8123", "--noreload")
    assert os.environ["SITE_URL"] == "http://127.0.0.1:8123"


def test_a_site_url_already_set_is_kept(dev, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://reemploi.example.org")

    dev.demo(["--port", "8123"])

    assert os.environ["SITE_URL"] == "https://reemploi.example.org"


@pytest.mark.parametrize("args", [["--port"], ["--port", "http"], ["8000"]])
def test_a_wrong_option_says_how_to_write_it(dev, args):
    with pytest.raises(SystemExit, match=r"dev.py demo \[--port N\]"):
        dev.demo(args)

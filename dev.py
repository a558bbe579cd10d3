#!/usr/bin/env python3
"""One entry point for newcomers: `python3 dev.py demo` or `python3 dev.py test`.

`python3 dev.py demo --port 8001` serves the demo on another port (SITE_URL follows).

Needs only Python 3.11+. Creates .venv beside this file, installs the project into it
(again only when pyproject.toml changed), then runs the demo or the test suite.
Extra arguments after `test` go to pytest.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".installed"


def run(*args, **kwargs):
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def install():
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py runs before any venv exists)
        sys.exit("Réemploi needs Python 3.11 or newer.")
    if not PYTHON.exists():
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(wanted)


def manage(*args):
    run(PYTHON, "manage.py", *args)


def demo(args):
    port = _port(args)
    # The addresses printed in QR codes and e-mails point at the server actually serving.
    os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    # What an association sees: its own error pages, in French, not Django's debug pages
    # (static files are still served, by WhiteNoise from the apps' folders).
    os.environ.setdefault("DEBUG", "false")
    install()
    manage("migrate", "--noinput")
    manage("load_demo_data")
    print(f"\nRéemploi demo: http://127.0.0.1:{port}/  (accounts: see README, password 'demo')\n")
    manage("runserver", f"127.0.0.1:{port}", "--noreload")


def _port(args):
    """`--port N` (8000 by default), for a machine where 8000 is taken."""
    if not args:
        return 8000
    if len(args) == 2 and args[0] == "--port" and args[1].isdigit():
        return int(args[1])
    sys.exit("usage: python3 dev.py demo [--port N]")


def test(args):
    install()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([str(PYTHON), "-m", "pytest", *args], cwd=ROOT, env=env)
    sys.exit(result.returncode)


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "demo":
        demo(sys.argv[2:])
    elif command == "test":
        test(sys.argv[2:])
    elif command == "install":
        install()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Time the scan station through gunicorn with the production settings, against a floor.

    .venv/bin/python bench/bench_server.py --database-url postgres://postgres@127.0.0.1:5432/NAME
    .venv/bin/python bench/bench_server.py --database-url sqlite:////tmp/bench-…/bench.sqlite3

The database is one that bench_devices.py --keep (100,000 devices) or bench_reports.py
--keep (1,000,000) left: this script migrates it, adds a technician and never deletes
anything. It collects the static files into /tmp (production's manifest storage needs
them), starts gunicorn (`--workers`, sync, DEBUG off, bench/server/settings.py: the
production settings without the HTTPS redirect, plus a floor view at /bench/floor/ that
only answers "ok" behind the same middleware, session and user included), logs in as
the technician, then alternates one floor request and one scan posted as the station's
script posts it (HX-Request, the CSRF token, the station's cookie sent back). Scans mix
asset tags, AZERTY-garbled tags, serials, QR addresses and unknown codes. It prints the
median and p95 of each kind in ms, their ratio to the floor's, and the load average.
"""

import argparse
import http.client
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import bench_scan  # noqa: E402  (this folder's sibling: the mix of scanned codes)

TECHNICIAN = "bench-technicien"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scans", type=int, default=600, help="default 600")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def environment(database_url, port, static_root):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "server.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "TRUSTED_PROXIES": "none",
        "BENCH_STATIC_ROOT": static_root,
        "CACHE_URL": "locmemcache://",
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "WARNING",
    }


def prepare(rng, count):
    """Migrate, collect the static files, log the technician in; a sample of devices."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db.models import Max
    from django.test import Client

    from accounts.roles import Role
    from inventory.models import Device

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    user, _created = get_user_model().objects.get_or_create(username=TECHNICIAN)
    user.groups.add(Group.objects.get(name=Role.TECHNICIAN))
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    last = Device.objects.aggregate(last=Max("pk"))["last"]
    picked = rng.sample(range(1, last + 1), min(count, last))
    devices = list(Device.objects.filter(pk__in=picked).values_list("asset_tag", "serial_number"))
    from django.db import connection

    return session, devices, connection.vendor, Device.objects.count()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """One technician's browser: its cookies, sent back as a browser sends them."""

    def __init__(self, port, session):
        self.port = port
        self.cookies = {"sessionid": session}

    def request(self, method, path, form=None, headers=None):
        body = urlencode(form) if form is not None else None
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        began = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        elapsed = (time.perf_counter() - began) * 1000
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.status != 200:
            raise SystemExit(f"{method} {path} answered {response.status}: {content[:300]!r}")
        return elapsed, content

    def scan(self, code):
        form = {"code": code, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        return self.request("POST", "/scan/", form, {"HX-Request": "true"})[0]

    def floor(self):
        return self.request("GET", "/bench/floor/")[0]


def start_gunicorn(env, port, workers):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--log-level", "warning"]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start within 60 s")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, round(fraction * len(ordered)) - 1)]


def report(times, load_before, load_after, vendor, devices, workers):
    print(f"gunicorn, {workers} sync workers, production settings; {vendor}, {devices} devices")
    print(f"load average before {load_before}, after {load_after}")
    floor = times.pop("floor")
    floor_median, floor_p95 = statistics.median(floor), percentile(floor, 0.95)
    header = f"{'request':<12} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'× floor':>8} {'p95 ×':>7}"
    print(header)
    print("-" * len(header))
    print(f"{'floor':<12} {len(floor):>5} {floor_median:>10.1f} {floor_p95:>8.1f}")
    found = [t for kind, values in times.items() if kind != "unknown" for t in values]
    for kind, values in [*sorted(times.items()), ("all found", found)]:
        median, p95 = statistics.median(values), percentile(values, 0.95)
        print(
            f"{kind:<12} {len(values):>5} {median:>10.1f} {p95:>8.1f} "
            f"{median / floor_median:>8.2f} {p95 / floor_p95:>7.2f}"
        )


@contextmanager
def bench_site(database_url):
    """(environment, port) of a bench served by gunicorn, its static files collected in
    a folder of /tmp that is removed afterwards; this process's settings point there too."""
    port = free_port()
    static_root = tempfile.mkdtemp(prefix="bench-static-", dir="/tmp")
    env = environment(database_url, port, static_root)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    try:
        yield env, port
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


@contextmanager
def gunicorn(env, port, workers):
    """gunicorn serving the bench site while the block runs."""
    process = start_gunicorn(env, port, workers)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    with bench_site(args.database_url) as (env, port):
        session, devices, vendor, count = prepare(rng, 3000)
        with gunicorn(env, port, args.workers):
            browser = Browser(port, session)
            browser.request("GET", "/scan/")  # the CSRF cookie, as the page gives it
            mix = bench_scan.codes(rng, devices, args.scans)
            for _kind, code in mix[:30]:  # warm-up: both workers, templates, connections
                browser.floor()
                browser.scan(code)
            times = {"floor": []}
            load_before = os.getloadavg()
            for kind, code in mix:
                times["floor"].append(browser.floor())
                times.setdefault(kind, []).append(browser.scan(code))
            load_after = os.getloadavg()
    loads = [tuple(round(x, 2) for x in load) for load in (load_before, load_after)]
    report(times, *loads, vendor, count, args.workers)


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Time every back-office page through gunicorn with the production settings, against a floor.

    .venv/bin/python bench/bench_pages.py --database-url postgres://postgres@127.0.0.1:5432/NAME

The database is one that bench_reports.py --keep (1,000,000 devices) or bench_devices.py
--keep (100,000) left: this script migrates it, adds a superuser and never deletes
anything else. It counts each page's queries once with Django's test Client, then serves
the app as bench_server.py does (gunicorn, bench/server/settings.py, the floor view at
/bench/floor/) and GETs the pages in turns, one floor request before each page. It prints
each page's median and p95 in ms, their ratio to the floor's, its queries, and the load
average before and after.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import bench_server  # noqa: E402  (this folder's sibling: gunicorn, the browser, the floor)

SUPERUSER = "bench-admin"
NO_HIT = "ZQXJ-NO-SUCH-CODE"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=30, help="requests per page (30)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--only", default="", help="only the pages whose name holds this")
    return parser.parse_args()


def pages():
    """(name, path) of each page, with real objects from the database."""
    from django.db.models import Max

    from inventory.models import Device, Donation, Donor

    last = Device.objects.aggregate(last=Max("pk"))["last"]
    device = Device.objects.filter(pk__lte=last // 2).order_by("-pk").first()
    donation = Donation.objects.order_by("-pk").first()
    donor = Donor.objects.order_by("-pk").first()
    serial = Device.objects.exclude(serial_number="").filter(pk__lte=last // 3).first()
    return [
        ("dashboard", "/"),
        ("kanban", "/devices/kanban/"),
        ("kanban laptop", "/devices/kanban/?category=laptop"),
        ("list", "/devices/"),
        ("list ready laptop", "/devices/?status=ready&category=laptop"),
        ("list received", "/devices/?status=received"),
        ("list last page", "/devices/?page=last"),
        ("list sort model", "/devices/?sort=model"),
        ("list sort status", "/devices/?sort=status"),
        ("list grade A", "/devices/?grade=A"),
        ("kanban grade A", "/devices/kanban/?grade=A"),
        ("list donation", f"/devices/?donation={donation.pk}"),
        ("search no hit", f"/devices/?q={NO_HIT}"),
        ("search one hit", f"/devices/?q={serial.serial_number}"),
        ("search T480", "/devices/?q=T480"),
        ("device page", device.get_absolute_url()),
        ("scan page", "/scan/"),
        ("donations", "/donations/"),
        ("donation page", donation.get_absolute_url()),
        ("donors", "/donors/"),
        ("donor page", donor.get_absolute_url()),
        ("sites", "/sites/"),
    ]


def prepare(only):
    """Migrate, collect the static files, log the superuser in, count each page's queries."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from inventory.models import Device

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    user, _created = get_user_model().objects.get_or_create(
        username=SUPERUSER, defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    chosen = [(name, path) for name, path in pages() if only in name]
    queries = {}
    for name, path in chosen:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
        queries[name] = len(captured)
    session = client.cookies["sessionid"].value
    return session, chosen, queries, connection.vendor, Device.objects.count()


def report(times, queries, loads, vendor, devices, workers):
    print(f"gunicorn, {workers} sync workers, production settings; {vendor}, {devices} devices")
    print(f"load average before {loads[0]}, after {loads[1]}")
    floor = times.pop("floor")
    floor_median, floor_p95 = statistics.median(floor), bench_server.percentile(floor, 0.95)
    header = f"{'page':<18} {'median ms':>10} {'p95 ms':>8} {'× floor':>8} {'queries':>8}"
    print(header)
    print("-" * len(header))
    print(f"{'floor':<18} {floor_median:>10.1f} {floor_p95:>8.1f}")
    for name, values in times.items():
        median, p95 = statistics.median(values), bench_server.percentile(values, 0.95)
        print(
            f"{name:<18} {median:>10.1f} {p95:>8.1f} {median / floor_median:>8.2f} "
            f"{queries[name]:>8}"
        )


def main():
    args = parse_args()
    with bench_server.bench_site(args.database_url) as (env, port):
        session, chosen, queries, vendor, count = prepare(args.only)
        with bench_server.gunicorn(env, port, args.workers):
            browser = bench_server.Browser(port, session)
            for _name, path in chosen * 2:  # warm-up: both workers, templates, connections
                browser.floor()
                browser.request("GET", path)
            times = {"floor": []}
            load_before = os.getloadavg()
            # Pages in turns rather than one after the other: a busy minute on this shared
            # machine then spreads over every page instead of landing on one.
            for _round in range(args.rounds):
                for name, path in chosen:
                    times["floor"].append(browser.floor())
                    times.setdefault(name, []).append(browser.request("GET", path)[0])
            load_after = os.getloadavg()
    loads = [tuple(round(x, 2) for x in load) for load in (load_before, load_after)]
    report(times, queries, loads, vendor, count, args.workers)


if __name__ == "__main__":
    main()

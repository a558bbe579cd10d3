#!/usr/bin/env python
"""Time the scan station's look-up: 1,000 scans of random devices among 100,000.

    .venv/bin/python bench/bench_scan.py                        # SQLite in /tmp
    .venv/bin/python bench/bench_scan.py --devices 20000 --scans 300
    .venv/bin/python bench/bench_scan.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_reemploi_scan

Builds the same throw-away database as bench_devices.py, then posts scans to /scan/
through Django's test Client as the station's script does (HX-Request header), logged
in as a superuser, DEBUG off. Each figure is the wall-clock time of a whole request.
Scans are a mix a bench sees: asset tags (half of them typed through an AZERTY
keyboard mix-up), serial numbers, QR addresses and unknown codes.
"""

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_devices  # this folder's sibling, on the path just above

_TO_AZERTY = dict(zip("1234567890-", "&é\"'(-è_çà)", strict=True))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=100_000, help="default 100000")
    parser.add_argument("--scans", type=int, default=1000, help="default 1000")
    parser.add_argument("--database-url", help="a postgres:// URL; SQLite in /tmp by default")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def codes(rng, devices, scans):
    """(kind, code) pairs: what a morning at the bench looks like."""
    from inventory.scan.codes import device_public_url

    mix = []
    for _ in range(scans):
        tag, serial = rng.choice(devices)
        kind = rng.choices(["tag", "azerty", "serial", "qr", "unknown"], [40, 20, 15, 15, 10])[0]
        if kind == "tag":
            mix.append((kind, tag))
        elif kind == "azerty":
            mix.append((kind, "".join(_TO_AZERTY.get(c, c) for c in tag)))
        elif kind == "serial":
            mix.append((kind, serial or tag))
        elif kind == "qr":
            mix.append((kind, device_public_url(tag)))
        else:
            mix.append((kind, f"RE-{rng.randint(10**7, 10**8 - 1)}"))
    return mix


def run(args):
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from inventory.models import Device

    vendor = connection.vendor
    print(f"Scan bench: {args.devices} devices, {args.scans} scans, {vendor}")
    print(bench_devices.versions(vendor))
    call_command("migrate", verbosity=0, interactive=False)
    began = time.perf_counter()
    admin, _long, _counts = bench_devices.fill(args.devices, max(5, args.devices // 50), 42)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"fill: {time.perf_counter() - began:.1f} s")

    rng = random.Random(args.seed)
    devices = list(Device.objects.values_list("asset_tag", "serial_number"))
    client = Client()
    client.force_login(admin)
    for _ in range(5):  # warm-up: session row, caches, the first templates
        client.post("/scan/", {"code": devices[0][0]}, HTTP_HX_REQUEST="true")

    times, queries = {}, {}
    for kind, code in codes(rng, devices, args.scans):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.post("/scan/", {"code": code}, HTTP_HX_REQUEST="true")
            elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, (code, response.status_code)
        times.setdefault(kind, []).append(elapsed)
        queries.setdefault(kind, set()).add(len(captured))

    header = f"{'scan':<10} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'queries':>8}"
    print(header)
    print("-" * len(header))
    everything = []
    for kind, values in sorted(times.items()):
        everything += values
        print(_row(kind, values, queries[kind]))
    print(_row("all", everything, set().union(*queries.values())))


def _row(kind, values, counts):
    values = sorted(values)
    p95 = values[max(0, int(len(values) * 0.95) - 1)]
    spread = f"{min(counts)}-{max(counts)}" if len(counts) > 1 else str(min(counts))
    return (
        f"{kind:<10} {len(values):>5} {statistics.median(values):>10.1f} {p95:>8.1f} "
        f"{values[-1]:>8.1f} {spread:>8}"
    )


def main():
    args = parse_args()
    tmpdir = None
    if args.database_url:
        database_url = args.database_url
        bench_devices.create_postgres(database_url)
    else:
        tmpdir = tempfile.mkdtemp(prefix="bench-scan-", dir="/tmp")
        database_url = f"sqlite:///{tmpdir}/bench.sqlite3"
    try:
        bench_devices.configure_django(database_url)
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
        else:
            bench_devices.drop_postgres(database_url)


if __name__ == "__main__":
    main()

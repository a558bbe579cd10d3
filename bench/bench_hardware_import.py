#!/usr/bin/env python
"""Time the import of hardware reports, through the service and through the API.

    .venv/bin/python bench/bench_hardware_import.py                  # 100 reports, SQLite in /tmp
    .venv/bin/python bench/bench_hardware_import.py --reports 500
    .venv/bin/python bench/bench_hardware_import.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_reemploi

Never touches the project's own database (same rules as bench_devices.py, whose
database helpers it uses). The reports are the test fixtures of three real machines
(ThinkPad T480, OptiPlex 7010, EliteBook 8440p: lshw, smartctl per drive, lsblk), each
sent under a new serial number. Four runs of --reports imports each:

  service, new       import_hardware_report() registers a device per report
  service, again     the same machines re-sent, drives 10 hours older (updates + history)
  API, new           POST /api/hardware-reports/ with Django's test Client, new machines
  API, again         the API machines re-sent as they are (nothing changes)

plus the parser alone, to tell parsing from the database. DEBUG is off.
"""

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The database helpers (temporary SQLite, throw-away PostgreSQL) of the other bench.
import bench_devices as base

FIXTURES = base.ROOT / "tests" / "fixtures" / "hardware"
MACHINES = [
    (
        "lshw/thinkpad-t480-nvme.array.lshw.json",
        [
            "smartctl/thinkpad-t480-nvme0n1.smartctl.json",
            "smartctl/thinkpad-t480-sda-live-stick.smartctl.json",
        ],
        "lsblk/thinkpad-t480.lsblk.json",
    ),
    (
        "lshw/optiplex-7010-ssd-hdd.object.lshw.json",
        [
            "smartctl/optiplex-7010-sda-ssd.smartctl.json",
            "smartctl/optiplex-7010-sdb-hdd.smartctl.json",
            "smartctl/optiplex-7010-sdc-usb-bridge.smartctl.json",
        ],
        "lsblk/optiplex-7010.lsblk.json",
    ),
    ("lshw/elitebook-8440p-hdd.object.lshw.json", [], "lsblk/elitebook-8440p.lsblk.json"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=100, help="reports per run (100)")
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/NAME: a database NAME that this script creates "
        "and drops (default: a new SQLite file under /tmp)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


# Reports ------------------------------------------------------------------------------


def _with_serial(lshw, serial):
    doc = json.loads(lshw)
    (doc[0] if isinstance(doc, list) else doc)["serial"] = serial
    return json.dumps(doc).encode()


def _older(smartctl, hours):
    doc = json.loads(smartctl)
    if "power_on_time" in doc:
        doc["power_on_time"]["hours"] += hours
    if "nvme_smart_health_information_log" in doc:
        doc["nvme_smart_health_information_log"]["power_on_hours"] += hours
    return json.dumps(doc).encode()


def reports(count, prefix, hours=0):
    """`count` reports of the three machines in turn, each under its own serial number."""
    machines = [
        (
            (FIXTURES / lshw).read_bytes(),
            [(FIXTURES / s).read_bytes() for s in smartctl],
            (FIXTURES / lsblk).read_bytes(),
        )
        for lshw, smartctl, lsblk in MACHINES
    ]
    result = []
    for n in range(count):
        lshw, smartctl, lsblk = machines[n % len(machines)]
        result.append(
            {
                "lshw": _with_serial(lshw, f"{prefix}{n:06d}"),
                "smartctl": [_older(s, hours) for s in smartctl] if hours else smartctl,
                "lsblk": lsblk,
            }
        )
    return result


# Runs ---------------------------------------------------------------------------------


def _timed(calls):
    """Run each call; return the wall-clock ms of each, and the SQL queries of the first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], None
    for call in calls:
        began = time.perf_counter()
        if queries is None:
            with CaptureQueriesContext(connection) as captured:
                call()
            queries = len(captured.captured_queries)
        else:
            call()
        timings.append((time.perf_counter() - began) * 1000)
    return timings, queries


def run_service(batch, user, site):
    from inventory.hardware.services import import_hardware_report
    from inventory.models import HardwareReport

    def call(parts):
        return lambda: import_hardware_report(
            **parts, by=user, site=site, source=HardwareReport.Source.COMMAND
        )

    return _timed([call(parts) for parts in batch])


def run_api(batch, key, expected):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()

    def call(parts):
        def post():
            fields = {
                "lshw": SimpleUploadedFile("lshw.json", parts["lshw"]),
                "smartctl": [
                    SimpleUploadedFile(f"smartctl-{i}.json", s)
                    for i, s in enumerate(parts["smartctl"])
                ],
                "lsblk": SimpleUploadedFile("lsblk.json", parts["lsblk"]),
            }
            response = client.post(
                "/api/hardware-reports/", fields, headers={"Authorization": f"Token {key}"}
            )
            if response.status_code != expected:
                raise SystemExit(f"API answered {response.status_code}: {response.content[:300]}")

        return post

    return _timed([call(parts) for parts in batch])


def run_parser(batch):
    from inventory.hardware.report import parse_hardware_report

    return _timed(
        [lambda p=p: parse_hardware_report(p["lshw"], p["smartctl"], p["lsblk"]) for p in batch]
    )


def main():
    args = parse_args()
    tmpdir = None
    if args.database_url:
        if not args.database_url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("--database-url must be a postgres:// URL (SQLite is the default)")
        database_url = args.database_url
        base.create_postgres(database_url)
    else:
        tmpdir = tempfile.mkdtemp(prefix="bench-reemploi-hw-", dir="/tmp")
        database_url = f"sqlite:///{tmpdir}/bench.sqlite3"
    try:
        base.configure_django(database_url)
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"\nDatabase kept: {database_url}")
        elif tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
        else:
            base.drop_postgres(database_url)


def run(args):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from inventory.models import Device, Drive, HardwareReport, Site, WorkstationToken

    vendor = connection.vendor
    print(f"Réemploi hardware import bench: {args.reports} reports per run, {vendor}")
    print(base.versions(vendor))
    call_command("migrate", verbosity=0, interactive=False)
    site = Site.objects.create(code="BRU", name="Ressourcerie de Bruay-La-Buissière")
    user = get_user_model().objects.create_user("bench-technicien", "tech@example.org", None)
    user.groups.add(Group.objects.get(name="technician"))
    _token, key = WorkstationToken.issue(name="Établi bench", site=site, user=user)

    n = args.reports
    runs = [
        ("parser alone (no database)", lambda: run_parser(reports(n, "PARSE"))),
        ("service, new machines", lambda: run_service(reports(n, "SVC"), user, site)),
        ("service, same machines again", lambda: run_service(reports(n, "SVC", 10), user, site)),
        ("API, new machines (201)", lambda: run_api(reports(n, "API"), key, 201)),
        ("API, same machines again (200)", lambda: run_api(reports(n, "API"), key, 200)),
    ]
    header = f"{'run':<34} {'total s':>8} {'median ms':>10} {'p95 ms':>8} {'queries':>8}"
    print(header)
    print("-" * len(header))
    for label, run_once in runs:
        began = time.perf_counter()
        timings, queries = run_once()
        total = time.perf_counter() - began
        print(
            f"{label:<34} {total:>8.2f} {statistics.median(timings):>10.1f} "
            f"{base.percentile(timings, 0.95):>8.1f} {queries:>8}",
            flush=True,
        )
    print("-" * len(header))
    print(
        f"queries: those of the first report of the run. Database now: "
        f"{Device.objects.count()} devices, {Drive.objects.count()} drives, "
        f"{HardwareReport.objects.count()} reports, "
        f"{Device.history.count()} device history rows."
    )


if __name__ == "__main__":
    main()

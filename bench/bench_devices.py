#!/usr/bin/env python
"""Time the inventory pages on a large, throw-away database.

    .venv/bin/python bench/bench_devices.py                      # 100,000 devices, SQLite in /tmp
    .venv/bin/python bench/bench_devices.py --devices 20000 --repeat 10
    .venv/bin/python bench/bench_devices.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_reemploi

Never touches the project's own database: SQLite goes to a new file under /tmp, and a
PostgreSQL database named in --database-url is dropped, created, filled and dropped
again (through the `postgres` maintenance database, so the URL's role needs CREATEDB).
Each page is fetched with Django's test Client, logged in as a superuser, with DEBUG off;
the figures are wall-clock times of the whole request (middleware, ORM, templates).
"""

import argparse
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000
HISTORY_CYCLES = 25  # lifecycles of the one device with a long history

# (category, share of devices, models: manufacturer, model, cpu, RAM GB, storage, kg)
CATALOGUE = [
    (
        "laptop",
        55,
        [
            ("Lenovo", "ThinkPad T480", "Intel Core i5-8350U", 8, "256 GB SSD", "1.58"),
            ("Lenovo", "ThinkPad X270", "Intel Core i5-7300U", 8, "240 GB SSD", "1.36"),
            ("Dell", "Latitude 5490", "Intel Core i5-8250U", 8, "256 GB SSD", "1.60"),
            ("Dell", "Latitude 7390", "Intel Core i7-8650U", 16, "512 GB NVMe", "1.25"),
            ("HP", "EliteBook 840 G5", "Intel Core i5-8250U", 16, "512 GB SSD", "1.48"),
            ("HP", "ProBook 450 G6", "Intel Core i3-8145U", 8, "500 GB HDD", "2.00"),
        ],
    ),
    (
        "desktop",
        20,
        [
            ("Dell", "OptiPlex 7050", "Intel Core i5-6500", 8, "500 GB HDD", "5.40"),
            ("HP", "ProDesk 600 G3", "Intel Core i5-7500", 8, "256 GB SSD", "4.90"),
            ("Lenovo", "ThinkCentre M710q", "Intel Core i5-7400T", 8, "256 GB SSD", "1.30"),
        ],
    ),
    ("tablet", 6, [("Samsung", "Galaxy Tab A7", "Snapdragon 662", 3, "32 GB eMMC", "0.48")]),
    ("smartphone", 5, [("Samsung", "Galaxy A40", "Exynos 7904", 4, "64 GB eMMC", "0.14")]),
    (
        "screen",
        9,
        [
            ("Dell", "P2219H", "", None, "", "3.20"),
            ("Iiyama", "ProLite XU2292HS", "", None, "", "3.10"),
        ],
    ),
    ("router_4g", 5, [("Huawei", "B311-221", "", None, "", "0.20")]),
]
DRIVE_KIND = {"laptop": "ssd", "desktop": "hdd", "tablet": "emmc", "smartphone": "emmc"}
# Final status of the generated devices: mostly gone (sold, given, recycled), as in a
# ressourcerie that has run for years.
STATUS_SHARES = [
    ("received", 3),
    ("wiping", 2),
    ("refurbishing", 3),
    ("ready", 6),
    ("reserved", 1),
    ("lent", 15),
    ("returned", 1),
    ("sold", 35),
    ("given", 15),
    ("parts", 5),
    ("recycled", 13),
    ("lost", 1),
]
NOT_WIPED = {"received", "wiping"}
ON_A_SHELF = {"received", "wiping", "refurbishing", "ready", "reserved", "returned", "parts"}
GRADED = {"ready", "reserved", "lent", "returned", "sold", "given"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=100_000, help="default 100000")
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/NAME: a database NAME that this script creates "
        "and drops (default: a new SQLite file under /tmp)",
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--donations",
        type=int,
        help="number of donations (default: one per 50 devices, at least 5)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database afterwards (for EXPLAIN)"
    )
    parser.add_argument(
        "--show-sql", action="store_true", help="print the slowest query of each page"
    )
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args()


# Database lifecycle -------------------------------------------------------------------


def _postgres_admin(url):
    """An autocommit connection to a maintenance database of the server in `url`."""
    import psycopg

    parts = urlsplit(url)
    params = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
    }
    if parts.password:
        params["password"] = unquote(parts.password)
    error = None
    for dbname in ("postgres", "test", "template1"):
        try:
            return psycopg.connect(dbname=dbname, autocommit=True, **params)
        except psycopg.OperationalError as exc:
            error = exc
    raise SystemExit(f"Cannot reach PostgreSQL at {parts.hostname}: {error}")


def _postgres_name(url):
    name = unquote(urlsplit(url).path.lstrip("/"))
    if not name or name in {"postgres", "test", "template0", "template1"}:
        raise SystemExit("--database-url must name a database of its own, e.g. bench_reemploi")
    return name


def create_postgres(url):
    from psycopg import sql

    name = _postgres_name(url)
    with _postgres_admin(url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_postgres(url):
    from psycopg import sql

    name = _postgres_name(url)
    with _postgres_admin(url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def configure_django(database_url):
    """Point the project's settings at the bench database, then set Django up."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # The environment wins over a .env file (read with overwrite=False by the settings).
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DEBUG": "False",
            "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
            "CELERY_BROKER_URL": "",
            "CACHE_URL": "locmemcache://",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    # collectstatic is not run for a bench: WhiteNoise serves from the apps' folders.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()


# Filling ------------------------------------------------------------------------------


@contextmanager
def keep_given_dates(model, *names):
    """Let bulk_create store the dates we set instead of auto_now_add's `now`."""
    fields = [model._meta.get_field(name) for name in names]
    saved = [f.auto_now_add for f in fields]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in zip(fields, saved, strict=True):
            f.auto_now_add = value


def _weighted(rng, shares, count):
    values, weights = zip(*shares, strict=True)
    return rng.choices(values, weights=weights, k=count)


def fill(n_devices, n_donations, seed):
    """Create sites, donors, donations, n_devices devices with history, drives, erasures."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from inventory.impact.ledger import CHANNEL_OF_STATUS
    from inventory.models import (
        Device,
        Donation,
        Donor,
        Drive,
        Erasure,
        Location,
        Sequence,
        Site,
        StockExit,
    )
    from inventory.services import ASSET_TAG_SEQUENCE, format_asset_tag

    rng = random.Random(seed)
    now = timezone.now()
    start = now - timedelta(days=5 * 365)
    span = (now - start).total_seconds()

    User = get_user_model()
    admin = User.objects.create_superuser("bench-admin", "bench@example.org", None)
    technician = User.objects.create_user("bench-technicien", "tech@example.org", None)
    technician.groups.add(Group.objects.get(name="technician"))

    sites = Site.objects.bulk_create(
        Site(code=code, name=name, kind=kind)
        for code, name, kind in [
            ("BRU", "Ressourcerie de Bruay-La-Buissière", "ressourcerie"),
            ("BET", "Entrepôt de Béthune", "storage"),
            ("LEN", "Ressourcerie de Lens", "ressourcerie"),
            ("ARR", "Centre social d'Arras", "social_centre"),
            ("DOU", "Entrepôt de Douai", "storage"),
        ]
    )
    sites = list(Site.objects.order_by("pk"))
    Location.objects.bulk_create(
        Location(site=site, code=f"{site.code}-{shelf}{i:02d}", name=f"Étagère {shelf}{i}")
        for site in sites
        for shelf in "ABC"
        for i in range(1, 6)
    )
    locations = {}
    for location in Location.objects.order_by("pk"):
        locations.setdefault(location.site_id, []).append(location.pk)
    donors = Donor.objects.bulk_create(
        Donor(name=f"Donateur {i:03d}", kind=rng.choice(["company", "public_body", "association"]))
        for i in range(max(3, n_donations // 10))
    )
    donors = list(Donor.objects.order_by("pk"))
    Donation.objects.bulk_create(
        Donation(
            donor=rng.choice(donors),
            site=rng.choice(sites),
            received_on=(start + timedelta(seconds=span * i / n_donations)).date(),
            reference=f"BC-{i:05d}",
        )
        for i in range(n_donations)
    )
    donation_ids = list(Donation.objects.order_by("received_on", "pk").values_list("pk", flat=True))

    categories = [(c, share) for c, share, _models in CATALOGUE]
    models_of = {c: m for c, _share, m in CATALOGUE}
    methods = ["overwrite", "secure_erase", "sanitize", "crypto_erase"]
    counts = {"devices": 0, "history": 0, "exits": 0, "drives": 0, "erasures": 0}

    for first in range(0, n_devices, BATCH):
        size = min(BATCH, n_devices - first)
        statuses = _weighted(rng, STATUS_SHARES, size)
        cats = _weighted(rng, categories, size)
        batch = []
        for offset in range(size):
            number = first + offset + 1
            category, status = cats[offset], statuses[offset]
            manufacturer, model, cpu, ram_gb, storage, kg = rng.choice(models_of[category])
            created = start + timedelta(seconds=span * number / (n_devices + 1))
            changed = min(now, created + timedelta(days=rng.uniform(0, 120)))
            site = rng.choice(sites)
            on_shelf = status in ON_A_SHELF or rng.random() < 0.1
            serial = "" if rng.random() < 0.03 else f"{manufacturer[:2].upper()}{number:08d}"
            battery = rng.randint(55, 100) if category in ("laptop", "tablet") else None
            device = Device(
                asset_tag=format_asset_tag(number),
                serial_number=serial,
                category=category,
                manufacturer=manufacturer,
                model=model,
                cpu=cpu,
                ram_mb=ram_gb * 1024 if ram_gb else None,
                storage_summary=storage,
                battery_health=battery,
                weight_kg=Decimal(kg),
                grade=rng.choice("AABBC")
                if status in GRADED
                else ("parts" if status == "parts" else ""),
                status=status,
                site=site,
                location_id=rng.choice(locations[site.pk]) if on_shelf else None,
                donation_id=donation_ids[(number - 1) * len(donation_ids) // n_devices],
                created_at=created,
                status_changed_at=changed,
            )
            batch.append(device)
        with transaction.atomic():
            with keep_given_dates(Device, "created_at", "status_changed_at"):
                batch = Device.objects.bulk_create(batch)
            counts["devices"] += len(batch)
            # History: the registration, then the move to the final status.
            for device in batch:
                device._history_date = device.created_at
                device._final_status, device.status = device.status, "received"
            Device.history.bulk_history_create(batch, default_user=admin)
            moved = [d for d in batch if d._final_status != "received"]
            for device in moved:
                device.status = device._final_status
                device._history_date = device.status_changed_at
            Device.history.bulk_history_create(moved, update=True, default_user=technician)
            counts["history"] += len(batch) + len(moved)
            # The exits ledger the workflow would have written for devices that left.
            exits = StockExit.objects.bulk_create(
                StockExit(
                    device=d,
                    channel=CHANNEL_OF_STATUS[d.status],
                    sign=StockExit.OUT,
                    at=d.status_changed_at,
                    site=d.site,
                    by=technician,
                )
                for d in moved
                if d.status in CHANNEL_OF_STATUS
            )
            counts["exits"] += len(exits)
            # Drives for computers; a passed erasure for those past the erasure bench.
            drives = [
                Drive(
                    device=d,
                    kind=DRIVE_KIND[d.category],
                    serial_number=f"DR{d.pk:09d}",
                    capacity_gb=256,
                )
                for d in batch
                if d.category in DRIVE_KIND
            ]
            drives = Drive.objects.bulk_create(drives)
            erasures = [
                Erasure(
                    drive=drive,
                    method=rng.choice(methods),
                    result="passed",
                    operator=technician,
                    performed_at=drive.device.created_at + timedelta(days=rng.uniform(1, 10)),
                )
                for drive in drives
                if drive.device.status not in NOT_WIPED
            ]
            Erasure.objects.bulk_create(erasures)
            counts["drives"] += len(drives)
            counts["erasures"] += len(erasures)
        print(f"  {counts['devices']:>7} devices", end="\r", flush=True)
    print()
    # New devices registered through the app get the next numbers.
    Sequence.objects.update_or_create(name=ASSET_TAG_SEQUENCE, defaults={"last_value": n_devices})
    long_history = _device_with_long_history(admin, sites[0], donation_ids[-1])
    counts["history of one device"] = long_history.history.count()
    return admin, long_history, counts


def _device_with_long_history(user, site, donation_id):
    """One device taken through the real services HISTORY_CYCLES times, with comments."""
    from inventory import services, workflow
    from inventory.models import ChecklistItem, OperatingSystem
    from inventory.refurbishment import services as refurbishment

    device = services.register_device(
        by=user,
        category="laptop",
        manufacturer="Lenovo",
        model="ThinkPad T14 Gen 1",
        serial_number="PF-LONG-HISTORY",
        site=site,
        donation_id=donation_id,
    )
    drive = services.add_drive(device=device, by=user, kind="nvme", capacity_gb=512)
    checklist = list(ChecklistItem.objects.filter(category="laptop", active=True))
    system, _ = OperatingSystem.objects.get_or_create(name="Linux Mint", version="22")
    cycle = ["wiping", "refurbishing", "ready", "reserved", "lent", "returned"]
    for n in range(HISTORY_CYCLES):
        for target in cycle:
            if target == "refurbishing":
                services.record_erasure(drive=drive, by=user, method="sanitize", result="passed")
            if target == "ready":
                # What the ready rule asks: checklist passed, a system installed, a grade.
                for item in checklist:
                    refurbishment.record_check(device=device, item=item, outcome="pass", by=user)
                refurbishment.install_system(device=device, system=system, by=user)
                device.grade = "ABC"[n % 3]
                device.notes = f"Révision n° {n}"
                services.update_device(
                    device=device, by=user, fields=["grade", "notes"], note="contrôle"
                )
            workflow.transition_device(device=device, target=target, by=user, note=f"cycle {n}")
        services.add_comment(subject=device, by=user, body=f"Retour de prêt n° {n}, RAS.")
    return device


# Timing -------------------------------------------------------------------------------


def percentile(values, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class QueryTimer:
    """Times every SQL statement of a request (finer than the debug cursor's 1 ms)."""

    def __init__(self):
        self.timings = []

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.timings.append(((time.perf_counter() - began) * 1000, sql))


def measure(client, url, repeat, show_sql):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm-up: template compilation, first connection
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    timer = QueryTimer()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        client.get(url)
    # Read now: the next request clears the connection's log that this reads from.
    n_queries = len(captured.captured_queries)
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
    result = {
        "median": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "queries": n_queries,
        "sql_ms": sum(ms for ms, _sql in timer.timings),
        "kb": len(response.content) / 1024,
    }
    if show_sql and timer.timings:
        ms, sql = max(timer.timings, key=lambda t: t[0])
        result["slowest"] = f"{ms:.1f} ms: {sql}"
    return result


def pages(long_history, n_devices):
    from inventory.services import format_asset_tag

    typical = format_asset_tag(n_devices // 2)
    rare = f"{n_devices // 3:08d}"  # the digits of one serial number
    return [
        ("a  list, no filter, page 1", "/devices/"),
        ("a  list ?status=ready&category=laptop", "/devices/?status=ready&category=laptop"),
        ("a  list ?status=received (small)", "/devices/?status=received"),
        ("a  list, last page", "/devices/?page=last"),
        ("b  search ?q=T480 (many hits)", "/devices/?q=T480"),
        (f"b  search ?q={rare} (one hit)", f"/devices/?q={rare}"),
        ("c  sorted ?sort=model", "/devices/?sort=model"),
        ("c  sorted ?sort=-changed", "/devices/?sort=-changed"),
        ("c  sorted ?sort=site", "/devices/?sort=site"),
        (f"d  device page {typical}", f"/devices/{typical}/"),
        (
            f"d  device page {long_history.asset_tag} (long history)",
            f"/devices/{long_history.asset_tag}/",
        ),
        ("e  kanban", "/devices/kanban/"),
        ("e  kanban ?category=laptop", "/devices/kanban/?category=laptop"),
        ("f  dashboard", "/"),
    ]


def measure_flows(repeat):
    """Time the weights-and-flows aggregates (inventory.impact.flows) over the last twelve
    months, as a report would call them; returns the labels slower than 1 s."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from inventory.impact import flows
    from inventory.impact.period import Period

    today = timezone.localdate()
    period = Period(today.replace(year=today.year - 1) + timedelta(days=1), today)
    calls = [
        ("entries", lambda: flows.entries(period)),
        ("exits", lambda: flows.exits(period)),
        ("reemploi_rate", lambda: flows.reemploi_rate(period)),
        ("monthly_balance", lambda: flows.monthly_balance(period)),
        ("stock_kg", lambda: flows.stock_kg()),
    ]
    print(f"\nflows over {period.start} - {period.end}; ms")
    slow = []
    for label, call in calls:
        call()
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            call()
            times.append((time.perf_counter() - began) * 1000)
        with CaptureQueriesContext(connection) as queries:
            call()
        median = statistics.median(times)
        print(f"g  flows.{label:<44} {median:>8.1f} {max(times):>8.1f} {len(queries):>8}")
        if median > 1000:
            slow.append(f"flows.{label}")
    return slow


def versions(vendor):
    import sqlite3

    import django
    from django.db import connection

    found = [f"Python {sys.version.split()[0]}", f"Django {django.get_version()}"]
    if vendor == "sqlite":
        found.append(f"SQLite {sqlite3.sqlite_version}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            found.append(f"PostgreSQL {cursor.fetchone()[0]}")
    return ", ".join(found)


def main():
    args = parse_args()
    tmpdir = None
    if args.database_url:
        if not args.database_url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("--database-url must be a postgres:// URL (SQLite is the default)")
        database_url = args.database_url
        create_postgres(database_url)
    else:
        tmpdir = tempfile.mkdtemp(prefix="bench-reemploi-", dir="/tmp")
        database_url = f"sqlite:///{tmpdir}/bench.sqlite3"
    n_donations = args.donations or max(5, args.devices // 50)
    try:
        configure_django(database_url)
        run(args, n_donations)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"\nDatabase kept: {database_url}")
        elif tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
        else:
            drop_postgres(database_url)


def run(args, n_donations):
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    started = time.perf_counter()
    vendor = connection.vendor
    print(f"Réemploi bench: {args.devices} devices, {n_donations} donations, {vendor}")
    print(versions(vendor))

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - began:.1f} s")

    began = time.perf_counter()
    admin, long_history, counts = fill(args.devices, n_donations, args.seed)
    if vendor == "postgresql":
        # What autovacuum would have done by the time such a table is in use.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        f"fill: {time.perf_counter() - began:.1f} s  "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
    )

    client = Client()
    client.force_login(admin)
    print(f"\n{args.repeat} timed requests per page, after 2 warm-up requests; ms")
    header = f"{'page':<52} {'median':>8} {'p95':>8} {'queries':>8} {'SQL ms':>8} {'KB':>6}"
    print(header)
    print("-" * len(header))
    slow = []
    for label, url in pages(long_history, args.devices):
        r = measure(client, url, args.repeat, args.show_sql)
        print(
            f"{label:<52} {r['median']:>8.1f} {r['p95']:>8.1f} {r['queries']:>8} "
            f"{r['sql_ms']:>8.1f} {r['kb']:>6.0f}",
            flush=True,
        )
        if "slowest" in r:
            print(f"    slowest query {r['slowest'][:600]}")
        if r["median"] > 300:
            slow.append(label)
    print("-" * len(header))
    print("SQL ms: time spent in the database during one request (separate, captured run).")
    slow += measure_flows(args.repeat)
    if slow:
        print("Slower than 300 ms (median): " + "; ".join(slow))
    print(f"Total: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

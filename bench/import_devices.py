#!/usr/bin/env python
"""Time the import of a donor's device file, next to a raw bulk_create and to
django-import-export's default configuration, in the same run.

    .venv/bin/python bench/import_devices.py                     # 10,000 rows, SQLite in /tmp
    .venv/bin/python bench/import_devices.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_reemploi_import
    .venv/bin/python bench/import_devices.py --memory            # peak RSS, 10k and 100k rows

Never touches the project's own database (same rules as bench_devices.py, whose
database helpers it uses). The file is a CSV as a donor sends it: French headers, `;`,
"8 Go", "256 Go SSD", "1,58", a site code. Steps, each timed separately, DEBUG off:

  a  raw Device.objects.bulk_create of the same devices, already parsed (batch 500), in
     a transaction rolled back; and the same with bulk_history_create, for reference
  b  new records: exchange.engine.analyse (preview), then exchange.engine.apply (confirm)
  c  the same file again: every row unchanged (preview, apply)
  d  the file with 10 % of rows changed (RAM or notes): preview, apply
  e  django-import-export's default configuration (a plain ModelResource, per-row save
     and lookup by serial number, diff on) on the same rows, on an emptied table

--memory runs instead, in a fresh process per size (so that earlier runs do not count),
a preview and a confirmation of --rows and of 10 × --rows new rows (or of --sizes), and
prints the peak RSS of each. The process creates the job first (reads the file, inserts
it), which has a peak of its own that no worker has; so that it does not set a floor to
the figure, the peak is measured from once the job exists: on Linux, after gc.collect(),
"5" is written to /proc/self/clear_refs, which resets the process's peak RSS (VmHWM) to
its current RSS, and the peak is read as VmHWM from /proc/self/status. The creation's own
peak is printed apart ("peak creating"). Elsewhere (no /proc) the peak is getrusage's
ru_maxrss, which cannot be reset and so includes the creation.
"""

import argparse
import csv
import datetime
import gc
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The database helpers (temporary SQLite, throw-away PostgreSQL) of the other bench.
import bench_devices as base

SITES = [
    ("BRU", "Ressourcerie de Bruay-La-Buissière"),
    ("BET", "Entrepôt de Béthune"),
    ("LEN", "Ressourcerie de Lens"),
    ("ARR", "Centre social d'Arras"),
    ("DOU", "Entrepôt de Douai"),
]
# How donors name the categories in their files.
CATEGORY_IN_FILE = {
    "laptop": ["Portable", "PC portable", "Ordinateur portable"],
    "desktop": ["Fixe", "Unité centrale", "Tour"],
    "tablet": ["Tablette"],
    "smartphone": ["Smartphone", "Téléphone"],
    "screen": ["Écran", "Moniteur"],
    "router_4g": ["Box 4G"],
}
# Serial numbers as each maker prints them: a prefix, then base-36 digits.
SERIAL_FORMAT = {
    "Lenovo": ("PF", 6),
    "Dell": ("", 7),
    "HP": ("5CG", 7),
    "Samsung": ("R58N", 7),
    "Iiyama": ("11", 8),
    "Huawei": ("F8G", 8),
}
NOTES = ["Chargeur manquant", "Rayure sur le capot", "Clavier AZERTY", "Sans disque", "RAS"]
HEADERS = [
    "N° de série",
    "Marque",
    "Modèle",
    "Type",
    "Processeur",
    "Mémoire vive",
    "Stockage",
    "Poids (kg)",
    "Site",
    "Remarques",
]
IMPORT_BATCH = 500
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the file (10000)")
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/NAME: a database NAME that this script creates "
        "and drops (default: a new SQLite file under /tmp)",
    )
    parser.add_argument(
        "--skip-default",
        action="store_true",
        help="leave out django-import-export's default configuration (the slowest run)",
    )
    parser.add_argument(
        "--memory",
        action="store_true",
        help="only measure peak RSS of preview + confirm for --rows and 10 × --rows rows",
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(size) for size in text.split(",")],
        help="with --memory: the row counts measured, e.g. 10000,50000,100000 "
        "(default: --rows and 10 × --rows)",
    )
    parser.add_argument(
        "--donation",
        action="store_true",
        help="attach the import to a donation (the job option the import page sets)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=42)
    # A child process of --memory: import this many rows, print a JSON line.
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory-file", help=argparse.SUPPRESS)
    return parser.parse_args()


# The file -----------------------------------------------------------------------------


def _base36(number, width):
    text = ""
    while number:
        number, digit = divmod(number, 36)
        text = DIGITS[digit] + text
    return text.rjust(width, "0")


def records(count, seed):
    """`count` devices as parsed values (what the importer should end up with)."""
    rng = random.Random(seed)
    categories = [(c, share) for c, share, _models in base.CATALOGUE]
    models_of = {c: m for c, _share, m in base.CATALOGUE}
    cats = base._weighted(rng, categories, count)
    result = []
    for number, category in enumerate(cats, start=1):
        manufacturer, model, cpu, ram_gb, storage, kg = rng.choice(models_of[category])
        prefix, width = SERIAL_FORMAT[manufacturer]
        result.append(
            {
                "serial_number": prefix + _base36(number * 7919 + 104729, width),
                "manufacturer": manufacturer,
                "model": model,
                "category": category,
                "category_text": rng.choice(CATEGORY_IN_FILE[category]),
                "cpu": cpu,
                "ram_mb": ram_gb * 1024 if ram_gb else None,
                "storage_summary": storage,
                "weight_kg": Decimal(kg),
                "site": SITES[number % len(SITES)][0],
                "notes": rng.choice(NOTES) if rng.random() < 0.3 else "",
            }
        )
    return result


def changed(devices, every=10):
    """The same devices, one in `every` with more RAM or another note (alternately)."""
    result = []
    for n, device in enumerate(devices):
        device = dict(device)
        if n % every == 0:
            if device["ram_mb"] and n % (2 * every) == 0:
                device["ram_mb"] *= 2
            else:
                device["notes"] = f"{device['notes']} ; batterie à changer".lstrip(" ;")
        result.append(device)
    return result


def _ram_text(ram_mb, n):
    if not ram_mb:
        return ""
    if n % 20 == 7:
        return f"{ram_mb} Mo"
    return f"{ram_mb // 1024} Go" if n % 20 else f"{ram_mb // 1024}GB"


def _storage_text(summary):
    return summary.replace(" GB ", " Go ").replace(" GB", " Go")


def csv_bytes(devices):
    """The file a donor sends: UTF-8 with a BOM (Excel's "CSV UTF-8"), `;`, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for n, d in enumerate(devices):
        writer.writerow(
            [
                d["serial_number"],
                d["manufacturer"],
                d["model"],
                d["category_text"],
                d["cpu"],
                _ram_text(d["ram_mb"], n),
                _storage_text(d["storage_summary"]),
                str(d["weight_kg"]).replace(".", ","),
                d["site"],
                d["notes"],
            ]
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


# Measuring ----------------------------------------------------------------------------


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def measured(results, label, rows):
    """Time the block and count its SQL statements and the device history rows it adds."""
    from django.db import connection

    from inventory.models import Device

    history_before = Device.history.count()
    counter = QueryCounter()
    gc.collect()
    began, cpu_began = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counter):
        yield
    seconds = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    history = Device.history.count() - history_before
    results[label] = {
        "rows": rows,
        "s": seconds,
        "cpu": cpu,
        "queries": counter.count,
        "history": history,
    }
    print(
        f"{label:<44} {rows:>7} {seconds:>8.2f} {rows / seconds:>9,.0f} {cpu:>7.2f} "
        f"{counter.count:>8} {history:>8}",
        flush=True,
    )


@contextmanager
def rolled_back():
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def fresh_device_table():
    """Empty the device tables as a new database has them (nothing refers to them here)."""
    from django.db import connection

    from inventory.models import Device

    tables = [Device._meta.db_table, Device.history.model._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def vacuum(*models):
    """On PostgreSQL, what autovacuum would do after a rolled-back bulk insert."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


# The runs -----------------------------------------------------------------------------


def setup_data(with_donation):
    from django.contrib.auth import get_user_model

    from inventory.models import Donation, Donor, Site

    user = get_user_model().objects.create_superuser("bench-admin", "bench@example.org", None)
    Site.objects.bulk_create(Site(code=code, name=name) for code, name in SITES)
    options = {}
    if with_donation:
        donor = Donor.objects.create(name="Crédit Mutuel Nord Europe", kind="company")
        donation = Donation.objects.create(
            donor=donor,
            site=Site.objects.get(code="BRU"),
            received_on=datetime.date(2026, 11, 30),
            reference="BC-2026-0042",
        )
        options["donation"] = donation.pk
    return user, options


def new_job(user, content, options):
    from exchange.models import ImportJob

    return ImportJob.objects.create(
        resource="devices",
        filename="inventaire-don.csv",
        content=content,
        size=len(content),
        created_by=user,
        options=options,
    )


def preview(job_id):
    """What the preview task does (exchange.jobs): fetch the job (its file, in a table of
    its own, is read by the engine) and analyse it."""
    from exchange import engine
    from exchange.models import ImportJob

    return engine.analyse(ImportJob.objects.get(pk=job_id))


def confirm(job_id):
    from exchange import engine
    from exchange.models import ImportJob

    return engine.apply(ImportJob.objects.get(pk=job_id))


def expect(job, status, **counts):
    found = {kind: job.counts.get(kind, 0) for kind in counts}
    if job.status != status or found != counts:
        rows = list(job.rows.filter(kind="error").values("line", "messages")[:3])
        raise SystemExit(
            f"import #{job.pk}: {job.status} {job.counts}, expected {status} {counts}; "
            f"problems {job.problems}; first errors {rows}"
        )


def parsed_devices(devices, tag_offset=0):
    """Device instances with the values the importer would give them."""
    from inventory.models import Device, Site
    from inventory.services import format_asset_tag

    sites = {site.code: site for site in Site.objects.all()}
    return [
        Device(
            asset_tag=format_asset_tag(tag_offset + n),
            serial_number=d["serial_number"],
            manufacturer=d["manufacturer"],
            model=d["model"],
            category=d["category"],
            cpu=d["cpu"],
            ram_mb=d["ram_mb"],
            storage_summary=d["storage_summary"],
            weight_kg=d["weight_kg"],
            site=sites[d["site"]],
            notes=d["notes"],
        )
        for n, d in enumerate(devices, start=1)
    ]


def default_resource_class():
    """django-import-export as its documentation starts: a ModelResource, the defaults
    (one save() per row, so simple-history records each one; one query per row to find
    an existing device by serial number; a diff of each row; skip_unchanged off)."""
    from import_export import resources

    from inventory.models import Device

    class DefaultDeviceResource(resources.ModelResource):
        class Meta:
            model = Device
            import_id_fields = ("serial_number",)
            fields = (
                "asset_tag",
                "serial_number",
                "manufacturer",
                "model",
                "category",
                "cpu",
                "ram_mb",
                "storage_summary",
                "weight_kg",
                "site",
                "notes",
            )

    return DefaultDeviceResource


def default_dataset(devices, tag_offset=0):
    """The same rows already mapped to the resource's field names (a tablib Dataset), with
    the asset tags and site ids the default configuration needs to save them."""
    import tablib

    from inventory.models import Site
    from inventory.services import format_asset_tag

    site_ids = dict(Site.objects.values_list("code", "pk"))
    fields = default_resource_class()._meta.fields
    dataset = tablib.Dataset(headers=list(fields))
    for n, d in enumerate(devices, start=1):
        values = {
            **d,
            "asset_tag": format_asset_tag(tag_offset + n),
            "site": site_ids[d["site"]],
            "ram_mb": d["ram_mb"] if d["ram_mb"] else "",
            "weight_kg": str(d["weight_kg"]),
        }
        dataset.append([values[name] for name in fields])
    return dataset


def run_default(dataset):
    from import_export.results import RowResult

    result = default_resource_class()().import_data(dataset, dry_run=False)
    if result.has_errors() or result.has_validation_errors():
        invalid = result.invalid_rows[:1]
        raise SystemExit(
            f"import-export refused rows: {[e.error for e in result.base_errors][:1]} "
            f"{[r.error_dict for r in invalid]} "
            f"{[e.error for _n, errors in result.row_errors()[:1] for e in errors]}"
        )
    return result.totals[RowResult.IMPORT_TYPE_NEW]


def warm_up(user, options, seed):
    """Every code path once, on a few rows, rolled back: imports, translations, caches."""
    from inventory.models import Device

    devices = records(60, seed + 1)
    for d in devices:
        d["serial_number"] = "WARM" + d["serial_number"]
    with rolled_back():
        Device.objects.bulk_create(parsed_devices(devices, 900_000), batch_size=IMPORT_BATCH)
    with rolled_back():
        job = new_job(user, csv_bytes(devices), options)
        preview(job.pk)
        confirm(job.pk)
        run_default(default_dataset(records(20, seed + 2), 800_000))


def run(args):
    from django.core.management import call_command
    from django.db import connection

    from inventory.models import Device

    vendor = connection.vendor
    n = args.rows
    print(f"Réemploi device import bench: {n} rows, {vendor}, {os.cpu_count()} CPUs")
    print(base.versions(vendor))
    call_command("migrate", verbosity=0, interactive=False)
    user, options = setup_data(args.donation)
    devices = records(n, args.seed)
    first = csv_bytes(devices)
    again_changed = csv_bytes(changed(devices))
    print(
        f"file: {len(first) / 1024:.0f} KB, headers: {'; '.join(HEADERS)}"
        + (f"; attached to donation #{options['donation']}" if options else "")
    )
    print("first row: " + first.decode("utf-8-sig").split("\r\n")[1])
    warm_up(user, options, args.seed)

    results = {}
    header = (
        f"{'step':<44} {'rows':>7} {'s':>8} {'rows/s':>9} {'CPU s':>7} {'queries':>8} "
        f"{'history':>8}"
    )
    print(header)
    print("-" * len(header))

    objects = parsed_devices(devices)
    with rolled_back(), measured(results, "a  raw bulk_create (batch 500)", n):
        Device.objects.bulk_create(objects, batch_size=IMPORT_BATCH)
    vacuum(Device)
    objects = parsed_devices(devices)
    with rolled_back(), measured(results, "a' raw bulk_create + bulk_history_create", n):
        created = Device.objects.bulk_create(objects, batch_size=IMPORT_BATCH)
        Device.history.bulk_history_create(created, batch_size=IMPORT_BATCH, default_user=user)
    del objects, created
    vacuum(Device, Device.history.model)

    job = new_job(user, first, options)
    with measured(results, "b  new: preview (analyse)", n):
        job = preview(job.pk)
    expect(job, "ready", new=n, error=0)
    with measured(results, "b  new: confirm (apply)", n):
        job = confirm(job.pk)
    expect(job, "done", new=n)
    if results["b  new: confirm (apply)"]["history"] != n:
        raise SystemExit("the new devices have no history rows")

    job = new_job(user, first, options)
    with measured(results, "c  same file: preview", n):
        job = preview(job.pk)
    expect(job, "ready", unchanged=n)
    with measured(results, "c  same file: confirm", n):
        job = confirm(job.pk)
    expect(job, "done", unchanged=n)

    updates = len(range(0, n, 10))
    job = new_job(user, again_changed, options)
    with measured(results, "d  10 % changed: preview", n):
        job = preview(job.pk)
    expect(job, "ready", update=updates, unchanged=n - updates)
    with measured(results, "d  10 % changed: confirm", n):
        job = confirm(job.pk)
    expect(job, "done", update=updates, unchanged=n - updates)
    if results["d  10 % changed: confirm"]["history"] != updates:
        raise SystemExit("the updates have no history rows")

    if not args.skip_default:
        dataset = default_dataset(devices)
        fresh_device_table()
        vacuum(Device, Device.history.model)
        with measured(results, "e  import-export default (import_data)", n):
            created = run_default(dataset)
        if created != n:
            raise SystemExit(f"import-export created {created} devices of {n}")
    print("-" * len(header))
    print(
        "s: wall clock; CPU s: this process only (on SQLite that includes the database, on "
        "PostgreSQL not the server); queries: SQL statements sent (one bulk INSERT of many "
        "rows is one); history: device history rows added (django-simple-history)."
    )
    report(results, n)


def report(results, n):
    raw = results["a  raw bulk_create (batch 500)"]["s"]
    raw_history = results["a' raw bulk_create + bulk_history_create"]["s"]
    new_preview = results["b  new: preview (analyse)"]["s"]
    new_apply = results["b  new: confirm (apply)"]["s"]
    print("\nTargets (issue 6)")
    print(
        f"  new-record confirm / raw bulk_create      {new_apply / raw:6.1f} ×   target ≤ 3 ×"
        f"  {'met' if new_apply <= 3 * raw else 'MISSED'}"
    )
    print(f"  new-record confirm / bulk_create + history{new_apply / raw_history:6.1f} ×")
    print(f"  preview + confirm / raw bulk_create       {(new_preview + new_apply) / raw:6.1f} ×")
    if "e  import-export default (import_data)" in results:
        default = results["e  import-export default (import_data)"]["s"]
        print(
            f"  import-export default / our confirm       {default / new_apply:6.1f} ×   "
            f"target ≥ 4 ×  {'met' if default >= 4 * new_apply else 'MISSED'}"
        )
        both = new_preview + new_apply
        print(f"  import-export default / preview + confirm {default / both:6.1f} ×")
    scaled = new_preview * 10_000 / n
    print(
        f"  preview of 10,000 rows                    {scaled:6.1f} s   target < 10 s"
        f"  {'met' if scaled < 10 else 'MISSED'}" + ("" if n == 10_000 else " (scaled)")
    )


# Memory -------------------------------------------------------------------------------


def current_rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**2


def peak_rss_mb():
    """The process's peak RSS: VmHWM, which reset_peak_rss() resets, where /proc has it."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def reset_peak_rss():
    """Make the peak RSS (VmHWM) start from now (Linux: "5" to /proc/self/clear_refs);
    False where it cannot be reset."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def memory_child(args):
    """One size, in a process of its own: a preview and a confirmation of new rows."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    user, options = setup_data(args.donation)
    # The file was written by the parent: making it here would leave its memory behind.
    content = Path(args.memory_file).read_bytes()
    job_id = new_job(user, content, options).pk
    size = len(content)
    del content
    gc.collect()
    peak_creating = peak_rss_mb()
    # From here on the peak is the worker's (the preview, then the confirmation).
    reset = reset_peak_rss()
    before = {"rss": current_rss_mb(), "peak": peak_rss_mb()}
    began = time.perf_counter()
    job = preview(job_id)
    expect(job, "ready", new=args.memory_child)
    after_preview = peak_rss_mb()
    preview_s = time.perf_counter() - began
    # A worker confirms in a task of its own: the preview's job (and its copy of the
    # file) is not kept meanwhile.
    del job
    job = confirm(job_id)
    expect(job, "done", new=args.memory_child)
    print(
        json.dumps(
            {
                "rows": args.memory_child,
                "file_mb": size / 1024**2,
                "rss_before": before["rss"],
                "peak_creating": peak_creating,
                "peak_reset": reset,
                "peak_before": before["peak"],
                "peak_preview": after_preview,
                "peak": peak_rss_mb(),
                "preview_s": preview_s,
                "confirm_s": time.perf_counter() - began - preview_s,
            }
        )
    )


def run_memory(args):
    sizes = args.sizes or [args.rows, 10 * args.rows]
    print(
        f"Peak RSS of preview + confirm of new rows, a fresh process per size "
        f"({'PostgreSQL' if args.database_url else 'SQLite'})"
    )
    header = (
        f"{'rows':>8} {'file MB':>8} {'peak creating':>14} {'RSS before':>11} {'peak preview':>13} "
        f"{'peak':>8} {'growth':>8} {'preview s':>10} {'confirm s':>10}"
    )
    print(header)
    print("-" * len(header))
    found = []
    tmpdir = tempfile.mkdtemp(prefix="bench-reemploi-import-files-", dir="/tmp")
    for size in sizes:
        path = Path(tmpdir) / f"inventaire-{size}.csv"
        path.write_bytes(csv_bytes(records(size, args.seed)))
        command = [
            sys.executable,
            __file__,
            "--memory-child",
            str(size),
            "--memory-file",
            str(path),
        ]
        if args.database_url:
            command += ["--database-url", args.database_url]
        if args.donation:
            command.append("--donation")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        path.unlink()
        if done.returncode:
            raise SystemExit(f"memory run of {size} rows failed:\n{done.stderr[-3000:]}")
        r = json.loads(done.stdout.strip().splitlines()[-1])
        found.append(r)
        print(
            f"{r['rows']:>8} {r['file_mb']:>8.1f} {r['peak_creating']:>11.0f} MB "
            f"{r['rss_before']:>8.0f} MB "
            f"{r['peak_preview']:>10.0f} MB {r['peak']:>5.0f} MB "
            f"{r['peak'] - r['rss_before']:>5.0f} MB {r['preview_s']:>10.1f} "
            f"{r['confirm_s']:>10.1f}",
            flush=True,
        )
    shutil.rmtree(tmpdir, ignore_errors=True)
    print("-" * len(header))
    small, big = found[0], found[-1]
    print(
        f"peak {small['peak']:.0f} MB at {small['rows']} rows, {big['peak']:.0f} MB at "
        f"{big['rows']} rows: +{big['peak'] - small['peak']:.0f} MB for "
        f"{big['rows'] - small['rows']} more rows "
        f"({(big['peak'] - small['peak']) * 1024 / (big['rows'] - small['rows']):.2f} KB a row;"
        f" the file itself is {big['file_mb'] - small['file_mb']:.1f} MB bigger)"
    )
    print(
        "peak creating: the peak while the process set up Django, migrated, read the file and "
        "saved it in its job; RSS before: the process then; peak preview, peak: "
        + (
            "since then (VmHWM reset through /proc/self/clear_refs)"
            if all(r["peak_reset"] for r in found)
            else "since the process started (the peak could not be reset: it includes the creation)"
        )
        + "; growth: peak minus RSS before."
    )


# Main ---------------------------------------------------------------------------------


def main():
    args = parse_args()
    if args.memory and not args.memory_child:
        run_memory(args)
        return
    tmpdir = None
    if args.database_url:
        if not args.database_url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("--database-url must be a postgres:// URL (SQLite is the default)")
        database_url = args.database_url
        base.create_postgres(database_url)
    else:
        tmpdir = tempfile.mkdtemp(prefix="bench-reemploi-import-", dir="/tmp")
        database_url = f"sqlite:///{tmpdir}/bench.sqlite3"
    # The bench measures files past the row limit (IMPORT_MAX_ROWS) on purpose.
    os.environ.setdefault("IMPORT_MAX_ROWS", str(10**7))
    try:
        base.configure_django(database_url)
        if args.memory_child:
            memory_child(args)
        else:
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


if __name__ == "__main__":
    main()

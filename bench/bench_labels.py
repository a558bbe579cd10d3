#!/usr/bin/env python
"""Time a 1,000-label device PDF on each shipped label layout.

    .venv/bin/python bench/bench_labels.py                 # 1000 labels, median of 3
    .venv/bin/python bench/bench_labels.py --labels 200 --repeat 5

Never touches the project's own database: a new SQLite file under /tmp (same helpers
as bench_devices.py), migrated (which adds the shipped layouts) and filled with one
donation of --labels devices. Each run is what a label task does: fetch the donation's
devices (devices_for), build their labels (device_labels) and draw the PDF (build_pdf),
every device with its Code128, its QR code and five lines of text.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The database helpers of the other bench.
import bench_devices as base

MODELS = [
    ("Lenovo", "ThinkPad T480", "Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz", 8192, "256 GB SSD"),
    ("Dell", "Latitude 5490", "Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz", 8192, "256 GB SSD"),
    ("HP", "EliteBook 840 G5", "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz", 16384, "512 GB NVMe"),
    ("Hewlett-Packard", "ProDesk 600 G3 SFF « reconditionné »", "Intel Core i5-7500", 8192, ""),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, default=1000, help="default 1000")
    parser.add_argument("--repeat", type=int, default=3, help="timed builds per layout")
    return parser.parse_args()


def fill(count):
    """One site, one donation of `count` devices; returns the donation."""
    from inventory.models import Category, Device, Donation, Donor, Grade, Site
    from inventory.services import format_asset_tag

    site = Site.objects.create(code="BENCH", name="Ressourcerie de Saint-Étienne")
    donor = Donor.objects.create(name="Entreprise donatrice")
    donation = Donation.objects.create(donor=donor, site=site, received_on="2026-01-15")
    Device.objects.bulk_create(
        Device(
            asset_tag=format_asset_tag(number),
            serial_number=f"BENCH{number:08d}",
            category=Category.LAPTOP,
            manufacturer=maker,
            model=model,
            cpu=cpu,
            ram_mb=ram,
            storage_summary=storage,
            grade=Grade.B,
            site=site,
            donation=donation,
        )
        for number, (maker, model, cpu, ram, storage) in (
            (n, MODELS[n % len(MODELS)]) for n in range(1, count + 1)
        )
    )
    return donation


def run(args):
    from django.core.management import call_command
    from django.utils import translation

    from labels.content import device_labels, devices_for
    from labels.models import LabelLayout
    from labels.sheets import build_pdf, pages_count

    call_command("migrate", verbosity=0, interactive=False)
    donation = fill(args.labels)
    print(f"Réemploi label bench: {args.labels} device labels, median of {args.repeat}")
    print(base.versions("sqlite"))
    header = f"{'layout':<42} {'median s':>9} {'min s':>7} {'ms/label':>9} {'pages':>6} {'KB':>7}"
    print(header)
    print("-" * len(header))
    with translation.override("fr"):
        for layout in LabelLayout.objects.order_by("kind", "name"):
            timings = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                pdf = build_pdf(layout, device_labels(devices_for(donation=donation)))
                timings.append(time.perf_counter() - began)
            median = statistics.median(timings)
            print(
                f"{layout.name:<42} {median:>9.2f} {min(timings):>7.2f} "
                f"{1000 * median / args.labels:>9.2f} "
                f"{pages_count(layout, args.labels):>6} {len(pdf) / 1024:>7.0f}",
                flush=True,
            )
    print("-" * len(header))
    print("Each run: devices_for + device_labels + build_pdf (Code128, QR, 5 lines a label).")


def main():
    args = parse_args()
    tmpdir = tempfile.mkdtemp(prefix="bench-labels-", dir="/tmp")
    try:
        base.configure_django(f"sqlite:///{tmpdir}/bench.sqlite3")
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    main()

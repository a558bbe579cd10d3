#!/usr/bin/env python
"""Time a 1,000-label device PDF on each shipped label layout, against a lean floor.

    .venv/bin/python bench/bench_labels.py                 # 1000 labels, median of 3
    .venv/bin/python bench/bench_labels.py --labels 200 --repeat 5 --layout 3×7
    .venv/bin/python bench/bench_labels.py --layout 3×7 --profile 25   # + cProfile

Never touches the project's own database: a new SQLite file under /tmp (same helpers
as bench_devices.py), migrated (which adds the shipped layouts) and filled with one
donation of --labels devices. Each run is what a label task does: fetch the donation's
devices (devices_for), build their labels (device_labels) and draw the PDF (build_pdf),
every device with its Code128, its QR code and five lines of text.

The floor, timed in the same run on the same layout, is what reportlab alone needs for
the same codes: encode each Code128 (python-barcode) and each QR matrix (labels.qr,
uncached), fill their dark runs as rectangles, one path a symbol, on as many pages,
with no Django, database, text or layout work. "floor+text" adds the labels' lines of
text, drawn at fixed places in the same font. The ratio is ours / floor.
"""

import argparse
import cProfile
import io
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from functools import partial
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
    parser.add_argument("--layout", default="", help="only the layouts whose name has this")
    parser.add_argument(
        "--profile", type=int, metavar="N", default=0, help="then print cProfile's N top lines"
    )
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


# The floor --------------------------------------------------------------------------

_DARK_RUN = re.compile(rb"\x01+")
FLOOR_BAR_MM, FLOOR_QR_MM, FLOOR_BAR_HEIGHT_MM = 0.25, 0.33, 8


def floor_inputs(layout, labels):
    """Everything the floor needs, read before it is timed: the page and label
    geometry in points, and each label's barcode value, QR text and lines."""
    from reportlab.lib.units import mm

    from labels.sheets import FONT

    sheet = layout.kind != layout.Kind.ROLL
    geometry = {
        "page": (float(layout.page_width_mm) * mm, float(layout.page_height_mm) * mm),
        "columns": layout.columns if sheet else 1,
        "per_page": layout.per_page if sheet else 1,
        "left": float(layout.margin_left_mm) * mm,
        "top": float(layout.margin_top_mm) * mm,
        "step_x": float(layout.label_width_mm + layout.gap_x_mm) * mm,
        "step_y": float(layout.label_height_mm + layout.gap_y_mm) * mm,
        "font": FONT,
    }
    return geometry, [(label.barcode, label.qr, label.lines) for label in labels]


def _fill_runs(canvas, x, y, unit_x, unit_y, runs):
    """Fill (column, row, width, height) runs in module units from (x, y), one path."""
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(unit_x, -unit_y)
    canvas.addLiteral("n " + " ".join(f"{c} {r} {w} {h} re" for c, r, w, h in runs) + " f")
    canvas.restoreState()


def floor_pdf(geometry, labels, *, text=False):
    """The same codes drawn by reportlab alone (see the module's docstring)."""
    from barcode import Code128
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from labels.qr import qr_matrix

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=geometry["page"], invariant=True, pageCompression=1)
    if text:
        canvas.setFont(geometry["font"], 7)
    page_height = geometry["page"][1]
    columns, per_page = geometry["columns"], geometry["per_page"]
    for number, (barcode, qr, lines) in enumerate(labels):
        page, index = divmod(number, per_page)
        if index == 0 and page:
            canvas.showPage()
            if text:
                canvas.setFont(geometry["font"], 7)
        row, column = divmod(index, columns)
        x = geometry["left"] + column * geometry["step_x"]
        top = page_height - geometry["top"] - row * geometry["step_y"]
        bars = bytes(module == "1" for module in Code128(barcode).build()[0])
        runs = [(m.start(), 0, m.end() - m.start(), 1) for m in _DARK_RUN.finditer(bars)]
        _fill_runs(canvas, x, top - 20 * mm, FLOOR_BAR_MM * mm, FLOOR_BAR_HEIGHT_MM * mm, runs)
        runs = [
            (m.start(), y, m.end() - m.start(), 1)
            for y, modules in enumerate(qr_matrix(qr))
            for m in _DARK_RUN.finditer(bytes(modules))
        ]
        _fill_runs(canvas, x + 35 * mm, top - 2 * mm, FLOOR_QR_MM * mm, FLOOR_QR_MM * mm, runs)
        if text:
            for line_number, line in enumerate(lines):
                canvas.drawString(x + 2 * mm, top - (4 + 3 * line_number) * mm, line)
    canvas.save()
    return buffer.getvalue()


def labels_pdf(layout, donation):
    """What a label task does: fetch the devices, build their labels, draw the PDF."""
    from labels.content import device_labels, devices_for
    from labels.sheets import build_pdf

    return build_pdf(layout, device_labels(devices_for(donation=donation)))


def timed(builds, repeat):
    """Wall-clock and CPU seconds of `repeat` runs of each build, and its last result.

    The builds take turns, so that a burst of load from elsewhere on the machine falls
    on all of them rather than on one; CPU seconds (this process's) are what such load
    disturbs least.
    """
    wall, cpu = [[] for _ in builds], [[] for _ in builds]
    results = [None] * len(builds)
    for _ in range(repeat):
        for index, build in enumerate(builds):
            began, began_cpu = time.perf_counter(), time.process_time()
            results[index] = build()
            wall[index].append(time.perf_counter() - began)
            cpu[index].append(time.process_time() - began_cpu)
    return wall, cpu, results


def run(args):
    from django.core.management import call_command
    from django.utils import translation

    from labels.content import device_labels, devices_for
    from labels.models import LabelLayout
    from labels.sheets import pages_count

    call_command("migrate", verbosity=0, interactive=False)
    donation = fill(args.labels)
    print(f"Réemploi label bench: {args.labels} device labels, {args.repeat} runs of each")
    print(base.versions("sqlite"))
    header = (
        f"{'':<12} {'median s':>9} {'min s':>7} {'cpu s':>7} {'ms/label':>9} {'labels/s':>9} "
        f"{'pages':>6} {'KB':>7} {'ours/this':>10} {'(cpu)':>6}"
    )
    layouts = LabelLayout.objects.filter(name__contains=args.layout).order_by("kind", "name")
    with translation.override("fr"):
        for layout in layouts:
            ours = partial(labels_pdf, layout, donation)
            geometry, inputs = floor_inputs(layout, device_labels(devices_for(donation=donation)))
            floor = partial(floor_pdf, geometry, inputs)
            with_text = partial(floor_pdf, geometry, inputs, text=True)
            wall, cpu, pdfs = timed([ours, floor, with_text], args.repeat)
            print(f"\n{layout.name}\n{header}\n{'-' * len(header)}")
            pages = pages_count(layout, args.labels)
            ours_wall, ours_cpu = statistics.median(wall[0]), statistics.median(cpu[0])
            for name, seconds, cpu_seconds, pdf in zip(
                ("ours", "floor", "floor+text"), wall, cpu, pdfs, strict=True
            ):
                median, cpu_median = statistics.median(seconds), statistics.median(cpu_seconds)
                print(
                    f"{name:<12} {median:>9.2f} {min(seconds):>7.2f} {cpu_median:>7.2f} "
                    f"{1000 * median / args.labels:>9.2f} {args.labels / median:>9.0f} "
                    f"{pages:>6} {len(pdf) / 1024:>7.0f} "
                    f"{ours_wall / median:>10.2f} {ours_cpu / cpu_median:>6.2f}",
                    flush=True,
                )
            if args.profile:
                profiler = cProfile.Profile()
                profiler.runcall(ours)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
    print()
    print("ours: devices_for + device_labels + build_pdf (Code128, QR, 5 lines a label).")
    print("floor: the same codes, uncached, filled by reportlab alone; +text: and the lines.")
    print("ours/this: ratio of the medians, wall-clock then CPU (median of each).")


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

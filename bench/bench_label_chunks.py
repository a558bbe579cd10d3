#!/usr/bin/env python
"""Time a 10,000-label batch through real Celery workers: one task, then chunks on 1 and 2.

    .venv/bin/python bench/bench_label_chunks.py                  # 10,000 labels, 3 runs each
    .venv/bin/python bench/bench_label_chunks.py --labels 2000 --repeat 1 --workers 1,2,3

Needs PostgreSQL and Redis. Never touches the project's own data: the PostgreSQL
database named in --database-url is dropped, created, filled and dropped again (its
role needs CREATEDB), the PDFs go to a temporary media folder, and the Redis database
of --broker (14 by default, a throw-away one) is purged of waiting tasks.

For each set-up, the bench starts that many worker processes, as production does
(`celery -A config worker --concurrency 1`), builds one warm-up batch, then times
--repeat batches of one donation of --labels devices on --layout: from
services.create_batch (which queues the task once its transaction commits) until the
batch is done, polling its row every 20 ms as the batch page does every second. The
set-ups: "one task" (LABEL_CHUNK_SIZE above the batch: the build of before the chunks,
on 1 worker), then chunks of --chunk-size labels on each number of --workers. It prints
the wall seconds (median, min), the CPU seconds of the workers' processes, the speed-up
over "one task" and over chunks on 1 worker, the cores the workers got (their CPU
seconds over the wall seconds) and the load average before each run.
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_devices as base
import bench_labels

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
WORKER_OPTIONS = [
    "--concurrency",
    "1",
    "--loglevel",
    "INFO",
    "--without-gossip",
    "--without-mingle",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, default=10_000, help="default 10000")
    parser.add_argument("--repeat", type=int, default=3, help="timed batches per set-up")
    parser.add_argument("--workers", default="1,2", help="worker processes, e.g. 1,2")
    parser.add_argument("--chunk-size", type=int, default=1000, help="LABEL_CHUNK_SIZE")
    parser.add_argument("--layout", default="3×7", help="the layout whose name has this")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/bench_label_chunks"
    )
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--logs", type=Path, help="keep the workers' logs in this folder")
    return parser.parse_args()


def configure(args, media):
    """The settings of this process and of the workers: bench database, broker, media."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": args.database_url,
            "CELERY_BROKER_URL": args.broker,
            "CELERY_RESULT_BACKEND": args.broker,
            "MEDIA_ROOT": str(media),
            "DEBUG": "False",
            "LOG_LEVEL": "WARNING",
            # Every batch goes to the workers, whatever its size.
            "LABEL_INLINE_LIMIT": "0",
        }
    )
    import django

    django.setup()


# Workers ---------------------------------------------------------------------------------


def start_workers(count, chunk_size, logs):
    env = {**os.environ, "LABEL_CHUNK_SIZE": str(chunk_size), "PYTHONPATH": str(ROOT)}
    workers = []
    for number in range(count):
        log = (logs / f"worker-{chunk_size}-{count}-{number}.log").open("w")
        command = [sys.executable, "-m", "celery", "-A", "config", "worker"]
        command += [*WORKER_OPTIONS, "-n", f"bench{number}@%h"]
        workers.append(
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        )
    from config.celery import app

    deadline = time.monotonic() + 60
    while len(app.control.ping(timeout=0.5)) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"the workers did not answer; their logs are in {logs}")
    return workers


def stop_workers(workers):
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def cpu_seconds(pids):
    """User + system CPU seconds of these processes and of all their descendants."""
    total, todo = 0, list(pids)
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except FileNotFoundError:
            continue
        # utime and stime: fields 14 and 15 of stat, 12 and 13 after the ")".
        total += int(fields[11]) + int(fields[12])
        todo += [int(child) for child in children]
    return total / CLOCK_TICKS


# Batches ---------------------------------------------------------------------------------


def timed_batch(user, layout, params):
    """Wall seconds from asking for the batch to its end, the progress it showed, the batch."""
    from labels import services
    from labels.models import LabelBatch

    began = time.perf_counter()
    batch = services.create_batch(
        by=user, kind=LabelBatch.Kind.DEVICE, layout=layout, params=params
    )
    seen = []
    while batch.state not in (LabelBatch.State.DONE, LabelBatch.State.FAILED):
        time.sleep(0.02)
        batch.refresh_from_db()
        seen.append(batch.done)
    wall = time.perf_counter() - began
    if batch.state == LabelBatch.State.FAILED:
        raise SystemExit(f"the batch failed: {batch.error}")
    return wall, seen, batch


def run_setup(name, count, chunk_size, args, context, logs):
    user, layout, selection, warm_up = context
    workers = start_workers(count, chunk_size, logs)
    try:
        timed_batch(user, layout, warm_up)
        walls, cpus, loads = [], [], []
        for _ in range(args.repeat):
            loads.append(os.getloadavg()[0])
            before = cpu_seconds(worker.pid for worker in workers)
            wall, seen, batch = timed_batch(user, layout, selection)
            cpus.append(cpu_seconds(worker.pid for worker in workers) - before)
            walls.append(wall)
            assert seen == sorted(seen) and batch.done == batch.total == args.labels
            assert batch.file.size > 0
    finally:
        stop_workers(workers)
    cores = statistics.median(cpu / wall for cpu, wall in zip(cpus, walls, strict=True))
    print(
        f"{name:<22} {statistics.median(walls):>8.2f} {min(walls):>7.2f} "
        f"{statistics.median(cpus):>7.2f} {cores:>6.2f} {' '.join(f'{w:.2f}' for w in walls):>20} "
        f"{' '.join(f'{load:.2f}' for load in loads):>16}",
        flush=True,
    )
    return statistics.median(walls)


def run(args, logs):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from config.celery import app
    from labels.models import LabelLayout

    call_command("migrate", verbosity=0, interactive=False)
    donation = bench_labels.fill(args.labels)
    # Warms every worker up (imports, fonts, the QR layouts) on a few chunks.
    tags = donation.devices.order_by("asset_tag").values_list("asset_tag", flat=True)
    warm_up = {"tags": list(tags[: 2 * args.chunk_size + 1])}
    user = get_user_model().objects.create_superuser("bench", password="bench")
    layout = LabelLayout.objects.filter(name__contains=args.layout).order_by("name").first()
    app.control.purge()
    counts = [int(count) for count in args.workers.split(",")]
    print(f"Réemploi label chunks bench: {args.labels} device labels on {layout.name}")
    print(f"{base.versions(connection.vendor)}, {os.cpu_count()} CPUs, broker {args.broker}")
    print(f"chunks of {args.chunk_size} labels rounded down to whole pages, {args.repeat} runs")
    print(
        f"\n{'':<22} {'median s':>8} {'min s':>7} {'cpu s':>7} {'cores':>6} {'runs':>20} "
        f"{'load avg (1 min)':>16}"
    )
    context = (user, layout, {"donation": donation.pk}, warm_up)
    whole = run_setup("one task, 1 worker", 1, args.labels + 1, args, context, logs)
    medians = {
        count: run_setup(f"chunks, {count} worker(s)", count, args.chunk_size, args, context, logs)
        for count in counts
    }
    print()
    for count, median in medians.items():
        print(
            f"chunks on {count} worker(s): x{whole / median:.2f} over one task, "
            f"x{medians[counts[0]] / median:.2f} over chunks on {counts[0]} worker(s)"
        )
    print("cpu s: CPU seconds of the worker processes (and their pool) for one batch (median).")
    print("cores: cpu s / wall s of each run (median): the CPU the workers got; another")
    print("process busy on the machine (load average) leaves them less than one core each.")
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")


def main():
    args = parse_args()
    tmpdir = Path(tempfile.mkdtemp(prefix="bench-label-chunks-", dir="/tmp"))
    base.create_postgres(args.database_url)
    try:
        configure(args, tmpdir / "media")
        run(args, tmpdir)
    finally:
        from django.db import connections

        connections.close_all()
        base.drop_postgres(args.database_url)
        if args.logs:
            args.logs.mkdir(parents=True, exist_ok=True)
            for log in tmpdir.glob("worker-*.log"):
                shutil.copy(log, args.logs)
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    main()

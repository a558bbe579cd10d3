"""The nightly stock snapshot, run inline and by a real Celery worker over Redis."""

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from inventory.models import Device, Status, StockSnapshot
from inventory.tasks import snapshot_stock
from tests.factories import DeviceFactory, SiteFactory

ROOT = Path(__file__).resolve().parent.parent
# One process, no chatter with other workers: it starts in about a second.
WORKER_OPTIONS = [
    "--pool=solo",
    "--concurrency=1",
    "-l",
    "info",
    "--without-heartbeat",
    "--without-gossip",
    "--without-mingle",
]


def snapshot_counts(day):
    rows = StockSnapshot.objects.filter(date=day).values_list("site__code", "status", "count")
    return {(site, status): count for site, status, count in rows if count}


def stock(site_codes):
    """Two sites: two ready laptops and a lent one in the first, a sold one in the second."""
    first, second = (SiteFactory(code=code) for code in site_codes)
    DeviceFactory.create_batch(2, site=first, status=Status.READY)
    DeviceFactory(site=first, status=Status.LENT)
    DeviceFactory(site=second, status=Status.SOLD)
    return {
        (first.code, Status.READY): 2,
        (first.code, Status.LENT): 1,
        (second.code, Status.SOLD): 1,
    }


@pytest.mark.django_db
def test_the_snapshot_counts_devices_by_site_and_status():
    expected = stock(["BRU", "BET"])

    written = snapshot_stock.apply(kwargs={"day": "2026-03-01"}).get()

    assert written == 2 * len(Status.values)
    assert snapshot_counts("2026-03-01") == expected


@pytest.mark.django_db
def test_the_snapshot_twice_the_same_day_gives_the_same_rows():
    stock(["BRU", "BET"])
    snapshot_stock.apply(kwargs={"day": "2026-03-01"}).get()
    first = list(StockSnapshot.objects.values_list("date", "site", "status", "count"))

    snapshot_stock.apply(kwargs={"day": "2026-03-01"}).get()

    assert list(StockSnapshot.objects.values_list("date", "site", "status", "count")) == first


@pytest.mark.django_db
def test_the_snapshot_of_another_day_keeps_the_previous_ones():
    stock(["BRU", "BET"])
    snapshot_stock.apply(kwargs={"day": "2026-03-01"}).get()
    Device.objects.update(status=Status.RECYCLED)

    snapshot_stock.apply(kwargs={"day": "2026-03-02"}).get()

    assert snapshot_counts("2026-03-01")[("BRU", Status.READY)] == 2
    assert snapshot_counts("2026-03-02") == {
        ("BRU", Status.RECYCLED): 3,
        ("BET", Status.RECYCLED): 1,
    }


@pytest.mark.django_db
def test_the_snapshot_defaults_to_today():
    stock(["BRU", "BET"])

    snapshot_stock.apply().get()

    assert set(StockSnapshot.objects.values_list("date", flat=True)) == {timezone.localdate()}


# A real worker ------------------------------------------------------------------


def broker_answers(url):
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return False
    return True


@pytest.fixture
def broker_url():
    url = os.environ.get("CELERY_BROKER_URL")
    if not url:
        pytest.skip("needs a Celery broker: set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0)")
    if not broker_answers(url):
        pytest.skip(f"the Celery broker at {url} does not answer")
    return url


def worker_database_url():
    """The address of the database the tests use, for another process."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{credentials}@" if credentials else ""
    return f"postgres://{host}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(broker_url, transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a shared database: run the tests on PostgreSQL")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND or broker_url,
        "DATABASE_URL": worker_database_url(),
        # The worker must not keep a connection open: the test database is dropped at the end.
        "CONN_MAX_AGE": "0",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", *WORKER_OPTIONS],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    log.close()
    print((tmp_path / "worker.log").read_text())


@pytest.mark.celery_worker
def test_a_real_worker_takes_the_stock_snapshot(worker):
    expected = stock(["WRK", "WRL"])
    day = "2026-04-01"

    result = snapshot_stock.delay(day)
    written = result.get(timeout=60)

    assert worker.poll() is None, "the worker stopped"
    assert written == 2 * len(Status.values)
    assert snapshot_counts(day) == expected

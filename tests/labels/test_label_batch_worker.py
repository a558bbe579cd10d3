"""A batch above the inline limit, built by a real Celery worker over Redis (PostgreSQL only)."""

import io
import os
import signal
import subprocess
import sys
import time

import pypdfium2
import pytest
from django.conf import settings
from django.db import connection

from labels.models import LabelBatch, LabelLayout
from tests.factories import DeviceFactory, DonationFactory
from tests.test_celery_worker import ROOT, WORKER_OPTIONS, broker_answers, worker_database_url

DEVICES = 30


@pytest.fixture
def broker_url():
    url = os.environ.get("CELERY_BROKER_URL")
    if not url:
        pytest.skip("needs a Celery broker: set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0)")
    if not broker_answers(url):
        pytest.skip(f"the Celery broker at {url} does not answer")
    return url


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def worker(broker_url, transactional_db, media_root, tmp_path):
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
        # The PDF is written where this test (and its pages) read it.
        "MEDIA_ROOT": str(media_root),
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


def wait_for_the_end(batch, timeout=60):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        seen.append(batch.percent)
        if batch.state in (LabelBatch.State.DONE, LabelBatch.State.FAILED):
            return seen
        time.sleep(0.2)
    raise AssertionError(f"the batch is still {batch.state} after {timeout} s")


@pytest.mark.celery_worker
def test_a_real_worker_builds_a_batch_above_the_inline_limit(
    worker, shipped_layouts, settings, technician_client
):
    settings.LABEL_INLINE_LIMIT = 10
    client = technician_client
    donation = DonationFactory()
    DeviceFactory.create_batch(DEVICES, donation=donation)
    roll = LabelLayout.objects.get(kind=LabelLayout.Kind.ROLL, printer_dpi=300)

    response = client.post(
        "/labels/print/devices/",
        {"donation": donation.pk, "layout": roll.pk, "copies": 1, "action": "print"},
    )
    batch = LabelBatch.objects.get()
    page = client.get(response.url)
    seen = wait_for_the_end(batch)
    done_page = client.get(f"/labels/batches/{batch.pk}/progress/")

    assert worker.poll() is None, "the worker stopped"
    # The request only queued it: the page answered before the PDF existed.
    assert 'hx-trigger="every 1s"' in page.text
    assert batch.state == LabelBatch.State.DONE, batch.error
    assert (batch.done, batch.total, batch.percent) == (DEVICES, DEVICES, 100)
    assert seen == sorted(seen)
    with batch.file.open("rb") as handle:
        assert len(pypdfium2.PdfDocument(io.BytesIO(handle.read()))) == DEVICES
    assert f"/labels/batches/{batch.pk}/download/" in done_page.text
    assert "hx-trigger" not in done_page.text

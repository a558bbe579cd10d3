"""A batch above the inline limit, built by a real Celery worker over Redis (PostgreSQL only)."""

import io
import time

import pypdfium2
import pytest

from labels.models import LabelBatch, LabelLayout
from tests.factories import DeviceFactory, DonationFactory

DEVICES = 30


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
    real_worker, shipped_layouts, settings, technician_client
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

    assert real_worker.poll() is None, "the worker stopped"
    # The request only queued it: the page answered before the PDF existed.
    assert 'hx-trigger="every 1s"' in page.text
    assert batch.state == LabelBatch.State.DONE, batch.error
    assert (batch.done, batch.total, batch.percent) == (DEVICES, DEVICES, 100)
    assert seen == sorted(seen)
    with batch.file.open("rb") as handle:
        assert len(pypdfium2.PdfDocument(io.BytesIO(handle.read()))) == DEVICES
    assert f"/labels/batches/{batch.pk}/download/" in done_page.text
    assert "hx-trigger" not in done_page.text

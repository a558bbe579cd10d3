"""A large batch cut into chunks by a real Celery worker over Redis (PostgreSQL only).

One worker process plans the chunks one after the other: what this checks is the chord
through the real broker and result backend, the files shared through the media folder,
and the end of the batch. The bench (bench/bench_label_chunks.py) times two workers.
"""

import pytest
from django.utils import translation

from labels import services
from labels.content import device_labels, devices_for
from labels.models import LabelBatch, LabelLayout
from labels.sheets import build_pdf
from tests.factories import DeviceFactory, DonationFactory
from tests.labels.test_label_batch_worker import wait_for_the_end

State = LabelBatch.State
TOO_LONG = "RE-ZZZZZZZZZZZZZZZZ"


@pytest.fixture
def seven_labels_a_chunk(monkeypatch):
    # Read by the worker's own settings: it must be set before the worker starts.
    monkeypatch.setenv("LABEL_CHUNK_SIZE", "7")


@pytest.fixture
def chunking_worker(seven_labels_a_chunk, real_worker, settings):
    """A real worker whose chunks hold 7 labels; batches above 10 labels go to it."""
    settings.LABEL_INLINE_LIMIT = 10
    return real_worker


def create(user, layout, donation):
    params = {"donation": donation.pk, "start": 1, "copies": 1}
    with translation.override("fr"):
        return services.create_batch(
            by=user, kind=LabelBatch.Kind.DEVICE, layout=layout, params=params
        )


@pytest.mark.celery_worker
def test_a_real_worker_builds_a_batch_in_chunks(chunking_worker, shipped_layouts, technician):
    donation = DonationFactory()
    DeviceFactory.create_batch(30, donation=donation)
    roll = LabelLayout.objects.get(kind=LabelLayout.Kind.ROLL, printer_dpi=300)

    batch = create(technician, roll, donation)
    seen = wait_for_the_end(batch)

    assert chunking_worker.poll() is None, "the worker stopped"
    assert batch.state == State.DONE, batch.error
    assert (batch.done, batch.total, batch.percent) == (30, 30, 100)
    assert seen == sorted(seen)
    with translation.override("fr"):
        whole = build_pdf(roll, device_labels(devices_for(donation=donation)))
    with batch.file.open("rb") as handle:
        assert handle.read() == whole


@pytest.mark.celery_worker
def test_a_real_worker_fails_the_batch_of_a_chunk_that_cannot_be_drawn(
    chunking_worker, shipped_layouts, technician
):
    donation = DonationFactory()
    DeviceFactory.create_batch(20, donation=donation)
    DeviceFactory(donation=donation, asset_tag=TOO_LONG)
    roll_57 = LabelLayout.objects.get(kind=LabelLayout.Kind.ROLL, printer_dpi=203)

    batch = create(technician, roll_57, donation)
    wait_for_the_end(batch)

    assert batch.state == State.FAILED
    assert batch.error.startswith("Les étiquettes n'ont pas pu être préparées")
    assert TOO_LONG in batch.error
    assert not batch.file

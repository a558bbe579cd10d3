"""A 2,000-row device import read and written by a real Celery worker over Redis
(PostgreSQL only: the worker and the test share the database).

The test database is flushed after each transactional test, data migrations included;
a device import needs none of them (the asset tag counter is created on first use) and
the role groups come back through the `roles` fixture.
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exchange.models import ImportJob
from inventory.models import Device
from tests.factories import SiteFactory

ROWS = 2000


def device_file(rows):
    lines = ["Numéro de série;Marque;Modèle;Catégorie;RAM;Stockage;Poids;Site"]
    lines += [
        f"WRK{n:06d};Dell;Latitude 5490;portable;8 Go;256 Go SSD;1,58;BRU" for n in range(rows)
    ]
    return SimpleUploadedFile("inventaire.csv", ("\n".join(lines) + "\n").encode(), "text/csv")


def wait_while_running(job, timeout=120):
    """The statuses and percentages seen until the job stops running."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        job.refresh_from_db()
        seen.append((job.status, job.percent))
        if not job.running:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"the import is still {job.status} after {timeout} s")


@pytest.mark.celery_worker
def test_a_real_worker_previews_then_imports_2000_devices(real_worker, technician_client):
    SiteFactory(code="BRU")
    client = technician_client

    response = client.post("/imports/new/", {"resource": "devices", "file": device_file(ROWS)})
    job = ImportJob.objects.get()
    page = client.get(response.url)
    reading = wait_while_running(job)

    assert real_worker.poll() is None, "the worker stopped"
    # The request only queued it: the page answered before the preview existed.
    assert 'hx-trigger="every 1s"' in page.text
    assert job.status == ImportJob.Status.READY, job.problems
    assert ImportJob.Status.ANALYSING in {status for status, _percent in reading}
    assert [percent for _status, percent in reading] == sorted(p for _s, p in reading)
    assert job.counts == {"new": ROWS, "update": 0, "unchanged": 0, "error": 0}
    assert job.rows.count() == ROWS
    assert not Device.objects.exists()

    client.post(f"/imports/{job.pk}/confirm/")
    writing = wait_while_running(job)
    done = client.get(f"/imports/{job.pk}/progress/", headers={"HX-Request": "true"})

    assert real_worker.poll() is None, "the worker stopped"
    assert job.status == ImportJob.Status.DONE, job.problems
    assert writing[-1] == (ImportJob.Status.DONE, 100)
    assert job.counts == {"new": ROWS, "update": 0, "unchanged": 0, "error": 0}
    assert Device.objects.filter(serial_number__startswith="WRK", site__code="BRU").count() == ROWS
    assert Device.history.filter(history_user__username="technician").count() == ROWS
    assert "hx-trigger" not in done.text
    assert done["HX-Refresh"] == "true"

"""An import whose worker was lost (killed, restarted) is noticed within minutes, by its
heartbeat, on its page and by the periodic task; and it wrote nothing, since the rows go
in one transaction."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from exchange import engine, heartbeat, jobs, services, tasks
from exchange.models import ImportJob
from inventory.models import Device
from tests.factories import SiteFactory

pytestmark = pytest.mark.usefixtures("english")

STOPPED = "The import stopped (was the server restarted?): nothing was written, start it again."
Status = ImportJob.Status


@pytest.fixture(autouse=True)
def _eager_celery(eager_celery):
    """Celery runs inline for every test of this file."""


def _job(user, status, *, beat_minutes_ago=None, started_minutes_ago=None, content=b"x"):
    job = ImportJob.objects.create(
        resource="devices", filename="d.csv", content=content, created_by=user, status=status
    )
    ImportJob.objects.filter(pk=job.pk).update(
        started_at=_ago(started_minutes_ago), heartbeat_at=_ago(beat_minutes_ago)
    )
    job.refresh_from_db()
    return job


def _ago(minutes):
    return None if minutes is None else timezone.now() - timedelta(minutes=minutes)


# On the job's page -------------------------------------------------------------------


def test_a_job_whose_heartbeat_stopped_is_shown_failed_on_its_page(technician_client, technician):
    job = _job(technician, Status.ANALYSING, started_minutes_ago=8, beat_minutes_ago=6)

    page = technician_client.get(f"/imports/{job.pk}/")

    assert STOPPED in page.text
    assert "hx-trigger" not in page.text
    assert "the import goes on" not in page.text
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.problems == [STOPPED]


def test_a_job_that_beat_lately_goes_on(technician_client, technician):
    job = _job(technician, Status.ANALYSING, started_minutes_ago=8, beat_minutes_ago=4)

    page = technician_client.get(f"/imports/{job.pk}/")

    assert 'hx-trigger="every 1s"' in page.text
    assert STOPPED not in page.text
    job.refresh_from_db()
    assert job.status == Status.ANALYSING


def test_the_polled_progress_reloads_the_page_once_the_job_is_found_stopped(
    technician_client, technician, settings
):
    settings.IMPORT_STALLED_AFTER_MINUTES = 1
    job = _job(technician, Status.ANALYSING, started_minutes_ago=2, beat_minutes_ago=2)

    partial = technician_client.get(f"/imports/{job.pk}/progress/", headers={"HX-Request": "true"})

    assert partial.headers["HX-Refresh"] == "true"
    assert ImportJob.objects.get(pk=job.pk).status == Status.FAILED


# By the periodic task ------------------------------------------------------------------


def test_the_periodic_task_fails_a_job_once_its_heartbeat_is_minutes_old(technician):
    job = _job(technician, Status.ANALYSING, started_minutes_ago=0, beat_minutes_ago=0)
    now = timezone.now()

    assert jobs.fail_stalled_imports(now=now + timedelta(minutes=4)) == 0
    assert ImportJob.objects.get(pk=job.pk).status == Status.ANALYSING
    assert jobs.fail_stalled_imports(now=now + timedelta(minutes=6)) == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.problems == [STOPPED]


def test_the_periodic_task_is_a_celery_task_run_every_minute(technician, settings):
    _job(technician, Status.ANALYSING, started_minutes_ago=30, beat_minutes_ago=30)

    assert tasks.fail_stalled_imports.apply().get() == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["fail-stalled-imports-every-minute"]
    assert schedule == {"task": "exchange.tasks.fail_stalled_imports", "schedule": 60}


def test_a_job_waiting_in_the_queue_is_given_hours(technician):
    job = _job(technician, Status.UPLOADED)
    confirmed = _job(technician, Status.WRITING, beat_minutes_ago=0)
    now = timezone.now()

    assert jobs.fail_stalled_imports(now=now + timedelta(minutes=90)) == 0
    assert jobs.fail_stalled_imports(now=now + timedelta(hours=3)) == 2
    assert ImportJob.objects.get(pk=job.pk).status == Status.FAILED
    assert ImportJob.objects.get(pk=confirmed.pk).status == Status.FAILED


def test_a_job_being_written_on_sqlite_cannot_beat_and_is_given_hours(technician, monkeypatch):
    job = _job(technician, Status.WRITING, started_minutes_ago=30, beat_minutes_ago=30)

    monkeypatch.setattr(jobs, "beats_while_writing", lambda: False)
    assert jobs.fail_stalled_imports() == 0
    monkeypatch.setattr(jobs, "beats_while_writing", lambda: True)
    assert jobs.fail_stalled_imports() == 1
    assert ImportJob.objects.get(pk=job.pk).status == Status.FAILED


def test_finished_jobs_are_left_alone(technician):
    for status in (Status.READY, Status.INVALID, Status.DONE, Status.FAILED):
        _job(technician, status, started_minutes_ago=600, beat_minutes_ago=600)

    assert jobs.fail_stalled_imports() == 0


# The heartbeat -------------------------------------------------------------------------

HEADER = "Numéro de série;Marque;Modèle;Catégorie;RAM;Site"


def _file(rows):
    lines = [HEADER] + [f"SN{n:03d};Dell;Latitude;portable;8 Go;BRU" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def ready(technician, monkeypatch):
    """A previewed file of 5 devices, read in chunks of 2 rows."""
    SiteFactory(code="BRU")
    monkeypatch.setattr(engine, "CHUNK", 2)
    job = services.create_job(
        user=technician, resource="devices", filename="d.csv", content=_file(5)
    )
    engine.analyse(job)
    assert job.status == Status.READY
    services.confirm_import(job=job, user=technician, queue=False)
    return job


def test_reading_a_file_beats_with_each_chunk(technician, monkeypatch):
    SiteFactory(code="BRU")
    monkeypatch.setattr(engine, "CHUNK", 2)
    job = services.create_job(
        user=technician, resource="devices", filename="d.csv", content=_file(5)
    )
    beats = []

    engine.analyse(
        job, on_progress=lambda *_: beats.append(ImportJob.objects.get(pk=job.pk).heartbeat_at)
    )

    job.refresh_from_db()
    assert len(beats) == 3
    assert beats == sorted(beats)
    assert beats[0] >= job.started_at


def test_a_confirmed_job_waits_with_the_time_of_its_confirmation(ready):
    ready.refresh_from_db()

    assert ready.started_at is None
    assert timezone.now() - ready.heartbeat_at < timedelta(minutes=1)


def test_only_postgresql_lets_a_job_being_written_beat(db):
    # SQLite's write transaction holds the whole file: no second writer may commit.
    assert heartbeat.beats_while_writing() is (connections["default"].vendor == "postgresql")


# Nothing half-written ----------------------------------------------------------------


def test_a_worker_stopping_mid_write_leaves_no_row(ready, technician, monkeypatch):
    judge = engine._judge
    written_before_the_crash = []

    def crash_on_line_6(resource, line, row):
        # Lines 2–5 (two chunks) are written by then; the third chunk fails.
        if line == 6:
            written_before_the_crash.append(Device.objects.count())
            raise RuntimeError("the worker was killed")
        return judge(resource, line, row)

    monkeypatch.setattr(engine, "_judge", crash_on_line_6)

    job = jobs.run_import(ready.pk)

    assert written_before_the_crash == [4]
    assert Device.objects.count() == 0
    assert job.status == Status.FAILED
    assert job.problems == ["The import stopped on an unexpected error; nothing was written."]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_job_declared_stopped_while_it_is_written_writes_nothing(ready, technician):
    def declared_stopped_elsewhere(done, _total):
        # What the periodic task, or the job's page, does in another process: commit.
        if done == 2:
            _elsewhere(lambda: jobs.fail_stalled_imports(now=timezone.now() + timedelta(hours=3)))

    job = jobs.run_import(ready.pk, on_progress=declared_stopped_elsewhere)

    assert Device.objects.count() == 0
    assert job.status == Status.FAILED
    assert job.problems == [STOPPED]


def _elsewhere(work):
    """`work` run on a connection of its own, which commits."""

    def run():
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def test_a_job_written_whole_is_done(ready):
    job = jobs.run_import(ready.pk)

    assert job.status == Status.DONE
    assert Device.objects.count() == 5
    assert ImportJob.objects.get(pk=job.pk).status == Status.DONE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_job_being_written_beats_through_a_connection_of_its_own(technician, monkeypatch, roles):
    SiteFactory(code="BRU")
    monkeypatch.setattr(engine, "CHUNK", 2)
    monkeypatch.setattr(heartbeat, "EVERY", 0)
    job = services.create_job(
        user=technician, resource="devices", filename="d.csv", content=_file(5)
    )
    engine.analyse(job)
    services.confirm_import(job=job, user=technician, queue=False)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    seen = []

    def look(_done, _total):
        # Inside the write's transaction: the aside connection's beat is committed.
        seen.append(ImportJob.objects.values_list("heartbeat_at", flat=True).get(pk=job.pk))

    job = jobs.run_import(job.pk, on_progress=look)

    assert job.status == Status.DONE
    assert all(timezone.now() - beat < timedelta(minutes=1) for beat in seen)

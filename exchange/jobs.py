"""What the import tasks do: claim a job, read or write it, and the daily clean-up.

Kept apart from exchange.services, which queues the tasks: the tasks call these
functions, so services → tasks → jobs has no cycle.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange import engine
from exchange.heartbeat import beats_while_writing
from exchange.models import ImportJob

logger = logging.getLogger(__name__)
# A job that cannot beat (waiting in the queue, or being written on SQLite) is declared
# lost this long after its last sign of life: a queue may be long, a write is not.
UNSEEN_AFTER = timedelta(hours=2)
Status = ImportJob.Status


def claim(job_id, *, before, after):
    """Move a job from `before` to `after` if it is still there; True if this caller did.
    A second delivery of the same task finds it moved and does nothing."""
    now = timezone.now()
    changes = {"status": after, "started_at": now, "heartbeat_at": now}
    jobs = ImportJob.objects.filter(pk=job_id, status=before)
    if before == Status.WRITING:
        jobs = jobs.filter(started_at__isnull=True)
    return bool(jobs.update(**changes))


def run_analysis(job_id, on_progress=None):
    """Analyse an uploaded job (UPLOADED → ANALYSING → READY or INVALID), once."""
    if not claim(job_id, before=Status.UPLOADED, after=Status.ANALYSING):
        return None
    return _run(job_id, lambda job: engine.analyse(job, on_progress=on_progress))


def run_import(job_id, user=None, on_progress=None):
    """Write a confirmed job (WRITING → DONE or FAILED), once."""
    if not claim(job_id, before=Status.WRITING, after=Status.WRITING):
        return None
    return _run(job_id, lambda job: engine.apply(job, user=user, on_progress=on_progress))


def _run(job_id, step):
    # The file, in a table of its own, is read by the engine, once
    # (exchange.models.stored_file).
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        return step(job)
    except Exception:
        # A bug or a lost database: whoever waits for this job must learn that it stopped.
        logger.exception("Import %s stopped", job_id)
        problem = _("The import stopped on an unexpected error; nothing was written.")
        ImportJob.objects.filter(pk=job_id).update(
            status=Status.FAILED, finished_at=timezone.now(), problems=[problem]
        )
        job.refresh_from_db()
        return job


def delete_expired_imports(now=None):
    """Delete the jobs uploaded more than IMPORT_RETENTION_DAYS ago, with their rows.
    Returns how many jobs were deleted."""
    now = now or timezone.now()
    expired = ImportJob.objects.filter(created_at__lt=now - timedelta(days=engine.retention_days()))
    _deleted, by_model = expired.delete()
    return by_model.get(ImportJob._meta.label, 0)


def stalled_after():
    return timedelta(minutes=settings.IMPORT_STALLED_AFTER_MINUTES)


def _lost(now):
    """The running jobs whose worker was lost (killed, restarted), as a filter: silent
    for IMPORT_STALLED_AFTER_MINUTES while it reads or writes (exchange.heartbeat), or
    unseen for UNSEEN_AFTER where it cannot beat."""
    silent, unseen = now - stalled_after(), now - UNSEEN_AFTER
    last_beat = Q(heartbeat_at__lt=silent) | Q(heartbeat_at__isnull=True, started_at__lt=silent)
    # Waiting in the queue: since the upload, or since the confirmation (its heartbeat).
    waiting = Q(status=Status.UPLOADED, created_at__lt=unseen) | Q(
        Q(heartbeat_at__lt=unseen) | Q(heartbeat_at__isnull=True, created_at__lt=unseen),
        status=Status.WRITING,
        started_at__isnull=True,
    )
    writing = Q(status=Status.WRITING, started_at__isnull=False)
    if beats_while_writing():
        writing &= last_beat
    else:
        writing &= Q(started_at__lt=unseen)
    return waiting | Q(last_beat, status=Status.ANALYSING) | writing


def _fail(jobs, now):
    # A write that did not commit wrote nothing; a write that commits later checks
    # first that its job is still running (exchange.engine._write).
    return jobs.update(
        status=Status.FAILED,
        finished_at=now,
        problems=[
            _(
                "The import stopped (was the server restarted?): nothing was written, "
                "start it again."
            )
        ],
    )


def fail_stalled_imports(now=None):
    """Mark failed the running jobs whose worker was lost; how many they were."""
    now = now or timezone.now()
    return _fail(ImportJob.objects.filter(_lost(now)), now)


def fail_if_stalled(job, now=None):
    """`job`, marked failed if its worker was lost: its page says so at once, even with
    no periodic clean-up running. The check is a read; only a lost job is written."""
    if not job.running:
        return job
    now = now or timezone.now()
    lost = ImportJob.objects.filter(_lost(now), pk=job.pk)
    if not lost.exists():
        return job
    try:
        _fail(lost, now)
    except DatabaseError:
        # SQLite busy with another import's write: the next look will record it.
        logger.warning("Import %s: could not record that it stopped", job.pk, exc_info=True)
    job.refresh_from_db()
    return job

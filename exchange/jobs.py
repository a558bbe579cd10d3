"""What the import tasks do: claim a job, read or write it, and the daily clean-up.

Kept apart from exchange.services, which queues the tasks: the tasks call these
functions, so services → tasks → jobs has no cycle.
"""

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange import engine
from exchange.models import ImportJob

logger = logging.getLogger(__name__)
# A job still reading or writing this long after it started was lost (worker restarted).
STALLED_AFTER = timedelta(hours=2)
Status = ImportJob.Status


def claim(job_id, *, before, after):
    """Move a job from `before` to `after` if it is still there; True if this caller did.
    A second delivery of the same task finds it moved and does nothing."""
    changes = {"status": after, "started_at": timezone.now()}
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


def fail_stalled_imports(now=None):
    """Mark failed the jobs still waiting, reading or writing long after they started
    (their worker was restarted: a transaction that did not commit wrote nothing)."""
    now = now or timezone.now()
    cutoff = now - STALLED_AFTER
    # Not started yet (waiting in the queue): counted from the upload.
    lost = Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff)
    return ImportJob.objects.filter(lost, status__in=ImportJob.RUNNING).update(
        status=Status.FAILED,
        finished_at=now,
        problems=[_("The import never finished (the server was restarted?); nothing was written.")],
    )

"""Background work of the imports: reading a file (the preview), writing it, and the
daily clean-up. Thin shells over exchange.jobs, queued by exchange.services with
transaction.on_commit.

Delivery: Celery acknowledges late (CELERY_TASK_ACKS_LATE), so a task may be delivered
twice, e.g. after a worker restart; each task first claims its job with a conditional
UPDATE (UPLOADED → ANALYSING, or WRITING not yet started), so a second delivery does
nothing: the effect is at most once. A job whose worker died stays claimed, its heartbeat
stops, and fail_stalled_imports (every minute) or its own page marks it failed (a write
that did not commit wrote nothing). Never retried.
"""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from exchange import jobs


def _status(job):
    return job.status if job is not None else None


@shared_task
def analyse_import(job_id):
    """The preview of an uploaded job: every row judged, nothing written."""
    with translation.override(settings.LANGUAGE_CODE):
        return _status(jobs.run_analysis(job_id))


@shared_task
def apply_import(job_id, user_id=None):
    """Write a confirmed job (jobs.confirm_import moved it to WRITING): all rows in
    one transaction, or none. The history names `user_id` (who confirmed), or the
    uploader."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    with translation.override(settings.LANGUAGE_CODE):
        return _status(jobs.run_import(job_id, user=user))


@shared_task
def fail_stalled_imports():
    """Every minute: mark failed the imports whose worker was lost (their heartbeat
    stopped). Idempotent; returns how many there were."""
    with translation.override(settings.LANGUAGE_CODE):
        return jobs.fail_stalled_imports()


@shared_task
def delete_expired_imports():
    """Daily: give up on imports that never finished, delete those older than
    IMPORT_RETENTION_DAYS (file and rows). Idempotent; returns how many were deleted."""
    with translation.override(settings.LANGUAGE_CODE):
        jobs.fail_stalled_imports()
    return jobs.delete_expired_imports()

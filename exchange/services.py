"""What people do with imports: start one (upload a file), confirm it, and what the
clean-up removes. The pages, the command line and the Celery tasks all go through here.

    job = start_import(user=…, resource="devices", upload=request.FILES["file"])
    confirm_import(job=job, user=…)      # READY → WRITING, once, then the task writes

Both queue their Celery task once the current transaction commits; with no broker
(the embedded default) the task runs inline, so the job is analysed (or written) when
these functions return.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.refusals import Refused
from exchange import tasks
from exchange.models import ImportJob
from exchange.registry import SOURCE_RESOURCES, SOURCES, resource_class, resource_names

logger = logging.getLogger(__name__)
Status = ImportJob.Status


class ImportNotPossible(Refused):
    """An import cannot do what was asked (confirm twice, confirm with errors); the
    message says why, for a person."""


# Who may import what ------------------------------------------------------------


def importable_resources(user):
    """The kinds of data `user` may import, by name, in the registry's order."""
    return [name for name in resource_names() if resource_class(name).may_import(user)]


def available_sources():
    """Other tools whose files we can read, as {name: label}: ours, and those whose
    resource exists (inventory.migration_sources.SOURCE_RESOURCES)."""

    return {
        name: label
        for name, label in SOURCES.items()
        if name == "reemploi" or name in SOURCE_RESOURCES
    }


def jobs_visible_to(user):
    """A superuser sees every import; anyone else only their own (others answer 404)."""
    jobs = ImportJob.objects.select_related("created_by")
    if user.is_superuser:
        return jobs
    return jobs.filter(created_by=user)


def check_may_import(user, resource, source="reemploi"):
    if resource not in resource_names() or source not in available_sources():
        raise PermissionDenied
    if source != "reemploi" and resource != "devices":
        raise PermissionDenied
    if not resource_class(resource, source).may_import(user):
        raise PermissionDenied


def max_bytes():
    return settings.IMPORT_MAX_BYTES


# Starting and confirming ----------------------------------------------------------


def create_job(*, user, resource, source="reemploi", filename, content, options=None):
    """Record an uploaded file as a job, without queueing anything (the command line
    runs the engine itself)."""
    check_may_import(user, resource, source)
    return ImportJob.objects.create(
        resource=resource,
        source=source or "reemploi",
        filename=filename[: ImportJob._meta.get_field("filename").max_length],
        content=content,  # kept in the job's ImportFile (ImportJobManager.create)
        size=len(content),
        options=options or {},
        created_by=user,
    )


def start_import(*, user, resource, upload, source="reemploi", options=None):
    """Keep the uploaded file in a new job and have it analysed (the preview).

    `upload` is an UploadedFile; `options` are the resource's ({"donation": id,
    "site": id} for devices). Raises PermissionDenied if `user` may not import this.
    The size and the format are the form's to check (exchange.forms.ImportForm).
    """
    with transaction.atomic():
        job = create_job(
            user=user,
            resource=resource,
            source=source,
            filename=upload.name,
            content=upload.read(),
            options=options,
        )
        _queue("analyse_import", job.pk)
    return job


def restart_import(*, job, user, upload):
    """The corrected file of an import, as a new job with the same kind, source and options."""
    return start_import(
        user=user, resource=job.resource, source=job.source, upload=upload, options=job.options
    )


def confirm_import(*, job, user, queue=True):
    """Have a previewed import written (READY → WRITING), once: a second click, or a
    second person confirming at the same time, is refused by the conditional update.
    The apply_import task writes it; with `queue=False` the caller runs jobs.run_import itself
    (the command line, with its progress bar).

    Raises ImportNotPossible saying why when the job is not ready, PermissionDenied when
    `user` may not import it.
    """
    if job.created_by_id != user.pk and not user.is_superuser:
        raise PermissionDenied
    check_may_import(user, job.resource, job.source)
    with transaction.atomic():
        # started_at is emptied so that apply_import can claim the job (WRITING, not
        # started) exactly once; the heartbeat says since when it waits in the queue.
        claimed = ImportJob.objects.filter(pk=job.pk, status=Status.READY).update(
            status=Status.WRITING,
            started_at=None,
            heartbeat_at=timezone.now(),
            finished_at=None,
            processed_rows=0,
        )
        if not claimed:
            job.refresh_from_db(fields=["status"])
            raise ImportNotPossible(_why_not(job))
        job.status = Status.WRITING
        if queue:
            _queue("apply_import", job.pk, user.pk)
    return job


def _why_not(job):
    if job.status == Status.INVALID:
        return _("This file has errors: nothing can be imported until they are corrected.")
    if job.status in (Status.WRITING, Status.DONE):
        return _("This import was already confirmed.")
    if job.status == Status.FAILED:
        return _("This import failed: nothing was written. Upload the corrected file again.")
    return _("This file is still being read: wait for the preview before confirming.")


def _queue(task_name, *args):
    transaction.on_commit(partial(_send, getattr(tasks, task_name), *args))


def _send(task, *args):
    try:
        task.delay(*args)
    except Exception:
        # The broker is down: the job stays waiting and the clean-up marks it failed;
        # the person who uploaded it is not shown an error page for it.
        logger.exception("Could not queue %s%r", task.name, args)


# Sentences ---------------------------------------------------------------------


def error_sentences(row):
    """Each message of a preview row as a sentence naming its line and column."""
    sentences = []
    for item in row.messages:
        if item.get("column"):
            text = _("Line %(line)s, column “%(column)s”: %(message)s")
        else:
            text = _("Line %(line)s: %(message)s")
        sentences.append(
            text % {"line": row.line, "column": item.get("column"), "message": item["message"]}
        )
    return sentences


def outcome_sentence(counts):
    """ "3 created, 2 updated, 1 unchanged" for the counts of a job."""
    new, update, unchanged = (counts.get(kind, 0) for kind in ("new", "update", "unchanged"))
    return ", ".join(
        [
            ngettext("%(count)s created", "%(count)s created", new) % {"count": new},
            ngettext("%(count)s updated", "%(count)s updated", update) % {"count": update},
            ngettext("%(count)s unchanged", "%(count)s unchanged", unchanged)
            % {"count": unchanged},
        ]
    )

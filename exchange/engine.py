"""Running an import: read the file chunk by chunk, let the resource judge each row,
write nothing (preview) or everything in one transaction (confirm).

    preview = analyse(job)        # ImportRow per row, counts, file problems
    outcome = apply(job)          # all rows written, or none and the errors said

Memory stays flat: rows are read as a stream and judged a chunk at a time; the preview's
row results go to the database chunk by chunk.
"""

import itertools
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.refusals import Refused
from exchange import limits
from exchange.heartbeat import heartbeat_aside
from exchange.models import ImportJob, ImportRow, stored_file
from exchange.registry import resource_class
from spreadsheets.columns import match_headers
from spreadsheets.reading import UnreadableFile, read_sheet

logger = logging.getLogger(__name__)
CHUNK = 1000
# Errors kept for the report of a refused confirmation (the preview keeps them all).
MAX_REPORTED = 500
IGNORED_SHOWN = 10


class ImportRefused(Refused):
    """The file cannot be imported (its `problems`, sentences), or confirmation found
    errors in its rows: nothing was written."""

    def __init__(self, problems):
        super().__init__(" ".join(problems))
        self.problems = list(problems)


@dataclass
class Judged:
    line: int
    kind: str
    key: str = ""
    messages: list = field(default_factory=list)
    changes: list = field(default_factory=list)


def _cell(value):
    if isinstance(value, str):
        return value.strip()
    return value


def _rows(sheet, keys):
    # The rows were counted before reading (exchange.limits); this holds the limit even
    # if that count was wrong (an XLSX may declare fewer rows than it has).
    for count, (line, cells) in enumerate(sheet.rows, start=1):
        if count > limits.max_rows():
            raise ImportRefused([limits.too_many_rows(limits.max_rows(), at_least=True)])
        yield (
            line,
            {
                key: _cell(cells[position]) if position < len(cells) else None
                for position, key in enumerate(keys)
                if key
            },
        )


def _messages(resource, errors):
    return [
        {"column": resource.label_of(attribute) if attribute != "__all__" else "", "message": m}
        for attribute, messages in errors.items()
        for m in messages
    ]


def _judge(resource, line, row):
    instance, kind, errors = resource.judge_row(row, line)
    key = resource.describe(row)
    if kind == ImportRow.Kind.ERROR:
        return Judged(line, kind, key, _messages(resource, errors))
    changes = []
    if kind == ImportRow.Kind.UPDATE:
        changes = [resource.label_of(attribute) for attribute in resource.changes(instance)]
    return Judged(line, kind, key, changes=changes)


def make_resource(job, user=None):
    reason = _("Import #%(number)s (%(file)s)") % {"number": job.pk, "file": job.filename}
    return resource_class(job.resource, job.source)(
        user=user or job.created_by, reason=reason, options=job.options
    )


def _read(job):
    """The sheet of the job's file, once it is known to keep within the limits; its
    estimated_rows are the rows counted then."""
    content = stored_file(job.pk)
    try:
        rows = limits.check_file(job.filename, content)
        sheet = read_sheet(job.filename, content)
    except UnreadableFile as error:
        raise ImportRefused([str(error)]) from None
    except MemoryError:
        raise ImportRefused([_("This file is too big to be read: split it.")]) from None
    except Exception:
        # Whatever a damaged file makes a reader raise, the person is told it is damaged.
        logger.exception("Import %s: the file could not be read", job.pk)
        raise ImportRefused(
            [_("This file cannot be read: it is damaged or is not a spreadsheet.")]
        ) from None
    sheet.estimated_rows = rows
    return sheet


def _open(job, resource):
    """The sheet and its column keys; ImportRefused with the file's problems."""
    sheet = _read(job)
    keys, unknown, duplicated, missing = match_headers(sheet.headers, resource.columns())
    problems = []
    if missing:
        problems.append(
            _("Required columns are missing: %(columns)s.")
            % {"columns": ", ".join(f"« {c.label} »" for c in missing)}
        )
    if duplicated:
        problems.append(
            _("These columns say the same thing as another one: %(columns)s.")
            % {"columns": ", ".join(f"« {h} »" for h in duplicated)}
        )
    if not any(keys):
        problems.append(_("No column of this file is one this import knows."))
    if problems:
        raise ImportRefused(problems)
    notes = []
    if unknown:
        # Another tool's export may carry hundreds of columns we do not read.
        shown = ", ".join(f"« {h} »" for h in unknown[:IGNORED_SHOWN])
        if len(unknown) > IGNORED_SHOWN:
            shown = ngettext(
                "%(columns)s and %(count)s other",
                "%(columns)s and %(count)s others",
                len(unknown) - IGNORED_SHOWN,
            ) % {"columns": shown, "count": len(unknown) - IGNORED_SHOWN}
        notes.append(_("Columns ignored (unknown here): %(columns)s.") % {"columns": shown})
    return sheet, keys, notes


def judge_rows(job, resource, *, write, on_open=None, on_chunk=None):
    """Judge every row, chunk by chunk; `on_open(estimated_rows)` is called once the file
    is open, `on_chunk(judged)` with each chunk's results. With `write`, each chunk is
    also written (the caller holds the transaction)."""
    sheet, keys, notes = _open(job, resource)
    if on_open:
        on_open(sheet.estimated_rows)
    rows = _rows(sheet, keys)
    counts = dict.fromkeys(ImportRow.Kind.values, 0)
    try:
        while chunk := _next_chunk(rows):
            judged = _judge_chunk(resource, chunk, write)
            for item in judged:
                counts[item.kind] += 1
            if on_chunk:
                on_chunk(judged)
    finally:
        resource.finish()
    return counts, notes


def _judge_chunk(resource, chunk, write):
    resource.prepare([row for _line, row in chunk])
    judged = [_judge(resource, line, row) for line, row in chunk]
    resource.flush(dry_run=not write or any(j.kind == ImportRow.Kind.ERROR for j in judged))
    return judged


def _next_chunk(rows):
    try:
        return list(itertools.islice(rows, CHUNK))
    except UnreadableFile as error:
        # A CSV line the csv module refuses, found only when the reading gets there.
        raise ImportRefused([str(error)]) from None


def _progress(job, processed):
    # The heartbeat goes with the counter, a chunk of rows at a time (exchange.jobs
    # fails a job silent for minutes: its worker was lost).
    ImportJob.objects.filter(pk=job.pk).update(
        processed_rows=processed, heartbeat_at=timezone.now()
    )


def analyse(job, on_progress=None):
    """The preview: every row judged and recorded, nothing of the data written.
    `on_progress(processed, total)` is called after each chunk (a terminal's bar)."""
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.ANALYSING, started_at=now, heartbeat_at=now, processed_rows=0
    )
    job.rows.all().delete()
    resource = make_resource(job)
    estimate = [0]
    done = [0]

    def opened(rows):
        estimate[0] = rows
        ImportJob.objects.filter(pk=job.pk).update(total_rows=rows, heartbeat_at=timezone.now())

    def record(judged):
        ImportRow.objects.bulk_create(
            ImportRow(
                job=job,
                line=j.line,
                kind=j.kind,
                key=j.key[:200],
                messages=j.messages,
                changes=j.changes,
            )
            for j in judged
        )
        done[0] += len(judged)
        _progress(job, done[0])
        if on_progress:
            on_progress(done[0], estimate[0])

    try:
        counts, notes = judge_rows(job, resource, write=False, on_open=opened, on_chunk=record)
    except ImportRefused as refusal:
        return _finish(job, ImportJob.Status.INVALID, problems=refusal.problems)
    status = ImportJob.Status.INVALID if counts[ImportRow.Kind.ERROR] else ImportJob.Status.READY
    return _finish(job, status, counts=counts, problems=notes, total=done[0])


def apply(job, user=None, on_progress=None):
    """Write every row in one transaction; if any row is refused, nothing is written and
    the job says which rows and why. `on_progress(processed, total)` as for analyse (the
    job's own counter cannot move: other connections see nothing before the commit)."""
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.WRITING, started_at=now, heartbeat_at=now, processed_rows=0
    )
    resource = make_resource(job, user)
    errors = []
    done = [0]
    with heartbeat_aside(job.pk) as beat:

        def keep_errors(judged):
            errors.extend(j for j in judged if j.kind == ImportRow.Kind.ERROR)
            done[0] += len(judged)
            beat()
            if on_progress:
                on_progress(done[0], job.total_rows)

        return _write(job, resource, errors, keep_errors)


class _Abandoned(Exception):
    """The job was declared lost while it was being written: roll the rows back."""


def _write(job, resource, errors, on_chunk):
    try:
        with transaction.atomic():
            counts, notes = judge_rows(job, resource, write=True, on_chunk=on_chunk)
            if errors:
                raise ImportRefused([])
            # The outcome commits with the rows, and only if the job is still being
            # written: one declared lost meanwhile (exchange.jobs) was shown to its
            # owner as "nothing was written", which the rollback keeps true.
            total = sum(counts.values())
            status = ImportJob.Status.DONE
            if _finish(job, status, counts=counts, problems=notes, total=total).status != status:
                raise _Abandoned
    except _Abandoned:
        job.refresh_from_db()
        return job
    except ImportRefused as refusal:
        return _refused(job, refusal.problems, errors)
    except DatabaseError as error:
        # E.g. another user registered the same serial number since the preview.
        logger.warning("Import %s refused by the database: %s", job.pk, error)
        problem = _("The database refused the import, nothing was written: %(error)s") % {
            "error": str(error).splitlines()[0][:300]
        }
        return _refused(job, [problem], errors)
    return job


def _refused(job, problems, errors):
    job.rows.all().delete()
    ImportRow.objects.bulk_create(
        ImportRow(job=job, line=e.line, kind=e.kind, key=e.key[:200], messages=e.messages)
        for e in errors[:MAX_REPORTED]
    )
    counts = dict.fromkeys(ImportRow.Kind.values, 0)
    counts[ImportRow.Kind.ERROR] = len(errors)
    if errors:
        problems = [*problems, _("Nothing was imported: correct the rows below, then try again.")]
    return _finish(job, ImportJob.Status.FAILED, counts=counts, problems=problems)


def _finish(job, status, *, counts=None, problems=(), total=None):
    """Record the outcome of a job still running. One that no longer was (declared lost
    by exchange.jobs meanwhile) keeps that verdict, and is returned as it stands."""
    problems = [problem for problem in problems if problem]
    refused = status in (ImportJob.Status.INVALID, ImportJob.Status.FAILED)
    # A reader's exception may carry no text: never leave a refusal unexplained.
    if refused and not problems and not (counts or {}).get(ImportRow.Kind.ERROR):
        problems = [_("This file cannot be read: it is damaged or is not a spreadsheet.")]
    changes = {"status": status, "finished_at": timezone.now(), "problems": problems}
    if counts is not None:
        changes["counts"] = counts
    if total is not None:
        changes["total_rows"] = changes["processed_rows"] = total
    running = ImportJob.objects.filter(pk=job.pk, status__in=ImportJob.RUNNING)
    if not running.update(**changes):
        job.refresh_from_db()
        return job
    for name, value in changes.items():
        setattr(job, name, value)
    return job


def retention_days():
    return getattr(settings, "IMPORT_RETENTION_DAYS", 30)

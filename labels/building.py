"""What the label tasks do: draw a batch's PDF once, and the hourly clean-up.

Kept apart from labels.services, which queues the tasks: services → tasks → building
has no cycle.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from labels import content
from labels.models import LabelBatch, LabelRequest
from labels.sheets import build_pdf

logger = logging.getLogger(__name__)
State = LabelBatch.State
# A build that has not finished after this long died with its worker (killed, out of
# memory): the hourly clean-up marks it failed so that its page stops waiting.
STALLED_AFTER = timedelta(hours=1)


def build_batch(batch):
    """Draw a pending batch's PDF and save it; a failure is recorded on the batch, not raised.

    The batch is claimed with a conditional update, so a second run of the same batch
    (a task delivered twice) does nothing and returns it as it is.
    """
    if not claim_batch(batch):
        return batch
    with translation.override(language_of(batch)):
        try:
            pdf = _draw(batch)
            batch.file.save(f"{batch.pk}.pdf", ContentFile(pdf), save=False)
        except (ValueError, ValidationError) as error:
            # What the person asked for cannot be printed (labels too small…): say why.
            logger.info("Label batch %s refused: %s", batch.pk, error)
            return finish_batch(batch, State.FAILED, error=failure_message(error))
        except Exception as error:
            # Whatever else went wrong, the page waiting for this batch must learn it.
            logger.exception("Label batch %s failed", batch.pk)
            return finish_batch(batch, State.FAILED, error=failure_message(error))
    return finish_batch(batch, State.DONE)


def claim_batch(batch):
    """Move a pending batch to running; False (and `batch` read again) when another run
    claimed it first, so that a task delivered twice builds it once."""
    claimed = LabelBatch.objects.filter(pk=batch.pk, state=State.PENDING).update(
        state=State.RUNNING
    )
    if not claimed:
        batch.refresh_from_db()
        return False
    batch.state = State.RUNNING
    return True


def language_of(batch):
    """The language of the person who asked for the batch: its PDF and messages speak it."""
    return batch.params.get("language") or settings.LANGUAGE_CODE


def _draw(batch):
    def on_progress(done, total):
        # One cheap UPDATE per call: the batch page polls these two numbers.
        batch.done, batch.total = done, total
        LabelBatch.objects.filter(pk=batch.pk).update(done=done, total=total)

    labels = content.selected_labels(batch.kind, batch.params)
    if not labels:
        raise ValidationError(_("Nothing to print: the selection holds no label any more."))
    return build_pdf(
        batch.layout,
        labels,
        start=batch.params.get("start", 1),
        copies=batch.params.get("copies", 1),
        on_progress=on_progress,
    )


def failure_message(error):
    if isinstance(error, ValidationError):
        detail = " ".join(error.messages)
    else:
        detail = str(error) or error.__class__.__name__
    return _("The labels could not be built: %(error)s") % {"error": detail}


def finish_batch(batch, state, *, error=""):
    """Record the end of a running batch: done with its file, or failed with the reason.

    Only a running batch ends: a conditional update, so that the chunk that fails second,
    or an end arriving after the hourly clean-up gave up on the batch, changes nothing
    (`batch` is then read again).
    """
    fields = {"state": state, "error": error, "finished_at": timezone.now()}
    fields |= {"total": batch.total, "file": batch.file.name or ""}
    if state == State.DONE:
        fields["done"] = batch.total
    ended = LabelBatch.objects.filter(pk=batch.pk, state=State.RUNNING).update(**fields)
    if not ended:
        if fields["file"]:
            batch.file.delete(save=False)  # drawn for nothing: nobody will download it
        batch.refresh_from_db()
        return batch
    for name, value in fields.items():
        setattr(batch, name, value)
    if state == State.FAILED:
        _requeue(batch)
    return batch


def _requeue(batch):
    """A batch that could not be built printed nothing: the queued labels it took wait
    again, except for devices queued anew meanwhile (one waiting request per device)."""
    waiting = LabelRequest.objects.filter(printed_at__isnull=True).values("device")
    LabelRequest.objects.filter(printed_in=batch).exclude(device__in=waiting).update(
        printed_at=None, printed_in=None
    )


def delete_expired_batches(now=None):
    """Delete the batches asked for more than LABEL_FILE_RETENTION_HOURS ago, with their PDFs.

    Returns how many batches were deleted.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.LABEL_FILE_RETENTION_HOURS)
    expired = list(LabelBatch.objects.filter(created_at__lt=cutoff).only("pk", "file"))
    for batch in expired:
        if batch.file:
            batch.file.delete(save=False)
    deleted, _by_model = LabelBatch.objects.filter(pk__in=[b.pk for b in expired]).delete()
    return deleted


def fail_stalled_batches(now=None):
    """Mark failed the batches still waiting or being built long after they were asked for."""
    now = now or timezone.now()
    return LabelBatch.objects.filter(
        state__in=[State.PENDING, State.RUNNING], created_at__lt=now - STALLED_AFTER
    ).update(
        state=State.FAILED,
        finished_at=now,
        error=_("The labels were never finished (the server was restarted?). Ask for them again."),
    )

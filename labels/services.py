"""Label batches: one PDF of labels, drawn in the request when small, by Celery when large.

A batch's `params` say what to print ({"tags": [...]}, {"donation": id} or
{"locations": [...]}), where the first label goes on the sheet ("start"), how many
copies of each label ("copies") and the language of the person who asked ("language").
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inventory.models import Device, Location, Site
from labels import content
from labels.models import LabelBatch, LabelLayout
from labels.sheets import build_pdf

logger = logging.getLogger(__name__)

Kind = LabelBatch.Kind
State = LabelBatch.State
MAX_COPIES = 10
# A build that has not finished after this long died with its worker (killed, out of
# memory): the hourly clean-up marks it failed so that its page stops waiting.
STALLED_AFTER = timedelta(hours=1)
# How many tags a batch lists in its description before "…".
DESCRIBED_TAGS = 3


# Reading a selection --------------------------------------------------------------


def _devices(params):
    tags, donation = params.get("tags") or None, params.get("donation")
    if tags is None and donation is None:
        return Device.objects.none()
    return content.devices_for(tags=tags, donation=donation)


def _locations(params):
    return (
        Location.objects.filter(pk__in=params.get("locations") or [])
        .select_related("site")
        .order_by("code")
    )


def count_labels(kind, params):
    """How many different labels a selection gives (before copies), without drawing them.

    Raises content.NothingToPrint naming the asset tags or donation that do not exist.
    """
    if kind == Kind.DEVICE:
        return _devices(params).count()
    if kind == Kind.LOCATION:
        return _locations(params).count()
    return len(content.action_labels())


def first_tags(tags, count):
    """The first `count` of these asset tags, in the order their labels are printed."""
    return list(_devices({"tags": tags}).values_list("asset_tag", flat=True)[:count])


def selected_labels(kind, params, *, limit=None):
    """The contents of the labels a selection gives, the first `limit` ones if given."""
    if kind == Kind.DEVICE:
        return content.device_labels(_devices(params)[:limit])
    if kind == Kind.LOCATION:
        return content.location_labels(_locations(params)[:limit])
    return content.action_labels()[:limit]


def last_start(layout):
    """The highest start position a layout accepts: a roll always starts on its first label."""
    return layout.per_page if layout.kind == LabelLayout.Kind.SHEET else 1


def check_print_options(layout, *, start, copies):
    """Raise a ValidationError saying what is wrong with a start position or a copy count."""
    errors = {}
    last = last_start(layout)
    if not 1 <= start <= last:
        errors["start"] = _(
            "The first label must be a position between 1 and %(last)s: "
            "this sheet holds %(last)s labels."
        ) % {"last": last}
    if not 1 <= copies <= MAX_COPIES:
        errors["copies"] = _("The number of copies must be between 1 and %(max)s.") % {
            "max": MAX_COPIES
        }
    if errors:
        raise ValidationError(errors)


def describe(kind, params, count):
    """One line saying what a batch holds, for the lists of batches."""
    if kind == Kind.ACTION:
        text = _("Sheet of action barcodes")
    elif kind == Kind.LOCATION:
        site = Site.objects.filter(pk=params.get("site")).first()
        text = ngettext("%(count)s location label", "%(count)s location labels", count) % {
            "count": count
        }
        if site:
            text += f" · {site}"
    elif params.get("donation"):
        text = ngettext(
            "%(count)s device of donation #%(number)s",
            "%(count)s devices of donation #%(number)s",
            count,
        ) % {"count": count, "number": params["donation"]}
    else:
        tags = params.get("tags") or []
        shown = ", ".join(tags[:DESCRIBED_TAGS]) + ("…" if len(tags) > DESCRIBED_TAGS else "")
        text = ngettext("%(count)s device: %(tags)s", "%(count)s devices: %(tags)s", count) % {
            "count": count,
            "tags": shown,
        }
    copies = params.get("copies", 1)
    if copies > 1:
        text += " " + _("(%(copies)s copies each)") % {"copies": copies}
    return text[: LabelBatch._meta.get_field("description").max_length]


# Batches --------------------------------------------------------------------------


def create_batch(*, by, kind, layout, params):
    """Record a batch of labels and have its PDF built.

    Up to settings.LABEL_INLINE_LIMIT labels (copies included) the PDF is drawn now and
    the batch comes back done or failed; above, a Celery task draws it once the current
    transaction commits and the batch comes back pending. Raises PermissionDenied, or a
    ValidationError saying what is wrong with the selection or the print options.
    """
    if not by.has_perm("labels.add_labelbatch"):
        raise PermissionDenied
    start = 1 if layout.kind == LabelLayout.Kind.ROLL else int(params.get("start") or 1)
    copies = int(params.get("copies") or 1)
    check_print_options(layout, start=start, copies=copies)
    params = {**params, "start": start, "copies": copies, "language": translation.get_language()}
    try:
        count = count_labels(kind, params)
    except content.NothingToPrint as error:
        raise ValidationError(str(error)) from error
    if not count:
        raise ValidationError(_("Nothing to print: the selection holds no label."))
    batch = LabelBatch.objects.create(
        kind=kind,
        layout=layout,
        params=params,
        description=describe(kind, params, count),
        total=count * copies,
        created_by=by,
    )
    if batch.total <= settings.LABEL_INLINE_LIMIT:
        return build_batch(batch)
    from labels.tasks import build_label_batch  # the tasks module imports this one

    transaction.on_commit(partial(build_label_batch.delay, str(batch.pk)))
    return batch


def build_batch(batch):
    """Draw a pending batch's PDF and save it; a failure is recorded on the batch, not raised.

    The batch is claimed with a conditional update, so a second run of the same batch
    (a task delivered twice) does nothing and returns it as it is.
    """
    claimed = LabelBatch.objects.filter(pk=batch.pk, state=State.PENDING).update(
        state=State.RUNNING
    )
    if not claimed:
        batch.refresh_from_db()
        return batch
    batch.state = State.RUNNING
    language = batch.params.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            pdf = _draw(batch)
            batch.file.save(f"{batch.pk}.pdf", ContentFile(pdf), save=False)
        except (ValueError, ValidationError) as error:
            # What the person asked for cannot be printed (labels too small…): say why.
            logger.info("Label batch %s refused: %s", batch.pk, error)
            return _finish(batch, State.FAILED, error=_failure_message(error))
        except Exception as error:
            # Whatever else went wrong, the page waiting for this batch must learn it.
            logger.exception("Label batch %s failed", batch.pk)
            return _finish(batch, State.FAILED, error=_failure_message(error))
    return _finish(batch, State.DONE)


def _draw(batch):
    def on_progress(done, total):
        # One cheap UPDATE per call: the batch page polls these two numbers.
        batch.done, batch.total = done, total
        LabelBatch.objects.filter(pk=batch.pk).update(done=done, total=total)

    labels = selected_labels(batch.kind, batch.params)
    if not labels:
        raise ValidationError(_("Nothing to print: the selection holds no label any more."))
    return build_pdf(
        batch.layout,
        labels,
        start=batch.params.get("start", 1),
        copies=batch.params.get("copies", 1),
        on_progress=on_progress,
    )


def _failure_message(error):
    if isinstance(error, ValidationError):
        detail = " ".join(error.messages)
    else:
        detail = str(error) or error.__class__.__name__
    return _("The labels could not be built: %(error)s") % {"error": detail}


def _finish(batch, state, *, error=""):
    batch.state = state
    batch.error = error
    batch.finished_at = timezone.now()
    if state == State.DONE:
        batch.done = batch.total
    batch.save(update_fields=["state", "error", "finished_at", "done", "total", "file"])
    return batch


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

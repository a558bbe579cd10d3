"""Large label batches in chunks of whole pages, planned by the Celery workers in parallel.

Why chunks plan and one task draws: reportlab cannot merge PDFs nor import another PDF's
pages, and no PDF library is a runtime dependency (pypdfium2 is a dev one, for the
tests; pypdf and pikepdf are not installed). Writing our own merger would mean
renumbering objects and carrying each chunk's own subset of the fonts. But planning a
label (its QR matrix and Code128, the text fitted to the label, the paths as PDF
operators) is about four fifths of its time, and filling what is planned the last fifth.
So each chunk plans its labels into strokes (sheets.label_strokes: plain numbers and
strings), stored as gzipped JSON beside the batch PDFs in the media storage, which the
web and every worker already share; then one last task fills them all, in page order,
into one PDF: the very bytes one process would have drawn (sheets.build_pdf).

The chunks are queued as a Celery chord (tasks.build_label_batch): the assembly runs
once every chunk has returned. A chunk never raises: a failure marks the batch failed
with its reason, the other chunks stop at their next progress update, and the assembly
only deletes the chunks' files. A worker that dies mid-chunk leaves the batch running
until the hourly clean-up gives up on it (building.fail_stalled_batches).
"""

import gzip
import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F
from django.db.models.functions import Least
from django.utils import translation
from django.utils.translation import gettext as _

from labels import building, content
from labels.content import LabelContent
from labels.models import LabelBatch
from labels.sheets import PROGRESS_EVERY, check_request, draw_pdf, first_position, planned_labels

logger = logging.getLogger(__name__)
State = LabelBatch.State
FOLDER = "labels/chunks"


class ChunkLost(Exception):
    """A chunk's strokes are not in the storage when the batch is assembled."""


def is_chunked(batch):
    """True when the batch has more labels than one chunk holds."""
    return batch.total > settings.LABEL_CHUNK_SIZE


def chunk_length(layout):
    """Labels per chunk: LABEL_CHUNK_SIZE rounded down to whole pages, one page at least."""
    per_page = 1 if layout.kind == layout.Kind.ROLL else layout.per_page
    return max(1, settings.LABEL_CHUNK_SIZE // per_page) * per_page


def split_batch(batch):
    """Claim a pending batch and cut what it prints into chunks of whole pages.

    Returns [(position, labels), …]: the position of each chunk's first label (0 = the
    first label of the first page) and its labels, copies repeated, for a task's
    arguments: asset tags for device labels, else each label's content as a list.
    Returns [] when another run claimed the batch, or when it cannot be printed (the
    batch is then failed with the reason).
    """
    if not building.claim_batch(batch):
        return []
    start, copies = batch.params.get("start", 1), batch.params.get("copies", 1)
    with translation.override(building.language_of(batch)):
        try:
            # Which labels and in what order is read once, here, so that the chunks print
            # one selection whatever changes meanwhile (a deleted device fails its chunk).
            labels = _selection(batch)
            if not labels:
                raise ValidationError(_("Nothing to print: the selection holds no label any more."))
            check_request(batch.layout, len(labels), start, copies)
        except (ValueError, ValidationError) as error:
            building.finish_batch(batch, State.FAILED, error=building.failure_message(error))
            return []
    repeated = [label for label in labels for _copy in range(copies)]
    batch.total = len(repeated)
    LabelBatch.objects.filter(pk=batch.pk).update(total=batch.total, done=0)
    return cut(repeated, first_position(batch.layout, start), chunk_length(batch.layout))


def _selection(batch):
    # Device labels, by far the most numerous, are passed as their asset tags: each chunk
    # reads its own devices: read here, they were 1 s of a 10,000-label batch's serial part.
    if batch.kind == LabelBatch.Kind.DEVICE:
        return content.selected_tags(batch.params)
    return [as_list(label) for label in content.selected_labels(batch.kind, batch.params)]


def _contents(batch, labels):
    if batch.kind == LabelBatch.Kind.DEVICE:
        return content.tagged_labels(labels)
    return [LabelContent(*label) for label in labels]


def cut(labels, position, length):
    """[(position, labels)]: `labels` from `position` on, cut where a page begins every
    `length` positions, so that a first chunk begun mid-sheet still ends with a page."""
    parts, first = [], 0
    while first < len(labels):
        last = (position + first) // length * length + length - position
        parts.append((position + first, labels[first:last]))
        first = last
    return parts


def as_list(label):
    return [label.barcode, label.human, label.qr, label.lines]


def plan_chunk(batch_id, index, position, labels):
    """Plan one chunk's labels and store their strokes for the assembly.

    Adds to the batch's progress as it goes; stops when the batch has failed meanwhile
    (another chunk's failure). Never raises: a failure fails the batch with its reason.
    """
    batch = LabelBatch.objects.select_related("layout").filter(pk=batch_id).first()
    if batch is None or batch.state != State.RUNNING:
        return
    with translation.override(building.language_of(batch)):
        try:
            placed = _planned(batch, _contents(batch, labels), position)
            if placed is not None:
                _store(chunk_name(batch_id, index), placed)
        except ValueError as error:
            logger.info("Label batch %s refused in chunk %s: %s", batch_id, index, error)
            building.finish_batch(batch, State.FAILED, error=building.failure_message(error))
        except Exception as error:
            logger.exception("Label batch %s failed in chunk %s", batch_id, index)
            building.finish_batch(batch, State.FAILED, error=building.failure_message(error))


def _planned(batch, labels, position):
    """The chunk's (page, strokes), or None when the batch stopped running meanwhile."""
    placed, reported = [], 0
    for count, item in enumerate(planned_labels(batch.layout, labels, position=position), 1):
        placed.append(item)
        if count % PROGRESS_EVERY == 0 or count == len(labels):
            if not _advance(batch, count - reported):
                return None
            reported = count
    return placed


def _advance(batch, count):
    # Added, not set: the chunks run side by side. Capped at the total, since a chunk
    # delivered twice (late acknowledgement) counts its labels twice.
    return LabelBatch.objects.filter(pk=batch.pk, state=State.RUNNING).update(
        done=Least(F("done") + count, F("total"))
    )


def assemble_batch(batch_id, chunks):
    """Fill the strokes of the batch's `chunks` chunks into its PDF, then delete them.

    Nothing is delivered unless every chunk is there: a failed batch (a chunk failed)
    only loses its chunks' files. Never raises: a failure fails the batch.
    """
    names = [chunk_name(batch_id, index) for index in range(chunks)]
    try:
        batch = LabelBatch.objects.select_related("layout").filter(pk=batch_id).first()
        if batch is not None and batch.state == State.RUNNING:
            _assemble(batch, names)
    finally:
        for name in names:
            default_storage.delete(name)


def _assemble(batch, names):
    with translation.override(building.language_of(batch)):
        try:
            if not all(default_storage.exists(name) for name in names):
                raise ChunkLost(_("a part of the labels was lost before the PDF was put together"))
            placed = (item for name in names for item in _load(name))
            pdf = draw_pdf(batch.layout, placed, total=batch.total)
            batch.file.save(f"{batch.pk}.pdf", ContentFile(pdf), save=False)
        except Exception as error:
            logger.exception("Label batch %s could not be assembled", batch.pk)
            building.finish_batch(batch, State.FAILED, error=building.failure_message(error))
            return
    building.finish_batch(batch, State.DONE)


# The chunks' files ---------------------------------------------------------------------


def chunk_name(batch_id, index):
    return f"{FOLDER}/{batch_id}-{index:05d}.json.gz"


def _store(name, placed):
    # A chunk delivered twice writes its file again: the storage would otherwise keep the
    # first and save the second under another name.
    default_storage.delete(name)
    data = gzip.compress(json.dumps(placed, separators=(",", ":")).encode(), compresslevel=1)
    default_storage.save(name, ContentFile(data))


def _load(name):
    with default_storage.open(name, "rb") as handle:
        return json.loads(gzip.decompress(handle.read()))


def delete_orphan_chunks():
    """Delete the chunk files of batches no longer being built (a worker died mid-chunk).

    Returns how many files were deleted.
    """
    try:
        _folders, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    running = LabelBatch.objects.filter(state=State.RUNNING).values_list("pk", flat=True)
    running = {str(pk) for pk in running}
    orphans = [name for name in files if name.rsplit("-", 1)[0] not in running]
    for name in orphans:
        default_storage.delete(f"{FOLDER}/{name}")
    return len(orphans)

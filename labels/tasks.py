"""Background jobs of the labels: large batches, and the clean-up of old PDFs."""

from celery import chord, shared_task

from labels import building, chunks
from labels.models import LabelBatch


@shared_task
def build_label_batch(batch_id):
    """Draw the PDF of a large label batch (queued by services.create_batch).

    Delivered at least once (late acknowledgement): a second delivery finds the batch
    already claimed and does nothing. A failed build is recorded on the batch, never retried.
    Above LABEL_CHUNK_SIZE labels the batch is cut into chunks of whole pages that the
    workers plan side by side, then one task assembles the PDF (labels.chunks).
    """
    batch = LabelBatch.objects.select_related("layout").filter(pk=batch_id).first()
    if batch is None:
        return None  # deleted meanwhile (expired)
    if not chunks.is_chunked(batch):
        return building.build_batch(batch).state
    parts = chunks.split_batch(batch)
    if parts:
        # The chord needs a result backend (CELERY_RESULT_BACKEND, the broker's Redis by
        # default); the chunks return nothing, the assembly reads their files.
        header = [
            plan_label_chunk.si(batch_id, index, position, labels)
            for index, (position, labels) in enumerate(parts)
        ]
        chord(header)(assemble_label_batch.si(batch_id, len(parts)))
    return batch.state


@shared_task
def plan_label_chunk(batch_id, index, position, labels):
    """Plan one chunk of a large batch (chunks.plan_chunk).

    Delivered at least once: a second delivery plans the chunk again and writes the same
    file. Never retried: a failure fails the whole batch.
    """
    chunks.plan_chunk(batch_id, index, position, labels)


@shared_task
def assemble_label_batch(batch_id, count):
    """Put the `count` planned chunks of a batch into its PDF (chunks.assemble_batch).

    Run once by the chord when every chunk has returned; a second run finds the batch
    done (or failed) and only deletes chunk files already gone.
    """
    chunks.assemble_batch(batch_id, count)


@shared_task
def delete_expired_label_files():
    """Hourly: delete the old batches and their PDFs, and give up on builds that died.

    Idempotent: a second run finds nothing more to do. Returns how many were deleted.
    """
    building.fail_stalled_batches()
    chunks.delete_orphan_chunks()
    return building.delete_expired_batches()

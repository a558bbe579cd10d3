"""Background jobs of the labels: large batches, and the clean-up of old PDFs."""

from celery import shared_task

from labels import building
from labels.models import LabelBatch


@shared_task
def build_label_batch(batch_id):
    """Draw the PDF of a large label batch (queued by services.create_batch).

    Delivered at least once (late acknowledgement): a second delivery finds the batch
    already claimed and does nothing. A failed build is recorded on the batch, never retried.
    """
    batch = LabelBatch.objects.select_related("layout").filter(pk=batch_id).first()
    if batch is None:
        return None  # deleted meanwhile (expired)
    return building.build_batch(batch).state


@shared_task
def delete_expired_label_files():
    """Hourly: delete the old batches and their PDFs, and give up on builds that died.

    Idempotent: a second run finds nothing more to do. Returns how many were deleted.
    """
    building.fail_stalled_batches()
    return building.delete_expired_batches()

"""A label printer on the server: a device's label printed as soon as it becomes ready.

Where the machine running Réemploi has the workshop's label printer attached (a small
association's server in the workshop, CUPS on it), LABEL_PRINT_COMMAND (e.g.
`lp -d zebra`) receives the label's PDF on its standard input and the technician clicks
nothing. Without it, the label waits in the queue for « Imprimer la file ». A label
queued by a workstation's report is left to that workstation's own printer
(reemploi-workbench --print-command), which fetches it right after.

The command comes from the environment, never from the database: what the server runs
is the administrator's choice, not something a page can change.
"""

import logging
import shlex
import subprocess

from celery import shared_task
from django.conf import settings
from django.db import transaction

from inventory.models import Status
from labels import content
from labels.models import LabelLayout, LabelRequest
from labels.queue import mark_device_printed
from labels.sheets import build_pdf

logger = logging.getLogger(__name__)

# A label printer answers in seconds; a command hanging longer is stuck, not busy.
PRINT_TIMEOUT_SECONDS = 60


def print_command():
    """The command as a list of arguments, or [] when no printer is attached."""
    return shlex.split(settings.LABEL_PRINT_COMMAND or "")


def printer_layout():
    """The label stock loaded in the server's printer: the one LABEL_PRINT_LAYOUT names,
    else the first roll in use (a label printer takes rolls), else the first stock."""
    layouts = LabelLayout.objects.filter(active=True).order_by("pk")
    named = settings.LABEL_PRINT_LAYOUT
    chosen = layouts.filter(name=named).first() if named else None
    return chosen or layouts.filter(kind=LabelLayout.Kind.ROLL).first() or layouts.first()


def on_device_moved(sender, *, device, source, target, **kwargs):
    # Connected after the queue's receiver: the ready label is already waiting.
    if target == Status.READY and source == Status.REFURBISHING and print_command():
        pk = device.pk
        transaction.on_commit(lambda: print_waiting_label.delay(pk))


@shared_task
def print_waiting_label(device_id):
    """Print the device's waiting label on the server's printer; returns what happened.

    Delivered at least once: a second delivery finds nothing waiting and prints nothing.
    A failure leaves the label in the queue, where « Imprimer la file » still prints it.
    """
    waiting = (
        LabelRequest.objects.select_related("device", "requested_by")
        .filter(device_id=device_id, printed_at__isnull=True)
        .first()
    )
    command, layout = print_command(), printer_layout()
    if waiting is None or not command or layout is None:
        return "nothing"
    pdf = build_pdf(layout, content.device_labels([waiting.device]))
    try:
        done = subprocess.run(
            command, input=pdf, capture_output=True, timeout=PRINT_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        # The device's tag only: a label names no person.
        logger.warning("Label printer command failed for %s: %s", waiting.device.asset_tag, error)
        return "failed"
    if done.returncode != 0:
        logger.warning(
            "Label printer command failed for %s: exit status %s",
            waiting.device.asset_tag,
            done.returncode,
        )
        return "failed"
    with transaction.atomic():
        mark_device_printed(device=waiting.device, by=waiting.requested_by)
    return "printed"

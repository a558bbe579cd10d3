"""The queue of device labels to print: filled by what happens to devices, emptied in one go.

A device's label is queued when a workstation's hardware report registers it (so the
asset tag goes on the machine at once) and when it becomes ready (the label then says
its grade). The inventory announces both with its signals (inventory/signals.py); the
receivers are connected in LabelsConfig.ready(). « Imprimer la file » prints what waits
as one batch (services.create_batch); the workbench prints one device's label itself.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import Refused, require
from inventory import workstations
from inventory.models import Status
from inventory.workstations import RequestRefused
from labels import content, services
from labels.models import LabelBatch, LabelLayout, LabelRequest, WorkstationPrinter
from labels.sheets import build_pdf

Reason = LabelRequest.Reason


def pending(site=None):
    """The labels waiting to be printed, oldest first, with what the list shows (one query)."""
    requests = LabelRequest.objects.filter(printed_at__isnull=True).select_related(
        "device__site", "device__location", "requested_by", "workstation"
    )
    return requests.filter(device__site=site) if site is not None else requests


def queue_label(*, device, reason, by=None, workstation=None):
    """Queue `device`'s label; the request already waiting for it if there is one.

    No permission of its own: it is the consequence of a change the person (or the
    workstation's key) was allowed to make.
    """
    waiting = LabelRequest.objects.filter(device=device, printed_at__isnull=True).first()
    if waiting is not None:
        return waiting
    request = LabelRequest(device=device, reason=reason, requested_by=by, workstation=workstation)
    request._history_user = by
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # Queued by someone else between the look-up and the insert: that one waits.
        return LabelRequest.objects.get(device=device, printed_at__isnull=True)
    return request


def remove_request(*, request, by):
    """Take a label off the queue (printed by hand, not wanted); its history keeps who did."""
    require(by, "labels.delete_labelrequest")
    if request.printed_at is not None:
        raise Refused(_("This label was printed already: it is no longer in the queue."))
    request._history_user = by
    request.delete()


def print_queue(*, by, layout, site=None):
    """Print every waiting label (of `site` if given) as one batch and take them off the queue.

    Returns the batch (services.create_batch: done, failed or pending). Raises
    PermissionRefused, Refused when nothing waits, ValidationError from the print options.
    """
    require(by, "labels.add_labelbatch")
    with transaction.atomic():
        requests = list(pending(site).select_for_update(of=("self",)))
        if not requests:
            raise Refused(_("No label is waiting to be printed."))
        tags = sorted({request.device.asset_tag for request in requests})
        batch = services.create_batch(
            by=by, kind=LabelBatch.Kind.DEVICE, layout=layout, params={"tags": tags}
        )
        if batch.state != LabelBatch.State.FAILED:
            # A batch built later that fails puts them back (building._requeue).
            _mark_printed(requests, batch=batch, by=by)
    return batch


def mark_device_printed(*, device, by, batch=None):
    """The device's waiting label was printed (by the workbench): take it off the queue."""
    requests = list(LabelRequest.objects.filter(device=device, printed_at__isnull=True))
    _mark_printed(requests, batch=batch, by=by)
    return len(requests)


def _mark_printed(requests, *, batch, by):
    now = timezone.now()
    LabelRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        printed_at=now, printed_in=batch
    )
    for request in requests:
        request.printed_at, request.printed_in = now, batch
    LabelRequest.history.bulk_history_create(
        requests, update=True, default_user=by, default_change_reason=_("Label printed")
    )


# The workbench's printer ------------------------------------------------------------------


def layout_for(workstation):
    """The stock loaded next to this workstation: its own, else the first one in use."""
    printer = WorkstationPrinter.objects.select_related("layout").filter(workstation=workstation)
    chosen = printer.first()
    if chosen is not None and chosen.layout.active:
        return chosen.layout
    return LabelLayout.objects.filter(active=True).first()


def workstation_label(*, workstation, asset_tag):
    """The PDF of one device's label, for the printer beside a workstation; the device's
    waiting label is then taken off the queue.

    Any device of the inventory, wherever it is: a label only says what the device is.
    Raises RequestRefused (404 unknown tag, 409 no label stock) or PermissionRefused.
    """
    by = workstation.user
    require(by, "labels.add_labelbatch")
    device = workstations.named_device(asset_tag)
    layout = layout_for(workstation)
    if layout is None:
        raise RequestRefused(_("No label stock is in use: add one on the labels page."), 409)
    pdf = build_pdf(layout, content.device_labels([device]))
    with transaction.atomic():
        mark_device_printed(device=device, by=by)
    return device, pdf


def set_workstation_layout(*, workstation, layout, by):
    """Say which label stock the printer beside `workstation` holds."""
    require(by, "labels.change_workstationprinter")
    printer = WorkstationPrinter.objects.filter(workstation=workstation).first()
    printer = printer or WorkstationPrinter(workstation=workstation)
    printer.layout = layout
    printer._history_user = by
    printer.save()
    return printer


# Receivers of the inventory's signals ---------------------------------------------------


def on_device_moved(sender, *, device, source, target, by, **kwargs):
    # A device made ready after its refurbishment gets the label that says its grade; one
    # coming back from a reservation or a cancelled sale still wears its label.
    if target == Status.READY and source == Status.REFURBISHING:
        queue_label(device=device, reason=Reason.READY, by=by)
    elif source == Status.READY and target == Status.REFURBISHING:
        # Back to the bench (a repair, a scan undone) before its label was printed:
        # the label it gets when ready again will say the new grade.
        _drop_waiting(device, Reason.READY, by)


def _drop_waiting(device, reason, by):
    for request in LabelRequest.objects.filter(
        device=device, reason=reason, printed_at__isnull=True
    ):
        request._history_user = by
        request.delete()


def on_device_registered(sender, *, device, by, workstation=None, **kwargs):
    queue_label(device=device, reason=Reason.REGISTERED, by=by, workstation=workstation)

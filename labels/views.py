"""Label pages: layouts, the print pages (devices, locations, action sheet) and batches.

Every print page works the same way: a selection form says what to print (hidden
inputs, or location checkboxes), a print form says how; "Preview" shows a PDF drawn on
the fly in an <iframe>, "Print" creates a batch through services.create_batch.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from accounts.http import run_action
from accounts.refusals import Refused
from accounts.roles import Role, has_role
from inventory.models import Site, WorkstationToken
from inventory.pdf import download_name
from inventory.pdf import response as pdf_response
from inventory.workstations import workstation_api
from labels import content, queue, services
from labels.forms import (
    ActionSelectionForm,
    DeviceSelectionForm,
    LayoutForm,
    LocationSelectionForm,
    PrintForm,
    QueuePrintForm,
    WorkstationPrinterForm,
)
from labels.models import LabelBatch, LabelLayout, LabelRequest
from labels.sheets import build_pdf

Kind = LabelBatch.Kind
RECENT_BATCHES = 10
# Up to this many labels (copies included) the preview shows them all; above, the
# first page only: the preview is drawn in the request, and a browser's PDF viewer
# in an <iframe> becomes slow with hundreds of pages.
PREVIEW_MAX_LABELS = 63
SELECTIONS = {
    Kind.DEVICE: DeviceSelectionForm,
    Kind.LOCATION: LocationSelectionForm,
    Kind.ACTION: ActionSelectionForm,
}
TITLES = {
    Kind.DEVICE: gettext_lazy("Print device labels"),
    Kind.LOCATION: gettext_lazy("Print location labels"),
    Kind.ACTION: gettext_lazy("Print the sheet of action barcodes"),
}


def batches_visible_to(user):
    """A coordinator sees every batch; anyone else only the batches they asked for."""
    batches = LabelBatch.objects.select_related("layout")
    if has_role(user, Role.COORDINATOR):
        return batches
    return batches.filter(created_by=user)


# Layouts ----------------------------------------------------------------------------


@permission_required("labels.view_labellayout", raise_exception=True)
def index(request):
    layouts = LabelLayout.objects.all()
    recent = LabelBatch.objects.filter(created_by=request.user).select_related("layout")
    context = {
        "layouts": layouts,
        "batches": recent[:RECENT_BATCHES],
        "label_retention_hours": settings.LABEL_FILE_RETENTION_HOURS,
        **_queue_context(request),
    }
    return render(request, "labels/index.html", context)


QUEUE_SHOWN = 50


def _queue_context(request):
    """The labels waiting to be printed (of the site chosen in ?site=), and the form that
    prints them on the stock this person used last for devices."""
    chosen = QueuePrintForm(request.GET).fields["site"]
    try:
        site = chosen.clean(request.GET.get("site"))
    except ValidationError:
        site = None  # an unknown site in the address: every site's labels
    initial = {"layout": _initial(request.user, Kind.DEVICE)["layout"], "site": site}
    waiting = queue.pending(site)
    return {
        # The oldest first, a page's worth: « Imprimer la file » prints them all anyway.
        "queue": list(waiting[:QUEUE_SHOWN]),
        "queue_count": waiting.count(),
        "queue_form": QueuePrintForm(initial=initial),
        "queue_site": site,
        "queue_sites": Site.objects.order_by("code"),
    }


@permission_required("labels.add_labellayout", raise_exception=True)
def layout_create(request):
    form = LayoutForm(request.POST or None)
    if form.is_valid():
        layout = form.save()
        messages.success(request, _("Label stock “%(name)s” added.") % {"name": layout})
        return redirect("labels:index")
    return render(request, "labels/layout_form.html", {"form": form})


@permission_required("labels.change_labellayout", raise_exception=True)
def layout_edit(request, pk):
    layout = get_object_or_404(LabelLayout, pk=pk)
    form = LayoutForm(request.POST or None, instance=layout)
    if form.is_valid():
        form.save()
        messages.success(request, _("Label stock “%(name)s” saved.") % {"name": layout})
        return redirect("labels:index")
    return render(request, "labels/layout_form.html", {"form": form, "layout": layout})


# The queue of labels to print ---------------------------------------------------------


@require_POST
@permission_required("labels.add_labelbatch", raise_exception=True)
def queue_print(request):
    """« Imprimer la file »: one batch of every waiting label, then its page."""
    form = QueuePrintForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("labels:index")
    try:
        batch = queue.print_queue(by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        return redirect("labels:batch_detail", pk=batch.pk)
    return redirect("labels:index")


@require_POST
@permission_required("labels.delete_labelrequest", raise_exception=True)
def queue_remove(request, pk):
    label = get_object_or_404(LabelRequest.objects.select_related("device"), pk=pk)
    return run_action(
        request,
        lambda: queue.remove_request(request=label, by=request.user),
        success=_("The label of %(tag)s is no longer waiting to be printed.")
        % {"tag": label.device.asset_tag},
        back=redirect("labels:index"),
    )


# Print pages ------------------------------------------------------------------------


@permission_required("labels.add_labelbatch", raise_exception=True)
def print_devices(request):
    """Reached by POST from the device list's selection, or by GET with ?tags= or ?donation=."""
    return _print_page(request, Kind.DEVICE)


@permission_required("labels.add_labelbatch", raise_exception=True)
def print_locations(request):
    """Reached from the sites page with ?site=<id>: every location of the site is ticked."""
    return _print_page(request, Kind.LOCATION)


@permission_required("labels.add_labelbatch", raise_exception=True)
def print_actions(request):
    return _print_page(request, Kind.ACTION)


def _selection(kind, data, *, arrival):
    if kind == Kind.LOCATION:
        return LocationSelectionForm(data, arrival=arrival)
    return SELECTIONS[kind](data)


def _print_page(request, kind):
    # The device list posts its ticked tags here without an "action": that is an arrival.
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else request.GET
    selection = _selection(kind, data, arrival=action is None)
    form = PrintForm(request.POST if action else None, initial=_initial(request.user, kind))
    preview = None
    if action and selection.is_valid() and form.is_valid():
        if action == "print":
            batch = _create_batch(request, selection, form)
            if batch is not None:
                return redirect("labels:batch_detail", pk=batch.pk)
        else:
            preview = _preview(kind, selection, form)
    context = {
        "kind": kind,
        "title": TITLES[kind],
        "selection": selection,
        "form": form,
        "preview": preview,
        # Unticking every location is corrected on the same form; a wrong site is not.
        "show_form": selection.is_valid()
        or (kind == Kind.LOCATION and "site" not in selection.errors),
        "sites": Site.objects.all() if kind == Kind.LOCATION else [],
        "inline_limit": settings.LABEL_INLINE_LIMIT,
    }
    return render(request, "labels/print.html", context)


def _initial(user, kind):
    # The stock this person used last time for this kind of label.
    last = LabelBatch.objects.filter(created_by=user, kind=kind, layout__active=True)
    layout = last.values_list("layout", flat=True).first()
    if layout is None and kind == Kind.ACTION:
        # Every layout fits the action codes; the widest prints them with the widest bars.
        widest = LabelLayout.objects.filter(active=True).order_by("-label_width_mm")
        layout = widest.values_list("pk", flat=True).first()
    return {"layout": layout, "start": 1, "copies": 1}


def _create_batch(request, selection, form):
    try:
        return services.create_batch(
            by=request.user,
            kind=selection.kind,
            layout=form.cleaned_data["layout"],
            params={**selection.params(), **form.options()},
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


def _preview(kind, selection, form):
    """Where the <iframe> finds the preview PDF, and whether it is the first page only."""
    layout = form.cleaned_data["layout"]
    options = form.options()
    total = selection.cleaned_data["count"] * options["copies"]
    query = {**selection.params(), **options, "layout": layout.pk}
    first_page = total > PREVIEW_MAX_LABELS
    if first_page:
        query["limit"] = _first_page_count(layout, options)
        if "tags" in query:
            # Keep the address short: only the tags that appear on the first page.
            query["tags"] = content.first_tags(query["tags"], query["limit"])
    url = reverse("labels:preview", args=[kind]) + "?" + urlencode(query, doseq=True)
    return {"url": url, "first_page": first_page, "total": total}


def _first_page_count(layout, options):
    """How many different labels fill the first page, from the start position on."""
    slots = services.last_start(layout) - options["start"] + 1
    return max(1, slots // options["copies"])


@require_GET
@xframe_options_sameorigin
@permission_required("labels.add_labelbatch", raise_exception=True)
def preview(request, kind):
    """The preview PDF, shown inline in the print page's <iframe>; nothing is recorded."""
    if kind not in SELECTIONS:
        raise Http404
    selection = _selection(kind, request.GET, arrival=False)
    form = PrintForm(request.GET)
    if not (selection.is_valid() and form.is_valid()):
        errors = [*selection.non_field_errors(), *form.non_field_errors()]
        errors += [error for field in [*selection, *form] for error in field.errors]
        return HttpResponse(" ".join(errors), status=400, content_type="text/plain; charset=utf-8")
    total = selection.cleaned_data["count"] * form.cleaned_data["copies"]
    limit = _preview_limit(request.GET.get("limit"), total, form)
    labels = content.selected_labels(kind, selection.params(), limit=limit)
    try:
        pdf = build_pdf(form.cleaned_data["layout"], labels, **form.options())
    except ValueError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    return pdf_response(pdf, download_name("apercu-etiquettes"))


def _preview_limit(asked, total, form):
    """Never more than PREVIEW_MAX_LABELS labels drawn for a preview, whatever the address."""
    cap = max(1, PREVIEW_MAX_LABELS // form.cleaned_data["copies"])
    if asked and asked.isdecimal():
        return max(1, min(int(asked), cap))
    if total > PREVIEW_MAX_LABELS:
        return _first_page_count(form.cleaned_data["layout"], form.options())
    return None


# Batches ----------------------------------------------------------------------------


def _batch(request, pk):
    return get_object_or_404(batches_visible_to(request.user), pk=pk)


def _batch_context(request, pk):
    return {"batch": _batch(request, pk), "retention_hours": settings.LABEL_FILE_RETENTION_HOURS}


@permission_required("labels.view_labelbatch", raise_exception=True)
def batch_detail(request, pk):
    return render(request, "labels/batch_detail.html", _batch_context(request, pk))


@permission_required("labels.view_labelbatch", raise_exception=True)
def batch_progress(request, pk):
    """The htmx partial the batch page polls every second while the PDF is being built."""
    return render(request, "labels/_batch_progress.html", _batch_context(request, pk))


@xframe_options_sameorigin
@permission_required("labels.view_labelbatch", raise_exception=True)
def batch_download(request, pk):
    batch = _batch(request, pk)
    if batch.state != LabelBatch.State.DONE or not batch.file:
        raise Http404
    try:
        handle = batch.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    date = timezone.localtime(batch.created_at).date().isoformat()
    return FileResponse(
        handle,
        as_attachment="inline" not in request.GET,
        filename=download_name("etiquettes", date),
        content_type="application/pdf",
    )


# The workbench's printer --------------------------------------------------------------


@workstation_api(method="GET")
def api_device_label(request, token, asset_tag):
    """GET /api/labels/<tag>.pdf with the workstation key: the device's label, in the
    stock of the printer beside that workstation (docs/workbench.md)."""
    device, pdf = queue.workstation_label(workstation=token, asset_tag=asset_tag)
    return pdf_response(pdf, download_name("etiquette", device.asset_tag))


@permission_required("labels.change_workstationprinter", raise_exception=True)
def workstation_printers(request):
    """The label stock beside each workstation, chosen from the workstations' keys."""
    tokens = WorkstationToken.objects.filter(revoked_at__isnull=True).select_related(
        "site", "label_printer__layout"
    )
    if request.method == "POST":
        form = WorkstationPrinterForm(request.POST, workstations=tokens)
        if form.is_valid():
            return run_action(
                request,
                lambda: queue.set_workstation_layout(by=request.user, **form.cleaned_data),
                success=_("Label stock of “%(name)s” saved.")
                % {"name": form.cleaned_data["workstation"].name},
                back=redirect("labels:workstation_printers"),
            )
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    layouts = list(LabelLayout.objects.filter(active=True))
    rows = [(token, _printer_layout(token, layouts)) for token in tokens]
    context = {"rows": rows, "layouts": layouts}
    return render(request, "labels/workstation_printers.html", context)


def _printer_layout(token, layouts):
    # What queue.layout_for says, from what the page fetched already.
    printer = getattr(token, "label_printer", None)
    if printer is not None and printer.layout.active:
        return printer.layout
    return layouts[0] if layouts else None

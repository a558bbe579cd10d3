"""Import pages: the list and the upload form, an import's progress and preview, its
confirmation, the corrected file, and the templates to fill in.

Each view checks who may import what (exchange.services) and calls one service; the
reading and writing run in Celery tasks (inline with no broker).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from accounts.refusals import Refused
from exchange import services, templating
from exchange.forms import FileForm, ImportForm, resource_label
from exchange.jobs import fail_if_stalled
from exchange.models import ImportRow
from exchange.registry import SOURCES, resource_names
from inventory.models import Donation, Site

RECENT_JOBS = 20
ROWS_PER_PAGE = 100
# Where the records of a finished import are listed.
RESULT_PAGES = {
    "devices": "inventory:device_list",
    "donors": "inventory:donor_list",
    "sites": "inventory:site_list",
    "locations": "inventory:site_list",
    "parts": "refurbishment:part_list",
    "sim-cards": "lending:sim_list",
}


def _importable(user):
    names = services.importable_resources(user)
    if not names:
        raise PermissionDenied
    return names


def _label(name):
    try:
        return resource_label(name)
    except LookupError:
        return name


def _templates(names):
    return [
        {
            "name": name,
            "label": resource_label(name),
            "columns": templating.template_columns(name),
        }
        for name in names
    ]


def _index(request, form, status=200):
    names = _importable(request.user)
    jobs = list(services.jobs_visible_to(request.user)[:RECENT_JOBS])
    for job in jobs:
        job.label = _label(job.resource)
    context = {
        "form": form,
        "jobs": jobs,
        "templates": _templates(names),
        "formats": templating.FORMATS,
    }
    return render(request, "exchange/index.html", context, status=status)


@require_GET
def index(request):
    _importable(request.user)
    initial = {}
    donation = request.GET.get("donation", "")
    if donation.isdigit():
        initial = {"resource": "devices", "donation": int(donation)}
    return _index(request, ImportForm(user=request.user, initial=initial))


@require_POST
def start(request):
    _importable(request.user)
    form = ImportForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _index(request, form, status=400)
    job = services.start_import(
        user=request.user,
        resource=form.cleaned_data["resource"],
        source=form.cleaned_data["source"],
        upload=form.cleaned_data["file"],
        options=form.options(),
    )
    return redirect(job)


def _job(request, pk):
    return get_object_or_404(services.jobs_visible_to(request.user), pk=pk)


def _rows(request, job):
    """The page of preview rows asked for, errors first when there are any."""
    counts = job.counts or {}
    default = ImportRow.Kind.ERROR if counts.get(ImportRow.Kind.ERROR) else "all"
    kind = request.GET.get("kind", default)
    if kind not in [*ImportRow.Kind.values, "all"]:
        kind = default
    rows = job.rows.all() if kind == "all" else job.rows.filter(kind=kind)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    for row in page:
        row.sentences = services.error_sentences(row)
    return kind, page


def _tiles(job):
    counts = job.counts or {}
    return [(kind, label, counts.get(kind, 0)) for kind, label in ImportRow.Kind.choices]


def _result_url(job):
    donation = (job.options or {}).get("donation")
    if job.resource == "devices" and donation:
        return reverse("inventory:donation_detail", args=[donation])
    name = RESULT_PAGES.get(job.resource)
    return reverse(name) if name else ""


def _detail(request, job, reupload_form=None, status=200):
    kind, page = _rows(request, job)
    context = {
        "job": job,
        "label": _label(job.resource),
        "source_label": SOURCES.get(job.source, job.source),
        "tiles": _tiles(job),
        "kind": kind,
        "page": page,
        "query": f"kind={kind}",
        "outcome": services.outcome_sentence(job.counts or {}),
        "result_url": _result_url(job),
        "reupload_form": reupload_form or FileForm(),
        "options": _options(job),
    }
    return render(request, "exchange/job_detail.html", context, status=status)


def _options(job):
    options = job.options or {}
    found = {}
    if options.get("donation"):
        found["donation"] = (
            Donation.objects.select_related("donor").filter(pk=options["donation"]).first()
        )
    if options.get("site"):
        found["site"] = Site.objects.filter(pk=options["site"]).first()
    return found


@require_GET
def job_detail(request, pk):
    return _detail(request, fail_if_stalled(_job(request, pk)))


@require_GET
def job_progress(request, pk):
    """The htmx partial the import page polls every second while the file is read or
    written; once done it has the page reloaded, to show the preview or the outcome."""
    job = fail_if_stalled(_job(request, pk))
    response = render(request, "exchange/_progress.html", {"job": job})
    if not job.running and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def job_confirm(request, pk):
    job = _job(request, pk)
    try:
        services.confirm_import(job=job, user=request.user)
    except Refused as error:
        messages.error(request, error.message)
    return redirect(job)


@require_POST
def job_reupload(request, pk):
    """The corrected file of an import: a new import with the same kind and options."""
    job = _job(request, pk)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, job, reupload_form=form, status=400)
    new = services.restart_import(job=job, user=request.user, upload=form.cleaned_data["file"])
    return redirect(new)


@require_GET
def template_download(request, resource, fmt):
    if resource not in resource_names():
        raise Http404
    if resource not in services.importable_resources(request.user):
        raise PermissionDenied
    try:
        filename, content, content_type = templating.template_file(resource, fmt)
    except LookupError:
        raise Http404 from None
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response

"""/reports/: one page whose sections follow the reader's role, its PDF, and each of its
tables as a spreadsheet; closing it, and the closed reports (shown from what they kept)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.refusals import PermissionRefused, Refused
from inventory.impact.closing import closed_reports
from lending import access
from lending.models import Programme
from reports import closing, exports, sections
from reports.forms import ReportFilterForm
from spreadsheets.exporting import FORMATS

PAGE_SIZE = 50


def _programmes(user, keys):
    if sections.IMPACT in keys:
        # A coordinator's report covers the whole association.
        return Programme.objects.all()
    return access.programmes_open_to(user) | access.programmes_coordinated_by(user)


@require_safe
def report(request):
    keys = sections.sections_for(request.user)
    if not keys:
        raise PermissionDenied
    form = ReportFilterForm(request.GET or None, programmes=_programmes(request.user, keys))
    if request.GET and not form.is_valid():
        return render(request, "reports/report.html", {"form": form}, status=400)
    if not request.GET:
        form = ReportFilterForm({}, programmes=_programmes(request.user, keys))
        form.is_valid()
    filters = form.filters()
    built = sections.build(keys, filters, request.user)
    fmt = request.GET.get("export", "")
    if fmt == "pdf":
        return exports.pdf_response(built, filters)
    if fmt in FORMATS:
        return _table_file(request, built, fmt, filters)
    context = {
        "form": form,
        "filters": filters,
        "sections": built,
        "period_text": exports.period_text(filters.period),
        "query": _query(request),
        "closing_form": closing.ClosingForm(
            initial={"title": closing.default_title(filters.period)}
        ),
    }
    return render(request, "reports/report.html", context)


def _table_file(request, built, fmt, filters):
    wanted = request.GET.get("data", "")
    for section in built:
        for table in section.tables:
            if table.slug == wanted:
                return exports.table_response(table, fmt, filters)
    raise Http404


def _query(request):
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("data", None)
    return query.urlencode()


@require_POST
@permission_required(closing.CLOSE, raise_exception=True)
def close(request):
    """« Clôturer ce rapport »: the filters come posted with the title."""
    keys = sections.sections_for(request.user)
    form = ReportFilterForm(request.POST, programmes=_programmes(request.user, keys))
    titled = closing.ClosingForm(request.POST)
    chosen = {name: request.POST[name] for name in form.fields if request.POST.get(name)}
    back = redirect(f"{reverse('reports:report')}?{urlencode(chosen)}")
    if not (form.is_valid() and titled.is_valid()):
        for errors in [*form.errors.values(), *titled.errors.values()]:
            for error in errors:
                messages.error(request, error)
        return back
    try:
        report = closing.close(
            title=titled.cleaned_data["title"], filters=form.filters(), by=request.user
        )
    except PermissionRefused:
        raise
    except Refused as refusal:
        messages.error(request, refusal.message)
        return back
    messages.success(
        request,
        _("Report %(number)s is closed: its figures will not change.") % {"number": report.number},
    )
    return redirect("reports:closed_report", number=report.number)


@require_safe
@permission_required(closing.VIEW, raise_exception=True)
def closed_list(request):
    page = Paginator(closed_reports(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/closed_list.html", {"page": page})


@require_safe
@permission_required(closing.VIEW, raise_exception=True)
def closed_report(request, number):
    """A closed report, drawn from its stored figures only: page, PDF, spreadsheets."""
    report = get_object_or_404(closed_reports(), number=number)
    built = closing.sections_of(report)
    filters = closing.filters_of(report)
    fmt = request.GET.get("export", "")
    if fmt == "pdf":
        return closing.pdf_response(report)
    if fmt in FORMATS:
        return _table_file(request, built, fmt, filters)
    context = {
        "report": report,
        "filters": filters,
        "sections": built,
        "period_text": exports.period_text(filters.period),
        "query": _query(request),
    }
    return render(request, "reports/closed_report.html", context)

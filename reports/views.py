"""/reports/: one page whose sections follow the reader's role, its PDF, and each of its
tables as a spreadsheet."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lending import access
from lending.models import Programme
from reports import exports, sections
from reports.forms import ReportFilterForm
from spreadsheets.exporting import FORMATS


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
        wanted = request.GET.get("data", "")
        for section in built:
            for table in section.tables:
                if table.slug == wanted:
                    return exports.table_response(table, fmt, filters)
        raise Http404
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("data", None)
    context = {
        "form": form,
        "filters": filters,
        "sections": built,
        "period_text": exports.period_text(filters.period),
        "query": query.urlencode(),
    }
    return render(request, "reports/report.html", context)

"""The Coop export: a page to choose the period, and the two files it downloads."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from accounts.refusals import require
from lending.activity import coop_export
from lending.activity.forms import CoopExportForm
from lending.models import HouseholdAccess
from lending.privacy.access_log import record_access
from spreadsheets.exporting import CONTENT_TYPES, CSV, XLSX, write_table

FORMATS = (CSV, XLSX)


def _download(content, fmt, basename, period):
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    filename = f"{basename}-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _page(request, form, status=200):
    return render(request, "lending/activity/coop_export.html", {"form": form}, status=status)


@login_required
def coop_page(request):
    require(request.user, coop_export.EXPORT_PERMISSION)
    return _page(request, CoopExportForm())


def _export(request, build):
    require(request.user, coop_export.EXPORT_PERMISSION)
    if not request.GET:
        # Followed as a link, without a period yet: the form to choose one.
        return _page(request, CoopExportForm())
    form = CoopExportForm(request.GET)
    if not form.is_valid():
        return _page(request, form, status=400)
    fmt = request.GET.get("export") if request.GET.get("export") in FORMATS else XLSX
    return build(form.period, form.cleaned_data["programme"], fmt)


@login_required
def coop_beneficiaries(request):
    def build(period, programme, fmt):
        households = coop_export.beneficiaries(request.user, period, programme=programme)
        content = write_table(
            fmt,
            coop_export.BENEFICIARY_COLUMNS,
            coop_export.beneficiary_rows(households),
            title="Bénéficiaires",
            text_columns={4, 5},
            number_columns={2},
        )
        # Names leave Réemploi: the access log says who took them, and when.
        record_access(request.user, households, HouseholdAccess.What.EXPORTED, detail="coop")
        return _download(content, fmt, "coop-beneficiaires", period)

    return _export(request, build)


@login_required
def coop_activities(request):
    def build(period, programme, fmt):
        workshops, loans = coop_export.activities(request.user, period, programme=programme)
        content = write_table(
            fmt,
            coop_export.ACTIVITY_COLUMNS,
            coop_export.activity_rows(workshops, loans),
            title="Activités",
            number_columns={2, 6},
        )
        return _download(content, fmt, "coop-activites", period)

    return _export(request, build)

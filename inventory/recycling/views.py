"""Recycling pages: the shipments of a period with the register's files, a new shipment
(devices picked or scanned), a shipment with its devices, its paperwork."""

import datetime

from django.contrib.auth.decorators import permission_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import save_form
from inventory.models import RecyclingShipment, Site
from inventory.recycling import register
from inventory.recycling.forms import PaperworkForm, PeriodForm, ShipmentForm
from inventory.recycling.services import ship_for_recycling, update_shipment
from spreadsheets.exporting import CONTENT_TYPES, CSV, XLSX

VIEW = "inventory.view_recyclingshipment"


class _Period:
    def __init__(self, start, end):
        self.start, self.end = start, end


def _period(request):
    """The period asked for (?start=&end=), by default the current calendar year."""
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    start, end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"] or datetime.date(1900, 1, 1)
        end = form.cleaned_data["end"] or datetime.date(9999, 12, 31)
    return form, _Period(start, end)


@require_safe
@permission_required(VIEW, raise_exception=True)
def shipment_list(request):
    form, period = _period(request)
    shipments = register.shipments(period)
    fmt = request.GET.get("export", "")
    if fmt:
        if fmt not in (CSV, XLSX):
            raise Http404
        response = HttpResponse(register.export(fmt, shipments), content_type=CONTENT_TYPES[fmt])
        filename = f"registre-dechets-sortants-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{fmt}"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    rows = shipments.annotate(device_count=Count("devices")).order_by("-shipped_on", "-pk")
    query = request.GET.copy()
    query.pop("export", None)
    context = {
        "form": form,
        "shipments": rows,
        "period": period,
        "query": query.urlencode(),
        "sites": Site.objects.all(),
    }
    return render(request, "inventory/recycling/shipment_list.html", context)


def _site(request):
    sites = list(Site.objects.all())
    chosen = request.GET.get("site") or request.POST.get("site")
    if chosen:
        return get_object_or_404(Site, pk=chosen) if str(chosen).isdigit() else None, sites
    return (sites[0] if len(sites) == 1 else None), sites


@require_http_methods(["GET", "POST"])
@permission_required("inventory.add_recyclingshipment", raise_exception=True)
def shipment_create(request):
    site, sites = _site(request)
    if site is None:
        return render(request, "inventory/recycling/choose_site.html", {"sites": sites})
    data = request.POST if request.method == "POST" else None
    form = ShipmentForm(data, site=site, initial={"shipped_on": timezone.localdate()})

    def save(cleaned):
        return ship_for_recycling(
            devices=cleaned["device_list"], by=request.user, **form.shipment_fields()
        )

    done = save_form(
        request,
        form,
        save,
        success=lambda s: (
            _("Shipment %(number)s recorded: %(count)s devices recycled.")
            % {"number": s.number, "count": len(form.cleaned_data["device_list"])}
        ),
    )
    if done:
        return done
    context = {"form": form, "site": site, "eligible_count": len(form.fields["devices"].choices)}
    return render(request, "inventory/recycling/shipment_form.html", context)


@require_safe
@permission_required(VIEW, raise_exception=True)
def shipment_detail(request, pk):
    shipment = get_object_or_404(
        RecyclingShipment.objects.select_related("site", "created_by"), pk=pk
    )
    context = {
        "shipment": shipment,
        "devices": shipment.devices.order_by("asset_tag"),
        "history": shipment.history.select_related("history_user").order_by("-history_date"),
    }
    return render(request, "inventory/recycling/shipment_detail.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("inventory.change_recyclingshipment", raise_exception=True)
def shipment_edit(request, pk):
    shipment = get_object_or_404(RecyclingShipment, pk=pk)
    form = PaperworkForm(request.POST or None, instance=RecyclingShipment.objects.get(pk=pk))

    def save(cleaned):
        return update_shipment(
            shipment=shipment, by=request.user, note=cleaned["note"], **form.paperwork()
        )

    done = save_form(
        request,
        form,
        save,
        success=_("The shipment's paperwork is saved."),
    )
    if done:
        return done
    return render(
        request, "inventory/recycling/shipment_edit.html", {"form": form, "shipment": shipment}
    )

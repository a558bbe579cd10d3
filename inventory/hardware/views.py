"""Pages of the hardware part of the device lifecycle: reports and workstation tokens.

Reports arrive three ways, all through `hardware.import_hardware_report`: the upload
page, the form on a device's page, and the workstations' API (a key per workstation).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db.models import F, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.http import run_action
from accounts.refusals import Refused
from inventory import workstations
from inventory.hardware import services as hardware
from inventory.hardware.report import HardwareReportError
from inventory.models import (
    Device,
    Donation,
    HardwareReport,
    Organisation,
    Site,
    WorkstationToken,
)
from inventory.workstations import RequestRefused, workstation_api

Source = HardwareReport.Source
REPORTS_SHOWN = 20
RECENT_DONATIONS = 50
# lshw's JSON of a computer weighs 20–300 KB; far more is not a report.
MAX_FILE_BYTES = 5 * 1024 * 1024


# Forms ----------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (one smartctl output per drive)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        return [single(f, initial) for f in files if f]


class ReportFilesForm(forms.Form):
    # The files the live USB stick writes (docs/live-usb-report.md), and their commands.
    lshw = forms.FileField(
        label="lshw -json",
        help_text=gettext_lazy("lshw.json: sudo lshw -json -quiet"),
    )
    smartctl = MultipleFileField(
        label="smartctl --json",
        required=False,
        help_text=gettext_lazy("smartctl-NAME.json, one per drive: smartctl --json -a /dev/NAME"),
    )
    lsblk = forms.FileField(
        label="lsblk --json",
        required=False,
        help_text=gettext_lazy("Optional. lsblk.json: lsblk --json -b -o NAME,TYPE,SIZE,…"),
    )
    battery = forms.FileField(
        label=gettext_lazy("Battery"),
        required=False,
        help_text=gettext_lazy("Optional. battery.uevent: cat /sys/class/power_supply/*/uevent"),
    )

    def clean(self):
        cleaned = super().clean()
        files = [cleaned.get(name) for name in ("lshw", "lsblk", "battery")]
        uploads = [*files, *(cleaned.get("smartctl") or [])]
        if any(f and f.size > MAX_FILE_BYTES for f in uploads):
            raise forms.ValidationError(
                _("A file is larger than %(size)s MB: it is not a hardware report.")
                % {"size": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return cleaned

    def report(self):
        """The keyword arguments of import_hardware_report that the files give."""
        lsblk, battery = self.cleaned_data.get("lsblk"), self.cleaned_data.get("battery")
        return {
            "lshw": self.cleaned_data["lshw"].read(),
            "smartctl": [f.read() for f in self.cleaned_data["smartctl"]],
            "lsblk": lsblk.read() if lsblk else None,
            "battery": battery.read() if battery else None,
        }


class HardwareImportForm(ReportFilesForm):
    site = forms.ModelChoiceField(
        label=gettext_lazy("Site"),
        queryset=Site.objects.all(),
        required=False,
        help_text=gettext_lazy("Where the machine was received, if it is not registered yet."),
    )
    donation = forms.ModelChoiceField(
        label=gettext_lazy("Donation"), queryset=Donation.objects.none(), required=False
    )
    donation_number = forms.IntegerField(
        label=gettext_lazy("or donation number"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("For an older donation, not in the list."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sites = list(Site.objects.all()[:2])
        if len(sites) == 1:
            self.fields["site"].initial = sites[0]
        # The latest donations only: thousands of options make the page heavy.
        recent = Donation.objects.order_by("-received_on", "-pk").values("pk")[:RECENT_DONATIONS]
        self.fields["donation"].queryset = (
            Donation.objects.filter(pk__in=recent)
            .select_related("donor")
            .order_by("-received_on", "-pk")
        )

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("donation_number")
        if number:
            cleaned["donation"] = Donation.objects.select_related("site").filter(pk=number).first()
            if cleaned["donation"] is None:
                self.add_error("donation_number", _("No donation has this number."))
        return cleaned


class WorkstationTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Workstation"),
        max_length=80,
        help_text=gettext_lazy("How the workshop calls it, e.g. “Bench 2 (wiping)”."),
    )
    site = forms.ModelChoiceField(label=gettext_lazy("Site"), queryset=Site.objects.all())
    user = forms.ModelChoiceField(
        label=gettext_lazy("On behalf of"),
        queryset=get_user_model().objects.none(),
        help_text=gettext_lazy("Reports sent from this workstation are recorded in this name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        may_report = Q(groups__permissions__codename="add_hardwarereport") | Q(
            user_permissions__codename="add_hardwarereport"
        )
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(Q(is_superuser=True) | may_report, is_active=True)
            .distinct()
            .order_by("username")
        )


# Reports on pages ---------------------------------------------------------------


def device_hardware_context(request, device):
    """What the device page's hardware panel needs (templates/inventory/_device_hardware.html)."""
    if not request.user.has_perm("inventory.view_hardwarereport"):
        return {}
    reports = (
        device.hardware_reports.select_related("received_by", "workstation")
        # The raw outputs weigh hundreds of KB each; the list shows none of them.
        .defer("lshw", "smartctl", "lsblk")[:REPORTS_SHOWN]
    )
    can_import = request.user.has_perm("inventory.add_hardwarereport")
    return {
        "hardware_reports": list(reports),
        "hardware_form": ReportFilesForm(auto_id="hw_%s") if can_import else None,
    }


@permission_required("inventory.add_hardwarereport", raise_exception=True)
def import_page(request):
    form = HardwareImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, created = hardware.import_hardware_report(
                by=request.user,
                source=Source.PAGE,
                site=form.cleaned_data["site"],
                donation=form.cleaned_data["donation"],
                **form.report(),
            )
        except hardware.MissingSiteError as error:
            form.add_error("site", str(error))
        except HardwareReportError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _outcome(device, created))
            return redirect(device)
    return render(request, "inventory/hardware/hardware_import.html", {"form": form})


@require_POST
@permission_required("inventory.add_hardwarereport", raise_exception=True)
def device_import(request, asset_tag):
    device = get_object_or_404(Device, asset_tag=asset_tag.upper())
    form = ReportFilesForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect(device)
    try:
        device, created = hardware.import_hardware_report(
            by=request.user,
            source=Source.PAGE,
            device=device,
            **form.report(),
        )
    except HardwareReportError as error:
        messages.error(request, _("The report was not imported: %(error)s") % {"error": str(error)})
    else:
        messages.success(request, _outcome(device, created))
    return redirect(device)


def _outcome(device, created):
    if created:
        return _("%(tag)s registered from its hardware report.") % {"tag": device.asset_tag}
    count = len(device.hardware_changes)
    if not count:
        return _("%(tag)s: the report matches what was recorded, nothing changed.") % {
            "tag": device.asset_tag
        }
    return ngettext(
        "%(tag)s updated from its hardware report (%(count)s change: %(changes)s).",
        "%(tag)s updated from its hardware report (%(count)s changes: %(changes)s).",
        count,
    ) % {"tag": device.asset_tag, "count": count, "changes": ", ".join(device.hardware_changes)}


@permission_required("inventory.view_hardwarereport", raise_exception=True)
def report_lshw(request, pk):
    report = get_object_or_404(HardwareReport.objects.select_related("device"), pk=pk)
    response = HttpResponse(report.lshw, content_type="application/json; charset=utf-8")
    name = f"{report.device.asset_tag}-lshw-{report.received_at:%Y%m%d-%H%M%S}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# The workstations' API --------------------------------------------------------------


@workstation_api
def api_report(request, token):
    """POST a report with `Authorization: Token <key>` (docs/live-usb-report.md)."""
    try:
        device, created = hardware.import_hardware_report(
            by=token.user, source=Source.API, workstation=token, **_api_fields(request)
        )
    except hardware.NotInWorkshopError as refusal:
        return workstations.error(refusal, 409)
    except HardwareReportError as refusal:
        return workstations.error(refusal, 400)
    return JsonResponse(
        {
            "asset_tag": device.asset_tag,
            "created": created,
            "url": request.build_absolute_uri(device.get_absolute_url()),
            # What the workbench wipes each kind of drive with (docs/workbench.md).
            "erasure_policy": Organisation.current().erasure_policy(),
        },
        status=201 if created else 200,
    )


def _api_fields(request):
    """The report's parts from the multipart body, each sent as a file or as text."""
    try:
        parts = {
            name: [*request.FILES.getlist(name), *request.POST.getlist(name)]
            for name in ("lshw", "smartctl", "lsblk", "battery")
        }
    except RequestDataTooBig as error:
        raise RequestRefused(_("The request is too large for a hardware report."), 400) from error
    sizes = [p.size if hasattr(p, "size") else len(p) for group in parts.values() for p in group]
    if any(size > MAX_FILE_BYTES for size in sizes):
        raise RequestRefused(_("The request is too large for a hardware report."), 400)
    if not parts["lshw"]:
        raise RequestRefused(_("The lshw output is missing (field “lshw”)."), 400)
    contents = {
        name: [p.read() if hasattr(p, "read") else p for p in group]
        for name, group in parts.items()
    }
    return {
        "lshw": contents["lshw"][0],
        "smartctl": contents["smartctl"],
        "lsblk": next(iter(contents["lsblk"]), None),
        "battery": next(iter(contents["battery"]), None),
        "donation": _api_donation(request.POST.get("donation", "").strip()),
    }


def _api_donation(number):
    if not number:
        return None
    if not (number.isascii() and number.isdigit()):
        raise RequestRefused(_("The donation must be given by its number."), 400)
    donation = Donation.objects.select_related("site").filter(pk=int(number)).first()
    if donation is None:
        raise RequestRefused(_("No donation has the number %(id)s.") % {"id": number}, 404)
    return donation


# Workstation tokens ---------------------------------------------------------------


@permission_required("inventory.view_workstationtoken", raise_exception=True)
def workstation_list(request):
    can_add = request.user.has_perm("inventory.add_workstationtoken")
    form = WorkstationTokenForm(request.POST or None) if can_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                token, key = hardware.issue_workstation_token(by=request.user, **form.cleaned_data)
            except Refused as error:
                form.add_error("user", error.message)
            else:
                return _token_created(request, token, key)
    # Active keys first (PostgreSQL sorts NULL last by default, SQLite first).
    tokens = WorkstationToken.objects.select_related("site", "user").order_by(
        F("revoked_at").asc(nulls_first=True), "name", "pk"
    )
    return render(
        request, "inventory/hardware/hardware_workstations.html", {"tokens": tokens, "form": form}
    )


def _token_created(request, token, key):
    # Rendered, not redirected: the clear key travels once, in this response only.
    url = request.build_absolute_uri(reverse("hardware:api_report"))
    curl = f'curl -sS -H "Authorization: Token {key}" -F "lshw=@lshw.json" {url}'
    response = render(
        request,
        "inventory/hardware/hardware_workstation_created.html",
        {"token": token, "key": key, "curl": curl, "api_url": url},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@permission_required("inventory.change_workstationtoken", raise_exception=True)
def workstation_revoke(request, pk):
    token = get_object_or_404(WorkstationToken, pk=pk)
    message = _("The key of “%(name)s” is revoked: it is refused from now on.")
    return run_action(
        request,
        lambda: hardware.revoke_workstation_token(token=token, by=request.user),
        success=message % {"name": token.name},
        back=redirect("hardware:workstation_list"),
    )

"""Pages of the erasure part of the device lifecycle: importing an nwipe log, the
certificates (issue, PDF, donation summary), and the workstations' endpoint for their
nwipe logs (`api_log`). The public check of a certificate is in public/views.py."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import RequestDataTooBig
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.refusals import PermissionRefused, Refused
from inventory import pdf, workflow, workstations
from inventory.erasure import certificates
from inventory.erasure import services as erasure
from inventory.models import (
    Device,
    Donation,
    Erasure,
    ErasureCertificate,
    ErasureLog,
    ErasureRun,
)
from inventory.workstations import RequestRefused, workstation_api

# What issue_certificate numbers look like; anything else is unknown without a query.


class ErasureLogForm(forms.Form):
    log = forms.FileField(
        label=gettext_lazy("Log file"),
        help_text=gettext_lazy(
            "The log written by nwipe or ShredOS (nwipe --logfile). Drives are found by "
            "their serial number; a drive not yet recorded is added to this device."
        ),
    )


def device_erasure_context(request, device):
    """What the device page's erasure panel needs (templates/inventory/_device_erasure.html)."""
    context = {}
    if request.user.has_perm("inventory.add_erasure"):
        context["erasure_log_form"] = ErasureLogForm()
    if request.user.has_perm("inventory.view_erasure"):
        context.update(_run_context(device))
    if request.user.has_perm("inventory.view_erasurecertificate"):
        context["erasure_certificates"] = list(
            device.erasure_certificates.order_by("-issued_at", "-pk")[:10]
        )
        context["certificate_blockers"] = erasure.certificate_blockers(device)
    if request.user.has_perm("inventory.validate_erasure"):
        context["erasure_validation_form"] = ValidationForm()
    return context


def _run_context(device):
    run = (
        ErasureRun.objects.select_related("workstation")
        .filter(device=device, finished_at__isnull=True)
        .first()
    )
    summary = erasure.run_drives_summary(run) if run else []
    return {"erasure_run": run, "erasure_run_drives": ", ".join(summary)}


@require_safe
@permission_required("inventory.view_erasure", raise_exception=True)
def erasure_run_status(request, asset_tag):
    """The device page's "erasure running" line, polled by htmx while a run is open.

    Two queries whatever the run. When the run the page showed (?run=) has ended, htmx
    reloads the page: its erasures and status changed with the log.
    """
    device = _device(asset_tag)
    context = {"device": device, **_run_context(device)}
    response = render(request, "inventory/erasure/_erasure_run.html", context)
    shown, run = request.GET.get("run", ""), context["erasure_run"]
    if shown.isdigit() and (run is None or run.pk != int(shown)):
        response["HX-Refresh"] = "true"
    return response


def _device(asset_tag):
    return get_object_or_404(Device, asset_tag=asset_tag.strip().upper())


@require_POST
@permission_required("inventory.add_erasure", raise_exception=True)
def erasure_log_import(request, asset_tag):
    device = _device(asset_tag)
    form = ErasureLogForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the nwipe log file to import."))
        return redirect(device)
    upload = form.cleaned_data["log"]
    # One byte more than allowed is enough for the service to refuse a huge file.
    data = upload.read(erasure.MAX_LOG_BYTES + 1)
    try:
        recorded = erasure.import_erasure_log(
            data=data, filename=upload.name, by=request.user, device=device
        )
    except Refused as error:
        messages.error(request, error.message)
    else:
        _report_import(request, recorded)
    return redirect(device)


def _report_import(request, recorded):
    failed = [e for e in recorded if e.result != Erasure.Result.PASSED]
    messages.success(
        request,
        ngettext(
            "%(count)s erasure recorded from the log.",
            "%(count)s erasures recorded from the log.",
            len(recorded),
        )
        % {"count": len(recorded)},
    )
    if failed:
        messages.warning(
            request,
            _("Failed or interrupted, to wipe again: %(drives)s.")
            % {"drives": ", ".join(str(e.drive) for e in failed)},
        )


@require_POST
@permission_required("inventory.add_erasurecertificate", raise_exception=True)
def certificate_issue(request, asset_tag):
    device = _device(asset_tag)
    try:
        certificate = erasure.issue_certificate(device=device, by=request.user)
    except Refused as error:
        messages.error(request, error.message)
        return redirect(device)
    return redirect("erasure:certificate_pdf", device.asset_tag, certificate.number)


class ValidationForm(forms.Form):
    exception = forms.CharField(
        label=gettext_lazy("Stated exception (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Only when a flash drive was only cleared and the device still leaves the "
            "organisation: why you accept it. It is printed on the certificate."
        ),
    )


@require_POST
@permission_required("inventory.validate_erasure", raise_exception=True)
def erasures_validate(request, asset_tag):
    """A coordinator validates the device's current erasures (NIST SP 800-88 appendix G)."""
    device = _device(asset_tag)
    form = ValidationForm(request.POST)
    exception = form.cleaned_data["exception"] if form.is_valid() else ""
    try:
        validated = erasure.validate_erasures(device=device, by=request.user, exception=exception)
    except Refused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s erasure validated.", "%(count)s erasures validated.", len(validated)
            )
            % {"count": len(validated)},
        )
    return redirect(device)


@require_safe
@permission_required("inventory.view_erasurecertificate", raise_exception=True)
def certificate_pdf(request, asset_tag, number):
    number = number.strip().upper()
    if not ErasureCertificate.NUMBER.fullmatch(number):
        raise Http404
    certificate = get_object_or_404(
        ErasureCertificate.objects.select_related("device", "issued_by"),
        number=number,
        device__asset_tag=asset_tag.strip().upper(),
    )
    return pdf.response(
        certificates.certificate_pdf(certificate),
        pdf.download_name("certificat-effacement", certificate.number),
    )


@require_safe
@permission_required("inventory.view_erasurelog", raise_exception=True)
def erasure_log_download(request, pk):
    """The raw log exactly as it was imported: the proof behind a certificate."""
    log = get_object_or_404(ErasureLog, pk=pk)
    name = log.original_name or f"erasure-log-{log.pk}.log"
    return FileResponse(log.file.open("rb"), as_attachment=True, filename=name)


@require_safe
@permission_required(["inventory.view_donation", "inventory.view_erasure"], raise_exception=True)
def donation_erasure_summary(request, pk):
    donation = get_object_or_404(Donation.objects.select_related("donor", "site"), pk=pk)
    devices = certificates.summary_devices(donation)
    content = certificates.donation_summary_pdf(donation, devices)
    return pdf.response(content, pdf.download_name("recapitulatif-effacement-don", donation.pk))


# The workstations' API --------------------------------------------------------------


@workstation_api
def api_log(request, token):
    """POST an nwipe log with `Authorization: Token <key>` (docs/live-usb-report.md)."""
    upload, device = _api_log_fields(request)
    reasons = _api_reasons(request)
    # One byte more than allowed is enough for the service to refuse a huge file.
    data = upload.read(erasure.MAX_LOG_BYTES + 1)
    try:
        received = erasure.receive_erasure_log(
            data=data, filename=upload.name, workstation=token, device=device, reasons=reasons
        )
    except (PermissionRefused, RequestRefused):
        # 403: the key's user may not, or the device is at another site.
        raise
    except (workflow.NotInWorkshop, erasure.AlreadyImported) as refusal:
        return workstations.error(refusal.message, 409)
    except Refused as refusal:
        return workstations.error(refusal.message, 400)
    return JsonResponse(_api_answer(request, received), status=201 if received.created else 200)


@workstation_api
def api_start(request, token):
    """POST `device` (asset tag) and `drives` (JSON list) just before wiping: the device
    moves to wiping and its page shows the erasure running (docs/live-usb-report.md)."""
    device, drives = _api_start_fields(request)
    try:
        run, created = erasure.start_erasure_run(workstation=token, device=device, drives=drives)
    except (PermissionRefused, RequestRefused):
        # 403: the key's user may not, or the device is at another site.
        raise
    except workflow.NotInWorkshop as refusal:
        return workstations.error(refusal.message, 409)
    except Refused as refusal:
        return workstations.error(refusal.message, 400)
    device.refresh_from_db(fields=["status"])
    answer = {
        "asset_tag": device.asset_tag,
        "created": created,
        "run": run.pk,
        "status": device.status,
        "status_label": str(device.get_status_display()),
    }
    return JsonResponse(answer, status=201 if created else 200)


def _api_start_fields(request):
    return _api_device_and_json(request, "drives")


def _api_device_and_json(request, name):
    """The device the POST names (`device`, its asset tag) and its JSON field `name`."""
    tag = request.POST.get("device", "").strip().upper()
    if not tag:
        raise RequestRefused(_("The asset tag of the device is missing (field “device”)."), 400)
    try:
        value = json.loads(request.POST.get(name, ""))
    except ValueError as error:
        raise RequestRefused(
            _("“%(field)s” is not JSON: %(error)s. Nothing was saved.")
            % {"field": name, "error": error},
            400,
        ) from error
    return workstations.named_device(tag), value


@workstation_api
def api_progress(request, token):
    """POST `device` and `progress` ({drive path: per cent}) while wiping: the device page
    shows how far each drive is. Nothing else changes."""
    device, progress = _api_device_and_json(request, "progress")
    try:
        run = erasure.report_erasure_progress(workstation=token, device=device, progress=progress)
    except (PermissionRefused, RequestRefused):
        # 403: the key's user may not, or the device is at another site.
        raise
    except erasure.NoErasureRunning as refusal:
        return workstations.error(refusal.message, 409)
    except Refused as refusal:
        return workstations.error(refusal.message, 400)
    return JsonResponse({"asset_tag": device.asset_tag, "run": run.pk, "progress": run.progress})


def _api_log_fields(request):
    try:
        upload = request.FILES.get("log")
        tag = request.POST.get("device", "").strip().upper()
    except RequestDataTooBig as error:
        raise RequestRefused(_("The request is too large for an nwipe log."), 413) from error
    if upload is None:
        raise RequestRefused(_("The nwipe log is missing (file field “log”)."), 400)
    return upload, workstations.named_device(tag) if tag else None


def _api_reasons(request):
    """Optional `reasons`: JSON {device path: why it was overwritten, not purged}."""
    raw = request.POST.get("reasons", "")
    if not raw:
        return {}
    try:
        reasons = json.loads(raw)
    except ValueError:
        reasons = None
    if not isinstance(reasons, dict) or not all(isinstance(v, str) for v in reasons.values()):
        raise RequestRefused(
            _("“reasons” must be JSON: {device path: sentence}. Nothing was saved."), 400
        )
    return reasons


def _api_answer(request, received):
    device = Device.objects.prefetch_related("drives__erasures").get(pk=received.device.pk)
    erased = [e for e in received.erasures if e.result == Erasure.Result.PASSED]
    failed = [e for e in received.erasures if e.result != Erasure.Result.PASSED]
    return {
        "asset_tag": device.asset_tag,
        "created": received.created,
        "drives_erased": [e.drive.serial_number for e in erased],
        "drives_failed": [e.drive.serial_number for e in failed],
        "status": device.status,
        "status_label": str(device.get_status_display()),
        "missing": workflow.missing_for(device, workflow.ERASED),
        "url": request.build_absolute_uri(device.get_absolute_url()),
    }

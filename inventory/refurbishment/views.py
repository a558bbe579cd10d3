"""Pages of the refurbishment step.

The device page's "Refurbishment" card (checklist, parts fitted, system, grade) posts
here; with htmx each action answers the card alone, without JavaScript it redirects back
to the device page. The workshop pages hold the coordinator's reference data: the
checklist of each category, the parts stock and the catalogue of systems.
"""

import json
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.http import run_action
from accounts.refusals import Refused
from inventory import workflow, workstations
from inventory.models import (
    Category,
    ChecklistItem,
    CheckResult,
    Device,
    Grade,
    OperatingSystem,
    Part,
)
from inventory.panel.context import device_for_page, render_panel
from inventory.panel.forms import GRADE_CRITERIA, ReadyForm
from inventory.panel.next_step import next_step
from inventory.refurbishment import services as refurbishment
from inventory.refurbishment.forms import (
    CheckForm,
    ChecklistItemForm,
    OfferedForm,
    OperatingSystemForm,
    PartForm,
    PartUseForm,
    RestockForm,
    SystemInstallForm,
)
from inventory.resources import PartResource
from inventory.workstations import RequestRefused, workstation_api
from spreadsheets.exporting import export_format, export_response

# The three buttons of a checklist line: outcome, short label, style.
OUTCOME_BUTTONS = [
    (CheckResult.Outcome.PASS, pgettext_lazy("checklist button", "Pass"), "primary"),
    (CheckResult.Outcome.FAIL, pgettext_lazy("checklist button", "Fail"), "danger"),
    (CheckResult.Outcome.NOT_APPLICABLE, pgettext_lazy("checklist button", "N/A"), "secondary"),
]

# A part with this many units or fewer is highlighted on the stock page.
LOW_STOCK = 2

# Prefixes keep the card's field ids apart from the other forms of the device page.
FIT_PREFIX = "fit"
INSTALL_PREFIX = "install"


@dataclass(frozen=True)
class ChecklistLine:
    item: ChecklistItem
    # The result of the current cycle, or None.
    result: CheckResult | None
    # A result from before the device last came back: shown, but it no longer counts.
    previous: CheckResult | None


def device_refurbishment_context(request, device, checklist=None):
    """What the refurbishment card of the device page needs.

    Reads the device's prefetched check_results, os_installs and part_uses, and the
    device's `checklist` when the page already has it; for those who may act, the two
    forms add the choices of parts and systems.
    """
    user = request.user
    if not user.has_perm("inventory.view_checkresult"):
        return {}
    if checklist is None:
        checklist = workflow.checklist_for(device)
    mandatory = [item for item in checklist if item.mandatory]
    may_process = user.has_perm(workflow.PROCESS)
    lines = _checklist_lines(device, checklist)
    card = {
        "lines": lines,
        "mandatory_total": len(mandatory),
        "mandatory_done": len(mandatory) - len(workflow.missing_checks(device, checklist)),
        # Tests without a result this cycle: « Everything is OK » passes them in one click.
        "pending": sum(1 for line in lines if line.result is None),
        "outcome_buttons": OUTCOME_BUTTONS,
        "may_check": may_process and user.has_perm("inventory.add_checkresult"),
        "part_uses": list(device.part_uses.all()),
        "installs": _installs(device),
        "needs_system": workflow.needs_system(device),
        "grades": [(grade, grade.label, GRADE_CRITERIA[grade]) for grade in Grade],
    }
    if may_process and user.has_perm("inventory.add_partuse"):
        card["part_form"] = PartUseForm(prefix=FIT_PREFIX)
    if may_process and user.has_perm("inventory.add_osinstall"):
        card["system_form"] = SystemInstallForm(prefix=INSTALL_PREFIX)
    return {"refurbishment": card}


def _in_cycle(device, moment):
    return device.cycle_started_at is None or moment >= device.cycle_started_at


def _checklist_lines(device, checklist):
    results = {result.item_id: result for result in device.check_results.all()}
    lines = []
    for item in checklist:
        result = results.get(item.pk)
        if result is None or _in_cycle(device, result.checked_at):
            lines.append(ChecklistLine(item, result, None))
        else:
            lines.append(ChecklistLine(item, None, result))
    return lines


def _installs(device):
    return [
        (install, _in_cycle(device, install.installed_at)) for install in device.os_installs.all()
    ]


# Actions of the device card ---------------------------------------------------------


def _device(asset_tag):
    return get_object_or_404(Device, asset_tag=asset_tag.strip().upper())


def _answer(request, device, *, error="", success="", section=""):
    """The card for htmx (with the message inside it), and the next-step panel out of band
    so that its banner says what is still missing after this change; without htmx, back
    to the device page."""
    if request.htmx:
        device = device_for_page(device.asset_tag)
        notices = [("error", error)] if error else [("success", success)] if success else []
        context = {
            "device": device,
            "card_messages": notices,
            # The form just used stays open, for the next part or to correct this one.
            "open_section": section,
            **device_refurbishment_context(request, device),
        }
        response = render(request, "inventory/refurbishment/_device_refurbishment.html", context)
        response.write(render_panel(request, device, oob=True))
        return response
    if error:
        messages.error(request, error)
    elif success:
        messages.success(request, success)
    return redirect(f"{device.get_absolute_url()}#refurbishment")


def _errors(form):
    return " ".join(message for errors in form.errors.values() for message in errors)


def _card_action(request, device, form, act, success, section=""):
    """Call `act(cleaned_data)` when `form` is valid and answer with the card, saying
    `success(result)` or what was wrong (the form's errors, or the refusal)."""
    if not form.is_valid():
        return _answer(request, device, error=_errors(form), section=section)
    try:
        result = act(form.cleaned_data)
    except Refused as error:
        return _answer(request, device, error=error.message, section=section)
    return _answer(request, device, success=success(result), section=section)


@require_POST
@permission_required("inventory.add_checkresult", raise_exception=True)
def check_record(request, asset_tag, item_pk):
    device = _device(asset_tag)
    item = get_object_or_404(ChecklistItem, pk=item_pk, active=True)

    def record(data):
        return refurbishment.record_check(device=device, item=item, by=request.user, **data)

    return _card_action(request, device, CheckForm(request.POST), record, str)


@require_POST
@permission_required("inventory.add_checkresult", raise_exception=True)
def checks_pass_all(request, asset_tag):
    device = _device(asset_tag)
    try:
        passed = refurbishment.pass_all_checks(device=device, by=request.user)
    except Refused as error:
        return _answer(request, device, error=error.message)
    done = ngettext(
        "%(count)s test recorded as passed.", "%(count)s tests recorded as passed.", len(passed)
    ) % {"count": len(passed)}
    return _answer(request, device, success=done)


@require_POST
@permission_required("inventory.add_osinstall", raise_exception=True)
def device_ready(request, asset_tag):
    """The ready panel's one button: system, grade and the move to ready in one call."""
    device = device_for_page(asset_tag) or _device(asset_tag)
    form = ReadyForm(
        request.POST,
        device=device,
        has_system=refurbishment.current_install(device) is not None,
        pending_checks=next_step(device, checklist=workflow.checklist_for(device)).pending_checks,
    )
    seen = form.seen(device)
    if not form.is_valid():
        return _ready_refused(request, device, form, _errors(form))
    device.status = seen
    data = form.cleaned_data
    try:
        refurbishment.make_ready(
            device=device,
            by=request.user,
            grade=data["grade"],
            system=data.get("system"),
            note=data["note"],
            pass_pending=data.get("pass_pending", False),
            location=data["location"],
        )
    except Refused as error:
        return _ready_refused(request, device_for_page(asset_tag), form, error.message)
    messages.success(
        request,
        _("%(tag)s is now “%(status)s”.")
        % {"tag": device.asset_tag, "status": device.get_status_display()},
    )
    if request.htmx:
        # The whole page changes with the status: htmx loads it again.
        return HttpResponseClientRedirect(device.get_absolute_url())
    return redirect(device)


def _ready_refused(request, device, form, error):
    """The panel again with the refusal inside it, the choices kept; nothing was written."""
    if request.htmx:
        return HttpResponse(render_panel(request, device, ready_form=form, error=error))
    messages.error(request, error)
    return redirect(device)


@require_POST
@permission_required("inventory.add_partuse", raise_exception=True)
def part_use(request, asset_tag):
    device = _device(asset_tag)
    form = PartUseForm(request.POST, prefix=FIT_PREFIX)

    def fit(data):
        return refurbishment.use_part(device=device, by=request.user, **data)

    def fitted(use):
        return _("Fitted: %(use)s.") % {"use": use}

    return _card_action(request, device, form, fit, fitted, section="parts")


@require_POST
@permission_required("inventory.add_osinstall", raise_exception=True)
def system_install(request, asset_tag):
    device = _device(asset_tag)
    form = SystemInstallForm(request.POST, prefix=INSTALL_PREFIX)

    def install(data):
        return refurbishment.install_system(device=device, by=request.user, **data)

    def installed(install):
        return _("Installed: %(system)s.") % {"system": install}

    return _card_action(request, device, form, install, installed, section="system")


# The workstations' API: results of the workbench program's checks -------------------


@workstation_api
def api_check_results(request, token):
    """POST {"device": tag, "results": [{"check", "outcome", "note"}]} with the key.

    All or nothing (refurbishment.record_workbench_checks); the answer says what was
    recorded and what the device still lacks before it is ready. An empty `results` only
    asks which checks the device's checklist has.
    """
    body = _json_body(request)
    device = _api_device(body)
    try:
        done = refurbishment.record_workbench_checks(
            device=device, results=body["results"], by=token.user, workstation=token
        )
    except workflow.NotInWorkshop as refusal:
        return workstations.error(refusal.message, 409)
    except refurbishment.BadWorkbenchResult as refusal:
        return workstations.error(refusal.message, 400)
    return JsonResponse(_checks_answer(request, device, done), status=201 if done.recorded else 200)


def _json_body(request):
    try:
        raw = request.body
    except RequestDataTooBig as error:
        raise RequestRefused(_("The request is too large for check results."), 413) from error
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise RequestRefused(_("The body is not UTF-8 text. Nothing was saved."), 400) from error
    except json.JSONDecodeError as error:
        message = _(
            "The body is not JSON, or it is cut short (line %(line)s, column %(column)s). "
            "Nothing was saved."
        )
        where = {"line": error.lineno, "column": error.colno}
        raise RequestRefused(message % where, 400) from error
    if not (isinstance(body, dict) and isinstance(body.get("device"), str) and "results" in body):
        raise RequestRefused(
            _(
                "The body must be a JSON object with “device” (the asset tag) and "
                "“results” (a list). Nothing was saved."
            ),
            400,
        )
    return body


def _api_device(body):
    return workstations.named_device(body["device"])


def _checks_answer(request, device, done):
    device = Device.objects.prefetch_related(
        "drives__erasures", "check_results", "os_installs"
    ).get(pk=device.pk)
    checklist = workflow.checklist_for(device)
    return {
        "asset_tag": device.asset_tag,
        "recorded": done.recorded,
        "unchanged": done.unchanged,
        "skipped": done.skipped,
        # The checks this device's checklist takes: the program runs only these.
        "checks": {item.workbench_check: item.label for item in checklist if item.workbench_check},
        "status": device.status,
        "status_label": str(device.get_status_display()),
        # The device page's « Il manque encore », for the technician at the machine.
        "missing": workflow.missing_for(device, workflow.READY, checklist),
        "url": request.build_absolute_uri(device.get_absolute_url()),
    }


# The workshop's reference data --------------------------------------------------------


def _save(request, form):
    """Save a reference-data form, with the user in the object's history."""
    obj = form.save(commit=False)
    obj._history_user = request.user
    obj.save()
    messages.success(request, _("Saved."))
    return obj


@permission_required("inventory.view_checklistitem", raise_exception=True)
def checklist_list(request):
    items = {category: [] for category in Category}
    for item in ChecklistItem.objects.order_by("category", "position", "pk"):
        items[item.category].append(item)
    may_add = request.user.has_perm("inventory.add_checklistitem")
    sections = [
        {
            "category": category,
            "items": tests,
            # A new test goes to the end of its category's list.
            "form": _new_test_form(category, tests) if may_add else None,
        }
        for category, tests in items.items()
    ]
    return render(
        request, "inventory/refurbishment/refurbishment_checklists.html", {"sections": sections}
    )


def _new_test_form(category, tests):
    position = tests[-1].position + 1 if tests else 0
    return ChecklistItemForm(
        initial={"category": category, "position": position}, auto_id=f"id_{category}_%s"
    )


def _checklist_url(item):
    return f"{reverse('refurbishment:checklist_list')}#checklist-{item.category}"


@permission_required("inventory.add_checklistitem", raise_exception=True)
def checklist_add(request):
    initial = {"category": request.GET.get("category")}
    form = ChecklistItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        return redirect(_checklist_url(_save(request, form)))
    context = {"form": form, "title": _("New checklist test")}
    return render(request, "inventory/refurbishment/refurbishment_checklist_form.html", context)


@permission_required("inventory.change_checklistitem", raise_exception=True)
def checklist_edit(request, pk):
    item = get_object_or_404(ChecklistItem, pk=pk)
    form = ChecklistItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        return redirect(_checklist_url(_save(request, form)))
    context = {"form": form, "title": item.label, "item": item}
    return render(request, "inventory/refurbishment/refurbishment_checklist_form.html", context)


@permission_required("inventory.view_part", raise_exception=True)
def part_list(request):
    may_add = request.user.has_perm("inventory.add_part")
    if request.method == "POST" and not may_add:
        raise PermissionDenied
    form = PartForm(request.POST or None) if may_add else None
    if request.method == "POST" and form.is_valid():
        _save(request, form)
        return redirect("refurbishment:part_list")
    parts = Part.objects.order_by("kind", "name")
    if export_format(request):
        return export_response(request, PartResource, parts, "parts")
    context = {
        "parts": parts,
        "form": form,
        "low_stock": LOW_STOCK,
    }
    return render(request, "inventory/refurbishment/refurbishment_parts.html", context)


@require_POST
@permission_required("inventory.change_part", raise_exception=True)
def part_restock(request, pk):
    part = get_object_or_404(Part, pk=pk)
    form = RestockForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{part}: {_errors(form)}")
        return redirect("refurbishment:part_list")

    def restocked(part):
        return _("%(part)s: %(quantity)s in stock.") % {"part": part, "quantity": part.quantity}

    return run_action(
        request,
        lambda: refurbishment.restock_part(part=part, by=request.user, **form.cleaned_data),
        success=restocked,
        back=redirect("refurbishment:part_list"),
    )


@permission_required("inventory.view_operatingsystem", raise_exception=True)
def system_list(request):
    may_add = request.user.has_perm("inventory.add_operatingsystem")
    if request.method == "POST" and not may_add:
        raise PermissionDenied
    form = OperatingSystemForm(request.POST or None) if may_add else None
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("refurbishment:system_list")
    systems = OperatingSystem.objects.annotate(install_count=Count("osinstall")).order_by(
        "-active", "name", "version"
    )
    return render(
        request,
        "inventory/refurbishment/refurbishment_systems.html",
        {"systems": systems, "form": form},
    )


@require_POST
@permission_required("inventory.change_operatingsystem", raise_exception=True)
def system_offered(request, pk):
    system = get_object_or_404(OperatingSystem, pk=pk)
    form = OfferedForm(request.POST)
    form.is_valid()
    offered = form.cleaned_data.get("offered", False)
    if offered:
        done = _("%(system)s is offered again.") % {"system": system}
    else:
        done = _("%(system)s is no longer offered; devices that have it keep it.") % {
            "system": system
        }
    return run_action(
        request,
        lambda: refurbishment.set_system_offered(system=system, offered=offered, by=request.user),
        success=done,
        back=redirect("refurbishment:system_list"),
    )

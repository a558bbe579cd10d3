"""The next-step panel for a request: the step, the forms the person may use, and the
one helper that renders it, also as an htmx out-of-band swap so that every htmx action
of the device page leaves the panel and its « what is missing » banner true."""

from django.db.models import Prefetch
from django.template.loader import render_to_string

from inventory import workflow
from inventory.impact.weights import with_default_weight
from inventory.models import CheckResult, Device, Erasure, OsInstall, PartUse
from inventory.panel.forms import FactoryResetForm, ReadyForm, ShelfForm
from inventory.panel.next_step import FACTORY_RESET, READY_PANEL, SHELVE, next_step

TEMPLATE = "inventory/panel/_next_step.html"


def device_for_page(asset_tag):
    """The device with every relation its page reads, or None."""
    # Its category's default weight too, shown when the device was not weighed.
    queryset = with_default_weight(Device.objects.with_relations()).prefetch_related(
        Prefetch("drives__erasures", queryset=Erasure.objects.select_related("operator")),
        Prefetch("check_results", queryset=CheckResult.objects.select_related("checked_by")),
        Prefetch(
            "os_installs", queryset=OsInstall.objects.select_related("system", "installed_by")
        ),
        Prefetch("part_uses", queryset=PartUse.objects.select_related("part", "used_by")),
    )
    return queryset.filter(asset_tag=asset_tag.strip().upper()).first()


def _has_current_system(device):
    since = device.cycle_started_at
    return any(since is None or i.installed_at >= since for i in device.os_installs.all())


def panel_context(request, device, checklist=None, *, ready_form=None, error=""):
    """What templates/inventory/panel/_next_step.html needs for `device`."""
    if checklist is None:
        checklist = workflow.checklist_for(device)
    user = request.user
    step = next_step(device, checklist=checklist)
    may_process = user.has_perm(workflow.PROCESS)
    context = {
        "device": device,
        "step": step,
        "panel_error": error,
        "may_move": bool(step.target)
        and any(rule.target == step.target for rule in workflow.allowed_transitions(device, user)),
        "may_check": may_process and user.has_perm("inventory.add_checkresult"),
    }
    if step.kind == READY_PANEL and may_process:
        context["ready_form"] = ready_form or ReadyForm(
            device=device,
            has_system=_has_current_system(device),
            pending_checks=step.pending_checks,
        )
    elif step.kind == FACTORY_RESET and user.has_perms(
        [workflow.PROCESS, "inventory.add_erasure", "inventory.add_drive"]
    ):
        context["reset_form"] = FactoryResetForm()
    elif step.kind == SHELVE and user.has_perm("inventory.change_device"):
        context["shelf_form"] = ShelfForm(device=device)
    return context


def render_panel(request, device, *, oob=False, **kwargs):
    """The panel's HTML; with `oob`, marked to replace the page's panel out of band."""
    context = {**panel_context(request, device, **kwargs), "oob": oob}
    return render_to_string(TEMPLATE, context, request=request)


def refreshed_device(device):
    """`device` read again with its page's relations, after an action changed it."""
    return device_for_page(device.asset_tag)

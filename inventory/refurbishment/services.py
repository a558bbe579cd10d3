"""Writes of the refurbishment step: checklist results, parts fitted, system installed."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import Refused, require
from inventory import services, workflow
from inventory.models import CheckResult, Grade, OperatingSystem, OsInstall, Part, PartUse, Status
from inventory.workflow import PROCESS


def record_check(*, device, item, outcome, by, note=""):
    """Record the outcome of one checklist test; a new check replaces the previous one."""
    require(by, PROCESS)
    if item.category != device.category:
        raise Refused(
            _("“%(test)s” is not a test for a %(category)s.")
            % {"test": item, "category": device.get_category_display().lower()}
        )
    result, _created = CheckResult.objects.update_or_create(
        device=device,
        item=item,
        defaults={
            "outcome": outcome,
            "note": note.strip(),
            "checked_by": by,
            "checked_at": timezone.now(),
        },
    )
    return result


def use_part(*, device, part, by, quantity=1, note=""):
    """Take `quantity` of `part` from stock and record it as fitted in `device`.

    The stock is decremented by a conditional UPDATE, so two technicians taking the
    last unit at the same moment cannot both get it.
    """
    require(by, PROCESS)
    if quantity < 1:
        raise Refused(_("The quantity must be at least 1."))
    with transaction.atomic():
        taken = Part.objects.filter(pk=part.pk, quantity__gte=quantity).update(
            quantity=F("quantity") - quantity
        )
        if not taken:
            left = Part.objects.values_list("quantity", flat=True).get(pk=part.pk)
            raise Refused(
                _("Not enough “%(part)s” in stock: %(left)s left, %(wanted)s asked.")
                % {"part": part, "left": left, "wanted": quantity}
            )
        part.refresh_from_db(fields=["quantity"])
        Part.history.bulk_history_create(
            [part],
            update=True,
            default_user=by,
            default_change_reason=_("Fitted in %(tag)s") % {"tag": device.asset_tag},
        )
        return PartUse.objects.create(
            device=device, part=part, quantity=quantity, note=note.strip(), used_by=by
        )


def restock_part(*, part, quantity, by, note=""):
    """Add `quantity` units of `part` to the stock (a delivery, parts taken from a device)."""
    require(by, PROCESS)
    if quantity < 1:
        raise Refused(_("The quantity must be at least 1."))
    with transaction.atomic():
        Part.objects.filter(pk=part.pk).update(quantity=F("quantity") + quantity)
        part.refresh_from_db(fields=["quantity"])
        Part.history.bulk_history_create(
            [part], update=True, default_user=by, default_change_reason=note.strip()
        )
    return part


def install_system(*, device, system, by, note=""):
    """Record that `system` was installed on `device` now."""
    require(by, PROCESS)
    if not system.active:
        raise Refused(
            _("“%(system)s” is no longer offered: choose a system of the catalogue.")
            % {"system": system}
        )
    return OsInstall.objects.create(
        device=device,
        system=system,
        installed_at=timezone.now(),
        installed_by=by,
        note=note.strip(),
    )


def set_system_offered(*, system, offered, by):
    """Offer `system` for new installations, or withdraw it; past installations stay."""
    require(by, "inventory.change_operatingsystem")
    OperatingSystem.objects.filter(pk=system.pk).update(active=offered)
    system.active = offered
    return system


def pass_all_checks(*, device, by, note=""):
    """Record every test of the device's checklist not yet done this cycle as passed.

    One click for the technician who found everything working: a test already recorded
    this cycle (a failure above all) keeps its result. Returns the results written; each
    gets its history entry, all in one transaction.
    """
    require(by, PROCESS, "inventory.add_checkresult")
    workflow.require_in_workshop(device)
    since = device.cycle_started_at
    done = set(
        CheckResult.objects.filter(device=device)
        .filter(**({"checked_at__gte": since} if since else {}))
        .values_list("item_id", flat=True)
    )
    pending = [item for item in workflow.checklist_for(device) if item.pk not in done]
    now = timezone.now()
    written = []
    with transaction.atomic():
        for item in pending:
            # A result from before the device's return is replaced, as record_check does.
            result = CheckResult.objects.filter(device=device, item=item).first() or CheckResult(
                device=device, item=item
            )
            result.outcome = CheckResult.Outcome.PASS
            result.note = note.strip()
            result.checked_by = by
            result.checked_at = now
            result._history_user = by
            result.save()
            written.append(result)
    return written


def current_install(device):
    """The system installed on `device` in its current cycle, or None (reads prefetched)."""
    since = device.cycle_started_at
    for install in device.os_installs.all():
        if since is None or install.installed_at >= since:
            return install
    return None


def make_ready(*, device, by, grade, system=None, note=""):
    """The ready panel's one click: record the system (if given), the grade, and move
    `device` from refurbishing to ready, all or nothing.

    `device.status` is the status the person saw (see workflow.transition_device). If the
    move is refused (a test not passed, a drive not erased, someone else was quicker),
    the Refused propagates and neither the system nor the grade was written.
    """
    require(by, PROCESS)
    if grade not in Grade.values:
        raise Refused(_("Choose the grade of the device."))
    if device.status != Status.REFURBISHING:
        raise Refused(
            _("%(tag)s is “%(status)s”: only a device in refurbishment can be made ready.")
            % {"tag": device.asset_tag, "status": device.get_status_display()}
        )
    seen_status = device.status
    with transaction.atomic():
        if system is not None:
            install_system(device=device, system=system, by=by, note=note)
        if device.grade != grade:
            device.grade = grade
            services.update_device(device=device, by=by, fields=["grade"], note=note)
        # update_device read the row again: the move is checked against what the person saw.
        device.status = seen_status
        return workflow.transition_device(device=device, target=Status.READY, by=by, note=note)

"""Writes of the refurbishment step: checklist results, parts fitted, system installed."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import Refused, require
from inventory import services, workflow, workstations
from inventory.models import (
    ChecklistItem,
    CheckResult,
    Device,
    Grade,
    OperatingSystem,
    OsInstall,
    Part,
    PartUse,
    Status,
    WorkbenchCheck,
)
from inventory.workflow import PROCESS

Outcome = CheckResult.Outcome


def record_check(*, device, item, outcome, by, note=""):
    """Record the outcome of one checklist test; a new check replaces the previous one."""
    require(by, PROCESS)
    if item.category != device.category:
        raise Refused(
            _("“%(test)s” is not a test for a %(category)s.")
            % {"test": item, "category": device.get_category_display().lower()}
        )
    return _save_result(device, item, outcome, note.strip(), by)


def _save_result(device, item, outcome, note, by, reason="", result=None):
    """Write the device's one result for `item` (created or replaced), with its history
    entry in `by`'s name; `result` is the current row when the caller has it."""
    if result is None:
        result = CheckResult.objects.filter(device=device, item=item).first()
    if result is None:
        result = CheckResult(device=device, item=item)
    result.outcome, result.note = outcome, note
    result.checked_by, result.checked_at = by, timezone.now()
    result._history_user = by
    result._change_reason = reason
    result.save()
    return result


# Results sent by a workstation (POST /api/check-results/) ------------------------------

# The program sends about ten results; far more is not a workbench run.
MAX_WORKBENCH_RESULTS = 50
MAX_WORKBENCH_NOTE = 200
# "skip": the check was not made (no guided checks, no tool): nothing is recorded, so a
# person's earlier result stays and a missing one stays missing.
SKIP = "skip"
WORKBENCH_OUTCOMES = {"pass": Outcome.PASS, "fail": Outcome.FAIL, "na": Outcome.NOT_APPLICABLE}


class BadWorkbenchResult(Refused):
    """A result of the request is wrong: the whole request is refused."""


@dataclass
class WorkbenchRecord:
    """What a workstation's request did, by check code."""

    recorded: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def record_workbench_checks(*, device, results, by, workstation):
    """Record a workstation's check results on `device`'s checklist: all, or none.

    `results` is the list of {"check", "outcome", "note"} the program sent. Each lands on
    the device category's test carrying that `workbench_check` code, in `by`'s name (the
    key's user), its note and history naming the workstation. A result equal to the
    current one (same outcome and note, this cycle) writes nothing, so a replay is
    harmless. Raises BadWorkbenchResult naming the first wrong result, or
    workflow.NotInWorkshop; nothing is written then.
    """
    require(by, PROCESS, "inventory.add_checkresult")
    with transaction.atomic():
        locked = Device.objects.select_for_update().get(pk=device.pk)
        workflow.require_in_workshop(locked)
        workstations.require_same_site(workstation, locked)
        items = {
            item.workbench_check: item
            for item in ChecklistItem.objects.filter(category=locked.category, active=True)
            if item.workbench_check
        }
        entries = _workbench_entries(results, items, locked)
        current = {r.item_id: r for r in CheckResult.objects.filter(device=locked)}
        done = WorkbenchRecord()
        for code, outcome, note in entries:
            if outcome is None:
                done.skipped.append(code)
                continue
            stored = _workstation_note(note, workstation)
            result = current.get(items[code].pk)
            if _is_current(result, locked, outcome, stored):
                done.unchanged.append(code)
                continue
            reason = _("Checked by the workstation “%(name)s”") % {"name": workstation.name}
            _save_result(locked, items[code], outcome, stored, by, reason, result)
            done.recorded.append(code)
    return done


def _workstation_note(note, workstation):
    if note:
        return _("%(note)s (workstation “%(name)s”)") % {"note": note, "name": workstation.name}
    return _("Workstation “%(name)s”") % {"name": workstation.name}


def _is_current(result, device, outcome, note):
    if result is None or (result.outcome, result.note) != (outcome, note):
        return False
    return device.cycle_started_at is None or result.checked_at >= device.cycle_started_at


def _workbench_entries(results, items, device):
    """[(code, outcome or None for a skip, note)], or BadWorkbenchResult on the first
    wrong result."""
    if not isinstance(results, list):
        raise BadWorkbenchResult(_("“results” must be a list. Nothing was saved."))
    if len(results) > MAX_WORKBENCH_RESULTS:
        raise BadWorkbenchResult(
            _("%(count)s results in one request: at most %(max)s are taken. Nothing was saved.")
            % {"count": len(results), "max": MAX_WORKBENCH_RESULTS}
        )
    entries, seen = [], {}
    for number, result in enumerate(results, start=1):
        code, outcome, note = _workbench_entry(number, result, items, device)
        if code in seen:
            raise BadWorkbenchResult(
                _("Result %(number)s (%(check)s): this check is already result %(first)s.")
                % {"number": number, "check": code, "first": seen[code]}
                + " "
                + _("Nothing was saved.")
            )
        seen[code] = number
        entries.append((code, outcome, note))
    return entries


def _workbench_entry(number, result, items, device):
    if not isinstance(result, dict) or not isinstance(result.get("check"), str):
        raise BadWorkbenchResult(
            _("Result %(number)s is not an object with “check”, “outcome” and “note”.")
            % {"number": number}
            + " "
            + _("Nothing was saved.")
        )
    code, outcome, note = result["check"], result.get("outcome"), result.get("note", "")
    where = {"number": number, "check": code}
    if code not in WorkbenchCheck.values:
        problem = _("“%(check)s” is not a workbench check (known: %(known)s).") % {
            "check": code,
            "known": ", ".join(WorkbenchCheck.values),
        }
    elif code not in items:
        problem = _("the checklist of a %(category)s has no test filled by this check.") % {
            "category": device.get_category_display().lower()
        }
    elif outcome != SKIP and outcome not in WORKBENCH_OUTCOMES:
        problem = _("“%(outcome)s” is not an outcome (pass, fail, na or skip).") % {
            "outcome": outcome
        }
    elif not isinstance(note, str) or len(note) > MAX_WORKBENCH_NOTE:
        problem = _("the note must be a text of at most %(max)s characters.") % {
            "max": MAX_WORKBENCH_NOTE
        }
    else:
        return code, WORKBENCH_OUTCOMES.get(outcome), note.strip()
    raise BadWorkbenchResult(
        _("Result %(number)s (%(check)s): %(problem)s") % {**where, "problem": problem}
        + " "
        + _("Nothing was saved.")
    )


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
    # One row per test and device: a result from before the device's return is replaced.
    existing = {r.item_id: r for r in CheckResult.objects.filter(device=device)}
    done = {pk for pk, r in existing.items() if since is None or r.checked_at >= since}
    pending = [item for item in workflow.checklist_for(device) if item.pk not in done]
    with transaction.atomic():
        return [
            _save_result(device, item, Outcome.PASS, note.strip(), by, result=existing.get(item.pk))
            for item in pending
        ]


def current_install(device):
    """The system installed on `device` in its current cycle, or None (reads prefetched)."""
    since = device.cycle_started_at
    for install in device.os_installs.all():
        if since is None or install.installed_at >= since:
            return install
    return None


def make_ready(*, device, by, grade, system=None, note="", pass_pending=False, location=None):
    """The ready panel's one click: record the tests still to do as passed (if
    `pass_pending`), the system (if given) and the grade, move `device` from refurbishing
    to ready, and shelve it at `location` (if given), all or nothing.

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
        if pass_pending:
            pass_all_checks(device=device, by=by, note=note)
        if system is not None:
            install_system(device=device, system=system, by=by, note=note)
        if device.grade != grade:
            device.grade = grade
            services.update_device(device=device, by=by, fields=["grade"], note=note)
        # update_device read the row again: the move is checked against what the person saw.
        device.status = seen_status
        device = workflow.transition_device(device=device, target=Status.READY, by=by, note=note)
        if location is not None and location.pk != device.location_id:
            device = services.move_device(device=device, location=location, by=by, note=note)
        return device

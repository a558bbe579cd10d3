"""The device lifecycle: which status may follow which, who may fire it, and the guards.

    received ─▶ wiping ─▶ refurbishing ─▶ ready ─▶ reserved ─▶ lent ─▶ returned ─┐
        │                                   │  └──────────▶ sold / given          │
        └──▶ parts / recycled               └──────────────────────────────────┘ (back to wiping)

A small explicit table rather than a state-machine library: every rule is readable in
one screen, guards raise errors that carry a translated sentence, and the race between
two users is settled by the database (see `transition_device`).
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.refusals import Refused, require
from inventory import stretches
from inventory.impact import ledger
from inventory.models import Category, ChecklistItem, Device, Erasure, Holder, Status
from inventory.signals import device_moved

# Devices that get an operating system before they are ready.
COMPUTERS = {Category.LAPTOP, Category.DESKTOP}
# Devices erased by their own factory reset (inventory.erasure.factory_reset).
MOBILE = {Category.TABLET, Category.SMARTPHONE}

PROCESS = "inventory.process_device"
HAND_OVER = "inventory.hand_over_device"
ALLOCATE = "inventory.allocate_device"


# A refused move raises one of these, or PermissionRefused when the role may not fire it.
class TransitionNotAllowed(Refused):
    """The status cannot follow the current one."""


class GuardFailed(Refused):
    """A rule of the lifecycle is not met yet (e.g. a drive is not erased)."""


class StaleStatus(Refused):
    """Someone else changed the device first."""


ERASED = "erased"
READY = "ready"

# Processes that own some moves: a sale numbers a receipt; a loan keeps its devices from
# the reservation to the review of their return. The apps above the inventory run them
# and say so when they call transition_device (process=…, holder_ref=…).
SALE = Holder.SALE
LOAN = Holder.LOAN


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    # "" for a process-only move: the process checks its own permission before it calls.
    permission: str
    # "" (none), ERASED (every drive sanitised this cycle) or READY (erased, checklist
    # passed, system installed, graded).
    guard: str = ""
    style: str = "primary"
    # Set for a move only that process makes (never a button, a scan or a bulk change).
    process: str = ""


def _t(source, target, label, permission, **kwargs):
    return Transition(source, target, label, permission, **kwargs)


S = Status
# Order matters: it is the order of the buttons on the device page.
TRANSITIONS = [
    _t(S.RECEIVED, S.WIPING, gettext_lazy("Start erasure"), PROCESS),
    _t(S.RECEIVED, S.REFURBISHING, gettext_lazy("To refurbishment"), PROCESS, guard=ERASED),
    _t(
        S.WIPING,
        S.REFURBISHING,
        gettext_lazy("Erasure done: to refurbishment"),
        PROCESS,
        guard=ERASED,
    ),
    _t(S.REFURBISHING, S.READY, gettext_lazy("Ready"), PROCESS, guard=READY),
    _t(S.REFURBISHING, S.WIPING, gettext_lazy("Back to erasure"), PROCESS, style="secondary"),
    _t(S.READY, S.RESERVED, gettext_lazy("Reserve"), ALLOCATE),
    _t(S.READY, S.SOLD, gettext_lazy("Sold"), "", process=SALE),
    _t(S.READY, S.GIVEN, gettext_lazy("Given"), ALLOCATE),
    _t(S.READY, S.REFURBISHING, gettext_lazy("Needs repair"), PROCESS, style="secondary"),
    _t(S.RESERVED, S.LENT, gettext_lazy("Hand over (lent)"), HAND_OVER),
    _t(S.RESERVED, S.READY, gettext_lazy("Cancel reservation"), ALLOCATE, style="secondary"),
    _t(S.LENT, S.RETURNED, gettext_lazy("Returned"), HAND_OVER),
    _t(S.LENT, S.GIVEN, gettext_lazy("Loan becomes a gift"), ALLOCATE, style="secondary"),
    _t(S.RETURNED, S.WIPING, gettext_lazy("Start erasure"), PROCESS),
    _t(S.LOST, S.RETURNED, gettext_lazy("Found again"), ALLOCATE, style="secondary"),
    # A cancelled sale takes its devices back to erasure, never straight to the shelf: a
    # device that left with a buyer starts a new cycle (see NEW_CYCLE) before anyone may
    # call it « reconditionné » again (code de la consommation R.122-4).
    _t(S.SOLD, S.WIPING, gettext_lazy("Sale cancelled: erase again"), "", process=SALE),
]
# A device leaves for parts or recycling only with its drives sanitised, destroyed or
# taken out: a donor's data must not leave with it either.
for _source in (S.RECEIVED, S.WIPING, S.REFURBISHING, S.READY, S.RETURNED):
    TRANSITIONS.append(
        _t(_source, S.PARTS, gettext_lazy("For parts"), PROCESS, style="danger", guard=ERASED)
    )
for _source in (S.RECEIVED, S.WIPING, S.REFURBISHING, S.READY, S.RETURNED, S.PARTS):
    TRANSITIONS.append(
        _t(
            _source,
            S.RECYCLED,
            gettext_lazy("Recycle (WEEE)"),
            PROCESS,
            style="danger",
            guard=ERASED,
        )
    )
for _source in (S.RECEIVED, S.WIPING, S.REFURBISHING, S.READY, S.RESERVED, S.LENT, S.RETURNED):
    TRANSITIONS.append(_t(_source, S.LOST, gettext_lazy("Lost"), ALLOCATE, style="danger"))

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}

# Entering these statuses means the device went to a household and came back:
# erasures made before that moment no longer count.
_RESETS_ERASURE = {S.RETURNED}
# These moves bring back a device that left with someone else (a cancelled sale): they
# start a new cycle too, so that its erasures, tests and system install no longer count.
NEW_CYCLE = {(S.SOLD, S.WIPING)}

# The statuses a device moves through in the workshop, in order: the status bar.
MAIN_PATH = [S.RECEIVED, S.WIPING, S.REFURBISHING, S.READY, S.RESERVED, S.LENT]


# The statuses of a device on the workshop's bench: only these may be changed by what a
# workstation reads on the machine (a hardware report, an erasure log). A lent, reserved,
# sold or given device is someone else's now; a returned one comes back to the bench and a
# ready one may be tested again before it leaves.
WORKSHOP_STATUSES = {S.RECEIVED, S.WIPING, S.REFURBISHING, S.READY, S.RETURNED}


class NotInWorkshop(Refused):
    """The device is away from the workshop (lent, sold, lost…)."""


def require_in_workshop(device):
    """Refuse (NotInWorkshop) unless `device` is in one of the WORKSHOP_STATUSES."""
    if device.status not in WORKSHOP_STATUSES:
        raise NotInWorkshop(
            _(
                "%(tag)s is “%(status)s”: it is not in the workshop, so nothing read on the "
                "machine may change it. Nothing was saved."
            )
            % {"tag": device.asset_tag, "status": Status(device.status).label}
        )


def transitions_from(status):
    return [t for t in TRANSITIONS if t.source == status]


def allowed_transitions(device, user):
    """The transitions this user may offer on this device (the buttons to show)."""
    # A held device moves only through its loan or sale: no button, scan or bulk move.
    if device.held_by:
        return []
    return [
        t for t in transitions_from(device.status) if not t.process and user.has_perm(t.permission)
    ]


# The statuses in which a process holds the devices it moved there: a loan from the
# reservation until the review of the return, a sale until its credit note. Moving a
# device out of them (or any move by no process) lets go of it.
HELD_IN = {
    LOAN: {S.RESERVED, S.LENT, S.RETURNED},
    SALE: {S.SOLD},
}


# The devices whose storage must be recorded (and erased) before anyone else gets them.
HOLDS_STORAGE = {Category.LAPTOP, Category.DESKTOP, Category.TABLET, Category.SMARTPHONE}


def unerased_drives(device):
    """Drives that still need a passed erasure (or removal/destruction) record.

    Uses prefetched `drives__erasures` when present, so a page can call it freely.
    """
    since = device.cycle_started_at
    missing = []
    for drive in device.drives.all():
        valid = [
            e
            for e in drive.erasures.all()
            if e.result == Erasure.Result.PASSED and (since is None or e.performed_at >= since)
        ]
        if not valid:
            missing.append(drive)
    return missing


# Erasure methods after which the drive is no longer in the device.
OUT_OF_DEVICE = {Erasure.Method.REMOVED, Erasure.Method.DESTROYED}


def failing_drives(device):
    """Drives whose SMART verdict is failing and that are still in the device.

    A dying disk must not leave with a device, sold or lent; once taken out (an erasure
    record "removed" or "destroyed" this cycle) it no longer counts. Reads prefetched
    `drives__erasures` when present.
    """
    since = device.cycle_started_at
    return [
        drive
        for drive in device.drives.all()
        if drive.smart_passed is False
        and not any(
            e.method in OUT_OF_DEVICE
            and e.result == Erasure.Result.PASSED
            and (since is None or e.performed_at >= since)
            for e in drive.erasures.all()
        )
    ]


def _current(records, device, date_field):
    since = device.cycle_started_at
    return [r for r in records if since is None or getattr(r, date_field) >= since]


def missing_checks(device, checklist):
    """Mandatory tests of `checklist` without a "pass" (or "not applicable") this cycle."""
    done = {
        r.item_id: r.outcome for r in _current(device.check_results.all(), device, "checked_at")
    }
    return [
        item for item in checklist if item.mandatory and done.get(item.pk) not in {"pass", "na"}
    ]


def needs_system(device):
    return device.category in COMPUTERS


def checklist_for(device):
    """The tests that apply to the device's category (one query)."""
    return list(ChecklistItem.objects.filter(category=device.category, active=True))


def missing_for(device, guard, checklist=None):
    """Sentences saying what is still missing for `guard`; empty when nothing is.

    Reads prefetched relations when present (drives__erasures, check_results,
    os_installs), so the device page can call it without extra queries.
    """
    missing = []
    if device.category in HOLDS_STORAGE and not device.drives.all():
        missing.append(
            _(
                "No drive is recorded for this device: add its drives (or import its "
                "hardware report) so that their erasure can be recorded."
            )
        )
    drives = unerased_drives(device)
    if drives:
        missing.append(
            _("Data erasure is missing for: %(drives)s. Record a passed erasure first.")
            % {"drives": ", ".join(str(d) for d in drives)}
        )
    if guard != READY:
        return missing
    if checklist is None:
        checklist = checklist_for(device)
    untested = missing_checks(device, checklist)
    if untested:
        missing.append(
            _("Checklist tests not passed: %(tests)s.")
            % {"tests": ", ".join(str(item) for item in untested)}
        )
    failing = failing_drives(device)
    if failing:
        missing.append(
            _(
                "A drive failed its SMART health check: %(drives)s. Replace it, or record it "
                "as removed or destroyed, before the device is ready."
            )
            % {"drives": ", ".join(str(d) for d in failing)}
        )
    if needs_system(device) and not _current(device.os_installs.all(), device, "installed_at"):
        missing.append(_("No operating system installed."))
    if not device.grade:
        missing.append(_("No grade set."))
    return missing


def check_transition(device, target, user, process="", holder_ref=""):
    """Raise a Refused saying why `device` cannot go to `target`, or return the rule.

    `process` names the process making the move (SALE, LOAN) and `holder_ref` which loan
    or sale it is, if any: the moves a process owns are refused to everyone else, and a
    held device is moved only by its holder.
    """
    rule = _BY_PAIR.get((device.status, target))
    if target not in Status.values:
        raise TransitionNotAllowed(_("“%(target)s” is not a device status.") % {"target": target})
    if rule is None:
        raise TransitionNotAllowed(
            _("A device that is “%(source)s” cannot become “%(target)s”.")
            % {"source": Status(device.status).label, "target": Status(target).label}
        )
    if rule.process and rule.process != process:
        raise TransitionNotAllowed(_PROCESS_ONLY[rule.process] % {"tag": device.asset_tag})
    if device.held_by and (device.held_by, device.held_ref) != (process, str(holder_ref)):
        raise TransitionNotAllowed(held_message(device))
    if rule.permission:
        message = _("Your role may not move a device to “%(target)s”.")
        require(user, rule.permission, message=message % {"target": Status(target).label})
    if rule.guard:
        missing = missing_for(device, rule.guard)
        if missing:
            raise GuardFailed(" ".join(missing))
    return rule


_PROCESS_ONLY = {
    SALE: gettext_lazy(
        "%(tag)s is sold (or its sale cancelled) on the sales page, which numbers the receipt."
    ),
    LOAN: gettext_lazy("%(tag)s changes status through its loan."),
}


def held_message(device):
    """The sentence saying which loan or sale holds `device` (see HELD_IN)."""
    if device.held_by == LOAN:
        return _("%(tag)s is in loan #%(loan)s: it changes status through that loan.") % {
            "tag": device.asset_tag,
            "loan": device.held_ref,
        }
    return _("%(tag)s is in sale %(receipt)s: it changes status through that sale.") % {
        "tag": device.asset_tag,
        "receipt": device.held_ref,
    }


def _lock(device_pk):
    """Fetch the current row, locked on databases that can lock one row.

    SQLite has no row locks (select_for_update is ignored there); the conditional
    UPDATE in transition_device settles the race on every database.
    """
    queryset = Device.objects.filter(pk=device_pk).prefetch_related(
        "drives__erasures", "check_results", "os_installs"
    )
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update()
    return queryset.get()


def transition_device(*, device, target, by, note="", process="", holder_ref=""):
    """Move `device` to status `target` on behalf of user `by`, with an optional note.

    `device.status` is the status the user saw. If another user changed the device
    since, StaleStatus is raised and nothing is written. On success the device
    instance is updated and a history entry records who, when, from, to and the note.

    `process` (LOAN, SALE) and `holder_ref` (the loan's number, the receipt's) say which
    loan or sale makes the move: entering one of its HELD_IN statuses, the device is held
    by it; leaving them, it is free again.
    """
    seen_status = device.status
    with transaction.atomic():
        current = _lock(device.pk)
        if current.status != seen_status:
            raise StaleStatus(_stale_message(current))
        check_transition(current, target, by, process, holder_ref)
        now = timezone.now()
        entered_at = current.status_changed_at
        changes = {"status": target, "status_changed_at": now, **_hold(process, holder_ref, target)}
        if target in _RESETS_ERASURE or (seen_status, target) in NEW_CYCLE:
            changes["cycle_started_at"] = now
        # The WHERE on the old status is what makes one of two racing clicks lose,
        # even where the lock above is a no-op.
        won = Device.objects.filter(pk=device.pk, status=seen_status).update(**changes)
        if not won:
            raise StaleStatus(_stale_message(Device.objects.get(pk=device.pk)))
        for field, value in changes.items():
            setattr(current, field, value)
        Device.history.bulk_history_create(
            [current], update=True, default_user=by, default_change_reason=note.strip()
        )
        # The stock-exit ledger (kilos out by channel) moves with the status, or not at all.
        ledger.record_move(device=current, source=seen_status, target=target, by=by, at=now)
        # The stretch the device spent in its old status (the workshop's time in status).
        stretches.record_left(
            device=current, source=seen_status, entered_at=entered_at, left_at=now
        )
        # Inside the transaction: what the apps above record (a label to print) is
        # saved with the move or not at all.
        device_moved.send(Device, device=current, source=seen_status, target=target, by=by)
    for field, value in changes.items():
        setattr(device, field, value)
    return device


def release_devices(*, process, holder_ref, by, note=""):
    """Free the devices that loan or sale `holder_ref` still holds, leaving their status.

    A process calls it when it closes its items: a device it moved out of its HELD_IN
    statuses is free already, and this makes sure no hold outlives its holder. Returns
    how many were freed; each gets a history entry.
    """
    holder = {"held_by": process, "held_ref": str(holder_ref)}
    with transaction.atomic():
        queryset = Device.objects.filter(**holder)
        if connection.features.has_select_for_update:
            queryset = queryset.select_for_update()
        held = list(queryset)
        # Locked above where the database can; elsewhere the WHERE leaves a device that a
        # move took meanwhile as that move left it.
        Device.objects.filter(pk__in=[d.pk for d in held], **holder).update(held_by="", held_ref="")
        for device in held:
            device.held_by = device.held_ref = ""
        Device.history.bulk_history_create(
            held, update=True, default_user=by, default_change_reason=note.strip()
        )
    return len(held)


def _hold(process, holder_ref, target):
    if process and target in HELD_IN[process]:
        if not holder_ref:
            raise ValueError("A process that holds a device names its holder (holder_ref).")
        return {"held_by": process, "held_ref": str(holder_ref)}
    return {"held_by": "", "held_ref": ""}


def _stale_message(current):
    return _(
        "%(tag)s was changed by someone else in the meantime: it is now “%(status)s”. "
        "Reload the page and try again."
    ) % {"tag": current.asset_tag, "status": current.get_status_display()}


def transition_devices(*, devices, target, by, note=""):
    """Move several devices at once: all of them, or none if any one is refused.

    Raises Refused whose message lists every refused device and why.
    """
    refusals = []
    with transaction.atomic():
        for device in devices:
            try:
                with transaction.atomic():
                    transition_device(device=device, target=target, by=by, note=note)
            except Refused as error:
                refusals.append(f"{device.asset_tag}: {error.message}")
        if refusals:
            transaction.set_rollback(True)
    if refusals:
        raise Refused(_("Nothing was changed. Refused: %(list)s") % {"list": " · ".join(refusals)})
    return len(devices)


# The moves a recorded erasure takes a device through, in order: received (or returned)
# to wiping, then to refurbishing once every drive has passed.
AFTER_ERASURE = {
    Status.RECEIVED: Status.WIPING,
    Status.RETURNED: Status.WIPING,
    Status.WIPING: Status.REFURBISHING,
}


def move_on_after_erasure(*, device, by, note=""):
    """Move `device` along AFTER_ERASURE as far as the lifecycle lets it, each move with
    its history entry; raises Refused (from transition_device) at the first move refused,
    the moves before it made."""
    while device.status in AFTER_ERASURE:
        transition_device(device=device, target=AFTER_ERASURE[device.status], by=by, note=note)
    return device

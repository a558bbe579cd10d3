"""What the device page offers first: the next step, computed from the device's state.

Pure but for the relations it reads (prefetched on the device page, see
`context.device_for_page`): no query of its own, no request, no permission. The template
shows the step's panel; `context.panel_context` adds the forms the person may use.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from inventory import workflow
from inventory.models import Status

# The kinds of panel the template knows how to draw.
START_ERASURE = "start_erasure"
FACTORY_RESET = "factory_reset"
ERASURE_RUNNING = "erasure_running"
ERASURE_DONE = "erasure_done"
READY_PANEL = "ready_panel"
SHELVE = "shelve"
HELD = "held"
NOTHING = "nothing"

# Before ready, the page lists what readiness still lacks.
_BEFORE_READY = {Status.RECEIVED, Status.WIPING, Status.REFURBISHING}


@dataclass(frozen=True)
class NextStep:
    kind: str
    title: str
    text: str = ""
    # The status the primary button moves the device to, when it is a plain move.
    target: str = ""
    action_label: str = ""
    # Sentences of what readiness still lacks (the « Il manque encore » banner).
    missing: list[str] = field(default_factory=list)
    # Tests of the checklist without a result this cycle (for « Tout est OK »).
    pending_checks: int = 0
    pending_labels: list[str] = field(default_factory=list)


def next_step(device, *, checklist):
    """The NextStep of `device`, whose `checklist` (its category's tests) is given."""
    missing = (
        workflow.missing_for(device, workflow.READY, checklist)
        if device.status in _BEFORE_READY
        else []
    )
    if device.held_by:
        return _held(device)
    step = _STEPS.get(device.status, _nothing)(device, checklist)
    return NextStep(**{**step.__dict__, "missing": missing})


def _held(device):
    if device.held_by == workflow.LOAN:
        title = _("In loan #%(number)s") % {"number": device.held_ref}
    else:
        title = _("In sale %(number)s") % {"number": device.held_ref}
    return NextStep(HELD, title, _("Its status changes through that page."))


def _erase(device, checklist):
    if device.category in workflow.MOBILE:
        return NextStep(
            FACTORY_RESET,
            _("Factory reset"),
            _(
                "A phone or tablet is erased by its own factory reset: record it here and "
                "the device goes on to refurbishment."
            ),
        )
    if device.status == Status.WIPING:
        return _wiping(device)
    text = _(
        "Boot it on the workbench stick: it reports the hardware, erases every drive and "
        "moves the device on by itself. Erasing by hand instead? Start the erasure here."
    )
    if device.status == Status.RETURNED:
        text = _("Back from a household: erase it again before anyone else gets it. ") + text
    return NextStep(
        START_ERASURE,
        _("Erase the drives"),
        text,
        target=Status.WIPING,
        action_label=_("Start the erasure"),
    )


def _wiping(device):
    erasure = workflow.missing_for(device, workflow.ERASED)
    if erasure:
        return NextStep(
            ERASURE_RUNNING,
            _("Erasure in progress"),
            " ".join(erasure),
        )
    return NextStep(
        ERASURE_DONE,
        _("Erasure done"),
        _("Every drive passed its erasure: the device can go on to refurbishment."),
        target=Status.REFURBISHING,
        action_label=_("To refurbishment"),
    )


def _refurbish(device, checklist):
    done = {
        r.item_id
        for r in device.check_results.all()
        if device.cycle_started_at is None or r.checked_at >= device.cycle_started_at
    }
    pending = [item.label for item in checklist if item.pk not in done]
    return NextStep(
        READY_PANEL,
        _("Checklist, system and grade, then ready"),
        pending_checks=len(pending),
        pending_labels=pending,
    )


def _shelve(device, checklist):
    if device.location_id is not None:
        # Shelved with the ready click: the panel says where, and offers to move it.
        return NextStep(
            SHELVE,
            _("Ready, on its shelf"),
            _("Ready to go on %(shelf)s. Its label went to the print queue (Labels page).")
            % {"shelf": device.location},
        )
    return NextStep(
        SHELVE,
        _("Label it and put it on a shelf"),
        _("Ready to go: print its label and say on which shelf it waits."),
    )


def _nothing(device, checklist):
    return NextStep(
        NOTHING,
        _("Nothing to do in the workshop"),
        _("The device is “%(status)s”.") % {"status": device.get_status_display()},
    )


_STEPS = {
    Status.RECEIVED: _erase,
    Status.WIPING: _erase,
    Status.RETURNED: _erase,
    Status.REFURBISHING: _refurbish,
    Status.READY: _shelve,
}

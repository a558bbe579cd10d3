"""What a receipt may say of a device.

French law (décret 2022-190, code de la consommation R.122-4 to R.122-6; see
sales.legal.REFURBISHED) reserves "reconditionné" to goods tested on *all* their
functions and whose previous users' data was deleted; "comme neuf" is forbidden.
Everything else is "d'occasion".
"""

from django.utils.translation import gettext as _

from inventory import workflow

PASSED = {"pass", "na"}


def untested_functions(device, checklist):
    """The tests of `checklist`, mandatory or optional, without a pass (or "not
    applicable") in the device's current cycle. Reads prefetched check_results.

    Optional tests (webcam, sound) only let a device be ready without them; they do not
    let it be called « reconditionné »: R.122-4 1° asks for tests of all its functions.
    """
    since = device.cycle_started_at
    results = sorted(
        (r for r in device.check_results.all() if since is None or r.checked_at >= since),
        key=lambda r: (r.checked_at, r.pk),
    )
    # The latest result of each test is the one that counts.
    outcome = {r.item_id: r.outcome for r in results}
    return [item for item in checklist if outcome.get(item.pk) not in PASSED]


def is_refurbished(device):
    """Every function tested and all data erased in the device's current cycle.

    Reads prefetched drives__erasures and check_results. A computer, tablet or phone
    with no drive recorded is not: nothing says its previous user's data was deleted.
    A device taken back after a sale starts a new cycle (inventory.workflow.NEW_CYCLE):
    the erasures and tests of the previous one no longer count.
    """
    if device.category in workflow.HOLDS_STORAGE and not device.drives.all():
        return False
    if workflow.unerased_drives(device):
        return False
    checklist = workflow.checklist_for(device)
    return bool(checklist) and not untested_functions(device, checklist)


def describe(device):
    """A short line for the receipt: category, make and model, processor, RAM, storage."""
    parts = [
        device.get_category_display(),
        device.make_and_model,
        device.cpu,
        device.ram_display,
        device.storage_summary,
    ]
    return " · ".join(str(p) for p in parts if p)[:300] or _("Device")

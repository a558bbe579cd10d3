"""What a receipt may say of a device.

French law (décret 2022-190, code de la consommation R.122-4 to R.122-6) reserves
"reconditionné" to goods whose essential functions were tested and whose previous users'
data was deleted; "comme neuf" is forbidden. Everything else is "d'occasion".
"""

from django.utils.translation import gettext as _

from inventory import workflow


def is_refurbished(device):
    """Tests passed and data erased in the device's current cycle: "reconditionné".

    Reads prefetched drives__erasures and check_results. A computer, tablet or phone
    with no drive recorded is not: nothing says its previous user's data was deleted.
    """
    if device.category in workflow.HOLDS_STORAGE and not device.drives.all():
        return False
    if workflow.unerased_drives(device):
        return False
    checklist = workflow.checklist_for(device)
    mandatory = [item for item in checklist if item.mandatory]
    return bool(mandatory) and not workflow.missing_checks(device, checklist)


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

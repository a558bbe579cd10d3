"""What a donor's page says about each device given: what became of it, in words that
name nobody (never a household, a buyer, a loan or a sale)."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from inventory.models import Status

IN_WORKSHOP = "workshop"
FATES = {
    Status.RECEIVED: IN_WORKSHOP,
    Status.WIPING: IN_WORKSHOP,
    Status.REFURBISHING: IN_WORKSHOP,
    Status.RETURNED: IN_WORKSHOP,
    Status.READY: "ready",
    Status.RESERVED: "ready",
    Status.LENT: "lent",
    Status.SOLD: "sold",
    Status.GIVEN: "given",
    Status.RECYCLED: "recycled",
    Status.PARTS: "parts",
    Status.LOST: "lost",
}
FATE_LABELS = {
    IN_WORKSHOP: _("Being refurbished in the workshop"),
    "ready": _("Refurbished, waiting for its new user"),
    "lent": _("Lent to a family"),
    "sold": _("Sold at a solidarity price"),
    "given": _("Given to a new user"),
    "recycled": _("Recycled through an approved channel"),
    "parts": _("Taken apart: its parts repair other devices"),
    "lost": _("Lost"),
}


def devices_of(donation):
    """[{"category", "label", "fate", "fate_label"}] for each device of `donation`:
    what the device is and what became of it, and nothing else (no serial, no tag)."""
    rows = donation.devices.order_by("category", "pk").values_list(
        "category", "manufacturer", "model", "status"
    )
    devices = []
    for category, manufacturer, model, status in rows:
        fate = FATES[Status(status)]
        devices.append(
            {
                "category": category,
                "label": " ".join(part for part in (manufacturer, model) if part),
                "fate": fate,
                "fate_label": FATE_LABELS[fate],
            }
        )
    return devices


def fates_of(donation):
    """[(fate label, count)] for `donation`, in the order of FATE_LABELS."""
    counts = {}
    for status, n in donation.devices.values_list("status").annotate(n=Count("pk")).order_by():
        fate = FATES[Status(status)]
        counts[fate] = counts.get(fate, 0) + n
    return [(label, counts[fate]) for fate, label in FATE_LABELS.items() if fate in counts]

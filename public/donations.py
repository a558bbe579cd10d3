"""What a donor's page says about each device given: what became of it, in words that
name nobody (never a household, a buyer, a loan or a sale)."""

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from inventory.impact import carbon, flows, weights
from inventory.models import REUSED_CHANNELS, Device, Status

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


def impact_of(donation):
    """What `donation` weighed and avoided: {"kg": Decimal, "estimated_kg": Decimal,
    "reused": int, "avoided": inventory.impact.carbon.Avoided | None}. CO2e counts the
    devices reused so far (sold, given, loan turned gift, net of returns)."""
    devices = Device.objects.filter(donation=donation)
    defaults = weights.default_weights()
    found = devices.aggregate(
        kg=Sum(weights.weight_expression(defaults=defaults), output_field=weights.KG),
        estimated_kg=Sum(weights.estimated_expression(defaults=defaults), output_field=weights.KG),
    )
    counts = {
        row["device__category"]: row["n"]
        for row in flows.exit_rows(devices=devices)
        .filter(channel__in=REUSED_CHANNELS)
        .values("device__category")
        .annotate(n=Sum("sign"))
        .order_by()
        if row["n"]
    }
    try:
        avoided = carbon.avoided(counts)
    except LookupError:
        avoided = None
    return {
        "kg": weights.as_kg(found["kg"]),
        "estimated_kg": weights.as_kg(found["estimated_kg"]),
        "reused": sum(counts.values()),
        "avoided": avoided,
    }

"""Recording recycling shipments: the load leaves, its devices become "recycled", and
the paperwork that comes back later (consignment note, weighed quantity) completes it.

Each write checks its permission, runs in one transaction and leaves a history entry
(the shipment's own history, and each device's through the workflow).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import Refused, require
from inventory.models import Device, RecyclingShipment, Status
from inventory.services import reserve_sequence_values
from inventory.workflow import WORKSHOP_STATUSES, transition_devices

ADD = "inventory.add_recyclingshipment"
CHANGE = "inventory.change_recyclingshipment"

# Devices that may leave in a load: those kept for parts, and those still in the
# workshop (the workflow's guard still wants their drives sanitised or taken out).
ELIGIBLE_STATUSES = {Status.PARTS, *WORKSHOP_STATUSES}

# What is written at creation; the number, the author and the date are the service's.
SHIPMENT_FIELDS = {
    "shipped_on",
    "site",
    "waste_code",
    "waste_description",
    "contains_pop",
    "quantity_kg",
    "consignment_note",
    "eco_organisation_name",
    "eco_organisation_siren",
    "carrier_name",
    "carrier_siret",
    "carrier_address",
    "carrier_receipt_number",
    "recipient_name",
    "recipient_siret",
    "recipient_address",
    "treatment_code",
    "treatment_mode",
    "notes",
}
# The paperwork that arrives after the load left: the rest is what left, and stays.
PAPERWORK_FIELDS = (
    "quantity_kg",
    "consignment_note",
    "carrier_receipt_number",
    "treatment_code",
    "treatment_mode",
    "notes",
)


def eligible_devices(site):
    """The devices of `site` that may go in a load, by asset tag."""
    return (
        Device.objects.filter(site=site, status__in=ELIGIBLE_STATUSES, held_by="")
        .select_related("site")
        .order_by("asset_tag")
    )


def next_number(year):
    """DEEE-2026-0001: a counter per year that is never reused."""
    value = reserve_sequence_values(f"recycling-{year}")
    return f"DEEE-{year}-{value:04d}"


def _check_devices(devices, site):
    if not devices:
        raise Refused(_("Choose at least one device for the shipment. Nothing was saved."))
    away = [d.asset_tag for d in devices if d.site_id != site.pk]
    if away:
        raise Refused(
            _("Not at %(site)s: %(tags)s. A shipment leaves from one site. Nothing was saved.")
            % {"site": site, "tags": ", ".join(away)}
        )
    shipped = [d.asset_tag for d in devices if d.recycling_shipment_id]
    if shipped:
        raise Refused(
            _("Already in a shipment: %(tags)s. Nothing was saved.") % {"tags": ", ".join(shipped)}
        )


def _cleaned(shipment):
    # full_clean's messages name the fields (save_form puts them beside each one).
    shipment.full_clean(exclude=["number", "created_by"])
    return shipment


def ship_for_recycling(*, devices, by, **fields):
    """Record a load of `devices` leaving for recycling and move each to "recycled".

    All or nothing: a device the workflow refuses (an unerased drive, a status that
    cannot become "recycled", someone else's change) refuses the whole shipment, with
    the refused devices and why. Raises ValidationError for a field typed wrong.
    Returns the saved RecyclingShipment.
    """
    require(by, ADD, message=_("Your role may not record recycling shipments."))
    unknown = set(fields) - SHIPMENT_FIELDS
    if unknown:
        raise TypeError(f"Unknown shipment fields: {sorted(unknown)}")
    devices = list(devices)
    site = fields.get("site")
    if site is None:
        raise ValidationError({"site": _("Choose the site the load leaves from.")})
    _check_devices(devices, site)
    shipment = _cleaned(RecyclingShipment(created_by=by, **fields))
    with transaction.atomic():
        shipment.number = next_number(shipment.shipped_on.year)
        shipment._history_user = by
        shipment.save()
        # Before the moves: each device's history entry then shows the shipment too.
        Device.objects.filter(pk__in=[d.pk for d in devices]).update(recycling_shipment=shipment)
        note = _("Shipped for recycling: %(number)s") % {"number": shipment.number}
        transition_devices(devices=devices, target=Status.RECYCLED, by=by, note=note)
    for device in devices:
        device.recycling_shipment = shipment
    return shipment


def update_shipment(*, shipment, by, note="", **fields):
    """Record the paperwork that came back (PAPERWORK_FIELDS) on `shipment`, with a
    history entry naming `by`. Raises ValidationError for a field typed wrong."""
    require(by, CHANGE, message=_("Your role may not change recycling shipments."))
    unknown = set(fields) - set(PAPERWORK_FIELDS)
    if unknown:
        raise Refused(
            _("Only the paperwork may change after the load left: %(fields)s cannot.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        current = RecyclingShipment.objects.select_for_update().get(pk=shipment.pk)
        for field, value in fields.items():
            setattr(current, field, value)
        _cleaned(current)
        current._history_user = by
        current._change_reason = note.strip() or _("Paperwork updated on %(date)s") % {
            "date": timezone.localdate().isoformat()
        }
        current.save()
    for field in fields:
        setattr(shipment, field, getattr(current, field))
    shipment.treatment_mode = current.treatment_mode
    return shipment

"""Writes of the refurbishment step: checklist results, parts fitted, system installed."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import Refused, require
from inventory.models import CheckResult, OperatingSystem, OsInstall, Part, PartUse
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

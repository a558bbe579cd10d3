"""A phone or tablet is erased by its own factory reset: no live stick, no nwipe.

NIST SP 800-88 Rev. 1 (appendix A, mobile devices): on a device that encrypts its storage
(every iPhone and iPad, Android 10 and later out of the box) the reset destroys the key,
a cryptographic erase that reaches Purge; on one that does not, the reset only clears.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.refusals import Refused, require
from inventory import services, workflow
from inventory.models import Drive, Erasure, Status


def is_mobile(device):
    return device.category in workflow.MOBILE


def record_factory_reset(*, device, by, encrypted, note=""):
    """Record the factory reset of phone or tablet `device` as the erasure of its storage,
    and move it on to refurbishment, all or nothing.

    A device with no drive recorded gets its internal storage (eMMC) recorded first, so
    that the erasure, and the readiness guard after it, have a drive to stand on. The
    reset is a cryptographic erase (Purge) when `encrypted`, else a factory reset (Clear)
    whose note says so. Each move (received → wiping → refurbishing) has its history
    entry. `device.status` is the status the person saw. Returns the device.
    """
    require(by, workflow.PROCESS, "inventory.add_erasure", "inventory.add_drive")
    _refuse_unless_resettable(device)
    with transaction.atomic():
        drives = list(Drive.objects.filter(device=device))
        if not drives:
            drives = [_internal_storage(device, by)]
        for drive in drives:
            _record_reset(drive, by=by, encrypted=encrypted, note=note)
        # transition_device refuses a status someone else changed since: all is undone.
        workflow.move_on_after_erasure(device=device, by=by, note=_reset_note(encrypted))
    return device


def _refuse_unless_resettable(device):
    if not is_mobile(device):
        raise Refused(
            _(
                "A factory reset is recorded for phones and tablets only; a %(category)s "
                "is erased drive by drive."
            )
            % {"category": device.get_category_display().lower()}
        )
    if device.held_by:
        raise Refused(workflow.held_message(device))
    if device.status not in workflow.AFTER_ERASURE:
        raise Refused(
            _("%(tag)s is “%(status)s”: a factory reset is recorded before refurbishment.")
            % {"tag": device.asset_tag, "status": Status(device.status).label}
        )


def _internal_storage(device, by):
    return services.add_drive(
        device=device, by=by, kind=Drive.Kind.EMMC, model=_("Internal storage")
    )


def _record_reset(drive, *, by, encrypted, note):
    method = Erasure.Method.CRYPTO_ERASE if encrypted else Erasure.Method.FACTORY_RESET
    notes = [_reset_note(encrypted), note.strip()]
    return services.record_erasure(
        drive=drive,
        by=by,
        method=method,
        result=Erasure.Result.PASSED,
        notes="\n".join(n for n in notes if n),
    )


def _reset_note(encrypted):
    if encrypted:
        return _("Factory reset of an encrypted device: its key is destroyed (NIST Purge).")
    return _(
        "Factory reset of a device whose storage was not encrypted: the data is cleared, "
        "not purged (NIST Clear)."
    )

"""Writes on the inventory other than status changes (those live in workflow.py)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import require
from inventory.models import LEVEL_OF_METHOD, Comment, Device, Drive, Erasure, Sequence

ASSET_TAG_SEQUENCE = "asset_tag"


def reserve_sequence_values(name, count=1):
    """Take `count` consecutive values of a never-reused counter; return the first one.

    The UPDATE takes the row's write lock until the transaction ends, so two
    concurrent callers always get different ranges, on PostgreSQL and SQLite alike.
    """
    with transaction.atomic():
        Sequence.objects.get_or_create(name=name)
        Sequence.objects.filter(name=name).update(last_value=F("last_value") + count)
        last = Sequence.objects.values_list("last_value", flat=True).get(name=name)
    return last - count + 1


def format_asset_tag(number):
    return f"{settings.ASSET_TAG_PREFIX}-{number:06d}"


def normalise_serial(serial):
    """Serial numbers are compared as scanners type them: trimmed, upper case."""
    return " ".join((serial or "").split()).upper()


def register_device(*, by, **fields):
    """Create a device in `received` with a new asset tag; its history starts here."""
    require(by, "inventory.add_device")
    fields["serial_number"] = normalise_serial(fields.get("serial_number"))
    with transaction.atomic():
        device = Device(**fields)
        device.asset_tag = format_asset_tag(reserve_sequence_values(ASSET_TAG_SEQUENCE))
        device._history_user = by
        device.full_clean()
        device.save()
    return device


# What update_device may write: everything a person edits. The status and its dates
# are the workflow's (transition_device), the asset tag and creation date nobody's.
EDITABLE_FIELDS = frozenset(
    field.name for field in Device._meta.concrete_fields if field.editable and not field.primary_key
)


def update_device(*, device, by, fields, note=""):
    """Write the named `fields` of `device` (edited in memory) and nothing else.

    Only those columns are written, so whatever someone else changed since `device`
    was read (its status above all) stays as they left it. The other fields of
    `device` are read again from the locked row first: the history row, which
    simple-history copies from the instance in memory, and the caller then see the
    device as it now is, not as it was when read. Nothing is written when `fields`
    is empty.
    """
    require(by, "inventory.change_device")
    fields = list(dict.fromkeys(fields))
    refused = set(fields) - EDITABLE_FIELDS
    if refused:
        raise ValueError(
            f"update_device writes what people edit, not {sorted(refused)}: a status "
            "changes through workflow.transition_device."
        )
    if not fields:
        return device
    if {"location", "site"} & set(fields):
        # A shelf belongs to one site: writing one without the other could leave the
        # device on a shelf of another site, had someone moved it meanwhile.
        fields = list(dict.fromkeys([*fields, "location", "site"]))
    if "serial_number" in fields:
        device.serial_number = normalise_serial(device.serial_number)
    others = [
        field.name
        for field in Device._meta.concrete_fields
        if not field.primary_key and field.name not in fields
    ]
    with transaction.atomic():
        # Locked until the write (SQLite's IMMEDIATE transactions hold the whole database
        # already): no transition lands between this read and the save.
        device.refresh_from_db(fields=others, from_queryset=Device.objects.select_for_update())
        device._history_user = by
        device._change_reason = note
        device.save(update_fields=fields)
    return device


def move_device(*, device, location, by, note=""):
    """Shelve `device` at `location` (which also sets its site); only those are written."""
    require(by, "inventory.change_device")
    device.location = location
    if location is not None:
        device.site = location.site
    return update_device(device=device, by=by, fields=["location", "site"], note=note)


def add_drive(*, device, by, note="", **fields):
    require(by, "inventory.add_drive")
    fields["serial_number"] = normalise_serial(fields.get("serial_number"))
    drive = Drive(device=device, **fields)
    drive._history_user = by
    if note:
        drive._change_reason = note
    drive.full_clean()
    drive.save()
    return drive


ERASURE_DETAILS = {
    "standard",
    "level",
    "passes",
    "pattern",
    "tool",
    "tool_version",
    "started_at",
    "verification",
    "verification_passed",
    "log",
}


def record_erasure(*, drive, by, method, result, performed_at=None, notes="", **details):
    """Record that `drive` was erased (or destroyed, or taken out) and how it went.

    `details` are the other Erasure fields (standard, tool, verification…); the NIST
    level defaults to the one the technique reaches.
    """
    require(by, "inventory.add_erasure")
    unknown = set(details) - ERASURE_DETAILS
    if unknown:
        raise TypeError(f"Unknown erasure fields: {sorted(unknown)}")
    details.setdefault("level", LEVEL_OF_METHOD.get(method, ""))
    erasure = Erasure(
        drive=drive,
        method=method,
        result=result,
        operator=by,
        performed_at=performed_at or timezone.now(),
        notes=notes,
        **details,
    )
    erasure._history_user = by
    erasure.full_clean()
    erasure.save()
    return erasure


def add_comment(*, subject, by, body):
    """Add a free comment to the history of a device, donation or donor."""
    require(by, "inventory.add_comment")
    body = body.strip()
    if not body:
        raise ValueError(_("A comment cannot be empty."))
    return Comment.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        author=by,
        body=body,
    )

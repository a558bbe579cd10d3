"""The device a scan finds, with everything its card shows, in one query.

A scan shows the device's card: its place, and what is still missing before it is
ready (drives without a passed erasure, tests of the checklist, a system). Prefetching
those relations cost five queries on top of the device's own; at a bench scanning all
day they were most of a scan's SQL. Here each relation is a JSON array computed by a
subquery of the device's row, then turned back into model instances and put where
Django's prefetching puts them, so `workflow.missing_for` and the templates read them
unchanged.

Only the columns the card and the readiness rules read are fetched; any other field
of these instances is deferred (read on access, as with `only()`).
"""

import datetime

from django.db.models import Aggregate, JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils.dateparse import parse_date, parse_datetime

from inventory.models import ChecklistItem, CheckResult, Device, Drive, Erasure, OsInstall

# model: (the column pointing at the device, or at what holds it, the columns kept)
_DRIVES = (
    Drive,
    "device",
    ["id", "device_id", "kind", "serial_number", "model", "capacity_gb", "smart_passed"],
)
_ERASURES = (Erasure, "drive__device", ["id", "drive_id", "method", "result", "performed_at"])
_CHECKS = (CheckResult, "device", ["id", "device_id", "item_id", "outcome", "checked_at"])
_SYSTEMS = (OsInstall, "device", ["id", "device_id", "installed_at"])
_CHECKLIST = ["id", "category", "label", "mandatory", "position", "active"]


class JSONRows(Aggregate):
    """The group's values as one JSON array (json_agg on PostgreSQL, SQLite's own)."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def _rows(model, link, columns, outer="pk"):
    """A subquery: the rows of `model` linked to the outer device, as a JSON array."""
    rows = (
        model._base_manager.filter(**{link: OuterRef(outer)})
        .order_by()
        .values(link)
        .annotate(rows=JSONRows(JSONObject(**{column: column for column in columns})))
        .values("rows")
    )
    return Subquery(rows, output_field=JSONField())


def card_queryset():
    """Devices with their card's relations as JSON (see `hydrate`)."""
    return Device.objects.select_related("site", "location").annotate(
        card_drives=_rows(*_DRIVES),
        card_erasures=_rows(*_ERASURES),
        card_checks=_rows(*_CHECKS),
        card_systems=_rows(*_SYSTEMS),
        card_checklist=_rows(ChecklistItem, "category", _CHECKLIST, outer="category"),
    )


def find(**lookup):
    """The device matching `lookup`, its card's relations in place, or None."""
    device = card_queryset().filter(**lookup).first()
    return device and hydrate(device)


def hydrate(device):
    """Put the JSON relations of `device` where prefetch_related would have."""
    db = device._state.db
    erasures = {}
    for erasure in _instances(Erasure, _ERASURES[2], device.card_erasures, db):
        erasures.setdefault(erasure.drive_id, []).append(erasure)
    drives = _instances(Drive, _DRIVES[2], device.card_drives, db)
    for drive in drives:
        drive.device = device
        drive._prefetched_objects_cache = {"erasures": erasures.get(drive.pk, [])}
    systems = _instances(OsInstall, _SYSTEMS[2], device.card_systems, db)
    device._prefetched_objects_cache = {
        "drives": drives,
        "check_results": _instances(CheckResult, _CHECKS[2], device.card_checks, db),
        "os_installs": systems,
    }
    checklist = _instances(ChecklistItem, _CHECKLIST, device.card_checklist, db)
    device.checklist = [item for item in checklist if item.active]
    return device


def _instances(model, columns, rows, db):
    """Model instances from JSON objects, every other field deferred, in Meta.ordering."""
    # from_db takes the values in the order of the model's fields.
    fields = [field for field in model._meta.concrete_fields if field.attname in columns]
    names = [field.attname for field in fields]
    instances = [
        model.from_db(db, names, [_value(field, row[field.attname]) for field in fields])
        for row in rows or []
    ]
    return _ordered(instances, model._meta.ordering)


def _ordered(instances, ordering):
    """Sorted as the model's default ordering sorts them, for the keys that are columns."""
    instances.sort(key=lambda instance: instance.pk)
    for key in reversed(ordering):
        name = key.lstrip("-")
        if "__" in name:  # a related model's column: not fetched, and not read here
            continue
        instances.sort(key=lambda instance: getattr(instance, name), reverse=key[0] == "-")
    return instances


def _value(field, value):
    """A JSON value as the field's Python value (JSON has no dates nor booleans in SQLite)."""
    if value is None:
        return None
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        moment = parse_datetime(value)
        # SQLite keeps UTC without an offset; PostgreSQL's JSON carries one.
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    if internal == "DateField":
        return parse_date(value)
    if internal == "BooleanField":
        return bool(value)
    return value

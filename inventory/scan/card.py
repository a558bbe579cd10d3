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

from django.db import connection
from django.db.models import JSONField
from django.db.models.expressions import RawSQL
from django.utils.dateparse import parse_date, parse_datetime

from inventory.models import ChecklistItem, CheckResult, Device, Drive, Erasure, OsInstall

# model: (the column pointing at the device, or at its drive, the columns kept)
_DRIVES = (
    Drive,
    "device_id",
    ["id", "device_id", "kind", "serial_number", "model", "capacity_gb", "smart_passed"],
)
_ERASURES = (Erasure, "drive_id", ["id", "drive_id", "method", "result", "performed_at"])
_CHECKS = (CheckResult, "device_id", ["id", "device_id", "item_id", "outcome", "checked_at"])
_SYSTEMS = (OsInstall, "device_id", ["id", "device_id", "installed_at"])
_CHECKLIST = ["id", "category", "label", "mandatory", "position", "active"]


# The aggregate and the object builder of each database's JSON functions.
_JSON = {
    "postgresql": ("COALESCE(JSONB_AGG({}), '[]')", "JSONB_BUILD_OBJECT"),
    "sqlite": ("JSON_GROUP_ARRAY({})", "JSON_OBJECT"),
}


def _rows(model, link, columns, outer="id"):
    """SQL of a subquery: the rows of `model` whose `link` column is the device's `outer`
    column, as a JSON array of objects.

    Written as SQL rather than built with the ORM: built and compiled on every scan,
    five such subqueries cost more than the query itself.
    """
    aggregate, build = _JSON[connection.vendor]
    table = model._meta.db_table
    pairs = ", ".join(f"'{column}', rows.{column}" for column in columns)
    where = f"rows.{link} = {Device._meta.db_table}.{outer}"
    if link == "drive_id":  # erasures hang from the device's drives
        drives = Drive._meta.db_table
        where = f"rows.drive_id IN (SELECT id FROM {drives} WHERE {drives}.device_id = "
        where += f"{Device._meta.db_table}.{outer})"
    sql = f"SELECT {aggregate.format(f'{build}({pairs})')} FROM {table} rows WHERE {where}"
    return RawSQL(sql, (), output_field=JSONField())


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

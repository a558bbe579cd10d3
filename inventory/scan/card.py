"""The device a scan finds, with everything its card shows, in one query.

A scan shows the device's card: its place, and what is still missing before it is
ready (drives without a passed erasure, tests of the checklist, a system). Prefetching
those relations cost five queries on top of the device's own; at a bench scanning all
day they were most of a scan's SQL. Here each relation is JSON computed by a subquery
of the device's row, then turned back into model instances and put where Django's
select_related and prefetch_related put them, so `workflow.missing_for` and the
templates read them unchanged.

Of the relations, only the columns the card and the readiness rules read are fetched
(all of the site's and the location's); any other field is deferred (read on access,
as with `only()`).
"""

import datetime
import json
from contextlib import contextmanager
from functools import cache

from django.db import connection
from django.utils.dateparse import parse_date, parse_datetime

from inventory.models import (
    ChecklistItem,
    CheckResult,
    Device,
    Drive,
    Erasure,
    Location,
    OsInstall,
    Site,
)

# The columns kept of each relation.
_DRIVES = ["id", "device_id", "kind", "serial_number", "model", "capacity_gb", "smart_passed"]
_ERASURES = ["id", "drive_id", "method", "result", "performed_at"]
_CHECKS = ["id", "device_id", "item_id", "outcome", "checked_at"]
_SYSTEMS = ["id", "device_id", "installed_at"]
_CHECKLIST = ["id", "category", "label", "mandatory", "position", "active"]


# The aggregate and the object builder of each database's JSON functions. PostgreSQL's
# json (text) rather than jsonb: built for one reading, jsonb's binary form made the
# card's query 0.3 ms slower (0.81-1.04 against 0.54-0.63 ms at 1,000,000 devices).
_JSON = {
    "postgresql": ("COALESCE(JSON_AGG({}), '[]')", "JSON_BUILD_OBJECT"),
    "sqlite": ("JSON_GROUP_ARRAY({})", "JSON_OBJECT"),
}
# How many devices one scan may name at most (a serial shared by several).
LIMIT = 10
NAMES_A_LOCATION = "card_names_location"


def _object(build, columns):
    pairs = ", ".join(f"'{column}', rows.{column}" for column in columns)
    return f"{build}({pairs})"


def _relations(vendor):
    """(name, SQL) of the subqueries beside each device row: its site and location as
    JSON objects, its drives, their erasures, its checks and systems and its category's
    checklist as JSON arrays of objects."""
    aggregate, build = _JSON[vendor]
    device, drives = Device._meta.db_table, Drive._meta.db_table

    def one(model, key):
        columns = [field.attname for field in model._meta.concrete_fields]
        return (
            f"SELECT {_object(build, columns)} FROM {model._meta.db_table} rows "
            f"WHERE rows.id = {device}.{key}"
        )

    def many(model, columns, where):
        return (
            f"SELECT {aggregate.format(_object(build, columns))} "
            f"FROM {model._meta.db_table} rows WHERE {where}"
        )

    on_device = f"rows.device_id = {device}.id"
    return [
        ("card_site", one(Site, "site_id")),
        ("card_location", one(Location, "location_id")),
        ("card_drives", many(Drive, _DRIVES, on_device)),
        (
            "card_erasures",
            many(
                Erasure,
                _ERASURES,
                f"rows.drive_id IN (SELECT id FROM {drives} WHERE device_id = {device}.id)",
            ),
        ),
        ("card_checks", many(CheckResult, _CHECKS, on_device)),
        ("card_systems", many(OsInstall, _SYSTEMS, on_device)),
        ("card_checklist", many(ChecklistItem, _CHECKLIST, f"rows.category = {device}.category")),
    ]


@cache
def _sql(vendor, tags, serials, codes=0):
    """The query for `tags` asset tags and `serials` serial numbers, written once.

    Plain SQL rather than a queryset: the ORM took longer to build and compile these
    seven subqueries, on every scan, than the database took to answer them. With
    `codes`, each row also says whether one of those texts is a location's code: the
    station asks for the location only then (a scanned serial number then costs no
    query more than a tag). Parameters: the codes, the tags, the serials.
    """
    device = Device._meta.db_table
    columns = ", ".join(f"{device}.{field.column}" for field in Device._meta.concrete_fields)
    extras = [f"({sql}) AS {name}" for name, sql in _relations(vendor)]
    if codes:
        extras.append(
            f"EXISTS (SELECT 1 FROM {Location._meta.db_table} "
            f"WHERE code IN ({', '.join(['%s'] * codes)})) AS {NAMES_A_LOCATION}"
        )
    where = f"{device}.asset_tag IN ({', '.join(['%s'] * tags)})"
    if serials:
        where += f" OR {device}.serial_number IN ({', '.join(['%s'] * serials)})"
    return (
        f"SELECT {columns}, {', '.join(extras)} FROM {device} WHERE {where} "
        f"ORDER BY {device}.id DESC LIMIT {LIMIT}"
    )


def lookup(tags, serials=(), codes=()):
    """The devices (newest first, at most LIMIT) whose asset tag is one of `tags` or whose
    serial number is one of `serials`, each with its card's relations in place and, when
    `codes` are given, `names_a_location`: whether one of them is a location's code."""
    tags, serials, codes = list(tags), list(serials), list(codes)
    if not tags:
        return []
    sql = _sql(connection.vendor, len(tags), len(serials), len(codes))
    with _cursor() as cursor:
        cursor.execute(sql, [*codes, *tags, *serials])
        rows = cursor.fetchall()
    return [hydrate(_device(row)) for row in rows]


@contextmanager
def _cursor():
    """A cursor whose statements PostgreSQL plans once per connection.

    Planning the card's query (seven subqueries) took longer than running it: 0.3 ms of
    0.9 on a quiet machine, 1.9 ms of 2.5 under load. Django's cursors bind parameters
    on the client, so psycopg cannot prepare what they run; a server-binding cursor on
    the same connection can, when the settings allow it (`prepare_threshold`, see
    config/settings.py). It is wrapped as Django wraps its own, so the statement is
    counted and logged like any other.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(raw) as cursor:
        yield cursor


@cache
def _columns(vendor):
    """The device's field names; (index, column, converters) of the fields whose values
    a queryset would convert (SQLite's dates, decimals and booleans); the names of the
    relations' columns."""
    fields = Device._meta.concrete_fields
    converted = []
    for index, field in enumerate(fields):
        column = field.get_col(Device._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converted.append((index, column, found))
    relations = [name for name, _sql in _relations(vendor)]
    return [field.attname for field in fields], converted, relations


def _device(row):
    """A Device from a row of the card's query, its relations' JSON beside it."""
    names, converted, relations = _columns(connection.vendor)
    values = list(row[: len(names)])
    for index, column, converters in converted:
        for converter in converters:
            values[index] = converter(values[index], column, connection)
    device = Device.from_db(connection.alias, names, values)
    extras = row[len(names) :]
    for name, value in zip(relations, extras, strict=False):
        setattr(device, name, value)
    if len(extras) > len(relations):
        device.names_a_location = bool(extras[len(relations)])
    return device


def find(asset_tag):
    """The device with this asset tag, its card's relations in place, or None."""
    found = lookup([asset_tag])
    return found[0] if found else None


def hydrate(device):
    """Put the JSON relations of `device` where select_related and prefetch_related
    would have."""
    db = device._state.db
    site = _instances(Site, None, [_decoded(device.card_site)], db)
    location = _instances(Location, None, [_decoded(device.card_location)], db)
    Device.site.field.set_cached_value(device, site[0] if site else None)
    Device.location.field.set_cached_value(device, location[0] if location else None)
    erasures = {}
    for erasure in _instances(Erasure, _ERASURES, device.card_erasures, db):
        erasures.setdefault(erasure.drive_id, []).append(erasure)
    drives = _instances(Drive, _DRIVES, device.card_drives, db)
    for drive in drives:
        drive.device = device
        drive._prefetched_objects_cache = {"erasures": erasures.get(drive.pk, [])}
    device._prefetched_objects_cache = {
        "drives": drives,
        "check_results": _instances(CheckResult, _CHECKS, device.card_checks, db),
        "os_installs": _instances(OsInstall, _SYSTEMS, device.card_systems, db),
    }
    checklist = _instances(ChecklistItem, _CHECKLIST, device.card_checklist, db)
    device.checklist = [item for item in checklist if item.active]
    return device


def _instances(model, columns, rows, db):
    """Model instances from JSON objects (all `columns`, or every column when None),
    every other field deferred, in Meta.ordering."""
    rows = _decoded(rows)
    # from_db takes the values in the order of the model's fields.
    fields = [f for f in model._meta.concrete_fields if columns is None or f.attname in columns]
    names = [field.attname for field in fields]
    instances = [
        model.from_db(db, names, [_value(field, row[field.attname]) for field in fields])
        for row in rows or []
        if row is not None
    ]
    return _ordered(instances, model._meta.ordering)


def _decoded(value):
    """JSON as Python: the databases send it as text (or already decoded)."""
    return json.loads(value) if isinstance(value, str) else value


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

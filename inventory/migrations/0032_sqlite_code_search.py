"""A trigram index of the devices' asset tags and serial numbers, on SQLite only.

The scan station's "did you mean" looks for the last digits of an unknown code anywhere
in the tags and serials (`LIKE '%1234%'`). PostgreSQL has trigram GIN indexes for that
(migration 0029); SQLite scanned the whole table, 36 ms at 100,000 devices and ten times
that at a million. SQLite's FTS5 has a trigram tokenizer (SQLite 3.34 and later): an
external-content FTS5 table over inventory_device, kept by triggers, answers
`MATCH '"1234"'` from its index (`inventory.scan.station.lookalikes`).

As with the count triggers of 0030: a later migration that remakes inventory_device on
SQLite drops these triggers with the old table; tests/inventory/scan/test_lookalikes.py
checks that a device added after every migration is still found, and would fail then.
"""

from django.db import migrations

TABLE = "inventory_device_codes"

SQLITE = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(asset_tag, serial_number, "
    "content='inventory_device', content_rowid='id', tokenize='trigram')",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
    f"CREATE TRIGGER device_codes_insert AFTER INSERT ON inventory_device BEGIN "
    f"INSERT INTO {TABLE}(rowid, asset_tag, serial_number) "
    "VALUES (NEW.id, NEW.asset_tag, NEW.serial_number); END",
    # An external-content table is told what it indexed, to remove it.
    f"CREATE TRIGGER device_codes_delete AFTER DELETE ON inventory_device BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, asset_tag, serial_number) "
    "VALUES ('delete', OLD.id, OLD.asset_tag, OLD.serial_number); END",
    f"CREATE TRIGGER device_codes_update AFTER UPDATE OF asset_tag, serial_number "
    f"ON inventory_device BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, asset_tag, serial_number) "
    "VALUES ('delete', OLD.id, OLD.asset_tag, OLD.serial_number); "
    f"INSERT INTO {TABLE}(rowid, asset_tag, serial_number) "
    "VALUES (NEW.id, NEW.asset_tag, NEW.serial_number); END",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for trigger in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS device_codes_{trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0031_list_sort_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

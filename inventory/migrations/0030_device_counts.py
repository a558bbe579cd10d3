"""Device counts per (status, site, shelf, category), kept by the database.

See inventory/models/counts.py for why. The triggers are written here rather than
declared on the model: Django has no trigger operation. On SQLite, a later migration
that remakes inventory_device (most ALTERs there copy the table into a new one) drops
its triggers with the old table: tests/inventory/test_device_counts.py checks that the
counts still follow the devices after every migration, and would fail then.
"""

from django.db import migrations, models


# Rows are only added (see the model): no transaction waits for another's counts.
# Statement-level on PostgreSQL: one grouped INSERT per statement (a bulk move of
# thousands of devices adds a row per group it touched, not thousands).
POSTGRESQL = """
CREATE OR REPLACE FUNCTION device_count_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO inventory_devicecount (status, site_id, location_id, category, n)
        SELECT status, site_id, COALESCE(location_id, 0), category, count(*)
        FROM new_rows GROUP BY 1, 2, 3, 4;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO inventory_devicecount (status, site_id, location_id, category, n)
        SELECT status, site_id, COALESCE(location_id, 0), category, -count(*)
        FROM old_rows GROUP BY 1, 2, 3, 4;
    ELSE
        INSERT INTO inventory_devicecount (status, site_id, location_id, category, n)
        SELECT status, site_id, location_id, category, sum(d) FROM (
            SELECT status, site_id, COALESCE(location_id, 0) AS location_id, category, 1 AS d
            FROM new_rows
            UNION ALL
            SELECT status, site_id, COALESCE(location_id, 0), category, -1 FROM old_rows
        ) AS moves
        GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER device_count_insert AFTER INSERT ON inventory_device
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION device_count_apply();
CREATE TRIGGER device_count_update AFTER UPDATE ON inventory_device
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION device_count_apply();
CREATE TRIGGER device_count_delete AFTER DELETE ON inventory_device
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION device_count_apply();
"""

# Row-level on SQLite (it has no statement-level triggers); it lets one writer at a time.
SQLITE_ADD = """
INSERT INTO inventory_devicecount (status, site_id, location_id, category, n)
VALUES ({row}.status, {row}.site_id, COALESCE({row}.location_id, 0), {row}.category, {d});
"""
SQLITE = [
    "CREATE TRIGGER device_count_insert AFTER INSERT ON inventory_device BEGIN "
    + SQLITE_ADD.format(row="NEW", d=1)
    + " END",
    "CREATE TRIGGER device_count_delete AFTER DELETE ON inventory_device BEGIN "
    + SQLITE_ADD.format(row="OLD", d=-1)
    + " END",
    "CREATE TRIGGER device_count_update "
    "AFTER UPDATE OF status, site_id, location_id, category ON inventory_device "
    "WHEN OLD.status IS NOT NEW.status OR OLD.site_id IS NOT NEW.site_id "
    "OR OLD.location_id IS NOT NEW.location_id OR OLD.category IS NOT NEW.category BEGIN "
    + SQLITE_ADD.format(row="OLD", d=-1)
    + SQLITE_ADD.format(row="NEW", d=1)
    + " END",
]

FILL = """
INSERT INTO inventory_devicecount (status, site_id, location_id, category, n)
SELECT status, site_id, COALESCE(location_id, 0), category, count(*)
FROM inventory_device GROUP BY 1, 2, 3, 4
"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # The devices already there are counted under the table's lock, so that none is
        # added or moved between the count and the triggers.
        schema_editor.execute("LOCK TABLE inventory_device IN SHARE ROW EXCLUSIVE MODE")
        schema_editor.execute(POSTGRESQL)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"device counts need triggers written for {vendor}")
    schema_editor.execute(FILL)


def drop(apps, schema_editor):
    for name in ("insert", "update", "delete"):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS device_count_{name} ON inventory_device")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS device_count_{name}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS device_count_apply()")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0029_trigram_search"),
    ]

    operations = [
        migrations.CreateModel(
            name="DeviceCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("received", "Received"),
                            ("wiping", "Wiping"),
                            ("refurbishing", "Refurbishing"),
                            ("ready", "Ready"),
                            ("reserved", "Reserved"),
                            ("lent", "Lent"),
                            ("returned", "Returned"),
                            ("sold", "Sold"),
                            ("given", "Given"),
                            ("parts", "Parts"),
                            ("recycled", "Recycled"),
                            ("lost", "Lost"),
                        ],
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("site_id", models.IntegerField(verbose_name="site")),
                ("location_id", models.IntegerField(verbose_name="location")),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("laptop", "Laptop"),
                            ("desktop", "Desktop"),
                            ("tablet", "Tablet"),
                            ("smartphone", "Smartphone"),
                            ("screen", "Screen"),
                            ("router_4g", "4G router"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="category",
                    ),
                ),
                ("n", models.BigIntegerField(verbose_name="devices")),
            ],
            options={
                "verbose_name": "device count",
                "verbose_name_plural": "device counts",
            },
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]

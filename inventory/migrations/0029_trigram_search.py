"""Trigram indexes for searching inside codes and names, on PostgreSQL only.

The device search and the scan station's "did you mean" look for a piece of text
anywhere in a column (Django's `icontains`: `UPPER(column) LIKE UPPER('%piece%')`), which
no B-tree index serves: at 1,000,000 devices each was a sequential scan (an unknown code
took 270 ms, a search with no hit 400 ms). A GIN index of the trigrams of the same
UPPER() expression serves those LIKEs. SQLite has no such index and keeps scanning,
which is fine at the sizes it is meant for; the models do not declare these indexes for
that reason (pg_trgm is a trusted extension: the database owner may create it).
"""

from django.db import migrations

COLUMNS = ["asset_tag", "serial_number", "manufacturer", "model"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS device_{column}_trgm_idx ON inventory_device "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS device_{column}_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0028_monthly_flows")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

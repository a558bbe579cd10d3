"""The status stretches devices have already left, derived from their history.

Walking each device's simple_history rows in order (id, history_date, history_id), a row
whose status differs from the stretch's ends that stretch: entered_at is the date of
the row that entered the status, left_at the date of the row that left it, the site the
one on the leaving row. Rows that change other fields only are inside a stretch. The
last stretch of each device is its current one and is not stored (it is read from
Device.status and status_changed_at). Devices that have stretches already are skipped,
so running it twice adds nothing.
"""

from django.db import migrations

BATCH = 5000


def backfill(apps, schema_editor):
    Device = apps.get_model("inventory", "Device")
    HistoricalDevice = apps.get_model("inventory", "HistoricalDevice")
    StatusStretch = apps.get_model("inventory", "StatusStretch")
    rows = (
        HistoricalDevice.objects.filter(id__in=Device.objects.values("pk"))
        .exclude(id__in=StatusStretch.objects.values("device_id"))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "status", "history_date", "site_id")
    )
    stretches, device, status, entered_at = [], None, None, None
    for pk, row_status, at, site in rows.iterator(chunk_size=BATCH):
        if pk != device:
            device, status, entered_at = pk, row_status, at
            continue
        if row_status == status:
            continue
        stretches.append(
            StatusStretch(
                device_id=pk, status=status, entered_at=entered_at, left_at=at, site_id=site
            )
        )
        status, entered_at = row_status, at
        if len(stretches) >= BATCH:
            StatusStretch.objects.bulk_create(stretches)
            stretches = []
    StatusStretch.objects.bulk_create(stretches)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0026_stretches_table")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

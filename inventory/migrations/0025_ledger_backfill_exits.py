"""One +1 row in the exits ledger for each device already out of the stock.

Dated by status_changed_at (when it entered its exit status), at its site, by nobody
known. A given device whose status before "given" was "lent" was a loan turned gift.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

CHANNEL_OF_STATUS = {
    "sold": "sold",
    "given": "given",
    "parts": "parts",
    "recycled": "recycled",
    "lost": "lost",
}
BATCH = 2000


def backfill(apps, schema_editor):
    Device = apps.get_model("inventory", "Device")
    HistoricalDevice = apps.get_model("inventory", "HistoricalDevice")
    StockExit = apps.get_model("inventory", "StockExit")
    before = (
        HistoricalDevice.objects.filter(id=OuterRef("pk"))
        .exclude(status=OuterRef("status"))
        .order_by("-history_date", "-history_id")
        .values("status")[:1]
    )
    devices = (
        Device.objects.filter(status__in=CHANNEL_OF_STATUS, exits__isnull=True)
        .annotate(previous=Subquery(before))
        .values_list("pk", "status", "previous", "status_changed_at", "site_id")
        .order_by("pk")
    )
    rows = []
    for pk, status, previous, at, site in devices.iterator(chunk_size=BATCH):
        channel = "loan_gift" if (status, previous) == ("given", "lent") else CHANNEL_OF_STATUS[status]
        rows.append(StockExit(device_id=pk, channel=channel, sign=1, at=at, site_id=site))
        if len(rows) >= BATCH:
            StockExit.objects.bulk_create(rows)
            rows = []
    StockExit.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0024_ledger_weight_defaults")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

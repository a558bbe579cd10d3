"""Background jobs of the inventory."""

from celery import shared_task
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from inventory.models import Device, Site, Status, StockSnapshot


@shared_task
def snapshot_stock(day=None):
    """Record how many devices each site holds in each status today (ISO date string).

    Idempotent: a second run on the same day overwrites the first, so a retried or
    duplicated delivery does no harm. Returns the number of rows written.
    """
    day = day or timezone.localdate().isoformat()
    counts = Device.objects.values_list("site", "status").annotate(n=Count("pk")).order_by()
    found = {(site, status): n for site, status, n in counts}
    rows = [
        StockSnapshot(date=day, site_id=site, status=status, count=found.get((site, status), 0))
        for site in Site.objects.values_list("pk", flat=True)
        for status in Status.values
    ]
    with transaction.atomic():
        StockSnapshot.objects.filter(date=day).delete()
        StockSnapshot.objects.bulk_create(rows)
    return len(rows)


@shared_task
def rebuild_monthly_flows():
    """Sum every month before the current one again (inventory.impact.monthly): takes in
    what changed since the last rebuild and lets the reports read those months from the
    summary. Idempotent. Returns the horizon (the first month not summed), ISO."""
    from inventory.impact import monthly

    summary = monthly.rebuild()
    return summary.horizon.isoformat()

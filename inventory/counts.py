"""Counts of devices that never read the device table, for pages at any size.

Exact counts come from the table the database keeps (DeviceCount, inventory/models/
counts.py) and can answer for status, site, category and shelf. Anything else (a search,
a grade, a donation) is counted up to a cap: past it a page says « more than … » rather
than read a million rows to give the exact figure.
"""

from collections import Counter

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils.functional import cached_property

from inventory.models import Device, DeviceCount, Donation, Location

# The filters the kept counts are grouped by.
COUNTED_FILTERS = {"status", "site", "category", "location"}
# Rows a list counts, and pages, at most when its total is not kept.
LIST_CAP = 10_000
# Rows of DeviceCount past which a read folds them into one per group: a few thousand
# are summed in a few ms, and each move adds two.
FOLD_AT = 2000
# The cache key of how many rows the last fold left.
_FOLDED = "inventory.counts.folded_rows"


def status_counts(*, statuses=None, site=None, category=None, location_code=None):
    """{status value: devices}, from the kept counts (statuses with none may be missing)."""
    rows = DeviceCount.objects.all()
    if statuses:
        rows = rows.filter(status__in=statuses)
    if site is not None:
        rows = rows.filter(site_id=site.pk)
    if category:
        rows = rows.filter(category=category)
    if location_code:
        shelves = Location.objects.filter(code__iexact=location_code).values("pk")
        rows = rows.filter(location_id__in=shelves)
    counts = _summed(rows, "status")
    return {status: n for (status,), n in counts.items() if n}


def filtered_status_counts(device_filter):
    """{status value: devices} under a DeviceFilter's choices, or None when it filters on
    something the kept counts are not grouped by."""
    if not device_filter.is_valid():
        return None
    data = device_filter.form.cleaned_data
    used = {name for name, value in data.items() if value not in (None, "", [])}
    if used - COUNTED_FILTERS:
        return None
    return status_counts(
        statuses=data.get("status"),
        site=data.get("site"),
        category=data.get("category"),
        location_code=data.get("location"),
    )


def capped_count(queryset, cap):
    """The rows of `queryset`, counted up to cap + 1 (more than cap: cap + 1)."""
    return queryset.order_by()[: cap + 1].count()


class CappedPaginator(Paginator):
    """Pages through at most `cap` rows. `total` is the exact number of rows when it is
    known cheaply; without it, the rows are counted up to the cap only.

    Deep pages cost as much as the rows before them (OFFSET): the first 10,000 rows of a
    list are enough to page through, and a filter or a sort reaches the others.
    """

    def __init__(self, object_list, per_page, *, total=None, cap=LIST_CAP):
        super().__init__(object_list, per_page)
        self.total = total
        self.cap = cap

    @cached_property
    def counted(self):
        if self.total is not None:
            return self.total
        return capped_count(self.object_list, self.cap)

    @cached_property
    def count(self):
        return min(self.counted, self.cap)

    @property
    def capped(self):
        """True when there are more rows than the pages reach."""
        return self.counted > self.cap

    @property
    def known_total(self):
        """The exact number of rows, or None when only « more than the cap » is known."""
        return self.counted if self.counted <= self.cap or self.total is not None else None


def site_counts():
    """({site id: devices}, {shelf id: devices}) from the kept counts."""
    by_site, by_shelf = Counter(), Counter()
    for (site_id, location_id), n in _summed(
        DeviceCount.objects.all(), "site_id", "location_id"
    ).items():
        by_site[site_id] += n
        by_shelf[location_id] += n
    return (
        {site: n for site, n in by_site.items() if n},
        {shelf: n for shelf, n in by_shelf.items() if n},
    )


def _summed(rows, *keys):
    """{(key values): devices} over DeviceCount `rows`, folding the table when the
    rows read show it has piled up: FOLD_AT rows more than the last fold left."""
    summed = list(rows.values_list(*keys).annotate(n=Sum("n"), rows=Count("pk")).order_by())
    # A network with many shelves has thousands of groups: what a fold leaves is the
    # base, or each read would fold again. The base is a hint kept in the cache (a
    # process that has none folds once); the sums are exact whatever it says.
    if sum(row[-1] for row in summed) > FOLD_AT + cache.get(_FOLDED, 0):
        fold()
    return {tuple(values): n for *values, n, _rows in summed}


def fold():
    """Replace the rows of DeviceCount by one row per group whose sum is not zero."""
    table = DeviceCount._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # Delete, then add back the sums of what was deleted: the rows a move adds
        # meanwhile are not deleted, so each still counts once.
        cursor.execute(f"DELETE FROM {table} RETURNING status, site_id, location_id, category, n")
        sums = Counter()
        for *group, n in cursor.fetchall():
            sums[tuple(group)] += n
        kept = DeviceCount.objects.bulk_create(
            DeviceCount(status=status, site_id=site, location_id=shelf, category=category, n=n)
            for (status, site, shelf, category), n in sums.items()
            if n
        )
    cache.set(_FOLDED, len(kept), None)


def count_donation_devices(donations):
    """Set `device_count` on each donation of a page, counting their devices only.

    A Count() annotation on the list counted every device of every donation before the
    LIMIT (500 ms at 1,000,000 devices); this reads the page's donations' devices."""
    donations = list(donations)
    counts = dict(
        Device.objects.filter(donation__in=[d.pk for d in donations])
        .order_by()
        .values_list("donation")
        .annotate(n=Count("pk"))
    )
    for donation in donations:
        donation.device_count = counts.get(donation.pk, 0)
    return donations


def count_donor_gifts(donors):
    """Set `donation_count` and `device_count` on each donor of a page, from their own
    donations and devices only."""
    donors = list(donors)
    pks = [d.pk for d in donors]
    donations = Donation.objects.filter(donor__in=pks).order_by().values_list("donor")
    devices = Device.objects.filter(donation__donor__in=pks).order_by()
    donation_counts = dict(donations.annotate(n=Count("pk")))
    device_counts = dict(devices.values_list("donation__donor").annotate(n=Count("pk")))
    for donor in donors:
        donor.donation_count = donation_counts.get(donor.pk, 0)
        donor.device_count = device_counts.get(donor.pk, 0)
    return donors

"""On PostgreSQL, looking for a piece of a code is served by the trigram indexes."""

import pytest
from django.db import connection

from inventory.models import Device
from inventory.scan.station import lookalikes
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's: set DATABASE_URL=postgres://…")


def plan(queryset):
    """EXPLAIN's plan with sequential scans forbidden: an index that fits is then used."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_scan_suggestions_use_the_trigram_indexes(postgresql):
    DeviceFactory.create_batch(3)

    explained = plan(lookalikes({"1234"}))

    assert "device_asset_tag_trgm_idx" in explained
    assert "device_serial_number_trgm_idx" in explained


def test_the_device_search_uses_the_trigram_indexes(postgresql):
    DeviceFactory.create_batch(3)

    # Unordered: the point is that the indexes fit the search's expressions.
    explained = plan(Device.objects.search("thinkpad").order_by())

    for column in ["asset_tag", "serial_number", "manufacturer", "model"]:
        assert f"device_{column}_trgm_idx" in explained

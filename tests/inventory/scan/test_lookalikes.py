"""The "did you mean" of an unknown code finds devices by a piece of their tag or serial.

On SQLite an FTS5 trigram table kept by triggers holds the pieces (migration 0032); on
PostgreSQL, trigram GIN indexes (0029). Both must follow every change of a device.
"""

import pytest
from django.db import connection

from inventory.models import Device
from inventory.scan.station import closest_matches, lookalikes
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db


def found(*pieces):
    return sorted(device.asset_tag for device in lookalikes(set(pieces)))


def test_a_device_added_after_every_migration_is_found_by_a_piece_of_its_codes():
    device = DeviceFactory(asset_tag="RE-048213", serial_number="5CG7291XQZ")
    DeviceFactory(asset_tag="RE-000001", serial_number="OTHER")

    assert found("8213") == ["RE-048213"]
    assert found("291X") == ["RE-048213"]  # inside the serial
    assert found("291x".upper()) == found("291X")
    assert found("9999") == []
    assert closest_matches(["RE-148213"]) == [device.asset_tag]


def test_a_changed_serial_is_found_by_its_new_value_only():
    device = DeviceFactory(serial_number="OLDSERIAL777")
    Device.objects.filter(pk=device.pk).update(serial_number="NEWSERIAL888")

    assert found("L777") == []
    assert found("L888") == [device.asset_tag]


def test_a_deleted_device_is_no_longer_suggested():
    device = DeviceFactory(serial_number="GONE4242")
    Device.objects.filter(pk=device.pk).delete()

    assert found("4242") == []


def test_quotes_and_operators_in_a_piece_are_text():
    DeviceFactory(serial_number='AB"C OR D*')

    assert len(found('AB"C', "OR D*", "NEAR(")) == 1


def test_the_pieces_are_read_from_an_index_not_a_scan_of_every_device():
    sql, params = lookalikes({"8213"}).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # On a small table the planner rightly prefers a scan: forbid it, to see
            # that the trigram indexes serve this query at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
        explain = "EXPLAIN QUERY PLAN" if connection.vendor == "sqlite" else "EXPLAIN"
        cursor.execute(f"{explain} {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())

    if connection.vendor == "sqlite":
        assert "VIRTUAL TABLE INDEX" in plan  # the FTS5 table of migration 0032
        assert "SCAN inventory_device " not in plan + " "
    else:
        assert "trgm_idx" in plan
        assert "Seq Scan" not in plan

"""Moves of devices of the same groups, in another order, at once: the counts add rows
rather than update one per group, so neither transaction waits for the other (a counter
row per group updated in place deadlocked here) and the counts stay exact."""

import threading

import pytest
from django.db import connection, transaction

from inventory import workflow
from inventory.models import Category, Status
from tests.factories import DeviceFactory, SiteFactory
from tests.inventory.test_device_counts import assert_exact

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_bulk_moves_crossing_the_same_groups_both_land(coordinator):
    site = SiteFactory()
    laptops = DeviceFactory.create_batch(
        2, status=Status.READY, category=Category.LAPTOP, site=site
    )
    screens = DeviceFactory.create_batch(
        2, status=Status.READY, category=Category.SCREEN, site=site
    )
    both_moved_once = threading.Barrier(2)
    outcomes = []

    def move(first, then):
        try:
            with transaction.atomic():
                workflow.transition_device(device=first, target=Status.RESERVED, by=coordinator)
                both_moved_once.wait(timeout=10)
                workflow.transition_device(device=then, target=Status.RESERVED, by=coordinator)
            outcomes.append("done")
        except Exception as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(laptops[0], screens[0])),
        threading.Thread(target=move, args=(screens[1], laptops[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == ["done", "done"]
    assert_exact()

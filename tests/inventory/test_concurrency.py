"""Two people click at once: the database lets exactly one of them win.

These tests need real row locks and concurrent connections, so PostgreSQL only; the
same rule without threads (a stale page) is tested in test_workflow.py.
"""

import threading

import pytest
from django.db import connection

from inventory import workflow
from inventory.models import Device, Status
from inventory.workflow import StaleStatus, transition_device
from tests.factories import DeviceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(device, targets, by):
    """Fire one transition per target, each in its own thread, released together."""
    start = threading.Barrier(len(targets))
    outcomes = {}

    def click(target):
        try:
            # Each person loaded the page (and saw the status) before anyone clicked.
            seen = Device.objects.get(pk=device.pk)
            start.wait(timeout=10)
            # Selling is the sales service's move (it numbers the receipt).
            sale = {"process": workflow.SALE, "holder_ref": "BRU-2026-0001"}
            transition_device(
                device=seen,
                target=target,
                by=by,
                note=f"to {target}",
                **(sale if target == Status.SOLD else {}),
            )
            outcomes[target] = "won"
        except Exception as error:
            outcomes[target] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def assert_exactly_one_won(device, outcomes, history_before):
    winners = [target for target, outcome in outcomes.items() if outcome == "won"]
    losers = [outcome for outcome in outcomes.values() if outcome != "won"]
    assert len(winners) == 1, outcomes
    assert all(isinstance(error, StaleStatus) for error in losers), outcomes
    device.refresh_from_db()
    assert device.status == winners[0]
    history = device.history.all()
    assert history.count() == history_before + 1
    assert history.first().history_change_reason == f"to {winners[0]}"


@pytest.mark.parametrize("other", [Status.GIVEN, Status.RESERVED])
def test_two_people_selling_and_giving_at_once_only_one_wins(other, coordinator):
    device = DeviceFactory(status=Status.READY)
    before = device.history.count()

    outcomes = race(device, [Status.SOLD, other], coordinator)

    assert_exactly_one_won(device, outcomes, before)


def test_five_people_clicking_at_once_only_one_wins(coordinator):
    device = DeviceFactory(status=Status.READY)
    before = device.history.count()
    # Moves without a guard of their own (ready → parts needs the drives recorded, and
    # whoever locks first would then be refused by that guard, not by the race).
    targets = [Status.SOLD, Status.GIVEN, Status.RESERVED, Status.LOST, Status.REFURBISHING]

    outcomes = race(device, targets, coordinator)

    assert_exactly_one_won(device, outcomes, before)


def test_the_conditional_update_settles_the_race_without_the_row_lock(coordinator, monkeypatch):
    # Where select_for_update is a no-op, both clicks read "ready"; the UPDATE ... WHERE
    # status = 'ready' is then what makes the second one lose.
    both_read = threading.Barrier(2)

    def read_without_lock(device_pk):
        current = Device.objects.prefetch_related("drives__erasures").get(pk=device_pk)
        both_read.wait(timeout=10)
        return current

    monkeypatch.setattr(workflow, "_lock", read_without_lock)
    device = DeviceFactory(status=Status.READY)
    before = device.history.count()

    outcomes = race(device, [Status.SOLD, Status.GIVEN], coordinator)

    assert_exactly_one_won(device, outcomes, before)

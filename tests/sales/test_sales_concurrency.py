"""Sellers at the till at the same moment: a device is sold once, and receipt numbers
have neither gaps nor duplicates, even when one of the sales is refused.

These tests need real row locks and concurrent connections, so PostgreSQL only (the
`postgres` marker); the same rules without threads are in test_sale_service.py. A
transactional test's flush empties the shipped data (proofs, checklists, role groups):
each test creates what it needs, and the role fixtures (through `roles`) put the groups
back.
"""

import threading

import pytest
from django.contrib.auth import get_user_model

from accounts.roles import Role
from inventory.models import Category, Device, Sequence, Status
from sales import services
from sales.models import PaymentMethod, Sale, SaleItem
from sales.services import SaleRefused, record_sale
from tests.factories import SiteFactory, UserFactory
from tests.races import race
from tests.sales_factories import PriceFactory, ready_device

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]


@pytest.fixture
def site():
    PriceFactory()
    return SiteFactory(code="BRU")


@pytest.fixture
def sellers(technician, coordinator):
    return [technician, coordinator, *(UserFactory(role=Role.TECHNICIAN) for _ in range(4))]


def sale_by(user, site, devices):
    def prepare():
        # Each seller loaded the till page (the devices, their status) before anyone paid.
        seen = [Device.objects.get(pk=device.pk) for device in devices]
        by = get_user_model().objects.get(pk=user.pk)
        return lambda: record_sale(
            by=by, site=site, devices=seen, payment_method=PaymentMethod.CASH
        )

    return prepare


def split(outcomes):
    sales = [outcome for outcome in outcomes if isinstance(outcome, Sale)]
    refusals = [outcome for outcome in outcomes if not isinstance(outcome, Sale)]
    assert all(isinstance(error, SaleRefused) for error in refusals), outcomes
    return sales, refusals


def numbers(sales):
    return sorted(sale.number.rsplit("-", 1)[1] for sale in sales)


@pytest.mark.parametrize("other_site", [False, True], ids=["same site", "two sites"])
def test_the_same_device_sold_twice_at_once_is_sold_once(sellers, site, other_site):
    device = ready_device(site=site)
    sites = [site, SiteFactory(code="QPR") if other_site else site]

    outcomes = race([sale_by(user, s, [device]) for user, s in zip(sellers, sites, strict=False)])

    sales, refusals = split(outcomes)
    assert len(sales) == 1 and len(refusals) == 1, outcomes
    assert f"{device.asset_tag} is no longer available" in refusals[0].message
    assert list(Sale.objects.all()) == sales
    assert SaleItem.objects.filter(device=device, active=True).get().sale == sales[0]
    device.refresh_from_db()
    assert device.status == Status.SOLD
    assert device.history.filter(status=Status.SOLD).count() == 1


def test_without_the_row_lock_the_partial_unique_index_still_sells_a_device_once(
    sellers, site, monkeypatch
):
    # Where the lock is missing, both sales read "ready"; the one-active-sale-per-device
    # index is then what refuses the second line, after it took a number: the rollback
    # gives that number back.
    device = ready_device(site=site)
    both_read = threading.Barrier(2)

    def read_without_lock(pks):
        devices = list(
            Device.objects.filter(pk__in=pks).prefetch_related("drives__erasures", "check_results")
        )
        both_read.wait(timeout=10)
        return devices

    monkeypatch.setattr(services, "_available", read_without_lock)

    outcomes = race([sale_by(user, site, [device]) for user in sellers[:2]])

    sales, refusals = split(outcomes)
    assert len(sales) == 1 and len(refusals) == 1, outcomes
    assert refusals[0].message == f"{device.asset_tag} is already in another sale."
    assert SaleItem.objects.filter(device=device).count() == 1
    assert numbers(sales) == ["0001"]
    assert Sequence.objects.get(name=f"sale:BRU:{sales[0].sold_at.year}").last_value == 1


def test_six_sales_at_once_at_one_site_are_numbered_without_gap_or_duplicate(sellers, site):
    devices = [ready_device(site=site) for _ in sellers]

    outcomes = race([sale_by(u, site, [d]) for u, d in zip(sellers, devices, strict=True)])

    sales, refusals = split(outcomes)
    assert not refusals, outcomes
    assert numbers(sales) == ["0001", "0002", "0003", "0004", "0005", "0006"]
    assert Sale.objects.count() == 6
    assert all(SaleItem.objects.filter(device=d, active=True).exists() for d in devices)


def test_a_sale_refused_among_concurrent_sales_leaves_no_gap(sellers, site):
    devices = [ready_device(site=site) for _ in range(4)]
    # A tablet has no price: its sale is refused, and must not use a number up.
    tablet = ready_device(site=site, category=Category.TABLET)
    baskets = [[devices[0]], [devices[1], tablet], [devices[2]], [devices[3]]]

    outcomes = race([sale_by(u, site, b) for u, b in zip(sellers, baskets, strict=False)])

    sales, refusals = split(outcomes)
    assert len(sales) == 3 and len(refusals) == 1, outcomes
    assert tablet.asset_tag in refusals[0].message
    assert numbers(sales) == ["0001", "0002", "0003"]
    devices[1].refresh_from_db()
    assert devices[1].status == Status.READY


def test_a_sale_refused_after_taking_a_number_gives_it_back(sellers, site, monkeypatch):
    # Two of five sales share a device and read it unlocked: the loser is refused by the
    # unique index after its number was taken; the others still count 0001…0004.
    shared = ready_device(site=site)
    others = [ready_device(site=site) for _ in range(3)]
    both_read = threading.Barrier(2)
    locked = services._available

    def read_shared_without_lock(pks):
        if shared.pk not in pks:
            return locked(pks)
        devices = list(
            Device.objects.filter(pk__in=pks).prefetch_related("drives__erasures", "check_results")
        )
        both_read.wait(timeout=10)
        return devices

    monkeypatch.setattr(services, "_available", read_shared_without_lock)
    baskets = [[shared], [shared], *([d] for d in others)]

    outcomes = race([sale_by(u, site, b) for u, b in zip(sellers, baskets, strict=False)])

    sales, refusals = split(outcomes)
    assert len(sales) == 4 and len(refusals) == 1, outcomes
    assert refusals[0].message == f"{shared.asset_tag} is already in another sale."
    assert numbers(sales) == ["0001", "0002", "0003", "0004"]
    assert SaleItem.objects.filter(device=shared, active=True).count() == 1

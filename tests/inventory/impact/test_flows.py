"""Entries, exits and the réemploi rate of a period, aggregated in SQL."""

import datetime
from decimal import Decimal

import pytest

from inventory.impact import flows
from inventory.impact.period import Period
from inventory.models import Category, Device, Donor, ExitChannel, Status, WeightDefault
from tests.factories import DeviceFactory, DonationFactory, DonorFactory, SiteFactory
from tests.inventory.impact.helpers import at, walk

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = Period.year(2026)


@pytest.fixture(autouse=True)
def round_defaults():
    WeightDefault.objects.filter(category=Category.LAPTOP).update(kg=Decimal("2.00"))
    WeightDefault.objects.filter(category=Category.SMARTPHONE).update(kg=Decimal("0.20"))
    WeightDefault.objects.filter(category=Category.SCREEN).update(kg=Decimal("5.00"))
    WeightDefault.objects.filter(category=Category.DESKTOP).update(kg=Decimal("8.00"))


@pytest.fixture
def sites():
    return SiteFactory(code="BRU"), SiteFactory(code="BET")


def received(site, day, kind=Donor.Kind.COMPANY, **fields):
    """A ready device (drive erased) from a donation of `kind` received at `site` on `day`."""
    donation = DonationFactory(site=site, received_on=day, donor=DonorFactory(kind=kind))
    return DeviceFactory(
        status=Status.READY,
        donation=donation,
        site=site,
        drives__count=1,
        drives__erased=True,
        **fields,
    )


def registered_without_donation(site, day, **fields):
    device = DeviceFactory(status=Status.READY, site=site, **fields)
    moment = at(day.year, day.month, day.day)
    Device.objects.filter(pk=device.pk).update(created_at=moment)
    return device


def test_entries_by_month_site_category_and_donor_kind(sites):
    bru, bet = sites
    received(bru, D(2026, 1, 10), weight_kg=Decimal("1.60"))
    received(bru, D(2026, 1, 20))
    received(bet, D(2026, 2, 3), Donor.Kind.INDIVIDUAL, category=Category.SMARTPHONE)
    registered_without_donation(bru, D(2026, 3, 31), category=Category.SCREEN)
    received(bru, D(2025, 12, 31))  # last year

    rows = flows.entries(YEAR)

    assert rows == [
        {
            "month": D(2026, 1, 1),
            "site": bru.pk,
            "category": "laptop",
            "donor_kind": "company",
            "count": 2,
            "kg": Decimal("3.60"),
            "estimated_kg": Decimal("2.00"),
        },
        {
            "month": D(2026, 2, 1),
            "site": bet.pk,
            "category": "smartphone",
            "donor_kind": "individual",
            "count": 1,
            "kg": Decimal("0.20"),
            "estimated_kg": Decimal("0.20"),
        },
        {
            "month": D(2026, 3, 1),
            "site": bru.pk,
            "category": "screen",
            "donor_kind": flows.UNKNOWN_DONOR,
            "count": 1,
            "kg": Decimal("5.00"),
            "estimated_kg": Decimal("5.00"),
        },
    ]
    assert [row["site"] for row in flows.entries(YEAR, site=bet)] == [bet.pk]
    only_phones = Device.objects.filter(category=Category.SMARTPHONE)
    assert [row["category"] for row in flows.entries(YEAR, devices=only_phones)] == ["smartphone"]


def test_a_donation_is_an_entry_at_its_site_even_if_the_device_moved_since(sites):
    bru, bet = sites
    device = received(bru, D(2026, 5, 5))
    Device.objects.filter(pk=device.pk).update(site=bet)

    assert [row["site"] for row in flows.entries(YEAR)] == [bru.pk]


def test_exits_by_channel_and_weee_category_net_of_returns(superuser, sites):
    bru, _bet = sites
    start = at(2026, 1, 15)
    walk(received(bru, D(2026, 1, 5), weight_kg=Decimal("2.50")), "given", superuser, start)
    walk(received(bru, D(2026, 1, 5)), "loan turned gift", superuser, start)
    phone = received(bru, D(2026, 1, 5), category=Category.SMARTPHONE)
    walk(phone, "sale cancelled", superuser, start)
    walk(
        received(bru, D(2026, 1, 5), category=Category.SCREEN),
        "parts then recycled",
        superuser,
        start,
    )
    walk(
        received(bru, D(2026, 1, 5), category=Category.DESKTOP), "lost then found", superuser, start
    )
    walk(received(bru, D(2026, 1, 5), category=Category.DESKTOP), "lost", superuser, start)

    found = flows.exits(YEAR)

    channels = {channel: (t.count, t.kg) for channel, t in found.by_channel.items()}
    assert channels == {
        ExitChannel.GIVEN: (1, Decimal("2.50")),
        ExitChannel.LOAN_GIFT: (1, Decimal("2.00")),
        ExitChannel.SOLD: (0, Decimal("0.00")),
        ExitChannel.PARTS: (0, Decimal("0.00")),
        ExitChannel.RECYCLED: (1, Decimal("5.00")),
        ExitChannel.LOST: (1, Decimal("8.00")),
    }
    weee = {code: (t.count, t.kg) for code, t in found.by_weee.items()}
    assert weee == {"2": (3, Decimal("9.50")), "6": (1, Decimal("8.00"))}
    assert found.by_channel_weee[(ExitChannel.RECYCLED, "2")].kg == Decimal("5.00")
    assert (found.total.count, found.total.kg, found.total.estimated_kg) == (
        4,
        Decimal("17.50"),
        Decimal("15.00"),
    )


def test_exits_outside_the_period_or_the_site_do_not_count(superuser, sites):
    bru, bet = sites
    walk(received(bru, D(2025, 11, 5)), "given", superuser, at(2025, 11, 20))
    walk(received(bet, D(2026, 3, 5)), "given", superuser, at(2026, 3, 10))

    assert flows.exits(YEAR).total.count == 1
    assert flows.exits(YEAR, site=bru).total.count == 0
    assert flows.exits(Period.year(2025)).total.count == 1


def test_reemploi_rate_is_reused_kilos_over_received_kilos(superuser, sites):
    bru, _bet = sites
    start = at(2026, 2, 1)
    walk(received(bru, D(2026, 1, 5)), "sold", superuser, start)
    walk(received(bru, D(2026, 1, 5)), "loan turned gift", superuser, start)
    walk(
        received(bru, D(2026, 1, 5), weight_kg=Decimal("4.00")),
        "parts then recycled",
        superuser,
        start,
    )
    walk(received(bru, D(2026, 1, 5), weight_kg=Decimal("2.00")), "kept", superuser, start)

    assert flows.reemploi_rate(YEAR) == Decimal("0.4000")  # (2 + 2) / (2 + 2 + 4 + 2)
    assert flows.reemploi_rate(Period.year(2025)) is None


def test_a_weight_measured_later_corrects_entries_and_exits_alike(superuser, sites):
    bru, _bet = sites
    device = walk(received(bru, D(2026, 1, 5)), "given", superuser, at(2026, 2, 1))
    assert flows.entries_total(YEAR).estimated_kg == Decimal("2.00")

    Device.objects.filter(pk=device.pk).update(weight_kg=Decimal("1.30"))

    assert flows.entries_total(YEAR).kg == Decimal("1.30")
    assert flows.exits(YEAR).total.kg == Decimal("1.30")
    assert flows.exits(YEAR).total.estimated_kg == Decimal("0.00")

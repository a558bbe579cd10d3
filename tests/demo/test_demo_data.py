"""The demo data: one account per role, a believable stock, and safe to load twice."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.roles import Role
from demo.management.commands.load_demo_data import LENDING_STOCK
from inventory import workflow
from inventory.models import (
    Device,
    Donation,
    Donor,
    Drive,
    Erasure,
    IssuedDocument,
    Location,
    Organisation,
    Site,
    Status,
    ValuationBasis,
)
from sales.models import Price, Sale, SaleItem

pytestmark = pytest.mark.django_db

# The same hasher as the tests (conftest.py), which a module fixture runs before.
FAST_HASHER = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}
MODELS = [get_user_model(), Site, Location, Donor, Donation, Device, Drive, Erasure, Sale, Price]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Loaded once for the module (it takes seconds), inside a transaction rolled back
    at the end; each test runs in a savepoint of its own within it."""
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(**FAST_HASHER):
        call_command("load_demo_data", devices=120)
        yield
        transaction.set_rollback(True)


def test_loading_the_demo_twice_adds_nothing(demo):
    first = counts()

    call_command("load_demo_data", devices=120)

    assert counts() == first
    # --devices, plus the laptops and 4G routers prepared for the lending demo.
    assert first["Device"] == 120 + sum(count for _category, count in LENDING_STOCK)
    assert not Device.objects.exclude(serial_number__startswith="DEMO").exists()


def test_each_role_has_a_demo_account_in_its_group(demo):
    accounts = {
        "technicien": Role.TECHNICIAN,
        "coordinatrice": Role.COORDINATOR,
        "travailleur-social": Role.SOCIAL_WORKER,
    }

    for username, role in accounts.items():
        user = get_user_model().objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert not user.is_superuser
        assert user.check_password("demo")
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff


def test_demo_devices_are_spread_over_the_lifecycle_with_their_history(demo):
    statuses = set(Device.objects.values_list("status", flat=True))

    assert len(statuses) >= 6
    for device in Device.objects.exclude(status=Status.RECEIVED):
        changes = device.history.filter(history_type="~").exclude(history_user=None)
        assert changes.first().status == device.status, device
    # The history is spread over past months, never in the future.
    assert not Device.history.filter(history_date__gt=timezone.now()).exists()


def test_no_demo_device_is_ready_without_its_erasures(demo):
    past_erasure = [Status.REFURBISHING, Status.READY, Status.SOLD, Status.GIVEN]

    for device in Device.objects.filter(status__in=past_erasure):
        assert workflow.unerased_drives(device) == [], device


# -- the shop and the donor paperwork (sales/demo.py) ------------------------------------


def test_the_demo_shop_sold_at_both_sites_over_the_last_week_with_gapless_numbers(demo):
    sales = list(Sale.objects.select_related("site").order_by("sold_at"))
    today = timezone.localdate()

    assert {sale.site.code for sale in sales} == {"BRU", "BET"}
    assert all(0 <= (today - timezone.localdate(sale.sold_at)).days <= 7 for sale in sales)
    for code in ("BRU", "BET"):
        numbers = [sale.number for sale in sales if sale.site.code == code]
        year = timezone.localtime(sales[0].sold_at).year
        # Numbered in the order they were sold, from 1, without gaps.
        assert numbers == [f"{code}-{year}-{n:04d}" for n in range(1, len(numbers) + 1)]
    assert any(sale.solidarity and sale.proofs.exists() for sale in sales)
    assert not any(sale.solidarity and not sale.proofs.exists() for sale in sales)


def test_the_demo_sold_the_public_bodys_devices_as_the_law_allows(demo):
    public = SaleItem.objects.filter(device__donation__donor__kind=Donor.Kind.PUBLIC_BODY)
    assert public.exists()
    for item in public.select_related("public_body", "sale__public_body"):
        assert item.price <= item.public_body.cap
        buyer = item.sale.public_body
        assert buyer.need_checked or (buyer.buyer == "association" and item.sale.buyer_name)


def test_demo_sold_devices_are_sold_and_the_cancelled_sale_sent_its_devices_to_erasure(demo):
    active = SaleItem.objects.filter(active=True).select_related("device")
    cancelled = Sale.objects.get(status=Sale.Status.CANCELLED)

    assert active.exists()
    assert all(item.device.status == Status.SOLD for item in active)
    assert Device.objects.filter(status=Status.SOLD).count() == active.count()
    assert cancelled.credit_note.number.startswith(f"AV-{cancelled.site.code}-")
    # Refunded in cash, and back to erasure for a new cycle (R.122-4), not to the shelf.
    assert cancelled.credit_note.refund_method == "cash"
    assert all(item.device.status == Status.WIPING for item in cancelled.items.all())
    # The shop leaves ready devices to sell, and never sells the loan programme's stock.
    assert (
        Device.objects.filter(status=Status.READY)
        .exclude(serial_number__startswith="DEMOPRET")
        .exists()
    )
    assert not active.filter(device__serial_number__startswith="DEMOPRET").exists()


def test_the_demo_has_a_price_list_an_organisation_and_two_issued_attestations(demo):
    attested = IssuedDocument.objects.filter(kind=IssuedDocument.Kind.DONATION_ATTESTATION)

    assert Price.objects.count() == 15
    assert Organisation.objects.get().siret
    assert attested.count() == 2
    assert len({document.object_id for document in attested}) == 2
    valued = Donation.objects.exclude(valuation=None).get()
    assert valued.donor.kind == Donor.Kind.COMPANY
    assert valued.gift_description and valued.valued_on
    assert valued.valuation_basis == ValuationBasis.NET_BOOK_VALUE


def test_the_public_page_of_a_lent_demo_device_does_not_tell_a_social_service_follows_it(
    demo, client
):
    # MISSION: nothing behind the QR code may tell a stranger that the family is
    # followed by a social service; the demo's programme texts are what people copy.
    lent = Device.objects.filter(status=Status.LENT, held_by=workflow.LOAN)[:3]
    assert lent
    for device in lent:
        text = client.get(f"/d/{device.asset_tag}/").content.decode().lower()
        # « Prêté par <organisation> », and the organisation's address to return it.
        assert 'id="loan"' in text
        for word in ("travailleu", "social", "ccas", "mission locale", "rsa", "f-0", "programme"):
            assert word not in text, (device.asset_tag, word)


def test_the_demo_labels_queue_holds_only_the_three_latest(demo):
    # The months of history made devices ready long ago: their labels were printed then.
    from labels.models import LabelRequest

    waiting = LabelRequest.objects.filter(printed_at__isnull=True)
    assert waiting.count() == 3
    assert LabelRequest.objects.filter(printed_at__isnull=False).count() > 50


def test_ready_demo_devices_wait_on_the_shelves_of_their_category(demo):
    # The ready panel proposes where the ready devices of a category are: the demo has a habit.
    from inventory.models import Category, Device, Status

    laptops = Device.objects.filter(
        status=Status.READY, category=Category.LAPTOP, serial_number__regex=r"^DEMO[0-9]"
    )
    assert laptops.exists()
    assert set(laptops.values_list("location__code", flat=True)) <= {"BRU-A01", "BET-R01"}


def test_the_demos_recycled_devices_left_in_shipments_with_their_paperwork(demo):
    from inventory.models import RecyclingShipment
    from inventory.recycling import register

    recycled = Device.objects.filter(status=Status.RECYCLED)
    assert recycled.exists()
    assert not recycled.filter(recycling_shipment=None).exists()
    shipments = list(register.shipments())
    assert 1 <= len(shipments) <= 2
    assert RecyclingShipment.objects.filter(devices__isnull=False).distinct().count() == len(
        shipments
    )
    optional = {"Numéro du bordereau de suivi", "Éco-organisme", "SIREN de l'éco-organisme"}
    for row in register.rows(shipments):
        line = dict(zip(register.headings(), row, strict=True))
        assert all(value not in ("", None) for key, value in line.items() if key not in optional)
    assert not RecyclingShipment.objects.filter(shipped_on__gt=timezone.localdate()).exists()

"""The sale service: devices sold in one transaction, prices from the price list, the
solidarity price and its proof, discounts, receipt numbers per site and year, credit
notes, and the « reconditionné » wording rule frozen on each sold device."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.refusals import PermissionRefused
from inventory import workflow
from inventory.models import (
    Category,
    ChecklistItem,
    CheckResult,
    Device,
    Erasure,
    Grade,
    Status,
)
from lending.models import Household
from sales.models import CreditNote, PaymentMethod, Sale, SaleItem
from sales.services import SaleRefused, cancel_sale, record_sale
from sales.wording import is_refurbished
from tests.factories import DeviceFactory, DriveFactory, ErasureFactory, SiteFactory
from tests.lending_factories import HouseholdFactory
from tests.sales_factories import EligibilityProofFactory, PriceFactory, SaleFactory, ready_device

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

YEAR = timezone.localdate().year
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def site():
    return SiteFactory(code="BRU", name="Ressourcerie de Brest")


@pytest.fixture
def prices():
    return {
        (Category.LAPTOP, Grade.B): PriceFactory(),
        (Category.LAPTOP, Grade.A): PriceFactory(
            grade=Grade.A, price=Decimal("80.00"), solidarity_price=Decimal("35.00")
        ),
        (Category.DESKTOP, Grade.B): PriceFactory(
            category=Category.DESKTOP, price=Decimal("40.00"), solidarity_price=Decimal("15.00")
        ),
    }


def sell(by, site, devices, **kwargs):
    kwargs.setdefault("payment_method", PaymentMethod.CASH)
    return record_sale(by=by, site=site, devices=devices, **kwargs)


def frozen_at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def assert_nothing_sold(*devices):
    assert not Sale.objects.exists()
    assert not SaleItem.objects.exists()
    for device in devices:
        device.refresh_from_db()
        assert device.status == Status.READY
        assert not device.history.filter(status=Status.SOLD).exists()


# Selling ------------------------------------------------------------------------------


def test_a_ready_device_is_sold_with_a_numbered_receipt(technician, site, prices):
    device = ready_device(site=site)

    sale = sell(technician, site, [device])

    device.refresh_from_db()
    assert device.status == Status.SOLD
    assert sale.number == f"BRU-{YEAR}-0001"
    assert sale.seller == technician
    assert sale.site == site
    assert sale.status == Sale.Status.COMPLETED
    assert sale.total == Decimal("50.00")
    item = sale.items.get()
    assert (item.device, item.active, item.price, item.serial_number) == (
        device,
        True,
        Decimal("50.00"),
        device.serial_number,
    )


def test_the_device_history_says_who_sold_it_on_which_receipt(technician, site, prices):
    device = ready_device(site=site)

    sale = sell(technician, site, [device])

    entry = device.history.first()
    assert entry.status == Status.SOLD
    assert entry.history_user == technician
    assert entry.history_change_reason == f"Receipt {sale.number}"


def test_several_devices_are_sold_together_and_the_total_is_their_prices_less_discounts(
    technician, site, prices
):
    laptops = [ready_device(site=site) for _ in range(2)]
    desktop = ready_device(site=site, category=Category.DESKTOP)

    sale = sell(
        technician,
        site,
        [*laptops, desktop],
        discounts={laptops[1].pk: (Decimal("7.50"), "Rayure sur le capot")},
    )

    assert sale.total == Decimal("50.00") + Decimal("42.50") + Decimal("40.00")
    assert sale.items.filter(active=True).count() == 3
    for device in [*laptops, desktop]:
        device.refresh_from_db()
        assert device.status == Status.SOLD
        assert device.history.first().history_change_reason == f"Receipt {sale.number}"
    discounted = sale.items.get(device=laptops[1])
    assert (discounted.list_price, discounted.discount, discounted.price) == (
        Decimal("50.00"),
        Decimal("7.50"),
        Decimal("42.50"),
    )
    assert discounted.discount_reason == "Rayure sur le capot"


def test_a_device_listed_twice_is_sold_once(technician, site, prices):
    device = ready_device(site=site)

    sale = sell(technician, site, [device, Device.objects.get(pk=device.pk)])

    assert sale.items.count() == 1
    assert sale.total == Decimal("50.00")


def test_the_price_comes_from_the_price_list_by_category_and_grade(technician, site, prices):
    grade_a = ready_device(site=site, grade=Grade.A)
    desktop = ready_device(site=site, category=Category.DESKTOP, grade=Grade.B)

    sale = sell(technician, site, [grade_a, desktop])

    assert sale.items.get(device=grade_a).list_price == Decimal("80.00")
    assert sale.items.get(device=desktop).list_price == Decimal("40.00")
    assert {item.price_kind for item in sale.items.all()} == {SaleItem.PriceKind.NORMAL}


def test_the_price_is_read_from_the_device_as_it_is_now_not_as_the_page_showed_it(
    technician, site, prices
):
    device = ready_device(site=site)
    seen = Device.objects.get(pk=device.pk)
    Device.objects.filter(pk=device.pk).update(grade=Grade.A)

    sale = sell(technician, site, [seen])

    assert sale.items.get().list_price == Decimal("80.00")


def test_the_solidarity_price_applies_when_a_proof_was_seen(technician, site, prices):
    device = ready_device(site=site, grade=Grade.A)
    proof = EligibilityProofFactory(name="Attestation RSA")

    sale = sell(technician, site, [device], solidarity=True, proofs=[proof])

    item = sale.items.get()
    assert item.price_kind == SaleItem.PriceKind.SOLIDARITY
    assert (item.list_price, item.price, sale.total) == (Decimal("35.00"),) * 3
    assert sale.solidarity is True
    assert list(sale.proofs.all()) == [proof]


def test_the_solidarity_price_without_a_proof_is_refused_and_uses_no_number(
    technician, site, prices
):
    device = ready_device(site=site)

    with pytest.raises(SaleRefused, match="needs a proof of eligibility"):
        sell(technician, site, [device], solidarity=True, proofs=[])

    assert_nothing_sold(device)
    assert sell(technician, site, [device]).number == f"BRU-{YEAR}-0001"


def test_a_proof_no_longer_accepted_is_refused(technician, site, prices):
    device = ready_device(site=site)
    proof = EligibilityProofFactory(active=False)

    with pytest.raises(SaleRefused, match="no longer accepted"):
        sell(technician, site, [device], solidarity=True, proofs=[proof])

    assert_nothing_sold(device)


def test_proofs_are_not_recorded_without_the_solidarity_price(technician, site, prices):
    sale = sell(technician, site, [ready_device(site=site)], proofs=[EligibilityProofFactory()])

    assert not sale.proofs.exists()
    assert sale.items.get().price_kind == SaleItem.PriceKind.NORMAL


@pytest.mark.parametrize(
    ("discount", "message"),
    [
        ((Decimal("5"), ""), "say why it has a discount"),
        ((Decimal("5"), "   "), "say why it has a discount"),
        ((Decimal("-5"), "Geste commercial"), "cannot be negative"),
        ((Decimal("50.01"), "Geste commercial"), "more than its price"),
        (("cinq euros", "Geste commercial"), "not an amount in euros"),
    ],
)
def test_a_discount_that_makes_no_sense_refuses_the_sale(
    technician, site, prices, discount, message
):
    device = ready_device(site=site)
    other = ready_device(site=site)

    with pytest.raises(SaleRefused, match=message) as refusal:
        sell(technician, site, [other, device], discounts={device.pk: discount})

    assert device.asset_tag in refusal.value.message
    assert_nothing_sold(device, other)


def test_a_discount_of_the_whole_price_makes_the_device_free(technician, site, prices):
    device = ready_device(site=site)

    sale = sell(technician, site, [device], discounts={device.pk: ("50", "Don à une famille")})

    assert sale.total == Decimal("0.00")
    assert sale.items.get().price == Decimal("0.00")


def test_a_zero_discount_keeps_no_reason(technician, site, prices):
    device = ready_device(site=site)

    sale = sell(technician, site, [device], discounts={device.pk: ("0", "rien")})

    assert (sale.items.get().discount, sale.items.get().discount_reason) == (Decimal("0"), "")


@pytest.mark.parametrize("status", [Status.REFURBISHING, Status.RESERVED, Status.SOLD])
def test_a_device_that_is_not_ready_refuses_the_whole_sale_naming_it(
    technician, site, prices, status
):
    ready = ready_device(site=site)
    not_ready = DeviceFactory(site=site, status=status, refurbished=True)

    with pytest.raises(SaleRefused) as refusal:
        sell(technician, site, [ready, not_ready])

    assert not_ready.asset_tag in refusal.value.message
    assert ready.asset_tag not in refusal.value.message
    assert_nothing_sold(ready)
    not_ready.refresh_from_db()
    assert not_ready.status == status
    assert sell(technician, site, [ready]).number == f"BRU-{YEAR}-0001"


def test_a_device_sold_since_the_page_was_loaded_refuses_the_sale_naming_it(
    technician, site, prices
):
    device = ready_device(site=site)
    seen = Device.objects.get(pk=device.pk)
    first = sell(technician, site, [device])

    with pytest.raises(SaleRefused, match=f"{device.asset_tag} is no longer available"):
        sell(technician, site, [seen])

    assert SaleItem.objects.get(device=device, active=True).sale == first
    assert Sale.objects.count() == 1


def test_a_device_without_a_price_refuses_the_whole_sale_naming_it(technician, site, prices):
    priced = ready_device(site=site)
    tablet = ready_device(site=site, category=Category.TABLET)

    with pytest.raises(SaleRefused, match="no price for a tablet of grade B") as refusal:
        sell(technician, site, [priced, tablet])

    assert tablet.asset_tag in refusal.value.message
    assert_nothing_sold(priced, tablet)
    assert sell(technician, site, [priced]).number == f"BRU-{YEAR}-0001"


def test_a_sale_needs_a_device(technician, site):
    with pytest.raises(SaleRefused, match="at least one device"):
        sell(technician, site, [])

    assert not Sale.objects.exists()


def test_a_sale_needs_a_payment_method(technician, site, prices):
    device = ready_device(site=site)

    with pytest.raises(SaleRefused, match="how the buyer pays"):
        sell(technician, site, [device], payment_method="bitcoin")

    assert_nothing_sold(device)


def test_a_too_long_postcode_is_refused(technician, site, prices):
    device = ready_device(site=site)

    with pytest.raises(SaleRefused, match="too long"):
        sell(technician, site, [device], buyer_postcode="29200 Brest Cedex")

    assert_nothing_sold(device)


def test_a_buyer_may_leave_a_name_and_a_postcode(technician, site, prices):
    sale = sell(
        technician,
        site,
        [ready_device(site=site)],
        buyer_name=" Jo Le Gall ",
        buyer_postcode="29200",
    )

    assert (sale.buyer_name, sale.buyer_postcode, sale.household) == ("Jo Le Gall", "29200", None)


def test_a_household_buyer_is_only_linked_never_copied_onto_the_sale(technician, site, prices):
    household = HouseholdFactory()

    sale = sell(
        technician,
        site,
        [ready_device(site=site)],
        household=household,
        buyer_name="Ysaline Dumortier",
        buyer_postcode="62460",
    )

    assert Household.objects.get(pk=sale.household_id) == household
    assert (sale.buyer_name, sale.buyer_postcode) == ("", "")


def test_a_social_worker_cannot_sell(social_worker, site, prices):
    device = ready_device(site=site)

    with pytest.raises(PermissionRefused, match="Your role may not"):
        sell(social_worker, site, [device])

    assert_nothing_sold(device)


def test_a_coordinator_sells_too(coordinator, site, prices):
    assert sell(coordinator, site, [ready_device(site=site)]).seller == coordinator


def test_the_sale_has_its_own_history(technician, site, prices):
    sale = sell(technician, site, [ready_device(site=site)])

    assert sale.history.get().history_user == technician


# Numbering ----------------------------------------------------------------------------


def test_receipts_are_numbered_one_after_the_other(technician, site, prices):
    numbers = [sell(technician, site, [ready_device(site=site)]).number for _ in range(3)]

    assert numbers == [f"BRU-{YEAR}-0001", f"BRU-{YEAR}-0002", f"BRU-{YEAR}-0003"]


def test_each_site_numbers_its_own_receipts(technician, site, prices):
    other = SiteFactory(code="QPR")

    numbers = [
        sell(technician, site, [ready_device(site=site)]).number,
        sell(technician, other, [ready_device(site=other)]).number,
        sell(technician, site, [ready_device(site=site)]).number,
        sell(technician, other, [ready_device(site=other)]).number,
    ]

    assert numbers == [
        f"BRU-{YEAR}-0001",
        f"QPR-{YEAR}-0001",
        f"BRU-{YEAR}-0002",
        f"QPR-{YEAR}-0002",
    ]


def test_a_new_year_starts_again_at_0001(technician, site, prices, monkeypatch):
    frozen_at(monkeypatch, datetime.datetime(2026, 12, 31, 18, 0, tzinfo=PARIS))
    december = [sell(technician, site, [ready_device(site=site)]).number for _ in range(2)]
    frozen_at(monkeypatch, datetime.datetime(2027, 1, 2, 10, 0, tzinfo=PARIS))
    january = sell(technician, site, [ready_device(site=site)])

    assert december == ["BRU-2026-0001", "BRU-2026-0002"]
    assert january.number == "BRU-2027-0001"
    assert january.sold_at == datetime.datetime(2027, 1, 2, 10, 0, tzinfo=PARIS)


def test_the_year_is_the_shops_local_year(technician, site, prices, monkeypatch):
    # 23:30 UTC on 31 December is already 00:30 on 1 January in Brest.
    frozen_at(monkeypatch, datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC))

    assert sell(technician, site, [ready_device(site=site)]).number == "BRU-2027-0001"


# Cancelling ---------------------------------------------------------------------------


@pytest.fixture
def sale(technician, site, prices):
    return SaleFactory(
        by=technician, site=site, devices=[ready_device(site=site) for _ in range(2)]
    )


def test_cancelling_a_sale_issues_a_numbered_credit_note(sale, coordinator):
    note = cancel_sale(
        sale=sale,
        refund_method=sale.payment_method,
        by=coordinator,
        reason="Écran défectueux, remboursé",
    )

    assert note.number == f"AV-BRU-{YEAR}-0001"
    assert (note.sale, note.issued_by, note.total) == (sale, coordinator, Decimal("100.00"))
    assert note.reason == "Écran défectueux, remboursé"
    sale.refresh_from_db()
    assert sale.status == Sale.Status.CANCELLED
    assert sale.history.first().history_change_reason == "Écran défectueux, remboursé"
    assert sale.history.first().history_user == coordinator


def test_cancelling_a_sale_sends_its_devices_back_to_erasure_for_a_new_cycle(sale, coordinator):
    note = cancel_sale(
        sale=sale, refund_method=sale.payment_method, by=coordinator, reason="Erreur de caisse"
    )

    assert not sale.items.filter(active=True).exists()
    for item in sale.items.all():
        device = fresh(item.device)
        assert device.status == Status.WIPING
        assert device.cycle_started_at >= note.issued_at
        assert (device.held_by, device.held_ref) == ("", "")
        # The erasure and the tests of the previous cycle no longer count.
        assert not is_refurbished(device)
        entry = device.history.first()
        assert entry.history_user == coordinator
        assert entry.history_change_reason == (
            f"Credit note {note.number}: Erreur de caisse. Back to erasure for a new cycle."
        )


def test_a_cancelled_sales_devices_cannot_be_sold_before_a_new_cycle(
    sale, coordinator, technician, site
):
    cancel_sale(
        sale=sale, refund_method=sale.payment_method, by=coordinator, reason="Erreur de caisse"
    )
    devices = [fresh(item.device) for item in sale.items.all()]

    with pytest.raises(SaleRefused, match="is no longer available"):
        sell(technician, site, devices)


def test_a_taken_back_device_is_refurbished_again_after_a_new_erasure_and_all_its_tests(
    sale, coordinator, technician, site
):
    cancel_sale(
        sale=sale, refund_method=sale.payment_method, by=coordinator, reason="Erreur de caisse"
    )
    device = fresh(sale.items.first().device)
    # The workshop's new cycle: every drive erased again, every test passed again.
    for drive in device.drives.all():
        ErasureFactory(drive=drive)
    for item in workflow.checklist_for(device):
        CheckResult.objects.update_or_create(
            device=device,
            item=item,
            defaults={
                "outcome": CheckResult.Outcome.PASS,
                "checked_by": technician,
                "checked_at": timezone.now(),
            },
        )

    assert is_refurbished(fresh(device))


def fresh(device):
    return Device.objects.prefetch_related("drives__erasures", "check_results").get(pk=device.pk)


def test_the_credit_note_records_how_the_buyer_was_refunded(technician, site, prices, coordinator):
    # Paid by card, refunded in cash: the cash comes out of the drawer, not the card.
    sale = SaleFactory(
        by=technician, site=site, devices=[ready_device(site=site)], payment_method="card"
    )

    cancel_sale(sale=sale, refund_method=PaymentMethod.CASH, by=coordinator, reason="Retour")

    assert CreditNote.objects.get().refund_method == PaymentMethod.CASH


@pytest.mark.parametrize("method", ["", None, "bitcoin"])
def test_a_credit_note_needs_a_refund_method(sale, coordinator, method):
    with pytest.raises(SaleRefused, match="how the buyer was refunded"):
        cancel_sale(sale=sale, refund_method=method, by=coordinator, reason="Retour")

    assert_still_sold(sale)


def test_credit_notes_are_numbered_apart_from_receipts(sale, coordinator, technician, site):
    second = SaleFactory(by=technician, site=site)

    notes = [
        cancel_sale(sale=s, refund_method=s.payment_method, by=coordinator, reason="Retour").number
        for s in (second, sale)
    ]

    assert notes == [f"AV-BRU-{YEAR}-0001", f"AV-BRU-{YEAR}-0002"]
    assert second.number == f"BRU-{YEAR}-0002"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_credit_note_needs_a_reason(sale, coordinator, reason):
    with pytest.raises(SaleRefused, match="Say why"):
        cancel_sale(sale=sale, refund_method=sale.payment_method, by=coordinator, reason=reason)

    assert_still_sold(sale)


def test_a_sale_cannot_be_cancelled_twice(sale, coordinator):
    first = cancel_sale(
        sale=sale, refund_method=sale.payment_method, by=coordinator, reason="Retour"
    )
    stale = Sale.objects.get(pk=sale.pk)
    stale.status = Sale.Status.COMPLETED

    with pytest.raises(SaleRefused, match="already cancelled"):
        cancel_sale(
            sale=stale, refund_method=stale.payment_method, by=coordinator, reason="Retour encore"
        )

    assert list(CreditNote.objects.all()) == [first]
    assert sale.history.count() == 2
    for item in sale.items.all():
        assert item.device.history.filter(status=Status.WIPING).count() == 1


def test_a_technician_cannot_cancel_a_sale(sale, technician):
    with pytest.raises(PermissionRefused, match="Your role may not"):
        cancel_sale(sale=sale, refund_method=sale.payment_method, by=technician, reason="Retour")

    assert_still_sold(sale)


def assert_still_sold(sale):
    sale.refresh_from_db()
    assert sale.status == Sale.Status.COMPLETED
    assert not CreditNote.objects.exists()
    assert sale.items.filter(active=True).count() == 2
    for item in sale.items.all():
        item.device.refresh_from_db()
        assert item.device.status == Status.SOLD


# The « reconditionné » wording rule --------------------------------------------------


def sold_item(by, device):
    PriceFactory(category=device.category, grade=device.grade or Grade.B)
    return sell(by, device.site, [device]).items.get()


def test_a_device_tested_and_erased_is_sold_as_refurbished(technician):
    assert sold_item(technician, ready_device()).refurbished is True


def test_a_device_with_a_mandatory_test_not_passed_is_sold_as_second_hand(technician):
    device = ready_device()
    CheckResult.objects.filter(device=device, item__mandatory=True).first().delete()

    assert sold_item(technician, device).refurbished is False


def test_a_device_with_a_failed_mandatory_test_is_sold_as_second_hand(technician):
    device = ready_device()
    CheckResult.objects.filter(device=device, item__mandatory=True).update(outcome="fail")

    assert sold_item(technician, device).refurbished is False


def test_a_device_with_an_optional_test_not_passed_is_sold_as_second_hand(technician):
    # R.122-4 1°: tests of *all* its functions, the optional ones (webcam, sound) too.
    device = ready_device()
    ChecklistItem.objects.create(
        category=Category.LAPTOP, label="Lecteur d’empreintes (optionnel)", mandatory=False
    )

    assert sold_item(technician, device).refurbished is False


def test_a_device_whose_category_has_no_checklist_is_sold_as_second_hand(technician):
    ChecklistItem.objects.filter(category=Category.SCREEN).delete()
    screen = ready_device(category=Category.SCREEN)

    assert sold_item(technician, screen).refurbished is False


def test_a_screen_with_its_mandatory_tests_passed_is_refurbished_without_any_drive(technician):
    screen = ready_device(category=Category.SCREEN)

    assert sold_item(technician, screen).refurbished is True


def test_a_device_with_a_drive_not_erased_is_sold_as_second_hand(technician):
    device = ready_device()
    DriveFactory(device=device)

    assert sold_item(technician, device).refurbished is False


def test_a_computer_with_no_drive_recorded_is_sold_as_second_hand(technician):
    device = ready_device()
    device.drives.all().delete()

    assert sold_item(technician, device).refurbished is False


def erased_before_the_cycle_began(device):
    """The device came back from a household after its erasure; its tests are of now."""
    now = timezone.now()
    Erasure.objects.filter(drive__device=device).update(performed_at=now - datetime.timedelta(2))
    Device.objects.filter(pk=device.pk).update(cycle_started_at=now - datetime.timedelta(1))
    device.refresh_from_db()
    return device


def test_an_erasure_of_a_previous_cycle_does_not_make_it_refurbished(technician):
    device = erased_before_the_cycle_began(ready_device())

    assert sold_item(technician, device).refurbished is False


def test_an_erasure_of_the_current_cycle_makes_it_refurbished_again(technician):
    device = erased_before_the_cycle_began(ready_device())
    ErasureFactory(drive=device.drives.get())

    assert sold_item(technician, device).refurbished is True


def test_the_wording_is_frozen_at_the_sale(technician):
    device = ready_device()
    item = sold_item(technician, device)

    CheckResult.objects.filter(device=device).delete()
    DriveFactory(device=device)

    item.refresh_from_db()
    assert item.refurbished is True

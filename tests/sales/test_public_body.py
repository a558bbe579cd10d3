"""Devices given by a public body (CG3P art. L3212-2 3°, loi 3DS art. 178): sold only to a
person in precarity whose proof of need was seen, or to a named association working
for such people, at no more than the décret of 7 November 2022's cap for the category;
checked per line, refused with a sentence naming the device, its category, the cap and
its source; the receipt prints the legal basis on the line.

Sentences are asserted in their English source (the French catalogue comes later).
"""

from decimal import Decimal

import pytest

from inventory.models import Category, Donor, Grade
from sales import public_body_caps
from sales.models import PaymentMethod, Price, PublicBodyLine, PublicBodySale, Sale, SaleItem
from sales.receipts import receipt_pdf
from sales.services import SaleRefused, record_sale
from tests.factories import DonationFactory, SiteFactory
from tests.lending_factories import HouseholdFactory
from tests.sales.test_receipts import pdf_text
from tests.sales.test_sale_pages import check_then_record, counter, errors_of
from tests.sales_factories import EligibilityProofFactory, ready_device

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PERSON, ASSOCIATION = "person", "association"


@pytest.fixture
def site():
    return SiteFactory(code="BRU", name="Bruay")


@pytest.fixture
def lycee(site):
    return DonationFactory(
        site=site, donor__name="Lycée Carnot", donor__kind=Donor.Kind.PUBLIC_BODY
    )


@pytest.fixture
def company(site):
    return DonationFactory(site=site, donor__name="Banque du Nord", donor__kind=Donor.Kind.COMPANY)


def price(category, amount, solidarity=None, grade=Grade.B):
    Price.objects.update_or_create(
        category=category,
        grade=grade,
        defaults={"price": Decimal(amount), "solidarity_price": Decimal(solidarity or amount)},
    )


@pytest.fixture(autouse=True)
def prices(db):
    price(Category.LAPTOP, "150.00", "90.00")
    price(Category.TABLET, "120.00", "80.00")


def device(site, donation, category=Category.LAPTOP, **fields):
    return ready_device(site=site, donation=donation, category=category, grade=Grade.B, **fields)


def sell(technician, site, devices, **fields):
    fields.setdefault("payment_method", PaymentMethod.CASH)
    return record_sale(by=technician, site=site, devices=devices, **fields)


def refusal(technician, site, devices, **fields):
    with pytest.raises(SaleRefused) as refused:
        sell(technician, site, devices, **fields)
    assert not Sale.objects.exists()
    assert not SaleItem.objects.exists()
    assert not PublicBodySale.objects.exists()
    return refused.value.message


# The caps -----------------------------------------------------------------------------------


def test_the_caps_are_the_decrees_with_their_source():
    caps = {cap.key: cap.amount for cap in public_body_caps.CAPS}

    assert caps == {
        "laptop": Decimal("180"),
        "desktop": Decimal("150"),
        "tablet": Decimal("100"),
        "smartphone": Decimal("100"),
        "screen": Decimal("30"),
        "printer": Decimal("30"),
        "multifunction": Decimal("170"),
    }
    assert all(cap.source == "décret du 7 novembre 2022" for cap in public_body_caps.CAPS)
    assert public_body_caps.cap_for(Category.ROUTER_4G) is None


# The buyer ----------------------------------------------------------------------------------


def test_a_public_bodys_device_sold_to_anyone_is_refused_naming_it(technician, site, lycee):
    laptop = device(site, lycee)

    message = refusal(technician, site, [laptop], buyer_name="Association X")

    assert laptop.asset_tag in message
    assert "person in precarity whose proof of need you saw" in message
    assert "art. L3212-2 du CG3P" in message


def test_a_person_is_refused_unless_a_proof_of_need_was_seen(technician, site, lycee):
    laptop = device(site, lycee)

    message = refusal(technician, site, [laptop], public_body_buyer=PERSON)

    assert laptop.asset_tag in message
    assert "Tick that you saw one (which one is not recorded)" in message


def test_an_association_must_be_named(technician, site, lycee):
    laptop = device(site, lycee)

    message = refusal(technician, site, [laptop], public_body_buyer=ASSOCIATION)
    assert "name the association" in message

    household = HouseholdFactory()
    message = refusal(
        technician, site, [laptop], public_body_buyer=ASSOCIATION, household=household
    )
    assert "name the association" in message


def test_a_person_whose_need_was_seen_buys_and_only_that_it_was_seen_is_kept(
    technician, site, lycee
):
    laptop = device(site, lycee)

    sale = sell(technician, site, [laptop], public_body_buyer=PERSON, need_checked=True)

    assert sale.public_body.buyer == PERSON
    assert sale.public_body.need_checked is True
    # Nothing says which document: the model has no field for it.
    assert {f.name for f in PublicBodySale._meta.get_fields()} == {
        "id",
        "sale",
        "buyer",
        "need_checked",
    }
    line = PublicBodyLine.objects.get(item__device=laptop)
    assert (line.cap, line.source) == (Decimal("180.00"), "décret du 7 novembre 2022")


def test_a_named_association_buys(technician, site, lycee):
    sale = sell(
        technician,
        site,
        [device(site, lycee)],
        public_body_buyer=ASSOCIATION,
        buyer_name="Secours solidaire de Bruay",
    )

    assert sale.public_body.buyer == ASSOCIATION
    assert sale.public_body.need_checked is False


def test_other_donors_devices_need_no_such_buyer(technician, site, company):
    sale = sell(technician, site, [device(site, company)])

    assert not PublicBodySale.objects.filter(sale=sale).exists()
    assert not PublicBodyLine.objects.exists()


# The cap ------------------------------------------------------------------------------------


def test_a_price_above_the_cap_is_refused_naming_device_category_cap_and_source(
    technician, site, lycee
):
    price(Category.LAPTOP, "200.00", "190.00")
    laptop = device(site, lycee)

    message = refusal(technician, site, [laptop], public_body_buyer=PERSON, need_checked=True)

    assert message == (
        f"{laptop.asset_tag} (laptop) comes from a public body's donation: it may not be "
        "sold above 180.00 €, the maximum price for a laptop (art. L3212-2 du CG3P, "
        "décret du 7 novembre 2022). Its price is 200.00 €: give a discount of at least "
        "20.00 €."
    )


def test_a_discount_that_brings_the_price_to_the_cap_is_accepted(technician, site, lycee):
    price(Category.LAPTOP, "200.00", "190.00")
    laptop = device(site, lycee)

    sale = sell(
        technician,
        site,
        [laptop],
        public_body_buyer=PERSON,
        need_checked=True,
        discounts={laptop.pk: ("20", "Plafond légal du don public")},
    )

    assert sale.total == Decimal("180.00")


def test_the_cap_is_the_price_paid_at_the_solidarity_price_too(technician, site, lycee):
    price(Category.TABLET, "150.00", "101.00")
    tablet = device(site, lycee, category=Category.TABLET)

    message = refusal(
        technician,
        site,
        [tablet],
        solidarity=True,
        proofs=[EligibilityProofFactory()],
        public_body_buyer=PERSON,
        need_checked=True,
    )
    assert "the maximum price for a tablet" in message
    assert "100.00 €" in message and "101.00 €" in message


def test_a_category_the_decree_does_not_cap_cannot_be_sold(technician, site, lycee):
    price(Category.ROUTER_4G, "20.00")
    router = device(site, lycee, category=Category.ROUTER_4G)

    message = refusal(technician, site, [router], public_body_buyer=PERSON, need_checked=True)

    assert message == (
        f"{router.asset_tag} (4g router) comes from a public body's donation: no décret "
        "sets a maximum price for a 4g router (art. L3212-2 du CG3P), so it cannot be "
        "sold, only given."
    )


def test_a_mixed_sale_is_checked_per_line(technician, site, lycee, company):
    price(Category.LAPTOP, "250.00", "200.00")
    public_laptop = device(site, lycee)
    company_laptop = device(site, company)
    public_tablet = device(site, lycee, category=Category.TABLET)

    message = refusal(
        technician,
        site,
        [company_laptop, public_laptop, public_tablet],
        public_body_buyer=PERSON,
        need_checked=True,
    )

    # The public laptop is over its cap; the company's, at the same price, is not
    # concerned, and the public tablet (120 €) is over its own.
    assert public_laptop.asset_tag in message
    assert company_laptop.asset_tag not in message
    assert f"{public_tablet.asset_tag} (tablet)" in message

    sale = sell(
        technician,
        site,
        [company_laptop, public_laptop, public_tablet],
        public_body_buyer=PERSON,
        need_checked=True,
        discounts={
            public_laptop.pk: ("70", "Plafond légal"),
            public_tablet.pk: ("20", "Plafond légal"),
        },
    )

    assert sale.total == Decimal("250.00") + Decimal("180.00") + Decimal("100.00")
    capped = PublicBodyLine.objects.values_list("item__device", "cap")
    assert set(capped) == {
        (public_laptop.pk, Decimal("180.00")),
        (public_tablet.pk, Decimal("100.00")),
    }


# The receipt --------------------------------------------------------------------------------

MENTION = (
    "Equipment from a public body's donation — solidarity sale, art. L3212-2 du CG3P; "
    "price capped at {cap} (décret du 7 novembre 2022)."
)


def test_the_receipt_prints_the_legal_basis_on_the_public_bodys_line_only(
    technician, site, lycee, company
):
    public_laptop = device(site, lycee, serial_number="LYC-001")
    company_laptop = device(site, company, serial_number="BNK-001")
    sale = sell(
        technician,
        site,
        [public_laptop, company_laptop],
        public_body_buyer=PERSON,
        need_checked=True,
    )

    text = pdf_text(receipt_pdf(sale))

    assert text.count("Equipment from a public body's donation") == 1
    assert MENTION.format(cap="180.00 €") in text
    # The mention sits on the public body's line, before the company laptop's.
    assert (
        text.index("LYC-001") < text.index(MENTION.format(cap="180.00 €")) < text.index("BNK-001")
    )


def test_a_reprint_keeps_the_cap_of_the_day(technician, site, lycee, monkeypatch):
    sale = sell(
        technician, site, [device(site, lycee)], public_body_buyer=PERSON, need_checked=True
    )
    changed = public_body_caps.Cap(
        "laptop", "Laptop", Decimal("170.00"), Category.LAPTOP, source="décret futur"
    )
    monkeypatch.setitem(public_body_caps.BY_CATEGORY, Category.LAPTOP, changed)

    assert MENTION.format(cap="180.00 €") in pdf_text(receipt_pdf(sale))


# The counter --------------------------------------------------------------------------------


def test_the_counter_says_what_is_wrong_before_recording(technician_client, site, lycee):
    price(Category.LAPTOP, "200.00", "190.00")
    laptop = device(site, lycee)

    checked = counter(technician_client, site, laptop.asset_tag)

    problems = " ".join(checked.context["check"].problems)
    assert "it may not be sold above 180.00 €" in problems
    assert "Say who buys." in problems
    assert not checked.context["may_record"]
    assert "Public donation" in checked.content.decode()


def test_the_counter_records_a_sale_to_a_person_whose_need_was_seen(technician_client, site, lycee):
    laptop = device(site, lycee)

    response = check_then_record(
        technician_client,
        site,
        laptop.asset_tag,
        public_body_buyer=PERSON,
        need_checked="on",
    )

    assert response.status_code == 302, errors_of(response)
    sale = Sale.objects.get()
    assert sale.public_body.need_checked is True
    assert sale.items.get().public_body.cap == Decimal("180.00")


def test_the_sale_page_shows_the_buyer_kind_and_the_cap_of_each_line(
    technician, technician_client, site, lycee, company
):
    sale = sell(
        technician,
        site,
        [device(site, lycee), device(site, company)],
        public_body_buyer=ASSOCIATION,
        buyer_name="Secours solidaire de Bruay",
    )

    page = technician_client.get(sale.get_absolute_url()).content.decode()

    assert "An association working for people in precarity" in page
    assert page.count("Public donation, capped at 180.00 € (décret du 7 novembre 2022)") == 1

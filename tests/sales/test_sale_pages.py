"""The counter and the sale pages: check then record, each refusal writing nothing, a
device sold between the check and the record, the receipt and the credit note, who may
see and do what, the sales list's queries, filters and export, the device page's links."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import Device, Grade, Status
from inventory.services import format_asset_tag
from sales import services
from sales.models import CreditNote, EligibilityProof, PaymentMethod, Sale, SaleItem
from tests.factories import DeviceFactory, SiteFactory, UserFactory
from tests.lending_factories import EnrolmentFactory, HouseholdFactory, ProgrammeFactory
from tests.sales_factories import EligibilityProofFactory, PriceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def site():
    return SiteFactory(code="BRU", name="Bruay")


@pytest.fixture(autouse=True)
def price(db):
    # Laptops of grade B: 50 €, 20 € at the solidarity price.
    return PriceFactory()


@pytest.fixture
def proof():
    return EligibilityProofFactory(name="RSA (test)")


def ready(site, **fields):
    fields.setdefault("grade", Grade.B)
    return DeviceFactory(status=Status.READY, site=site, **fields)


def counter(client, site, tags, step="check", checked="", **fields):
    """A POST of the counter: "check" shows the lines, "record" records them."""
    data = {"site": site.pk, "tags": tags, "payment_method": PaymentMethod.CASH, **fields}
    data[step] = "1"
    if checked:
        data["checked"] = checked
    return client.post("/sales/new/", data)


def check_then_record(client, site, tags, **fields):
    checked = counter(client, site, tags, **fields)
    assert checked.status_code == 200
    signature = checked.context["check"].signature
    return counter(client, site, tags, step="record", checked=signature, **fields)


def errors_of(response):
    return " ".join(response.context["form"].non_field_errors())


def nothing_sold(*devices):
    assert not Sale.objects.exists()
    assert not SaleItem.objects.exists()
    for device in devices:
        device.refresh_from_db()
        assert device.status == Status.READY


def sale_of(technician, site, devices, **fields):
    fields.setdefault("payment_method", PaymentMethod.CASH)
    return services.record_sale(by=technician, site=site, devices=devices, **fields)


# The counter -----------------------------------------------------------------------------


def test_checking_shows_each_price_and_the_total_and_writes_nothing(technician_client, site):
    first, second = ready(site), ready(site)

    response = counter(technician_client, site, f"{first.asset_tag}\n{second.asset_tag}\n")

    check = response.context["check"]
    assert [line.device for line in check.lines] == [first, second]
    assert [line.price for line in check.lines] == [Decimal("50.00"), Decimal("50.00")]
    assert check.total == Decimal("100.00")
    assert response.context["may_record"]
    assert b'name="record"' in response.content
    nothing_sold(first, second)


def test_a_sale_is_checked_then_recorded_and_its_receipt_prints(
    technician_client, technician, site
):
    first, second = ready(site), ready(site)

    response = check_then_record(technician_client, site, f"{first.asset_tag} {second.asset_tag}")

    sale = Sale.objects.get()
    assert response.status_code == 302
    assert response.url == f"/sales/{sale.pk}/"
    assert sale.number == f"BRU-{timezone.localdate().year}-0001"
    assert sale.seller == technician
    assert sale.total == Decimal("100.00")
    assert sorted(sale.items.values_list("device", flat=True)) == sorted([first.pk, second.pk])
    assert set(Device.objects.values_list("status", flat=True)) == {Status.SOLD}
    page = technician_client.get(response.url)
    assert sale.number in page.content.decode()
    receipt = technician_client.get(f"/sales/{sale.pk}/receipt.pdf")
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "application/pdf"
    assert receipt["Content-Disposition"].startswith("inline")
    assert receipt.content.startswith(b"%PDF")


def test_a_scanned_qr_code_address_or_a_bare_number_names_the_device(technician_client, site):
    device = DeviceFactory(
        asset_tag=format_asset_tag(424242), status=Status.READY, site=site, grade=Grade.B
    )

    by_url = counter(technician_client, site, f"https://reemploi.example/d/{device.asset_tag}/")
    by_number = counter(technician_client, site, "424242")

    assert [line.device for line in by_url.context["check"].lines] == [device]
    assert [line.device for line in by_number.context["check"].lines] == [device]


def test_a_ticked_ready_device_is_sold_like_a_scanned_one(technician_client, site):
    device = ready(site)
    data = {"devices": [device.pk]}

    checked = counter(technician_client, site, "", **data)
    counter(technician_client, site, "", "record", checked.context["check"].signature, **data)

    device.refresh_from_db()
    assert device.status == Status.SOLD


def test_the_counter_lists_the_ready_devices_of_the_site_with_their_prices(technician_client, site):
    shown = ready(site, model="Latitude 5490")
    elsewhere = ready(SiteFactory())
    DeviceFactory(status=Status.REFURBISHING, site=site)

    response = technician_client.get(f"/sales/new/?site={site.pk}")

    boxes = [box.data["value"].instance for box in response.context["form"]["devices"]]
    assert boxes == [shown]
    assert elsewhere not in boxes
    assert "50.00 €" in response.content.decode()


def test_the_device_page_link_fills_the_tags_and_focuses_the_field(technician_client, site):
    device = ready(site)

    response = technician_client.get(f"/sales/new/?tags={device.asset_tag}")

    html = response.content.decode()
    assert response.context["form"]["tags"].value() == device.asset_tag
    assert 'name="tags"' in html and "autofocus" in html


def test_an_unknown_tag_is_refused_on_the_field(technician_client, site):
    response = counter(technician_client, site, "RE-999999")

    assert response.context["form"].errors["tags"] == ["No device has the asset tag RE-999999."]
    assert not Sale.objects.exists()


def test_a_device_not_ready_is_refused_with_the_service_message_and_nothing_written(
    technician_client, site
):
    good = ready(site)
    busy = DeviceFactory(status=Status.REFURBISHING, site=site, grade=Grade.B)

    response = check_then_record(technician_client, site, f"{good.asset_tag} {busy.asset_tag}")

    assert response.status_code == 200
    assert not response.context["may_record"]
    assert busy.asset_tag in errors_of(response)
    nothing_sold(good)
    busy.refresh_from_db()
    assert busy.status == Status.REFURBISHING


def test_a_device_without_a_price_is_refused_with_the_service_message(technician_client, site):
    device = ready(site, grade=Grade.C)

    checked = counter(technician_client, site, device.asset_tag)
    response = check_then_record(technician_client, site, device.asset_tag)

    message = f"{device.asset_tag}: the price list has no price for a laptop of grade C."
    assert checked.context["check"].problems == [message]
    assert not checked.context["may_record"]
    assert errors_of(response) == message
    nothing_sold(device)


def test_the_solidarity_price_without_a_proof_is_refused(technician_client, site, proof):
    device = ready(site)

    response = check_then_record(technician_client, site, device.asset_tag, solidarity="on")

    assert errors_of(response) == (
        "The solidarity price needs a proof of eligibility: tick the one you saw."
    )
    nothing_sold(device)


def test_the_solidarity_price_with_a_proof_seen_is_recorded(technician_client, site, proof):
    device = ready(site)

    check_then_record(technician_client, site, device.asset_tag, solidarity="on", proofs=[proof.pk])

    sale = Sale.objects.get()
    assert sale.solidarity
    assert list(sale.proofs.all()) == [proof]
    assert sale.total == Decimal("20.00")
    assert sale.items.get().price_kind == SaleItem.PriceKind.SOLIDARITY


def test_a_deactivated_proof_is_not_offered_at_the_counter(technician_client, proof):
    EligibilityProof.objects.filter(pk=proof.pk).update(active=False)

    response = technician_client.get("/sales/new/")

    assert proof not in response.context["form"].fields["proofs"].queryset


def test_a_discount_with_its_reason_lowers_the_line(technician_client, site):
    device = ready(site)
    discount = {f"discount_{device.pk}": "15", f"reason_{device.pk}": "Rayure sur le capot"}

    check_then_record(technician_client, site, device.asset_tag, **discount)

    item = SaleItem.objects.get()
    assert (item.discount, item.discount_reason, item.price) == (
        Decimal("15.00"),
        "Rayure sur le capot",
        Decimal("35.00"),
    )


def test_a_discount_without_a_reason_is_refused(technician_client, site):
    device = ready(site)

    response = check_then_record(
        technician_client, site, device.asset_tag, **{f"discount_{device.pk}": "15"}
    )

    assert errors_of(response) == f"{device.asset_tag}: say why it has a discount."
    nothing_sold(device)


def test_a_device_sold_between_the_check_and_the_record_refuses_the_whole_sale(
    technician_client, coordinator, site
):
    first, second = ready(site), ready(site)
    tags = f"{first.asset_tag} {second.asset_tag}"
    checked = counter(technician_client, site, tags)
    other = sale_of(coordinator, site, [Device.objects.get(pk=second.pk)])

    response = counter(technician_client, site, tags, "record", checked.context["check"].signature)

    assert response.status_code == 200
    assert second.asset_tag in errors_of(response)
    assert list(Sale.objects.all()) == [other]
    first.refresh_from_db()
    assert first.status == Status.READY
    assert not first.sale_items.exists()


def test_lines_changed_after_the_check_are_shown_again_not_recorded(technician_client, site):
    first, second = ready(site), ready(site)
    checked = counter(technician_client, site, first.asset_tag)

    response = counter(
        technician_client,
        site,
        f"{first.asset_tag} {second.asset_tag}",
        "record",
        checked.context["check"].signature,
    )

    assert "The lines changed since you checked them" in errors_of(response)
    assert response.context["check"].total == Decimal("100.00")
    nothing_sold(first, second)


def test_a_coordinator_sells_to_a_household_of_their_programme(
    coordinator, coordinator_client, site
):
    household = HouseholdFactory()
    EnrolmentFactory(household=household, programme=ProgrammeFactory(coordinators=[coordinator]))
    device = ready(site)

    check_then_record(coordinator_client, site, device.asset_tag, household=household.code)

    assert Sale.objects.get().household == household


def test_a_household_the_seller_does_not_follow_is_unknown(coordinator_client, site):
    household = HouseholdFactory()
    device = ready(site)

    response = counter(coordinator_client, site, device.asset_tag, household=household.code)

    assert response.context["form"].errors["household"] == [
        f"No household you follow has the code {household.code}."
    ]
    nothing_sold(device)


def test_a_technician_is_not_offered_the_household_field(technician_client, site):
    response = technician_client.get("/sales/new/")

    assert "household" not in response.context["form"].fields
    assert 'name="household"' not in response.content.decode()


def test_a_name_and_a_postcode_are_enough_for_a_buyer(technician_client, site):
    device = ready(site)

    check_then_record(
        technician_client, site, device.asset_tag, buyer_name="M. Kowalski", buyer_postcode="62700"
    )

    sale = Sale.objects.get()
    assert (sale.buyer_name, sale.buyer_postcode, sale.household) == ("M. Kowalski", "62700", None)


# A sale and its cancellation --------------------------------------------------------------


def test_a_coordinator_cancels_a_sale_with_a_credit_note(coordinator_client, technician, site):
    device = ready(site)
    sale = sale_of(technician, site, [device])

    response = coordinator_client.post(
        f"/sales/{sale.pk}/cancel/",
        {"reason": "Écran défectueux au déballage", "refund_method": "cash"},
    )

    sale.refresh_from_db()
    device.refresh_from_db()
    note = CreditNote.objects.get()
    assert response.url == f"/sales/{sale.pk}/"
    assert sale.status == Sale.Status.CANCELLED
    assert note.refund_method == "cash"
    assert device.status == Status.WIPING
    page = coordinator_client.get(response.url).content.decode()
    assert note.number in page
    assert f"/sales/credit-notes/{note.pk}.pdf" in page
    pdf = coordinator_client.get(f"/sales/credit-notes/{note.pk}.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


def test_a_cancellation_without_a_reason_changes_nothing(coordinator_client, technician, site):
    sale = sale_of(technician, site, [ready(site)])

    response = coordinator_client.post(
        f"/sales/{sale.pk}/cancel/", {"reason": "  ", "refund_method": "cash"}, follow=True
    )

    sale.refresh_from_db()
    assert sale.status == Sale.Status.COMPLETED
    assert not CreditNote.objects.exists()
    assert "Say why the sale is cancelled" in response.content.decode()


def test_a_cancellation_without_the_refund_method_changes_nothing(
    coordinator_client, technician, site
):
    sale = sale_of(technician, site, [ready(site)])

    response = coordinator_client.post(
        f"/sales/{sale.pk}/cancel/", {"reason": "Retour"}, follow=True
    )

    sale.refresh_from_db()
    assert sale.status == Sale.Status.COMPLETED
    assert not CreditNote.objects.exists()
    assert "how the buyer was refunded" in response.content.decode()


def test_a_sale_cancelled_twice_has_one_credit_note(coordinator_client, technician, site):
    sale = sale_of(technician, site, [ready(site)])
    data = {"reason": "Erreur de caisse", "refund_method": "cash"}
    coordinator_client.post(f"/sales/{sale.pk}/cancel/", data)

    response = coordinator_client.post(f"/sales/{sale.pk}/cancel/", data, follow=True)

    assert CreditNote.objects.count() == 1
    assert "This sale was already cancelled." in response.content.decode()


def test_a_technician_cannot_cancel_a_sale(technician_client, technician, site):
    sale = sale_of(technician, site, [ready(site)])

    response = technician_client.post(f"/sales/{sale.pk}/cancel/", {"reason": "Erreur"})

    assert response.status_code == 403
    sale.refresh_from_db()
    assert sale.status == Sale.Status.COMPLETED
    assert not CreditNote.objects.exists()
    assert b"/cancel/" not in technician_client.get(f"/sales/{sale.pk}/").content


def test_cancelling_is_post_only(coordinator_client, technician, site):
    sale = sale_of(technician, site, [ready(site)])

    assert coordinator_client.get(f"/sales/{sale.pk}/cancel/").status_code == 405


def test_a_receipt_has_no_edit_page(coordinator_client, technician, site):
    sale = sale_of(technician, site, [ready(site)])

    assert coordinator_client.get(f"/sales/{sale.pk}/edit/").status_code == 404
    assert coordinator_client.post(f"/sales/{sale.pk}/", {"total": "1"}).status_code == 405
    sale.refresh_from_db()
    assert sale.total == Decimal("50.00")


# Who may see what ------------------------------------------------------------------------


@pytest.fixture
def some_sale(technician, site):
    sale = sale_of(technician, site, [ready(site)])
    note = services.cancel_sale(
        sale=sale,
        refund_method=sale.payment_method,
        by=UserFactory(is_superuser=True),
        reason="Test",
    )
    return sale, note


SALE_URLS = [
    "/sales/",
    "/sales/?export=csv",
    "/sales/new/",
    "/sales/till/",
    "/sales/prices/",
    "/sales/proofs/",
    "/sales/{sale}/",
    "/sales/{sale}/receipt.pdf",
    "/sales/credit-notes/{note}.pdf",
]


@pytest.mark.parametrize("url", SALE_URLS)
def test_a_social_worker_gets_403_everywhere_in_the_shop(social_worker_client, some_sale, url):
    sale, note = some_sale

    response = social_worker_client.get(url.format(sale=sale.pk, note=note.pk))

    assert response.status_code == 403


@pytest.mark.parametrize(
    "url", ["/sales/new/", "/sales/{sale}/cancel/", "/sales/prices/", "/sales/proofs/"]
)
def test_a_social_worker_cannot_post_in_the_shop(social_worker_client, some_sale, url):
    sale, _note = some_sale

    response = social_worker_client.post(url.format(sale=sale.pk), {"reason": "x"})

    assert response.status_code == 403


@pytest.mark.parametrize("url", SALE_URLS)
def test_nobody_signed_out_sees_the_shop(anonymous_client, some_sale, url):
    sale, note = some_sale

    response = anonymous_client.get(url.format(sale=sale.pk, note=note.pk))

    assert response.status_code == 302
    assert response.url.startswith("/login/")


@pytest.mark.parametrize("role", ["technician", "coordinator"])
@pytest.mark.parametrize("url", SALE_URLS)
def test_sellers_see_every_shop_page(client_for, role, some_sale, url):
    sale, note = some_sale

    response = client_for(role).get(url.format(sale=sale.pk, note=note.pk))

    assert response.status_code == 200


def test_the_menu_shows_the_shop_to_sellers_only(technician_client, social_worker_client):
    assert b'href="/sales/"' in technician_client.get("/").content
    assert b'href="/sales/"' not in social_worker_client.get("/").content


# The sales list ----------------------------------------------------------------------------


def make_sales(count, site, seller, start=0, **fields):
    """`count` sales of one sold device each, written in a few queries."""
    devices = Device.objects.bulk_create(
        Device(
            asset_tag=format_asset_tag(700_000 + start + i),
            category="laptop",
            grade=Grade.B,
            status=Status.SOLD,
            site=site,
        )
        for i in range(count)
    )
    now = timezone.now()
    sales = Sale.objects.bulk_create(
        Sale(
            number=f"{site.code}-{now.year}-{start + i + 1:04d}",
            site=site,
            sold_at=now,
            seller=seller,
            payment_method=PaymentMethod.CASH,
            total=Decimal("50.00"),
            **fields,
        )
        for i in range(count)
    )
    SaleItem.objects.bulk_create(
        SaleItem(
            sale=sale,
            device=device,
            description="Laptop",
            refurbished=True,
            price_kind=SaleItem.PriceKind.NORMAL,
            list_price=Decimal("50.00"),
            price=Decimal("50.00"),
        )
        for sale, device in zip(sales, devices, strict=True)
    )
    return sales


@pytest.mark.parametrize("size", [10, 200])
def test_the_sales_list_runs_a_fixed_number_of_queries(
    size, technician, technician_client, site, django_assert_max_num_queries
):
    make_sales(size, site, technician, buyer_postcode="62700")
    sale = Sale.objects.order_by("pk").first()
    services.cancel_sale(
        sale=sale,
        refund_method=sale.payment_method,
        by=UserFactory(is_superuser=True),
        reason="Test",
    )

    # session, user, permissions (2), roles, totals, the site filter, the page, its devices
    with django_assert_max_num_queries(9):
        response = technician_client.get("/sales/")

    assert len(response.context["page"].object_list) == min(size, 50)
    assert response.context["totals"]["count"] == size


def test_the_sales_list_filters_and_totals_what_it_shows(technician, technician_client, site):
    other = SiteFactory(code="LEN")
    make_sales(3, site, technician)
    make_sales(2, other, technician, start=10, solidarity=True)

    response = technician_client.get(f"/sales/?site={other.pk}")

    assert {sale.site for sale in response.context["page"]} == {other}
    assert response.context["totals"] == {
        "count": 2,
        "amount": Decimal("100.00"),
        "refunded": Decimal("0.00"),
        "net": Decimal("100.00"),
    }
    assert technician_client.get("/sales/?solidarity=yes").context["totals"]["count"] == 2
    assert technician_client.get("/sales/?solidarity=no").context["totals"]["count"] == 3


def test_the_sales_list_finds_a_sale_by_a_device_it_sold(technician, technician_client, site):
    _first, second = make_sales(2, site, technician)
    tag = second.items.get().device.asset_tag

    response = technician_client.get(f"/sales/?search={tag.lower()}")

    assert list(response.context["page"]) == [second]


def test_the_sales_list_ignores_a_bad_date(technician, technician_client, site):
    make_sales(2, site, technician)

    response = technician_client.get("/sales/?date_from=31/02/2026&payment_method=bitcoin")

    assert response.status_code == 200
    assert response.context["totals"]["count"] == 2


def csv_rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_the_export_holds_the_filtered_sales_without_the_buyers_name(
    technician, technician_client, site
):
    other = SiteFactory(code="LEN")
    make_sales(2, site, technician, buyer_name="Jeanne Quatremare", buyer_postcode="62700")
    make_sales(3, other, technician, start=10)

    response = technician_client.get(f"/sales/?site={site.pk}&export=csv")

    rows = csv_rows(response)
    assert response["Content-Type"].startswith("text/csv")
    assert [row["Site"] for row in rows] == ["BRU", "BRU"]
    assert {row["Buyer's postcode"] for row in rows} == {"62700"}
    assert "Quatremare" not in response.content.decode("utf-8-sig")
    assert list(rows[0]) == [
        "Receipt number",
        "Date",
        "Site",
        "Seller",
        "Buyer's postcode",
        "Payment",
        "Solidarity price",
        "Devices",
        "Asset tags",
        "Total (€)",
        "Status",
        "Credit note",
    ]


def test_the_export_names_the_credit_note_of_a_cancelled_sale(technician, technician_client, site):
    sale = sale_of(technician, site, [ready(site)])
    note = services.cancel_sale(
        sale=sale,
        refund_method=sale.payment_method,
        by=UserFactory(is_superuser=True),
        reason="Test",
    )

    (row,) = csv_rows(technician_client.get("/sales/?export=csv"))

    assert row["Credit note"] == note.number
    assert row["Status"] == "Cancelled (credit note)"
    assert row["Devices"] == "1"


def test_the_export_costs_the_same_queries_for_10_and_200_sales(
    technician, technician_client, site, django_assert_max_num_queries
):
    make_sales(10, site, technician)
    with django_assert_max_num_queries(8):
        assert len(csv_rows(technician_client.get("/sales/?export=csv"))) == 10
    make_sales(190, site, technician, start=10)
    with django_assert_max_num_queries(8):
        assert len(csv_rows(technician_client.get("/sales/?export=csv"))) == 200


# The device page ---------------------------------------------------------------------------


def test_a_ready_device_page_offers_to_sell_it(technician_client, site):
    device = ready(site)

    html = technician_client.get(device.get_absolute_url()).content.decode()

    assert f'href="/sales/new/?tags={device.asset_tag}"' in html


def test_a_sold_device_page_links_to_its_sale(technician, technician_client, site):
    device = ready(site)
    sale = sale_of(technician, site, [device])

    html = technician_client.get(device.get_absolute_url()).content.decode()

    # Built from the device's own state (held by the sale): the page reads no sale.
    assert f'href="/sales/device/{device.asset_tag}/"' in html
    assert f"Receipt {sale.number}" in html
    assert "/sales/new/" not in html
    response = technician_client.get(f"/sales/device/{device.asset_tag}/")
    assert response.status_code == 302
    assert response.url == f"/sales/{sale.pk}/"


def test_a_device_whose_sale_was_cancelled_links_to_no_receipt(technician, technician_client, site):
    device = ready(site)
    sale = sale_of(technician, site, [device])
    services.cancel_sale(
        sale=sale,
        refund_method=sale.payment_method,
        by=UserFactory(is_superuser=True),
        reason="Test",
    )

    html = technician_client.get(device.get_absolute_url()).content.decode()

    assert "/sales/device/" not in html
    assert technician_client.get(f"/sales/device/{device.asset_tag}/").status_code == 404


def test_the_sale_of_a_device_is_only_for_sellers(social_worker_client, technician, site):
    device = ready(site)
    sale_of(technician, site, [device])

    response = social_worker_client.get(f"/sales/device/{device.asset_tag}/")

    assert response.status_code == 403


@pytest.mark.parametrize("size", [5, 60])
def test_the_counter_lists_the_ready_devices_in_a_fixed_number_of_queries(
    size, technician_client, site, django_assert_max_num_queries
):
    devices = [ready(site) for _ in range(size)]
    DeviceFactory(status=Status.SOLD, site=site)
    tags = "\n".join(device.asset_tag for device in devices[:3])

    with django_assert_max_num_queries(11):
        listed = technician_client.get(f"/sales/new/?site={site.pk}")
    with django_assert_max_num_queries(14):
        checked = counter(technician_client, site, tags)

    shown = listed.content.decode()
    assert all(device.asset_tag in shown for device in devices)
    assert [line.device for line in checked.context["check"].lines] == devices[:3]


def test_the_counter_reads_tags_as_the_scan_station_does(technician_client, site):
    devices = [ready(site) for _ in range(3)]
    number = int(devices[1].asset_tag.rsplit("-", 1)[1])
    # A US-layout scanner on an AZERTY computer types RE-000129 as "RE)ààà&éç"; a QR
    # code holds the public address; a bare number names its tag.
    garbled = devices[0].asset_tag.translate(str.maketrans("-0123456789", ")à&é\"'(-è_ç"))
    tags = f"{garbled}\n{number}\nhttps://reemploi.example.org/d/{devices[2].asset_tag}/"

    checked = counter(technician_client, site, tags)

    assert [line.device for line in checked.context["check"].lines] == devices

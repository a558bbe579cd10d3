"""The page behind every label's QR code: public, nothing personal, the same shape for a
tag that does not exist, and rate-limited (with the certificate check)."""

import datetime
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.models import Organisation, Status
from lending.loans import workflow as loan_workflow
from public.ratelimit import client_address
from sales import services as sales_services
from sales.models import PaymentMethod, Sale
from tests.factories import DeviceFactory, LocationFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
    StructureFactory,
)
from tests.sales_factories import PriceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _fresh_counters():
    # The rate limit counts in the cache, which outlives a test: start and end at zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organisation():
    return Organisation.objects.create(
        name="Ressourcerie du Bruaysis",
        address="12 rue des Ateliers\n62700 Bruay-La-Buissière",
        phone="03 21 61 00 00",
        email="contact@ressourcerie-bruaysis.example",
        opening_hours="Tuesday to Saturday, 9:00 to 17:00",
    )


def page(client, tag, **extra):
    return client.get(f"/d/{tag}/", **extra)


def stock_device():
    return DeviceFactory(
        status=Status.READY,
        manufacturer="Dell",
        model="Latitude 5490",
        grade="B",
        serial_number="SNSTOCK777",
    )


# Distinctive values that must never reach the page.
HOUSEHOLD = {
    "first_name": "Ghislaine",
    "last_name": "Vanderbecken",
    "phone": "06 98 76 54 32",
    "email": "ghislaine.vdb@example.org",
    "commune": "Haillicourt-sur-Clarence",
    "postcode": "62940",
    "notes": "Suivi RSA confidentiel",
}


@pytest.fixture
def lent(coordinator, technician, social_worker):
    structure = StructureFactory(members=[social_worker], name="CCAS de Marles-les-Mines")
    programme = ProgrammeFactory(
        name="Atelier digital solidaire — Bruay 2026",
        contact_name="Nadia Médiatrice",
        contact_phone="03 21 99 88 77",
        return_instructions="Rendez-le à votre travailleur social, au centre social Zola.",
        coordinators=[coordinator],
        structures=[structure],
    )
    household = HouseholdFactory(structure=structure, social_worker=social_worker, **HOUSEHOLD)
    loan = LoanFactory(
        enrolment=EnrolmentFactory(household=household, programme=programme),
        request_note="Demande pour les devoirs de Kevin",
    )
    device = DeviceFactory(
        status=Status.READY,
        serial_number="PF1SECRET42",
        notes="Rayure sous le clavier, note interne",
        location=LocationFactory(code="ETAGERE-Z9", name="Étagère du fond"),
    )
    loan_workflow.approve_loan(
        loan=loan, by=coordinator, devices=[device], starts_on=TODAY, note="Accord du CCAS"
    )
    loan_workflow.hand_over_loan(loan=loan, by=technician, signed_on=TODAY, note="Remis")
    loan.refresh_from_db()
    device.refresh_from_db()
    return {"device": device, "loan": loan, "household": household, "programme": programme}


def sell(device, technician, sold_at):
    PriceFactory(category=device.category, grade=device.grade)
    sale = sales_services.record_sale(
        by=technician,
        site=device.site,
        devices=[device],
        payment_method=PaymentMethod.CASH,
        buyer_name="Marcel Acheteur",
        buyer_postcode="62700",
    )
    Sale.objects.filter(pk=sale.pk).update(sold_at=sold_at)
    return sale


# What the page says ------------------------------------------------------------------


def test_a_lent_device_says_only_which_organisation_lends_it_and_how_to_return_it(
    anonymous_client, organisation, lent
):
    response = page(anonymous_client, lent["device"].asset_tag)

    html = response.content.decode()
    assert response.status_code == 200
    loan_section = html[html.index('id="loan"') : html.index("</section>", html.index('id="loan"'))]
    assert "Lent by Ressourcerie du Bruaysis." in loan_section
    assert "12 rue des Ateliers, 62700 Bruay-La-Buissière" in loan_section
    assert "Tuesday to Saturday, 9:00 to 17:00" in loan_section
    assert 'href="tel:0321610000"' in loan_section


def test_a_lent_device_does_not_tell_that_the_family_is_followed(
    anonymous_client, organisation, lent, coordinator, social_worker
):
    """Whoever sees the label must not learn that a social programme follows the family:
    no programme, no social worker, no coordinator, no due date of a person's loan."""
    programme, loan = lent["programme"], lent["loan"]
    coordinator.first_name, coordinator.last_name = "Corinne", "Coordinatrice"
    coordinator.save()

    html = page(anonymous_client, lent["device"].asset_tag).content.decode()

    assert 'id="loan"' in html
    due = loan.due_on
    for secret in [
        programme.name,
        "Atelier digital",
        programme.contact_name,
        "03 21 99 88 77",
        "0321998877",
        "travailleur social",
        "travailleuse sociale",
        "social worker",
        "Social worker",
        "centre social Zola",
        "Coordinatrice",
        "Corinne",
        social_worker.username,
        coordinator.username,
        lent["household"].code,
        due.isoformat(),
        f"{due:%d/%m/%Y}",
        "programme",
        "Programme",
    ]:
        assert secret not in html, secret


def test_a_lent_device_shows_nothing_of_the_household_the_loan_or_the_workshop(
    anonymous_client, organisation, lent
):
    response = page(anonymous_client, lent["device"].asset_tag)

    html = response.content.decode()
    household, loan, device = lent["household"], lent["loan"], lent["device"]
    for secret in [
        household.code,
        *HOUSEHOLD.values(),
        "Marles-les-Mines",
        str(loan),
        f"/loans/{loan.pk}/",
        "Demande pour les devoirs",
        "Accord du CCAS",
        device.serial_number,
        "Rayure sous le clavier",
        "ETAGERE-Z9",
        "Étagère du fond",
        device.site.name,
    ]:
        assert secret not in html, secret
    assert "badge" not in html and "status-" not in html


def test_the_page_says_what_the_device_is_and_how_to_reach_the_organisation(
    anonymous_client, organisation
):
    device = stock_device()

    response = page(anonymous_client, device.asset_tag)

    html = response.content.decode()
    assert "Laptop · Dell Latitude 5490 · grade B: visible wear" in html
    assert "Ressourcerie du Bruaysis" in html
    assert 'href="tel:0321610000"' in html
    assert "contact@ressourcerie-bruaysis.example" in html
    assert "Tuesday to Saturday, 9:00 to 17:00" in html
    assert "Found this device?" in html
    assert (
        'Please call <a href="tel:0321610000">03 21 61 00 00</a>, or bring it back to '
        "Ressourcerie du Bruaysis, 12 rue des Ateliers, 62700 Bruay-La-Buissière." in html
    )
    assert "SNSTOCK777" not in html
    assert 'id="loan"' not in html and 'id="sale"' not in html


def test_a_sold_device_shows_the_day_of_the_sale_and_the_end_of_the_legal_guarantee(
    anonymous_client, organisation, technician
):
    device = DeviceFactory(status=Status.READY, refurbished=True)
    sold_at = timezone.make_aware(datetime.datetime(2026, 3, 14, 10, 30))
    sell(device, technician, sold_at)

    response = page(anonymous_client, device.asset_tag)

    html = response.content.decode()
    assert (
        "Sold on March 14, 2026; the legal guarantee of conformity runs until March 14, 2028."
        in html
    )
    assert "Marcel Acheteur" not in html
    assert "BRU" not in html and "-2026-" not in html


def test_a_device_sold_on_29_february_is_guaranteed_until_28_february(
    anonymous_client, organisation, technician
):
    device = DeviceFactory(status=Status.READY, refurbished=True)
    sell(device, technician, timezone.make_aware(datetime.datetime(2028, 2, 29, 11, 0)))

    response = page(anonymous_client, device.asset_tag)

    assert "runs until Feb. 28, 2030." in response.content.decode()


def test_a_cancelled_sale_is_not_shown(anonymous_client, organisation, technician, coordinator):
    device = DeviceFactory(status=Status.READY, refurbished=True)
    sale = sell(device, technician, timezone.now())
    sales_services.cancel_sale(
        sale=sale, refund_method=sale.payment_method, by=coordinator, reason="Erreur de caisse"
    )

    response = page(anonymous_client, device.asset_tag)

    assert 'id="sale"' not in response.content.decode()


def test_a_device_back_from_its_loan_no_longer_names_the_programme(
    anonymous_client, organisation, lent, technician
):
    loan, device = lent["loan"], lent["device"]
    loan_workflow.inspect_return(loan=loan, by=technician, conditions={device.pk: "good"})

    response = page(anonymous_client, device.asset_tag)

    html = response.content.decode()
    assert 'id="loan"' not in html
    assert "Atelier digital solidaire" not in html


def test_the_page_works_before_the_organisation_is_entered(anonymous_client, settings):
    settings.ORGANISATION_NAME = "Ressourcerie par défaut"
    device = stock_device()

    response = page(anonymous_client, device.asset_tag)

    assert response.status_code == 200
    assert "Please bring it back to Ressourcerie par défaut." in response.content.decode()


def test_staff_see_a_link_to_the_device_page(technician_client, organisation):
    device = stock_device()

    response = page(technician_client, device.asset_tag)

    html = response.content.decode()
    assert f'href="{device.get_absolute_url()}"' in html
    assert "Open in Réemploi" in html
    # The public page, not the back office: no menu.
    assert 'aria-label="Main menu"' not in html


def test_anonymous_visitors_and_social_workers_see_no_link_to_the_back_office(
    anonymous_client, social_worker_client, organisation
):
    device = stock_device()

    for client in (anonymous_client, social_worker_client):
        html = page(client, device.asset_tag).content.decode()
        assert "Open in Réemploi" not in html
        assert device.get_absolute_url() not in html


# The same shape for an unknown tag ---------------------------------------------------


class _Skeleton(HTMLParser):
    """The page without its text: each start tag with its id and classes."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs.get("id", ""), attrs.get("class", "")))


def skeleton(response):
    parser = _Skeleton()
    parser.feed(response.content.decode())
    return parser.tags


def headers(response):
    return {name: value for name, value in response.items() if name != "Content-Length"}


@pytest.mark.parametrize(
    "unknown",
    ["RE-999999", "re-000000", "NOT A TAG", "x" * 60, "%3Cscript%3E", "%C3%A9%F0%9F%92%BB"],
)
def test_an_unknown_tag_gets_the_same_answer_as_a_known_one(
    anonymous_client, organisation, unknown
):
    known = page(anonymous_client, stock_device().asset_tag)
    other = page(anonymous_client, unknown)

    assert other.status_code == known.status_code == 200
    assert [t.name for t in other.templates] == [t.name for t in known.templates]
    assert skeleton(other) == skeleton(known)
    assert headers(other) == headers(known)
    assert "This label's device is not in our records." in other.content.decode()
    assert "Found this device?" in other.content.decode()


def test_the_public_page_is_kept_by_no_cache_and_no_search_engine(anonymous_client, organisation):
    response = page(anonymous_client, stock_device().asset_tag)

    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_public_page_only_answers_reads(anonymous_client, organisation):
    response = anonymous_client.post(f"/d/{stock_device().asset_tag}/")

    assert response.status_code == 405


# The rate limit ----------------------------------------------------------------------


def test_the_page_answers_429_past_the_limit_and_not_for_another_address(
    anonymous_client, organisation, settings
):
    settings.PUBLIC_PAGE_RATE = "3/10m"
    tag = stock_device().asset_tag

    allowed = [page(anonymous_client, tag, REMOTE_ADDR="198.51.100.7") for _ in range(3)]
    refused = page(anonymous_client, tag, REMOTE_ADDR="198.51.100.7")
    elsewhere = page(anonymous_client, tag, REMOTE_ADDR="203.0.113.9")

    assert [r.status_code for r in allowed] == [200, 200, 200]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 600
    assert elsewhere.status_code == 200


def test_the_429_page_has_the_same_shape_and_says_when_to_come_back(
    anonymous_client, organisation, settings
):
    settings.PUBLIC_PAGE_RATE = "1/h"
    tag = stock_device().asset_tag
    known = page(anonymous_client, tag)

    refused = page(anonymous_client, tag)

    html = refused.content.decode()
    assert refused.status_code == 429
    assert [t.name for t in refused.templates] == [t.name for t in known.templates]
    assert skeleton(refused) == skeleton(known)
    assert "Too many pages were opened from your connection." in html
    assert "Dell" not in html
    assert "03 21 61 00 00" in html
    assert refused["Cache-Control"] == known["Cache-Control"]


def test_unknown_tags_count_towards_the_limit_too(anonymous_client, organisation, settings):
    settings.PUBLIC_PAGE_RATE = "2/10m"

    statuses = [page(anonymous_client, f"RE-{n:06d}").status_code for n in range(1, 4)]

    assert statuses == [200, 200, 429]


def test_signed_in_staff_are_not_limited(technician_client, organisation, settings):
    settings.PUBLIC_PAGE_RATE = "1/10m"
    tag = stock_device().asset_tag

    statuses = [page(technician_client, tag).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]


def test_the_certificate_check_is_limited_too(anonymous_client, settings):
    settings.PUBLIC_PAGE_RATE = "2/10m"

    statuses = [anonymous_client.get("/verify/CE-2026-00001/").status_code for _ in range(3)]
    refused = anonymous_client.get("/verify/CE-2026-00001/")

    assert statuses == [404, 404, 429]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "Too many pages were opened from your connection." in refused.content.decode()


# Which address is the client's --------------------------------------------------------


def request_from(remote_addr, forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/d/RE-000001/", **extra)


def test_the_forwarded_header_is_ignored_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = []

    address = client_address(request_from("198.51.100.7", "203.0.113.1"))

    assert str(address) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_client_is_the_last_address_it_forwarded(settings):
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]

    # The client wrote the first entry itself; the proxy appended what it saw.
    address = client_address(request_from("172.18.0.1", "1.2.3.4, 198.51.100.7"))

    assert str(address) == "198.51.100.7"


def test_a_spoofed_forwarded_header_does_not_escape_the_limit(
    anonymous_client, organisation, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    settings.PUBLIC_PAGE_RATE = "2/10m"
    tag = stock_device().asset_tag

    statuses = [
        page(
            anonymous_client,
            tag,
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7",
        ).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_a_site_behind_no_proxy_counts_the_connecting_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]

    address = client_address(request_from("198.51.100.7", "203.0.113.1"))

    assert str(address) == "198.51.100.7"


def test_the_page_reads_no_household_table_and_a_few_rows_only(
    anonymous_client, organisation, lent, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(4):
        page(anonymous_client, lent["device"].asset_tag)

    sql = " ".join(query["sql"] for query in queries).lower()
    assert "household" not in sql
    assert "enrolment" not in sql
    assert "serial_number" not in sql and "notes" not in sql

"""A donor's page per donation, behind the signed link of the donor e-mail: the devices
and what became of each, never who received them; a changed or old link says so."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from inventory import workflow
from inventory.donors.documents import donation_page_link, send_erasure_summary
from inventory.models import Organisation, Status
from lending.loans import workflow as loan_workflow
from tests.factories import (
    DeviceFactory,
    DonationFactory,
    DonorFactory,
    DriveFactory,
    ErasureFactory,
)
from tests.lending_factories import HouseholdFactory, LoanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SITE = "https://reemploi.example.org"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    Organisation.objects.create(name="Ressourcerie du Ponant")


def path_of(link):
    return link.removeprefix(SITE)


@pytest.fixture
def donation():
    donation = DonationFactory(donor=DonorFactory(email="contact@banque.example"))
    for status in (Status.REFURBISHING, Status.READY, Status.SOLD, Status.RECYCLED):
        DeviceFactory(donation=donation, status=status, serial_number=f"SERIAL-{status}")
    DeviceFactory(donation=donation, status=Status.PARTS, category="smartphone")
    return donation


def test_the_page_lists_what_became_of_each_device(donation):
    response = Client().get(path_of(donation_page_link(donation)))

    html = response.content.decode()
    assert response.status_code == 200
    for fate in (
        "Being refurbished in the workshop",
        "Refurbished, waiting for its new user",
        "Sold at a solidarity price",
        "Recycled through an approved channel",
        "Taken apart: its parts repair other devices",
    ):
        assert fate in html
    assert "SERIAL-" not in html
    for device in donation.devices.all():
        assert device.asset_tag not in html
    assert "no-store" in response["Cache-Control"]


def test_a_lent_device_never_names_the_family(donation, coordinator, technician):
    household = HouseholdFactory(first_name="Ysoline", last_name="Kerbrat")
    device = donation.devices.get(status=Status.READY)
    loan = LoanFactory(
        enrolment__household=household, enrolment__programme__coordinators=[coordinator]
    )
    loan = loan_workflow.approve_loan(
        loan=loan, by=coordinator, devices=[device], starts_on=datetime.date.today()
    )
    loan_workflow.hand_over_loan(loan=loan, by=technician, signed_on=datetime.date.today())

    html = Client().get(path_of(donation_page_link(donation))).content.decode()

    assert "Lent to a family" in html
    assert "Ysoline" not in html and "Kerbrat" not in html
    assert household.code not in html


def test_a_changed_link_is_not_found_with_a_clear_message(donation):
    link = path_of(donation_page_link(donation))

    response = Client().get(link[:-3] + "abc/")

    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_an_old_link_has_expired_with_a_clear_message(donation, settings):
    link = path_of(donation_page_link(donation))
    settings.DONOR_LINK_DAYS = -1

    response = Client().get(link)

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_the_donor_email_links_the_page(donation, coordinator, technician):
    device = donation.devices.first()
    ErasureFactory(drive=DriveFactory(device=device), operator=technician, certifiable=True)

    send_erasure_summary(donation=donation, by=coordinator)

    assert donation_page_link(donation).split("/donation/")[0] in mail.outbox[0].body
    assert f"{SITE}/donation/" in mail.outbox[0].body


def test_the_page_reads_a_constant_number_of_queries(django_assert_max_num_queries):
    for count in (5, 50):
        donation = DonationFactory()
        DeviceFactory.create_batch(count, donation=donation)
        with django_assert_max_num_queries(9):
            assert Client().get(path_of(donation_page_link(donation))).status_code == 200


def test_kilos_and_co2e_avoided_with_their_sources(coordinator):
    donation = DonationFactory()
    laptop = DeviceFactory(donation=donation, status=Status.READY, weight_kg=Decimal("2.1"))
    phone = DeviceFactory(donation=donation, status=Status.READY, category="smartphone")
    DeviceFactory(donation=donation, status=Status.REFURBISHING, weight_kg=Decimal("1.9"))
    for device in (laptop, phone):
        workflow.transition_device(device=device, target=Status.GIVEN, by=coordinator)

    response = Client().get(path_of(donation_page_link(donation)))

    html = response.content.decode()
    # 10 laptops and 5 smartphones give 1,179 kg by the yearly method (issue 17): one
    # laptop 27 × 3 + one smartphone 24.6 × 3 = 154.8; upper bound 182.6 + 85.1 = 267.7.
    assert "154.8 kg CO2e" in html
    assert "267.7 kg CO2e" in html
    assert "ADEME" in html
    assert 'href="#note-1"' in html and 'id="note-1"' in html
    assert "kg estimated" in html  # the smartphone was not weighed


def test_no_co2e_before_a_device_is_reused():
    donation = DonationFactory()
    DeviceFactory(donation=donation, status=Status.REFURBISHING, weight_kg=Decimal("2.0"))

    html = Client().get(path_of(donation_page_link(donation))).content.decode()

    assert "2.0 kg" in html
    assert "kg CO2e" not in html
    assert "counted once your devices have found a new user" in html

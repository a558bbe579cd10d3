"""A donor's page per donation, behind the signed link of the donor e-mail: the devices
and what became of each, never who received them; a changed or old link says so."""

import datetime

import pytest
from django.core import mail
from django.test import Client

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
        with django_assert_max_num_queries(4):
            assert Client().get(path_of(donation_page_link(donation))).status_code == 200

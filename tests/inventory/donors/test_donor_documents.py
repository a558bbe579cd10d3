"""Donor paperwork: the donation attestation, the erasure summary e-mailed to the donor's
contact as a link that needs no login, and the tax-receipt fields with the accountant's
export. Texts are asserted in English (the French catalogue is written later)."""

import datetime
import io
import re
import time
import types
from decimal import Decimal

import openpyxl
import pypdfium2 as pdfium
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from inventory.donors import documents as donor_documents
from inventory.models import Comment, Donation, Donor, Organisation
from spreadsheets.reading import read_sheet
from tests.factories import (
    DeviceFactory,
    DonationFactory,
    DonorFactory,
    DriveFactory,
    ErasureFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SITE = "https://reemploi.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture(autouse=True)
def organisation():
    # Everything a donor paper prints about the organisation (tests of the refusals empty
    # one field at a time: tests/inventory/donors/test_issued_papers.py).
    return Organisation.objects.create(
        name="Ressourcerie du Canal",
        address="3 quai de Jemmapes\n75010 Paris",
        siret="12345678900011",
        purpose="Reuse of computer equipment for people in need",
        tax_receipt_status="Association d'intérêt général",
    )


def pdf_text(content):
    document = pdfium.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def history_of(donation):
    return list(
        Comment.objects.filter(
            content_type=ContentType.objects.get_for_model(Donation), object_id=donation.pk
        ).values_list("author__username", "body")
    )


def attestation_url(donation):
    return f"/donations/{donation.pk}/attestation.pdf"


def send_url(donation):
    return f"/donations/{donation.pk}/erasure-summary/send/"


def link_in(message):
    return re.search(rf"{re.escape(SITE)}(/\S+)", message.body).group(1)


def company_donation(**donor_fields):
    donor = DonorFactory(
        name="Banque Exemple SA",
        kind=Donor.Kind.COMPANY,
        siren="552120222",
        address="12 rue de la Paix\n75002 Paris",
        contact_name="Claire Martin",
        email="claire.martin@banque.example",
        phone="01 23 45 67 89",
        **donor_fields,
    )
    return DonationFactory(donor=donor, reference="PO-7781")


# The attestation -----------------------------------------------------------------------


def test_the_attestation_lists_exactly_the_serial_numbers_of_its_donation(technician_client):
    donation = company_donation()
    ours = [DeviceFactory(donation=donation, serial_number=f"OURS{i}") for i in range(3)]
    DeviceFactory(donation=DonationFactory(), serial_number="OTHERDONATION1")
    DeviceFactory(serial_number="NODONATION1")

    response = technician_client.post(attestation_url(donation))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    found = set(re.findall(r"\b(OURS\d|OTHERDONATION1|NODONATION1)\b", text))
    assert found == {device.serial_number for device in ours}
    for device in ours:
        assert device.asset_tag in text


def test_a_device_added_later_is_not_in_a_reprint_but_in_a_corrected_attestation(
    technician_client, coordinator_client
):
    donation = company_donation()
    DeviceFactory(donation=donation, serial_number="FIRST1")
    first = technician_client.post(attestation_url(donation)).content
    DeviceFactory(donation=donation, serial_number="LATER2")

    reprint = technician_client.post(attestation_url(donation)).content
    refused = technician_client.post(attestation_url(donation), {"correct": "1"})
    corrected = coordinator_client.post(attestation_url(donation), {"correct": "1"}).content

    assert reprint == first
    assert "LATER2" not in pdf_text(first)
    assert refused.status_code == 403
    second = pdf_text(corrected)
    assert "FIRST1" in second and "LATER2" in second
    assert "Total: 2 devices" in second


def test_the_attestation_totals_the_count_and_the_known_weights(technician_client):
    donation = company_donation()
    for weight in (Decimal("2.50"), Decimal("1.25"), None):
        DeviceFactory(donation=donation, weight_kg=weight)

    text = pdf_text(technician_client.post(attestation_url(donation)).content)

    assert "Total: 3 devices, 3.75 kg" in text
    assert "1 device has no recorded weight" in text


def test_the_attestation_names_the_organisation_the_donor_and_the_free_gift(technician_client):
    donation = company_donation()
    DeviceFactory(donation=donation, category="desktop", manufacturer="Dell", model="OptiPlex 7050")

    text = " ".join(pdf_text(technician_client.post(attestation_url(donation)).content).split())

    for expected in (
        "Ressourcerie du Canal",
        "SIRET 12345678900011",
        "Banque Exemple SA",
        "552120222",
        "12 rue de la Paix, 75002 Paris",
        "claire.martin@banque.example",
        f"donation #{donation.pk}",
        "PO-7781",
        donation.site.name,
        "Desktop",
        "Dell OptiPlex 7050",
        "free of charge",
        "Done at Paris",
        "Signature and stamp",
        "Object: Reuse of computer equipment for people in need",
        "This document is not a tax receipt.",
        "2041-MEC-SD",
    ):
        assert expected in text


def test_issuing_the_attestation_is_recorded_in_the_donations_history(technician_client):
    donation = company_donation()
    DeviceFactory.create_batch(2, donation=donation)

    technician_client.post(attestation_url(donation))
    page = technician_client.get(donation.get_absolute_url())

    year = timezone.localdate().year
    note = f"ATT-{year}-0001 issued: Donation attestation ATT-{year}-0001"
    assert history_of(donation) == [("technician", note)]
    assert note in page.content.decode()


def test_a_donation_without_devices_has_no_attestation(technician_client):
    donation = company_donation()

    response = technician_client.post(attestation_url(donation), follow=True)

    assert "This donation has no device yet" in response.content.decode()
    assert history_of(donation) == []


@pytest.mark.parametrize(
    ("role", "method", "expected"),
    [
        ("technician", "post", 200),
        ("coordinator", "post", 200),
        ("technician", "get", 405),
        ("social_worker", "post", 403),
        ("anonymous", "post", 302),
    ],
)
def test_who_may_issue_an_attestation(role, method, expected, request):
    donation = company_donation()
    DeviceFactory(donation=donation)
    client = Client() if role == "anonymous" else request.getfixturevalue(f"{role}_client")

    response = getattr(client, method)(attestation_url(donation))

    assert response.status_code == expected
    assert len(history_of(donation)) == (1 if expected == 200 else 0)


def test_an_unknown_donation_has_no_attestation(technician_client):
    assert technician_client.post("/donations/999999/attestation.pdf").status_code == 404


# The erasure summary, sent to the donor ------------------------------------------------


def erased_donation(technician):
    donation = company_donation()
    device = DeviceFactory(donation=donation, serial_number="ERASED1")
    ErasureFactory(drive=DriveFactory(device=device, serial_number="DRIVE1"), operator=technician)
    return donation


def test_the_summary_email_links_to_the_pdf_without_login(
    technician, technician_client, mailoutbox
):
    donation = erased_donation(technician)

    response = technician_client.post(send_url(donation), follow=True)

    assert "The erasure summary was sent to claire.martin@banque.example." in (
        response.content.decode()
    )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["claire.martin@banque.example"]
    assert f"donation #{donation.pk}" in message.subject
    download = Client().get(link_in(message))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    text = pdf_text(download.content)
    assert "Data erasure summary" in text
    assert "ERASED1" in text and "DRIVE1" in text


def test_sending_the_summary_is_recorded_in_the_donations_history(
    technician, technician_client, mailoutbox, settings
):
    settings.DONOR_LINK_DAYS = 30
    donation = erased_donation(technician)
    until = timezone.localdate() + datetime.timedelta(days=30)

    technician_client.post(send_url(donation))

    assert history_of(donation) == [
        (
            "technician",
            "Erasure summary sent to claire.martin@banque.example "
            f"(download link valid until {until:%m/%d/%Y})",
        )
    ]


def forged(token, donation_pk):
    """`token` with its payload naming another donation, its timestamp and signature kept."""
    payload, stamp, signature = token.split(":")
    assert signing.b64_decode(payload.encode()).startswith(b'{"donation":')
    other = signing.b64_encode(b'{"donation":%d}' % donation_pk).decode()
    return ":".join((other, stamp, signature))


def test_a_tampered_link_gives_a_page_and_no_pdf(technician, technician_client, mailoutbox):
    donation = erased_donation(technician)
    technician_client.post(send_url(donation))
    path = link_in(mailoutbox[0])
    token = path.split("/")[2]
    other = DonationFactory()

    for address in (
        path.replace(token, forged(token, other.pk)),
        path.replace(token, token[:-2]),
        "/donor-documents/x/erasure-summary.pdf",
    ):
        response = Client().get(address)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
        assert "This download link is not valid" in response.content.decode()


def test_a_link_signed_for_something_else_is_refused(technician):
    donation = erased_donation(technician)
    token = signing.dumps({"donation": donation.pk}, salt="something-else")

    response = Client().get(f"/donor-documents/{token}/erasure-summary.pdf")

    assert response.status_code == 404
    assert "This download link is not valid" in response.content.decode()


def test_an_expired_link_gives_a_page_and_no_pdf(
    technician, technician_client, mailoutbox, monkeypatch, settings
):
    settings.DONOR_LINK_DAYS = 60
    donation = erased_donation(technician)
    technician_client.post(send_url(donation))
    path = link_in(mailoutbox[0])
    later = time.time() + 61 * 24 * 3600
    # Only the signer's clock moves on: 61 days later, the 60-day link is expired.
    monkeypatch.setattr(signing, "time", types.SimpleNamespace(time=lambda: later))

    response = Client().get(path)

    assert response.status_code == 410
    assert response["Content-Type"].startswith("text/html")
    assert "This download link has expired" in response.content.decode()


def test_a_link_still_works_the_day_before_it_expires(
    technician, technician_client, mailoutbox, monkeypatch, settings
):
    settings.DONOR_LINK_DAYS = 60
    donation = erased_donation(technician)
    technician_client.post(send_url(donation))
    later = time.time() + 59 * 24 * 3600
    monkeypatch.setattr(signing, "time", types.SimpleNamespace(time=lambda: later))

    response = Client().get(link_in(mailoutbox[0]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_a_donor_without_email_gets_a_message_and_nothing_is_sent(
    technician, technician_client, mailoutbox
):
    donation = erased_donation(technician)
    Donor.objects.filter(pk=donation.donor_id).update(email="")

    response = technician_client.post(send_url(donation), follow=True)

    assert "Banque Exemple SA has no e-mail address" in response.content.decode()
    assert mailoutbox == []
    assert history_of(donation) == []


def test_a_failed_send_records_nothing(technician, technician_client, mailoutbox, monkeypatch):
    donation = erased_donation(technician)

    def down(self, fail_silently=False):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(donor_documents.EmailMessage, "send", down)

    response = technician_client.post(send_url(donation), follow=True)

    assert "The e-mail could not be sent" in response.content.decode()
    assert history_of(donation) == []


def test_a_social_worker_may_not_send_the_summary(technician, social_worker_client, mailoutbox):
    donation = erased_donation(technician)

    response = social_worker_client.post(send_url(donation))

    assert response.status_code == 403
    assert mailoutbox == []
    assert history_of(donation) == []


def test_the_donation_page_offers_to_send_the_summary_to_the_donors_address(
    technician, technician_client
):
    donation = erased_donation(technician)

    page = technician_client.get(donation.get_absolute_url()).content.decode()

    assert "Send the erasure summary to claire.martin@banque.example" in page
    assert send_url(donation) in page


# Tax receipts (CERFA 11580) --------------------------------------------------------------


VALUATION = {"gift_description": "Used computers", "valuation": "12.50", "valued_on": "2026-01-15"}


def test_a_coordinator_values_a_donation(coordinator, coordinator_client):
    donation = company_donation()

    response = coordinator_client.post(f"/donations/{donation.pk}/valuation/", VALUATION)

    assert response.status_code == 302
    donation.refresh_from_db()
    assert donation.gift_description == "Used computers"
    assert donation.valuation == Decimal("12.50")
    assert donation.valued_on == datetime.date(2026, 1, 15)
    assert donation.history.latest().history_user == coordinator


def test_a_valuation_without_a_date_is_dated_today(coordinator_client):
    donation = company_donation()

    coordinator_client.post(f"/donations/{donation.pk}/valuation/", {**VALUATION, "valued_on": ""})

    donation.refresh_from_db()
    assert donation.valued_on == timezone.localdate()


def test_a_technician_may_not_open_or_post_the_valuation_form(technician_client):
    donation = company_donation()

    assert technician_client.get(f"/donations/{donation.pk}/valuation/").status_code == 403
    assert (
        technician_client.post(f"/donations/{donation.pk}/valuation/", VALUATION).status_code == 403
    )
    donation.refresh_from_db()
    assert donation.valuation is None and donation.valued_on is None


def test_a_technician_posting_valuation_fields_to_the_donation_form_changes_nothing_of_them(
    technician_client,
):
    donation = company_donation()
    fields = {
        "donor": donation.donor_id,
        "received_on": donation.received_on.isoformat(),
        "site": donation.site_id,
        "reference": "PO-9999",
        "notes": "",
    }

    response = technician_client.post(f"/donations/{donation.pk}/edit/", {**fields, **VALUATION})

    assert response.status_code == 302
    donation.refresh_from_db()
    assert donation.reference == "PO-9999"
    assert donation.valuation is None and donation.valued_on is None
    assert donation.gift_description == Donation._meta.get_field("gift_description").default


def test_the_valuation_service_refuses_a_technician(technician):
    donation = company_donation()

    with pytest.raises(PermissionDenied):
        donor_documents.value_donation(
            donation=donation,
            by=technician,
            gift_description="Used computers",
            valuation=Decimal("10"),
            valued_on=None,
        )
    donation.refresh_from_db()
    assert donation.valuation is None


def test_the_donation_page_shows_the_valuation_and_the_tax_note(
    coordinator_client, technician_client
):
    donation = company_donation()
    Donation.objects.filter(pk=donation.pk).update(
        valuation=Decimal("12.5"), valued_on=datetime.date(2026, 1, 15)
    )

    page = coordinator_client.get(donation.get_absolute_url()).content.decode()
    technician_page = technician_client.get(donation.get_absolute_url()).content.decode()

    assert "A company receives form 2041-MEC-SD" in page
    assert "This is not legal advice." in page
    assert "12.50 €" in page
    assert f"/donations/{donation.pk}/valuation/" in page
    assert "12.50 €" in technician_page
    assert f"/donations/{donation.pk}/valuation/" not in technician_page


def valued_company_donation(**fields):
    donation = company_donation()
    Donation.objects.filter(pk=donation.pk).update(
        gift_description="Used computers",
        valuation=Decimal("12.50"),
        valued_on=datetime.date(2026, 1, 15),
        **fields,
    )
    DeviceFactory.create_batch(2, donation=donation)
    return donation


def test_the_accountants_export_has_siren_and_valuation_of_companies_only(coordinator_client):
    donation = valued_company_donation()
    DonationFactory(donor=DonorFactory(name="Jean Dupont", kind=Donor.Kind.INDIVIDUAL))
    DonationFactory(donor=DonorFactory(name="Mairie", kind=Donor.Kind.PUBLIC_BODY))

    response = coordinator_client.get("/donations/tax-receipts/?export=csv")

    assert response.status_code == 200
    sheet = read_sheet("x.csv", response.content)
    assert sheet.headers == [
        "Legal name",
        "SIREN",
        "Address",
        "Donation",
        "Received on",
        "Nature of the gift",
        "Valuation (€)",
        "Valuation basis",
        "Valued on",
        "Devices",
    ]
    assert [cells for _line, cells in sheet.rows] == [
        [
            "Banque Exemple SA",
            "552120222",
            "12 rue de la Paix\n75002 Paris",
            str(donation.pk),
            donation.received_on.strftime("%d/%m/%Y"),
            "Used computers",
            "12.50",
            "",
            "15/01/2026",
            "2",
        ]
    ]


def test_the_accountants_xlsx_holds_the_valuation_as_a_number(coordinator_client):
    valued_company_donation()

    response = coordinator_client.get("/donations/tax-receipts/?export=xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=7).value == 12.5
    assert sheet.cell(row=2, column=2).value == "552120222"


def test_the_accountants_page_filters_by_year(coordinator_client):
    this_year = valued_company_donation()
    last_year = valued_company_donation()
    Donation.objects.filter(pk=last_year.pk).update(received_on=datetime.date(2024, 6, 1))

    response = coordinator_client.get("/donations/tax-receipts/?year=2024&export=csv")

    rows = [cells for _line, cells in read_sheet("x.csv", response.content).rows]
    assert [row[3] for row in rows] == [str(last_year.pk)]
    page = coordinator_client.get("/donations/tax-receipts/?year=2024")
    assert [d.pk for d in page.context["page"]] == [last_year.pk]
    assert this_year.pk not in [d.pk for d in page.context["page"]]


@pytest.mark.parametrize(
    ("role", "url", "expected"),
    [
        ("coordinator", "/donations/tax-receipts/", 200),
        ("coordinator", "/donations/tax-receipts/?export=ods", 200),
        ("technician", "/donations/tax-receipts/", 403),
        ("technician", "/donations/tax-receipts/?export=csv", 403),
        ("social_worker", "/donations/tax-receipts/?export=csv", 403),
    ],
)
def test_only_coordinators_get_the_accountants_list(role, url, expected, request):
    valued_company_donation()
    client = request.getfixturevalue(f"{role}_client")

    assert client.get(url).status_code == expected


@pytest.mark.parametrize("size", [10, 60])
def test_the_accountants_page_runs_a_fixed_number_of_queries(
    size, coordinator_client, django_assert_max_num_queries
):
    donor = DonorFactory(kind=Donor.Kind.COMPANY, siren="552120222")
    for donation in DonationFactory.create_batch(size, donor=donor):
        DeviceFactory(donation=donation)

    with django_assert_max_num_queries(10):
        response = coordinator_client.get("/donations/tax-receipts/")

    assert len(response.context["page"].object_list) == min(size, 50)


def test_the_donation_list_links_to_the_accountants_page_for_coordinators_only(
    coordinator_client, technician_client
):
    assert "/donations/tax-receipts/" in coordinator_client.get("/donations/").content.decode()
    assert "/donations/tax-receipts/" not in technician_client.get("/donations/").content.decode()

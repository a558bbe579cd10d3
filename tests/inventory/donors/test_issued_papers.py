"""Donor papers fixed when issued, and the tax paper that fits each kind of donor.

The attestation and the tax receipts are numbered per kind and year and kept as issued:
a reprint is the same bytes under the same number, whatever changed since. A company gets
the data of form 2041-MEC-SD with the basis of the value it declared, an individual the
CERFA 11580, a public body the attestation only. Texts are asserted in English (the
msgids); every required mention is read back from the PDF."""

import datetime
import hashlib
import html
import io
import re
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from inventory.donors import documents as donor_documents
from inventory.models import (
    Comment,
    Donation,
    Donor,
    IssuedDocument,
    Organisation,
    ValuationBasis,
)
from tests.factories import DeviceFactory, DonationFactory, DonorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def organisation():
    return Organisation.objects.create(
        name="Ressourcerie du Canal",
        address="3 quai de Jemmapes\n75010 Paris",
        siret="12345678900011",
        rna="W751234567",
        purpose="Reuse of computer equipment for people in need",
        tax_receipt_status="Association d'intérêt général",
    )


def text_of(content):
    document = pdfium.PdfDocument(io.BytesIO(bytes(content)))
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.split())


def year():
    return timezone.localdate().year


def donation_from(kind, *, devices=2, **donor_fields):
    fields = {
        "name": "Banque Exemple SA",
        "siren": "552120222",
        "address": "12 rue de la Paix\n75002 Paris",
        **donor_fields,
    }
    donation = DonationFactory(donor=DonorFactory(kind=kind, **fields), reference="PO-7781")
    for _ in range(devices):
        DeviceFactory(donation=donation, category="laptop")
    return donation


def valued(donation, valuation="120.00", basis=ValuationBasis.NET_BOOK_VALUE):
    Donation.objects.filter(pk=donation.pk).update(
        gift_description="Used laptops",
        valuation=Decimal(valuation),
        valued_on=datetime.date(2026, 1, 15),
        valuation_basis=basis,
    )
    donation.refresh_from_db()
    return donation


def notes_of(donation):
    return list(
        Comment.objects.filter(
            content_type=ContentType.objects.get_for_model(Donation), object_id=donation.pk
        )
        .order_by("pk")
        .values_list("body", flat=True)
    )


def attestation_url(donation):
    return f"/donations/{donation.pk}/attestation.pdf"


def receipt_url(donation):
    return f"/donations/{donation.pk}/tax-receipt.pdf"


# Fixed when issued -----------------------------------------------------------------------


def test_a_reprint_is_the_same_document_under_the_same_number(technician, technician_client):
    donation = donation_from(Donor.Kind.COMPANY)
    first = technician_client.post(attestation_url(donation))
    DeviceFactory(donation=donation, serial_number="ADDEDLATER")
    Donor.objects.filter(pk=donation.donor_id).update(name="Renamed Bank")

    again = technician_client.post(attestation_url(donation))

    assert first.content == again.content
    assert f"attestation-don-ATT-{year()}-0001" in again["Content-Disposition"]
    document = IssuedDocument.objects.get()
    assert bytes(document.content) == first.content
    assert document.sha256 == hashlib.sha256(first.content).hexdigest()
    assert document.intact()
    assert "ADDEDLATER" not in text_of(again.content)
    assert notes_of(donation) == [
        f"ATT-{year()}-0001 issued: Donation attestation ATT-{year()}-0001",
        f"ATT-{year()}-0001 reprinted (same document)",
    ]


def test_numbers_run_per_kind_and_year(coordinator):
    first = donation_from(Donor.Kind.COMPANY)
    second = donation_from(Donor.Kind.INDIVIDUAL, siren="")
    valued(first)
    valued(second, basis=ValuationBasis.MARKET_VALUE)

    numbers = [
        donor_documents.issue_attestation(donation=first, by=coordinator).number,
        donor_documents.issue_attestation(donation=second, by=coordinator).number,
        donor_documents.issue_tax_receipt(donation=first, by=coordinator).number,
        donor_documents.issue_tax_receipt(donation=second, by=coordinator).number,
        donor_documents.issue_attestation(donation=first, by=coordinator, correct=True).number,
    ]

    y = year()
    assert numbers == [
        f"ATT-{y}-0001",
        f"ATT-{y}-0002",
        f"RFE-{y}-0001",
        f"RFP-{y}-0001",
        f"ATT-{y}-0003",
    ]
    corrected = donor_documents.attestation_of(first)
    assert corrected.revision == 2
    assert IssuedDocument.objects.filter(number=f"ATT-{y}-0001").exists()


def test_the_tax_receipt_keeps_the_value_it_was_issued_with(coordinator, coordinator_client):
    donation = valued(donation_from(Donor.Kind.COMPANY), "120.00")
    first = coordinator_client.post(receipt_url(donation))
    donor_documents.value_donation(
        donation=donation,
        by=coordinator,
        gift_description="Used laptops",
        valuation=Decimal("999"),
        valued_on=None,
        valuation_basis=ValuationBasis.COST_PRICE,
    )

    again = coordinator_client.post(receipt_url(donation))

    assert again.content == first.content
    assert "***120.00 €***" in text_of(again.content)
    assert "999" not in text_of(again.content)


def test_a_drawing_that_fails_uses_no_number_and_leaves_no_history(technician, monkeypatch):
    donation = donation_from(Donor.Kind.COMPANY)

    def broken(*args, **kwargs):
        raise RuntimeError("no ink")

    monkeypatch.setattr(donor_documents, "attestation_pdf", broken)
    with pytest.raises(RuntimeError):
        donor_documents.issue_attestation(donation=donation, by=technician)
    monkeypatch.undo()

    document = donor_documents.issue_attestation(donation=donation, by=technician)

    assert document.number == f"ATT-{year()}-0001"
    assert len(notes_of(donation)) == 1


# The attestation -------------------------------------------------------------------------


def test_the_attestation_carries_every_required_mention(technician_client):
    donation = donation_from(Donor.Kind.COMPANY)

    text = text_of(technician_client.post(attestation_url(donation)).content)

    for mention in (
        "Ressourcerie du Canal",  # the organisation's name
        "3 quai de Jemmapes",  # its address
        "SIRET 12345678900011",
        "RNA W751234567",
        "Object: Reuse of computer equipment for people in need",
        f"No. ATT-{year()}-0001",  # number and date
        "issued on",
        "Banque Exemple SA",  # the donor, its address
        "12 rue de la Paix, 75002 Paris",
        "Laptop",  # the goods
        "Total: 2 devices",
        "free of charge and without anything given in return",
        "This document is not a tax receipt.",
        "form 2041-MEC-SD (CERFA n° 16216, article 238 bis",
    ):
        assert mention in text, mention


def test_a_public_bodys_attestation_says_why_there_is_no_tax_receipt(technician_client):
    donation = donation_from(Donor.Kind.PUBLIC_BODY, name="Lycée Jean Jaurès", siren="")

    text = text_of(technician_client.post(attestation_url(donation)).content)

    assert "This document is not a tax receipt." in text
    assert "A public body pays neither income tax nor corporate tax" in text
    assert "2041-MEC-SD" not in text


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("address", "The organisation's details lack its address"),
        ("siret", None),  # RNA alone is enough
        ("purpose", "The organisation's details lack its object"),
    ],
)
def test_the_attestation_is_refused_without_the_organisations_details(
    field, message, technician_client
):
    Organisation.objects.update(**{field: ""})
    donation = donation_from(Donor.Kind.COMPANY)

    response = technician_client.post(attestation_url(donation), follow=True)

    if message:
        assert message in html.unescape(response.content.decode())
        assert not IssuedDocument.objects.exists()
    else:
        assert response["Content-Type"] == "application/pdf"


def test_the_attestation_is_refused_without_siret_nor_rna(technician_client):
    Organisation.objects.update(siret="", rna="")
    donation = donation_from(Donor.Kind.COMPANY)

    page = technician_client.post(attestation_url(donation), follow=True).content.decode()

    assert "lack its SIRET or RNA number" in page
    assert "organisation page" in page


def test_the_attestation_is_refused_without_the_donors_address(technician_client):
    donation = donation_from(Donor.Kind.COMPANY, address="  \n ")

    response = technician_client.post(attestation_url(donation), follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Banque Exemple SA has no address" in page
    assert "fill in « Address » on the donor&#x27;s record" in page
    assert not IssuedDocument.objects.exists()
    assert notes_of(donation) == []


# Tax receipts ----------------------------------------------------------------------------


def test_a_companys_receipt_is_the_2041_mec_sd_with_the_valuation_basis(coordinator_client):
    donation = valued(donation_from(Donor.Kind.COMPANY, devices=3), "120.00")

    response = coordinator_client.post(receipt_url(donation))

    assert response["Content-Type"] == "application/pdf"
    assert f"recu-fiscal-RFE-{year()}-0001" in response["Content-Disposition"]
    text = text_of(response.content)
    for mention in (
        "Receipt for gifts made by companies (article 238 bis of the CGI)",
        "Form 2041-MEC-SD (CERFA n° 16216)",
        f"receipt no. RFE-{year()}-0001",
        "Ressourcerie du Canal",
        "3 quai de Jemmapes, 75010 Paris",
        "12345678900011",
        "W751234567",
        "Reuse of computer equipment for people in need",
        "Association d'intérêt général",
        "Banque Exemple SA",
        "552120222",
        "12 rue de la Paix, 75002 Paris",
        "Legal form",
        "Gift in kind",
        "Used laptops",
        "Laptop: 3",
        "***120.00 €***",
        "Net book value (fixed assets)",
        "the one the company declared, under its responsibility",
        "article 238 bis of the code général des impôts",
        "Signature and stamp",
    ):
        assert mention in text, mention
    assert "11580" not in text


def test_an_individuals_receipt_is_the_cerfa_11580(coordinator_client):
    donation = donation_from(Donor.Kind.INDIVIDUAL, name="Jeanne Durand", siren="")
    valued(donation, "40.00", ValuationBasis.MARKET_VALUE)

    text = text_of(coordinator_client.post(receipt_url(donation)).content)

    for mention in (
        "Receipt for gifts made by individuals (article 200 of the CGI)",
        "Form 11580 (CERFA n° 11580)",
        f"receipt no. RFP-{year()}-0001",
        "Jeanne Durand",
        "12 rue de la Paix, 75002 Paris",
        "***40.00 €***",
        "Market value",
        "Manual gift",
        "article 200 of the code général des impôts",
        "W751234567",
    ):
        assert mention in text, mention
    assert "2041-MEC-SD" not in text


@pytest.mark.parametrize("kind", [Donor.Kind.PUBLIC_BODY, Donor.Kind.ASSOCIATION])
def test_no_tax_receipt_for_a_public_body_or_an_association(kind, coordinator_client):
    donation = valued(donation_from(kind, siren=""))

    response = coordinator_client.post(receipt_url(donation), follow=True)
    page = coordinator_client.get(donation.get_absolute_url()).content.decode()

    assert response["Content-Type"].startswith("text/html")
    assert "receives the donation attestation only" in response.content.decode()
    assert "receives the donation attestation only" in page
    assert receipt_url(donation) not in page
    assert not IssuedDocument.objects.exists()


REFUSALS = [
    ({"valuation_basis": ""}, "Record how the company valued its gift: cost price"),
    ({"valuation_basis": ValuationBasis.MARKET_VALUE}, "or net book value (fixed assets)"),
    ({"valuation": None}, "No value is recorded: enter the value the donor declared"),
]


@pytest.mark.parametrize(("fields", "message"), REFUSALS)
def test_a_companys_receipt_is_refused_without_a_declared_value_and_basis(
    fields, message, coordinator_client
):
    donation = valued(donation_from(Donor.Kind.COMPANY))
    Donation.objects.filter(pk=donation.pk).update(**fields)

    response = coordinator_client.post(receipt_url(donation), follow=True)
    page = coordinator_client.get(donation.get_absolute_url()).content.decode()

    assert message in response.content.decode()
    assert message in page  # said before anyone clicks
    assert not IssuedDocument.objects.exists()


def test_a_companys_receipt_is_refused_without_its_siren(coordinator_client):
    donation = valued(donation_from(Donor.Kind.COMPANY, siren=""))

    response = coordinator_client.post(receipt_url(donation), follow=True)

    assert "Banque Exemple SA has no SIREN number" in response.content.decode()


def test_no_tax_receipt_from_an_organisation_that_may_not_issue_them(coordinator_client):
    Organisation.objects.update(tax_receipt_status="")
    donation = valued(donation_from(Donor.Kind.COMPANY))

    response = coordinator_client.post(receipt_url(donation), follow=True)

    assert "do not say that it may issue tax receipts" in response.content.decode()
    assert not IssuedDocument.objects.exists()


def test_only_coordinators_issue_tax_receipts(technician_client):
    donation = valued(donation_from(Donor.Kind.COMPANY))

    assert technician_client.post(receipt_url(donation)).status_code == 403
    assert technician_client.get(receipt_url(donation)).status_code in (403, 405)
    assert not IssuedDocument.objects.exists()


def test_the_valuation_form_records_the_basis(coordinator_client):
    donation = donation_from(Donor.Kind.COMPANY)

    coordinator_client.post(
        f"/donations/{donation.pk}/valuation/",
        {
            "gift_description": "Used laptops",
            "valuation": "35",
            "valuation_basis": "cost_price",
            "valued_on": "2026-02-01",
        },
    )

    donation.refresh_from_db()
    assert donation.valuation_basis == ValuationBasis.COST_PRICE
    assert donation.history.first().valuation_basis == "cost_price"


def test_the_accountants_list_shows_issued_numbers_in_fixed_queries(
    coordinator, coordinator_client, django_assert_max_num_queries
):
    for _ in range(3):
        donation = valued(donation_from(Donor.Kind.COMPANY, devices=1))
        donor_documents.issue_tax_receipt(donation=donation, by=coordinator)
    coordinator_client.get("/donations/tax-receipts/")  # warm caches (session, perms)

    with django_assert_max_num_queries(12):
        page = coordinator_client.get("/donations/tax-receipts/").content.decode()

    assert len(re.findall(rf"RFE-{year()}-000\d", page)) == 3
    assert "Net book value" in page
    individuals = coordinator_client.get("/donations/tax-receipts/?donors=individual")
    assert "No donation from these donors." in individuals.content.decode()

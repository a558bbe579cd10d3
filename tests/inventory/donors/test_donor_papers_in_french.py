"""The donor papers as people read them, in French: the mentions the law and the issue ask
for, and the refusal that says which field to fill. Needs the French catalogue with the
translations of /work/briefs/fr-donor.json merged (the lead merges them)."""

import html
import io

import pypdfium2 as pdfium
import pytest

from inventory.models import Donor, Organisation
from tests.factories import DeviceFactory, DonationFactory, DonorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def organisation():
    return Organisation.objects.create(
        name="Ressourcerie du Canal",
        address="3 quai de Jemmapes\n75010 Paris",
        siret="12345678900011",
        purpose="Réemploi de matériel informatique",
        tax_receipt_status="Association d'intérêt général",
    )


def text_of(content):
    document = pdfium.PdfDocument(io.BytesIO(content))
    return " ".join(" ".join(page.get_textpage().get_text_range() for page in document).split())


def test_the_attestation_says_in_french_that_it_is_not_a_tax_receipt(technician_client):
    donor = DonorFactory(kind=Donor.Kind.PUBLIC_BODY, address="1 place de l'École\n62400 Béthune")
    donation = DonationFactory(donor=donor)
    DeviceFactory(donation=donation)

    text = text_of(technician_client.post(f"/donations/{donation.pk}/attestation.pdf").content)

    assert "Ce document n'est pas un reçu fiscal." in text
    assert "Objet : Réemploi de matériel informatique" in text
    assert "Une personne publique ne paie ni impôt sur le revenu ni impôt sur les sociétés" in text


def test_without_the_donors_address_the_refusal_says_in_french_what_to_fill(technician_client):
    donation = DonationFactory(donor=DonorFactory(name="Banque Exemple SA", address=""))
    DeviceFactory(donation=donation)

    response = technician_client.post(f"/donations/{donation.pk}/attestation.pdf", follow=True)

    page = html.unescape(response.content.decode())
    assert "Banque Exemple SA n'a pas d'adresse : renseignez « Adresse » sur la fiche" in page

"""A loan turned gift: the household receives a numbered gift attestation, fixed when
issued, and the SIM line is closed or transferred, as the coordinator chose."""

import datetime
import hashlib
import io

import pypdfium2 as pdfium
import pytest
from django.utils import formats, timezone, translation

from inventory.models import Category, Organisation, Status
from lending.loans import workflow
from lending.models import GiftAttestation, Loan, SimCard
from lending.states import LendingError
from tests.factories import DeviceFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
    SimCardFactory,
    StructureFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = timezone.localdate()
YEAR = timezone.localdate().year


def pdf_text(content):
    document = pdfium.PdfDocument(io.BytesIO(content))
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def organisation():
    return Organisation.objects.create(
        name="Ressourcerie de l'Artois",
        address="12 rue des Écoles\n62460 Divion",
        siret="12345678901234",
        phone="03 21 00 11 22",
    )


def active_loan(coordinator, technician, social_worker, sim=None, serial=""):
    structure = StructureFactory(members=[social_worker])
    programme = ProgrammeFactory(coordinators=[coordinator], structures=[structure])
    household = HouseholdFactory(
        structure=structure,
        social_worker=social_worker,
        first_name="Ysaline",
        last_name="Dumortier",
        postcode="62460",
        commune="Divion",
    )
    loan = LoanFactory(enrolment=EnrolmentFactory(household=household, programme=programme))
    devices = [
        DeviceFactory(
            status=Status.READY,
            serial_number=f"PF1ABCDE{serial}",
            manufacturer="Dell",
            model="E7470",
        ),
        DeviceFactory(
            status=Status.READY,
            category=Category.ROUTER_4G,
            serial_number=f"HW-B535-77{serial}",
            manufacturer="Huawei",
            model="B535",
        ),
    ]
    workflow.approve_loan(loan=loan, by=coordinator, devices=devices, starts_on=TODAY, sim=sim)
    return workflow.hand_over_loan(
        loan=loan,
        by=technician,
        signed_on=TODAY - datetime.timedelta(days=1),
        accessories=["charger"],
    )


@pytest.fixture
def sim():
    return SimCardFactory(phone_number="07 12 12 12 12", operator="Orange")


@pytest.fixture
def lent(coordinator, technician, social_worker, sim):
    return active_loan(coordinator, technician, social_worker, sim=sim)


def test_the_gift_attestation_carries_every_mention(lent, coordinator):
    workflow.convert_to_gift(loan=lent, by=coordinator, sim_outcome="transfer")

    attestation = GiftAttestation.objects.get(loan=lent)
    text = pdf_text(bytes(attestation.pdf))
    today = formats.date_format(TODAY, "DATE_FORMAT")
    for expected in [
        "Donation attestation",
        f"No. {attestation.number}",
        # The association, as donor.
        "Ressourcerie de l'Artois",
        "12 rue des Écoles 62460 Divion",
        "123 456 789 01234",
        # The household.
        "Ysaline Dumortier",
        lent.household.code,
        "62460 Divion",
        # The devices, with their serials.
        "Dell E7470",
        "PF1ABCDE",
        "Huawei B535",
        "HW-B535-77",
        *(item.device.asset_tag for item in lent.items.all()),
        "Accessories: Charger",
        # The date, the transfer of ownership, no warranty.
        f"free of charge, to the household named above, on {today}",
        "From that day the household owns the equipment",
        "the equipment is not to be returned",
        "without any warranty from the association",
        "the legal guarantee of conformity applies to sales, not to gifts",
        f"loan agreement #{lent.pk}",
        "don manuel (code civil, art. 931",
        # The SIM line.
        "The SIM line 07 12 12 12 12 (Orange) is transferred to the household",
    ]:
        assert expected in text, expected


def test_attestations_are_numbered_per_year_and_never_reuse_a_number(
    coordinator, technician, social_worker
):
    first = active_loan(coordinator, technician, social_worker, serial="1")
    second = active_loan(coordinator, technician, social_worker, serial="2")

    workflow.convert_to_gift(loan=first, by=coordinator)
    workflow.convert_to_gift(loan=second, by=coordinator)

    numbers = [GiftAttestation.objects.get(loan=loan).number for loan in (first, second)]
    assert numbers == [f"DF-{YEAR}-0001", f"DF-{YEAR}-0002"]


def test_a_reprint_is_the_same_document_whatever_changed_since(
    lent, coordinator_client, coordinator
):
    workflow.convert_to_gift(loan=lent, by=coordinator, sim_outcome="close")
    attestation = GiftAttestation.objects.get(loan=lent)
    first = coordinator_client.get(f"/loans/{lent.pk}/gift-attestation.pdf")

    household = lent.household
    household.last_name = "Martin"
    household.save()
    Organisation.objects.update(name="Autre nom")
    again = coordinator_client.get(f"/loans/{lent.pk}/gift-attestation.pdf")

    assert first.status_code == again.status_code == 200
    assert first.content == again.content == bytes(attestation.pdf)
    assert hashlib.sha256(again.content).hexdigest() == attestation.sha256
    assert "Dumortier" in pdf_text(again.content)
    assert f"attestation-don-{attestation.number}.pdf" in again["Content-Disposition"]


def test_closing_the_line_terminates_the_sim_with_its_history(lent, coordinator, sim):
    workflow.convert_to_gift(loan=lent, by=coordinator, sim_outcome="close")

    sim.refresh_from_db()
    assert sim.status == SimCard.Status.TERMINATED
    last = sim.history.first()
    assert last.status == SimCard.Status.TERMINATED
    assert last.history_user == coordinator
    assert "The line is closed" in last.history_change_reason
    text = pdf_text(bytes(GiftAttestation.objects.get(loan=lent).pdf))
    assert "is closed by the association" in text


def test_transferring_the_line_records_it_on_the_sim(lent, coordinator, sim):
    workflow.convert_to_gift(loan=lent, by=coordinator, sim_outcome="transfer")

    sim.refresh_from_db()
    assert sim.status == SimCard.Status.TRANSFERRED
    assert "transferred to the household" in sim.history.first().history_change_reason
    assert GiftAttestation.objects.get(loan=lent).sim_outcome == "transfer"


def test_a_gift_with_a_sim_needs_the_choice_and_nothing_changes_without_it(lent, coordinator, sim):
    with pytest.raises(LendingError, match="Say what happens to the SIM line"):
        workflow.convert_to_gift(loan=lent, by=coordinator)

    lent.refresh_from_db()
    sim.refresh_from_db()
    assert lent.status == Loan.Status.ACTIVE
    assert sim.status == SimCard.Status.LENT
    assert not GiftAttestation.objects.exists()


def test_a_loan_without_sim_needs_no_choice(coordinator, technician, social_worker):
    loan = active_loan(coordinator, technician, social_worker)

    workflow.convert_to_gift(loan=loan, by=coordinator)

    attestation = GiftAttestation.objects.get(loan=loan)
    assert attestation.sim_outcome == ""
    assert "SIM" not in pdf_text(bytes(attestation.pdf))


def test_the_gift_page_asks_what_becomes_of_the_line(lent, coordinator_client):
    page = coordinator_client.get(f"/loans/{lent.pk}/gift/")
    assert 'name="sim_outcome"' in page.content.decode()

    refused = coordinator_client.post(f"/loans/{lent.pk}/gift/", {"note": ""})
    assert refused.status_code == 200
    lent.refresh_from_db()
    assert lent.status == Loan.Status.ACTIVE

    done = coordinator_client.post(
        f"/loans/{lent.pk}/gift/", {"note": "Fin du programme", "sim_outcome": "close"}
    )
    assert done.status_code == 302
    detail = coordinator_client.get(f"/loans/{lent.pk}/").content.decode()
    number = GiftAttestation.objects.get(loan=lent).number
    assert f"/loans/{lent.pk}/gift-attestation.pdf" in detail
    assert number in detail


def test_a_loan_that_is_no_gift_has_no_attestation(lent, coordinator_client):
    response = coordinator_client.get(f"/loans/{lent.pk}/gift-attestation.pdf", follow=True)

    assert response.redirect_chain[-1][0] == f"/loans/{lent.pk}/"
    assert "has no gift attestation" in response.content.decode()


def test_a_technician_gets_no_gift_attestation(lent, coordinator, technician_client):
    workflow.convert_to_gift(loan=lent, by=coordinator, sim_outcome="close")

    assert technician_client.get(f"/loans/{lent.pk}/gift-attestation.pdf").status_code == 404


def test_the_french_attestation_reads_attestation_de_don(lent, coordinator):
    with translation.override("fr"):
        workflow.convert_to_gift(loan=lent, by=coordinator, sim_outcome="close")

    text = pdf_text(bytes(GiftAttestation.objects.get(loan=lent).pdf))
    for expected in [
        "Attestation de don",
        "Le donateur : l'association",
        "le foyer est propriétaire du matériel",
        "sans garantie de l'association",
        "code de la consommation, art. L217-1",
        "est résiliée par l'association",
    ]:
        assert expected in text, expected


def test_anonymising_the_household_erases_its_attestation_but_keeps_the_number(
    lent, coordinator, coordinator_client
):
    from lending.privacy.anonymise import anonymise_household

    workflow.convert_to_gift(loan=lent, by=coordinator, sim_outcome="close")
    anonymise_household(lent.household, reason="Durée de conservation écoulée")

    attestation = GiftAttestation.objects.get(loan=lent)
    assert attestation.pdf is None
    assert attestation.number == f"DF-{YEAR}-0001"
    response = coordinator_client.get(f"/loans/{lent.pk}/gift-attestation.pdf", follow=True)
    assert response.redirect_chain[-1][0] == f"/loans/{lent.pk}/"
    assert "was erased with the household" in response.content.decode()

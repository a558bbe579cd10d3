"""The loan agreement PDF: what it says, before and after the hand-over, and who gets it."""

import datetime
import io
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from django.utils import formats, timezone, translation

from inventory.models import Category, Organisation, Status
from lending.loans import workflow as loan_workflow
from lending.loans.agreement import agreement_refusal, build_agreement
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

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def pdf_text(content):
    """The text of every page, with the lines that table cells wrap joined again."""
    document = pdfium.PdfDocument(io.BytesIO(content))
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.split())


def long_date(value):
    return formats.date_format(value, "DATE_FORMAT")


@pytest.fixture
def loan(coordinator, social_worker):
    social_worker.first_name, social_worker.last_name = "Nadia", "Berthelot"
    social_worker.save()
    structure = StructureFactory(
        name="CCAS de Divion", phone="03 21 61 00 00", members=[social_worker]
    )
    programme = ProgrammeFactory(
        name="Atelier digital — Divion",
        coordinators=[coordinator],
        structures=[structure, StructureFactory(name="Centre social Les Oyats")],
        return_instructions="Rapportez tout à la médiathèque, le mercredi.",
        contact_name="Mme Lefebvre",
        contact_phone="03 21 99 88 77",
    )
    household = HouseholdFactory(
        structure=structure,
        social_worker=social_worker,
        first_name="Ysaline",
        last_name="Dumortier",
        phone="06 55 44 33 22",
        postcode="62460",
        commune="Divion",
    )
    loan = LoanFactory(enrolment=EnrolmentFactory(household=household, programme=programme))
    devices = [
        DeviceFactory(
            status=Status.READY, serial_number="PF1ABCDE", manufacturer="Dell", model="E7470"
        ),
        DeviceFactory(
            status=Status.READY,
            category=Category.ROUTER_4G,
            serial_number="HW-B535-77",
            manufacturer="Huawei",
            model="B535",
        ),
    ]
    sim = SimCardFactory(
        iccid="8933150319000099999", phone_number="07 12 12 12 12", data_plan_gb=80
    )
    return loan_workflow.approve_loan(
        loan=loan, by=coordinator, devices=devices, starts_on=TODAY, sim=sim
    )


def test_the_agreement_lists_the_devices_the_sim_the_people_and_the_dates(loan, settings):
    settings.ORGANISATION_NAME = "Ressourcerie de l'Artois"
    with translation.override("en"):
        text = pdf_text(build_agreement(loan))

        for expected in [
            "Ressourcerie de l'Artois",
            f"#{loan.pk}",
            loan.household.code,
            "Atelier digital — Divion",
            "CCAS de Divion",
            "Centre social Les Oyats",
            "Ysaline Dumortier",
            "62460 Divion",
            "06 55 44 33 22",
            "Nadia Berthelot",
            "03 21 61 00 00",
            "PF1ABCDE",
            "HW-B535-77",
            "Dell E7470",
            *(item.device.asset_tag for item in loan.items.all()),
            "Orange",
            "07 12 12 12 12",
            "80 GB a month",
            "Rapportez tout à la médiathèque, le mercredi.",
            "Mme Lefebvre",
            "03 21 99 88 77",
            long_date(TODAY),
            long_date(loan.due_on),
        ]:
            assert expected in text, expected


def test_before_the_hand_over_the_signature_date_is_left_to_fill_in(loan):
    with translation.override("en"):
        text = pdf_text(build_agreement(loan))

    assert "Made at …………………………, on …………………………" in text
    assert "Recorded at the hand-over." in text


def test_after_the_hand_over_the_agreement_carries_its_signature_date_and_accessories(
    loan, technician
):
    signed = TODAY - datetime.timedelta(days=2)
    loan_workflow.hand_over_loan(
        loan=loan, by=technician, signed_on=signed, accessories=["charger", "sim"]
    )

    with translation.override("en"):
        text = pdf_text(build_agreement(loan))
        assert f"on {long_date(signed)}" in text
    assert "Charger" in text and "SIM card" in text


def test_the_agreement_is_drawn_in_the_active_language(loan):
    with translation.override("fr"):
        text = pdf_text(build_agreement(loan))
        french_date = long_date(TODAY)
    with translation.override("en"):
        english_date = long_date(TODAY)

    assert french_date in text
    assert english_date not in text


def test_the_coordinator_downloads_the_agreement(coordinator_client, loan):
    response = coordinator_client.get(f"/loans/{loan.pk}/agreement.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Ysaline Dumortier" in pdf_text(response.content)


def test_the_social_worker_of_the_household_downloads_the_agreement(social_worker_client, loan):
    assert social_worker_client.get(f"/loans/{loan.pk}/agreement.pdf").status_code == 200


def test_a_technician_gets_no_agreement(technician_client, loan):
    assert technician_client.get(f"/loans/{loan.pk}/agreement.pdf").status_code == 404


# What the law and the association's choices put on it ----------------------------------


@pytest.fixture
def organisation():
    return Organisation.objects.create(
        name="Ressourcerie de l'Artois",
        address="12 rue des Écoles\n62460 Divion",
        siret="12345678901234",
        phone="03 21 00 11 22",
    )


def test_the_agreement_names_the_lender_with_its_address_and_siret(loan, organisation):
    with translation.override("en"):
        text = pdf_text(build_agreement(loan))

    assert "The lender" in text
    assert "Ressourcerie de l'Artois" in text
    assert "12 rue des Écoles 62460 Divion" in text
    assert "123 456 789 01234" in text
    assert "The borrower: the household's reference person" in text
    assert "Loan for use (prêt à usage), code civil, art. 1875 à 1891" in text


def test_the_agreement_says_what_the_code_civil_says_with_its_articles(loan, organisation):
    with translation.override("en"):
        text = pdf_text(build_agreement(loan))

    for expected in [
        "remains the property of Ressourcerie de l'Artois. (code civil, art. 1875 à 1877)",
        "(code civil, art. 1880)",
        "Normal wear from that use is never charged. (code civil, art. 1884)",
        "(code civil, art. 1881 et 1882)",
        "unless a judge orders it for a pressing and unforeseen need. "
        "(code civil, art. 1888 et 1889)",
        "The household may return the equipment at any time before the due date",
    ]:
        assert expected in text, expected


def test_by_default_no_deposit_nothing_charged_and_the_choices_are_marked(loan, organisation):
    with translation.override("en"):
        text = pdf_text(build_agreement(loan))

    assert "No deposit is asked. (choice of the association)" in text
    assert "Nothing is asked of the household for a device lost, stolen or damaged" in text
    assert "within 5 days" in text
    assert "police or gendarmerie" in text and "complaint" in text
    assert "in writing and 15 days ahead" in text
    assert "30 days after the due date without a return, it suspends the SIM line" in text
    assert text.count("(choice of the association)") >= 5


def test_the_associations_own_choices_are_printed(loan, organisation):
    organisation.loan_deposit = Decimal("50")
    organisation.loan_damage_cap = Decimal("120")
    organisation.loan_loss_report_days = 3
    organisation.loan_early_end_notice_days = 8
    organisation.loan_non_return_days = 45
    organisation.save()

    with translation.override("en"):
        text = pdf_text(build_agreement(loan))

    assert "A deposit of 50.00 € is paid at the hand-over" in text
    assert "No deposit" not in text
    assert "at most 120.00 €. (choice of the association)" in text
    assert "within 3 days" in text
    assert "in writing and 8 days ahead" in text
    assert "45 days after the due date" in text


def test_the_sim_plan_end_date_and_what_happens_then_are_on_the_agreement(
    coordinator, organisation
):
    programme = ProgrammeFactory(coordinators=[coordinator], lends_sim=True)
    loan = LoanFactory(enrolment__programme=programme)
    sim = SimCardFactory(ends_on=TODAY + datetime.timedelta(days=40))
    device = DeviceFactory(status=Status.READY, category=programme.lent_categories[0])
    loan_workflow.approve_loan(
        loan=loan,
        by=coordinator,
        devices=[device],
        starts_on=TODAY,
        due_on=TODAY + datetime.timedelta(days=90),
        sim=sim,
    )

    with translation.override("en"):
        text = pdf_text(build_agreement(loan))
        end = long_date(sim.ends_on)
    assert f"Plan ends on {end}" in text
    assert f"The data plan ends on {end}, before the loan." in text
    assert f"the line stops working on {end}" in text


# Refused before the loan is approved with its devices ----------------------------------


def test_a_requested_loan_has_no_agreement_yet(coordinator):
    programme = ProgrammeFactory(coordinators=[coordinator])
    loan = LoanFactory(enrolment__programme=programme)

    with translation.override("en"), pytest.raises(LendingError) as refused:
        build_agreement(loan)

    assert str(refused.value.message) == (
        "The loan agreement can only be printed once the loan is approved and its devices "
        "chosen (this loan is “Requested”)."
    )


def test_a_cancelled_loan_has_no_agreement(loan, coordinator):
    loan_workflow.cancel_loan(loan=loan, by=coordinator, reason="Le foyer a déménagé")

    with translation.override("en"):
        assert "this loan is “Cancelled”" in agreement_refusal(loan)


def test_the_page_of_a_requested_loan_hides_the_button_and_the_link_explains(
    coordinator_client, coordinator
):
    programme = ProgrammeFactory(coordinators=[coordinator])
    loan = LoanFactory(enrolment__programme=programme)

    page = coordinator_client.get(f"/loans/{loan.pk}/")
    assert f"/loans/{loan.pk}/agreement.pdf" not in page.content.decode()

    response = coordinator_client.get(f"/loans/{loan.pk}/agreement.pdf", follow=True)
    assert response.redirect_chain[-1][0] == f"/loans/{loan.pk}/"
    # In French once the lead merges the translations (fr-loanpaper.json).
    assert "devices chosen" in response.content.decode() or (
        "La convention de prêt ne peut être imprimée" in response.content.decode()
    )


def test_the_page_of_an_approved_loan_offers_the_agreement(coordinator_client, loan):
    page = coordinator_client.get(f"/loans/{loan.pk}/")

    assert f"/loans/{loan.pk}/agreement.pdf" in page.content.decode()


def test_the_french_agreement_marks_the_associations_choices(loan, organisation):
    with translation.override("fr"):
        text = pdf_text(build_agreement(loan))

    for expected in [
        "Le prêteur",
        "Prêt à usage (commodat), code civil, art. 1875 à 1891",
        "Aucune caution n'est demandée. (choix de l'association)",
        "dans les 5 jours",
        "police ou à la gendarmerie",
        "(code civil, art. 1888 et 1889)",
    ]:
        assert expected in text, expected


def _organisation_form(**changes):
    data = {"name": "Ressourcerie de l'Artois", "vat_mention": "TVA non applicable"}
    data.update(changes)
    return data


def test_the_coordinator_sets_the_associations_loan_choices_on_the_organisation_page(
    coordinator_client, loan
):
    coordinator_client.post("/organisation/", _organisation_form(loan_deposit="20"))
    organisation = Organisation.objects.get()
    # Left empty: the defaults (no deposit was typed for the cap, etc.).
    assert (organisation.loan_damage_cap, organisation.loan_loss_report_days) == (0, 5)
    assert organisation.loan_deposit == Decimal("20")

    with translation.override("en"):
        text = pdf_text(build_agreement(loan))
    assert "A deposit of 20.00 € is paid at the hand-over" in text


def test_a_negative_deposit_is_refused_on_the_organisation_page(coordinator_client):
    response = coordinator_client.post("/organisation/", _organisation_form(loan_deposit="-5"))

    assert response.status_code == 200
    assert not Organisation.objects.exists()

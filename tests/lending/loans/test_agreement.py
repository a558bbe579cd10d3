"""The loan agreement PDF: what it says, before and after the hand-over, and who gets it."""

import datetime
import io

import pypdfium2 as pdfium
import pytest
from django.utils import formats, timezone, translation

from inventory.models import Category, Status
from lending.loans import workflow as loan_workflow
from lending.loans.agreement import build_agreement
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


def test_a_requested_loan_has_an_agreement_saying_devices_come_with_the_approval(coordinator):
    programme = ProgrammeFactory(coordinators=[coordinator])
    loan = LoanFactory(enrolment__programme=programme)

    with translation.override("en"):
        text = pdf_text(build_agreement(loan))

    assert "The devices are chosen when the loan is approved." in text

"""The information notice (RGPD art. 13): drawn from the organisation's details, given
from the household and enrolment pages, and the last pages of the loan agreement."""

import io

import pypdfium2 as pdfium
import pytest
from django.utils import timezone

from inventory.models import Organisation, Status
from lending.loans import workflow as loan_workflow
from lending.loans.agreement import build_agreement
from lending.privacy.notice import build_notice
from lending.privacy.purposes import PURPOSES
from tests.factories import DeviceFactory
from tests.lending_factories import EnrolmentFactory, HouseholdFactory, LoanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def pages_text(content):
    document = pdfium.PdfDocument(io.BytesIO(content))
    return [" ".join(page.get_textpage().get_text_range().split()) for page in document]


@pytest.fixture
def organisation():
    return Organisation.objects.create(
        name="Ressourcerie du Ponant",
        address="12 rue de Siam\n29200 Brest",
        siret="12345678901234",
        phone="02 98 00 00 00",
        email="contact@ponant.example",
        privacy_contact="Référente RGPD : dpo@ponant.example",
    )


def test_the_notice_names_the_controller_the_purposes_the_rights_and_the_cnil(organisation):
    text = " ".join(pages_text(build_notice()))

    assert "Ressourcerie du Ponant" in text
    assert "SIRET 12345678901234" in text
    assert "dpo@ponant.example" in text
    for purpose in PURPOSES:
        assert str(purpose.name) in text
    assert "art. 6.1.b" in text and "art. 9.2.a" in text
    assert "CNIL" in text and "https://www.cnil.fr/fr/adresser-une-plainte" in text
    for right in ("access", "rectification", "erasure", "limitation", "opposition"):
        assert right in text


def test_the_notice_says_the_retention_of_the_setting(organisation, settings):
    settings.HOUSEHOLD_RETENTION_DAYS = 365

    assert "365 days after the last contact" in " ".join(pages_text(build_notice()))


def test_without_a_privacy_contact_the_notice_gives_the_organisations_own(organisation):
    organisation.privacy_contact = ""
    organisation.save()

    text = " ".join(pages_text(build_notice()))

    assert "Contact for your data: contact@ponant.example · 02 98 00 00 00" in text


def test_the_loan_agreement_ends_with_the_notice(
    organisation, social_worker, structure, coordinator
):
    household = HouseholdFactory(structure=structure, social_worker=social_worker)
    loan = LoanFactory(enrolment=EnrolmentFactory(household=household))
    loan.programme.coordinators.add(coordinator)
    # The agreement is printed once the loan is approved with its devices.
    device = DeviceFactory(status=Status.READY, category=loan.programme.lent_categories[0])
    loan_workflow.approve_loan(
        loan=loan, by=coordinator, devices=[device], starts_on=timezone.localdate()
    )

    pages = pages_text(build_agreement(loan))

    assert "Computer equipment loan agreement" in pages[0]
    assert "Information notice: your personal data" not in pages[0]
    notice_starts = next(i for i, p in enumerate(pages) if "Information notice:" in p)
    assert notice_starts > 0
    assert "CNIL" in " ".join(pages[notice_starts:])
    assert "Signature" not in " ".join(pages[notice_starts:])


@pytest.mark.parametrize(
    ("role", "expected"),
    [("social_worker", 200), ("coordinator", 200), ("superuser", 200), ("technician", 403)],
)
def test_who_may_download_the_notice(client_for, role, expected):
    response = client_for(role).get("/privacy/notice.pdf")

    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"


def test_the_household_and_enrolment_pages_link_to_the_notice(
    social_worker_client, social_worker, structure
):
    household = HouseholdFactory(structure=structure, social_worker=social_worker)
    enrolment = EnrolmentFactory(household=household)

    for url in (f"/households/{household.code}/", f"/enrolments/{enrolment.pk}/"):
        page = social_worker_client.get(url).content.decode()
        assert 'href="/privacy/notice.pdf"' in page, url

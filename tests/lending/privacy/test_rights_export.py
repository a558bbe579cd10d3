"""The subject-access export (RGPD art. 15 and 20): one ZIP of a PDF summary, a JSON
document and CSV files, for whoever may read the household's file."""

import csv
import datetime
import io
import json
import zipfile

import pypdfium2 as pdfium
import pytest
from django.db.models import ManyToManyField
from django.utils import formats, timezone

from accounts.templatetags.people import person
from inventory.models import Comment
from lending.models import (
    Criterion,
    Household,
    HouseholdAccess,
    LoanDevice,
    LoanExtension,
    Return,
)
from lending.models.fields import ChoiceListField
from tests.factories import DeviceFactory, UserFactory
from tests.lending_factories import (
    AttendanceFactory,
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
    StructureFactory,
    WorkshopFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate()


@pytest.fixture
def household(structure, social_worker):
    household = HouseholdFactory(
        structure=structure,
        social_worker=social_worker,
        first_name="Zéphyrine",
        last_name="Quatremare",
        phone="06 98 76 54 32",
        email="zephyrine@example.org",
        postcode="62160",
        commune="Bully-les-Mines",
        insee_code="62186",
        qpv="yes",
        age_band="40_59",
        social_status="unemployed",
        size=4,
        school_age_children=2,
        needs=["school", "health"],
        notes="Préfère être appelée le matin.",
    )
    household.situations.set([Criterion.objects.get(name="Bénéficiaire du RSA")])
    return household


@pytest.fixture
def programme(structure, coordinator):
    return ProgrammeFactory(structures=[structure], coordinators=[coordinator], name="Prog P")


@pytest.fixture
def file(household, programme, social_worker, coordinator):
    """The household's follow-up in programme P, and a loan in another programme Q."""
    enrolment = EnrolmentFactory(household=household, programme=programme)
    loan = LoanFactory(enrolment=enrolment, request_note="Pour les devoirs des enfants")
    LoanDevice.objects.create(loan=loan, device=DeviceFactory(asset_tag="R-000777"))
    LoanExtension.objects.create(
        loan=loan,
        previous_due_on=TODAY,
        new_due_on=TODAY + datetime.timedelta(days=30),
        reason="Formation prolongée",
        by=coordinator,
    )
    Return.objects.create(
        loan=loan, inspected_by=coordinator, inspected_at=timezone.now(), notes="Écran rayé"
    )
    AttendanceFactory(
        household=household, workshop=WorkshopFactory(programme=programme, topic="La messagerie")
    )
    Comment.objects.create(subject=household, author=social_worker, body="COMMENT-FOYER")
    Comment.objects.create(subject=enrolment, author=coordinator, body="COMMENT-INSCRIPTION")
    Comment.objects.create(subject=loan, author=coordinator, body="COMMENT-PRET")
    other = ProgrammeFactory(structures=[household.structure], name="Prog Q")
    other_loan = LoanFactory(enrolment=EnrolmentFactory(household=household, programme=other))
    Comment.objects.create(subject=other_loan, author=social_worker, body="COMMENT-AUTRE-PROGRAMME")
    return loan


def _download(client, household):
    response = client.get(f"/households/{household.code}/personal-data.zip")
    assert response.status_code == 200, response.status_code
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return response, {name: archive.read(name) for name in archive.namelist()}


def _pdf_text(content):
    document = pdfium.PdfDocument(content)
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    # A table cell wraps long values over lines: compare words, not line breaks.
    return " ".join(text.split())


def _csv_cells(content):
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    return [cell for row in rows for cell in row]


def _shown(value):
    """How the summary writes one value of the household, as a person reads it."""
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _expected_values(household):
    """{field name: [strings the export must show]} for every field of the model."""
    meta = Household._meta
    expected = {}
    for field in [*meta.concrete_fields, *meta.many_to_many]:
        # The anonymisation marks are empty on a file still in use.
        if field.name in ("id", "anonymised_on", "anonymisation_reason"):
            continue
        if isinstance(field, ManyToManyField):
            values = [str(item) for item in getattr(household, field.name).all()]
        elif field.is_relation:
            related = getattr(household, field.name)
            values = [person(related) if hasattr(related, "get_username") else str(related)]
        elif isinstance(field, ChoiceListField):
            values = field.labels(getattr(household, field.name))
        elif field.choices:
            values = [str(getattr(household, f"get_{field.name}_display")())]
        else:
            values = [_shown(getattr(household, field.attname))]
        expected[field.name] = values
    return expected


def test_the_export_holds_every_field_of_the_household_in_each_file(
    social_worker_client, household
):
    response, files = _download(social_worker_client, household)

    assert response["Content-Disposition"] == (
        f'attachment; filename="donnees-personnelles-{household.code}-{TODAY:%Y-%m-%d}.zip"'
    )
    pdf_text = _pdf_text(files["synthese.pdf"])
    csv_cells = _csv_cells(files["foyer.csv"])
    document = json.loads(files["donnees.json"])
    missing = {}
    for name, values in _expected_values(household).items():
        assert values, f"{name}: the test household must have a value"
        for value in values:
            where = [
                label
                for label, found in (
                    ("pdf", " ".join(value.split()) in pdf_text),
                    ("csv", any(value in cell for cell in csv_cells)),
                )
                if not found
            ]
            if name not in document["foyer"]:
                where.append("json")
            if where:
                missing[f"{name}={value!r}"] = where
    assert missing == {}
    assert document["foyer"]["last_name"] == "Quatremare"
    consent = household.consents.get()
    assert document["consentements"] == [
        {
            "purpose": consent.get_purpose_display(),
            "given_on": consent.given_on.isoformat(),
            "recorded_by": document["consentements"][0]["recorded_by"],
            "withdrawn_on": None,
            "withdrawn_by": "",
        }
    ]
    assert document["foyer"]["situations"] == ["Bénéficiaire du RSA"]


def test_the_export_holds_the_follow_up_the_comments_and_who_opened_the_file(
    social_worker_client, social_worker, household, file
):
    social_worker_client.get(f"/households/{household.code}/")

    _response, files = _download(social_worker_client, household)

    document = json.loads(files["donnees.json"])
    assert document["complete"] is True
    assert [e["programme"] for e in document["inscriptions"]] == ["Prog P", "Prog Q"]
    loan = next(row for row in document["prets"] if row["number"] == file.pk)
    assert loan["request_note"] == "Pour les devoirs des enfants"
    assert loan["return_notes"] == "Écran rayé"
    assert loan["devices"] == ["R-000777 · Lenovo ThinkPad T480"]
    assert [e["reason"] for e in document["prolongations"]] == ["Formation prolongée"]
    assert [(a["workshop"][:13], a["presence"]) for a in document["presences"]] == [
        ("La messagerie", "Present")
    ]
    assert [(d["loan"], d["device"]) for d in document["appareils"]] == [
        (file.pk, "R-000777 · Lenovo ThinkPad T480")
    ]
    assert {c["text"] for c in document["commentaires"]} == {
        "COMMENT-FOYER",
        "COMMENT-INSCRIPTION",
        "COMMENT-PRET",
        "COMMENT-AUTRE-PROGRAMME",
    }
    assert [(a["by"], a["what"]) for a in document["consultations"]] == [
        (person(social_worker), "Downloaded its data (right of access)"),
        (person(social_worker), "Opened the household's file"),
    ]
    assert {row["about"] for row in document["historique"]} >= {f"household {household.code}"}
    assert {"consentements.csv", "prets.csv", "historique.csv", "consultations.csv"} <= set(files)
    pdf_text = _pdf_text(files["synthese.pdf"])
    assert "COMMENT-PRET" in pdf_text
    assert "R-000777" in pdf_text


def test_the_history_in_the_export_keeps_the_old_values_of_a_rectification(
    social_worker_client, social_worker, household
):
    household.last_name = "Nouveaunom"
    household._history_user = social_worker
    household.save()

    _response, files = _download(social_worker_client, household)

    changes = [c for row in json.loads(files["donnees.json"])["historique"] for c in row["changes"]]
    assert "last name: Quatremare → Nouveaunom" in changes


def test_a_coordinator_gets_their_programmes_part_said_to_be_partial(
    coordinator_client, household, file
):
    _response, files = _download(coordinator_client, household)

    document = json.loads(files["donnees.json"])
    assert document["complete"] is False
    assert [e["programme"] for e in document["inscriptions"]] == ["Prog P"]
    assert "COMMENT-AUTRE-PROGRAMME" not in files["donnees.json"].decode()
    assert "Partial" in _pdf_text(files["synthese.pdf"])


def test_the_download_is_written_in_the_access_log(social_worker_client, social_worker, household):
    _download(social_worker_client, household)

    entry = HouseholdAccess.objects.get(household=household)
    assert (entry.user, entry.what) == (social_worker, HouseholdAccess.What.SUBJECT_EXPORT)


def test_a_spreadsheet_formula_in_a_value_stays_text_in_the_csv_files(
    social_worker_client, household
):
    Household.objects.filter(pk=household.pk).update(notes='=HYPERLINK("http://x")')

    _response, files = _download(social_worker_client, household)

    cells = _csv_cells(files["foyer.csv"])
    assert '\'=HYPERLINK("http://x")' in cells
    assert not any(cell.startswith("=") for cell in cells)
    assert json.loads(files["donnees.json"])["foyer"]["notes"] == '=HYPERLINK("http://x")'


@pytest.mark.parametrize("role", ["technician", "other_social_worker", "other_coordinator"])
def test_who_may_not_read_the_file_gets_no_export_and_nothing_is_logged(
    client, roles, household, programme, role
):
    from accounts.roles import Role

    users = {
        "technician": lambda: UserFactory(role=Role.TECHNICIAN),
        "other_social_worker": lambda: StructureFactory(
            members=[UserFactory(role=Role.SOCIAL_WORKER)]
        ).members.get(),
        "other_coordinator": lambda: ProgrammeFactory().coordinators.get(),
    }
    EnrolmentFactory(household=household, programme=programme)
    client.force_login(users[role]())

    response = client.get(f"/households/{household.code}/personal-data.zip")

    assert response.status_code == (403 if role == "technician" else 404)
    assert not HouseholdAccess.objects.exists()

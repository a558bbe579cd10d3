"""Comments on loans, households and enrolments have an audience: the social team (who
may read the household's file) or the workshop too. The workshop never reads the social
team's comments, on no page it may open; the form says who will read a comment."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from inventory.models import Comment, Status
from lending.comments import add_lending_comment
from lending.loans import workflow as loan_workflow
from lending.states import LendingError
from tests.factories import DeviceFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
)
from tests.matrix import text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate()
SECRET = "Mme a appelé depuis le 06 11 22 33 44, elle a peur de son ex-conjoint"
FOR_THE_WORKSHOP = "Chargeur à prévoir, l'ancien est cassé"
SOCIAL, EVERYONE = Comment.Audience.SOCIAL, Comment.Audience.EVERYONE


@pytest.fixture
def programme(coordinator, structure):
    return ProgrammeFactory(coordinators=[coordinator], structures=[structure])


@pytest.fixture
def enrolment(structure, social_worker, programme):
    household = HouseholdFactory(structure=structure, social_worker=social_worker)
    return EnrolmentFactory(household=household, programme=programme)


@pytest.fixture
def loan(enrolment, coordinator, technician):
    loan = LoanFactory(enrolment=enrolment)
    device = DeviceFactory(status=Status.READY)
    loan_workflow.approve_loan(loan=loan, by=coordinator, devices=[device], starts_on=TODAY)
    loan_workflow.hand_over_loan(loan=loan, by=technician, signed_on=TODAY)
    loan.refresh_from_db()
    return loan


def test_the_loan_form_says_who_will_read_the_comment_social_team_by_default(
    social_worker_client, loan
):
    html = social_worker_client.get(f"/loans/{loan.pk}/").content.decode()

    assert "Visible to the social team only" in html
    assert "Visible to the workshop too (technicians)" in html
    assert 'type="radio" name="audience" value="social"' in html
    social = html[html.index('value="social"') :][:80]
    assert "checked" in social
    assert "checked" not in html[html.index('value="everyone"') :][:60]


def test_a_social_workers_comment_is_for_the_social_team_unless_they_choose(
    social_worker_client, technician_client, coordinator_client, loan
):
    social_worker_client.post(f"/loans/{loan.pk}/comment/", {"body": SECRET})
    social_worker_client.post(
        f"/loans/{loan.pk}/comment/", {"body": FOR_THE_WORKSHOP, "audience": "everyone"}
    )

    assert dict(loan.comments.values_list("body", "audience")) == {
        SECRET: SOCIAL,
        FOR_THE_WORKSHOP: EVERYONE,
    }
    workshop = technician_client.get(f"/loans/{loan.pk}/").content.decode()
    assert FOR_THE_WORKSHOP.replace("'", "&#x27;") in workshop
    assert "06 11 22 33 44" not in workshop and "ex-conjoint" not in workshop
    coordinators = coordinator_client.get(f"/loans/{loan.pk}/").content.decode()
    assert "ex-conjoint" in coordinators
    assert "Social team only" in coordinators


def test_the_workshop_writes_for_everyone_and_cannot_write_for_the_social_team(
    technician, social_worker_client, technician_client, loan
):
    html = technician_client.get(f"/loans/{loan.pk}/").content.decode()
    assert 'name="audience"' not in html
    assert "The social team and the workshop read this comment" in html

    technician_client.post(f"/loans/{loan.pk}/comment/", {"body": FOR_THE_WORKSHOP})
    assert loan.comments.get().audience == EVERYONE
    assert "ex-conjoint" not in social_worker_client.get(f"/loans/{loan.pk}/").content.decode()

    with pytest.raises(LendingError):
        add_lending_comment(subject=loan, by=technician, body=SECRET, audience=SOCIAL)
    response = technician_client.post(
        f"/loans/{loan.pk}/comment/", {"body": SECRET, "audience": "social"}, HTTP_HX_REQUEST="true"
    )
    assert "Only the social team may write a comment for itself." in response.content.decode()
    assert loan.comments.count() == 1


def test_the_panel_sent_back_after_a_comment_keeps_the_social_comments_from_the_workshop(
    social_worker, technician_client, loan
):
    add_lending_comment(subject=loan, by=social_worker, body=SECRET)

    response = technician_client.post(
        f"/loans/{loan.pk}/comment/", {"body": FOR_THE_WORKSHOP}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert "Chargeur à prévoir" in html
    assert "ex-conjoint" not in html


def test_household_and_enrolment_comments_are_the_social_teams(
    social_worker, social_worker_client, coordinator_client, enrolment
):
    household = enrolment.household
    social_worker_client.post(f"/households/{household.code}/comment/", {"body": SECRET})
    add_lending_comment(subject=enrolment, by=social_worker, body=SECRET, audience=EVERYONE)

    assert set(Comment.objects.values_list("audience", flat=True)) == {SOCIAL}
    assert (
        "ex-conjoint" in social_worker_client.get(f"/households/{household.code}/").content.decode()
    )
    assert "ex-conjoint" in coordinator_client.get(f"/enrolments/{enrolment.pk}/").content.decode()


def test_no_page_the_workshop_opens_shows_the_social_teams_comment(
    social_worker, technician_client, loan
):
    """« … a appelé depuis le 06 … »: not on the loan, its device, the scan station, the
    loan list, nor the exports."""
    add_lending_comment(subject=loan, by=social_worker, body=SECRET)
    device = loan.items.get().device
    urls = [
        f"/loans/{loan.pk}/",
        f"/devices/{device.asset_tag}/",
        f"/devices/?q={device.asset_tag}",
        "/scan/",
        f"/scan/?code={device.asset_tag}",
        "/loans/",
        "/loans/?export=csv",
        "/loans/?export=xlsx",
        "/loans/?export=ods",
        "/devices/?export=csv",
    ]
    for url in urls:
        response = technician_client.get(url)
        assert response.status_code == 200, url
        text = text_of(response)
        assert "06 11 22 33 44" not in text, url
        assert "ex-conjoint" not in text, url


def test_the_migration_gives_the_existing_lending_comments_to_the_social_team(
    social_worker, technician, loan, enrolment
):
    device = loan.items.get().device
    for subject in (loan, enrolment, enrolment.household, device):
        Comment.objects.create(subject=subject, author=social_worker, body=SECRET)
    migration = importlib.import_module("lending.migrations.0006_leaks_lending_comments_social")

    migration.to_social_team(django_apps, None)

    audiences = {c.subject._meta.model_name: c.audience for c in Comment.objects.all()}
    assert audiences == {
        "loan": SOCIAL,
        "enrolment": SOCIAL,
        "household": SOCIAL,
        "device": EVERYONE,
    }


def test_the_workshop_sees_what_changed_on_a_loan_not_the_social_teams_reasons(
    enrolment, coordinator, technician, technician_client, social_worker_client
):
    request_note = "Famille hébergée chez un tiers depuis la séparation"
    reason = "Accord malgré le retard : la mère est hospitalisée"
    loan = LoanFactory(enrolment=enrolment, request_note=request_note)
    device = DeviceFactory(status=Status.READY)
    loan_workflow.approve_loan(
        loan=loan, by=coordinator, devices=[device], starts_on=TODAY, note=reason
    )

    seen_by_workshop = text_of(technician_client.get(f"/loans/{loan.pk}/"))
    seen_by_social_team = text_of(social_worker_client.get(f"/loans/{loan.pk}/"))

    assert "Approved" in seen_by_workshop
    assert request_note not in seen_by_workshop
    assert reason not in seen_by_workshop
    assert request_note in seen_by_social_team
    assert reason in seen_by_social_team

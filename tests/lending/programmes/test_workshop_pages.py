"""The workshop pages: planning them (coordinators of the programme), and recording
attendance in one form, all rows or none."""

import datetime

import pytest
from django.contrib.messages import constants
from django.utils import timezone

from accounts.roles import Role
from lending.models import Attendance, Enrolment, Workshop
from tests.factories import UserFactory
from tests.lending_factories import (
    AttendanceFactory,
    EnrolmentFactory,
    HouseholdFactory,
    ProgrammeFactory,
    StructureFactory,
    WorkshopFactory,
)
from tests.messages import messages_of

pytestmark = pytest.mark.django_db

P = Attendance.Presence


@pytest.fixture
def other_structure():
    return StructureFactory()


@pytest.fixture
def programme(coordinator, structure, other_structure):
    return ProgrammeFactory(coordinators=[coordinator], structures=[structure, other_structure])


@pytest.fixture
def workshop(programme):
    return WorkshopFactory(programme=programme)


def enrolled(programme, structure, **fields):
    household = HouseholdFactory(structure=structure, **fields)
    EnrolmentFactory(household=household, programme=programme)
    return household


def workshop_data(**overrides):
    starts_at = timezone.localtime() + datetime.timedelta(days=3)
    return {
        "topic": "Les démarches CAF en ligne",
        "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 120,
        "place": "Centre social",
        "facilitator": "Julie",
        **overrides,
    }


def presences(**by_code):
    return {f"presence-{code}": value for code, value in by_code.items()}


# Planning ---------------------------------------------------------------------------


def test_a_coordinator_plans_a_workshop_of_their_programme(
    programme, coordinator, coordinator_client
):
    response = coordinator_client.post(
        f"/programmes/{programme.pk}/workshops/new/", workshop_data()
    )

    workshop = Workshop.objects.get()
    assert response["Location"] == f"/workshops/{workshop.pk}/"
    assert workshop.programme == programme
    assert workshop.history.get().history_user == coordinator


def test_a_workshop_outside_the_programme_is_refused_on_its_date(programme, coordinator_client):
    far = timezone.localtime() + datetime.timedelta(days=900)

    response = coordinator_client.post(
        f"/programmes/{programme.pk}/workshops/new/",
        workshop_data(starts_at=far.strftime("%Y-%m-%dT%H:%M")),
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["starts_at"]
    assert not Workshop.objects.exists()


def test_another_coordinator_cannot_plan_a_workshop(programme, roles, client):
    client.force_login(UserFactory(role=Role.COORDINATOR))

    response = client.post(f"/programmes/{programme.pk}/workshops/new/", workshop_data())

    assert response.status_code == 404
    assert not Workshop.objects.exists()


def test_a_social_worker_cannot_plan_a_workshop(programme, social_worker_client):
    response = social_worker_client.post(
        f"/programmes/{programme.pk}/workshops/new/", workshop_data()
    )

    assert response.status_code == 403
    assert not Workshop.objects.exists()


def test_a_coordinator_moves_a_workshop(workshop, coordinator_client):
    response = coordinator_client.post(
        f"/workshops/{workshop.pk}/edit/", workshop_data(place="Médiathèque")
    )

    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.place == "Médiathèque"


def test_another_coordinator_cannot_edit_a_workshop(workshop, roles, client):
    client.force_login(UserFactory(role=Role.COORDINATOR))

    response = client.post(f"/workshops/{workshop.pk}/edit/", workshop_data(place="Ailleurs"))

    assert response.status_code == 404
    workshop.refresh_from_db()
    assert workshop.place != "Ailleurs"


# The attendance form ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("coordinator", 200), ("social_worker", 200), ("technician", 403), ("anonymous", 302)],
)
def test_the_workshop_page_opens_for_those_who_follow_attendance(
    role, expected, workshop, client_for
):
    assert client_for(role).get(f"/workshops/{workshop.pk}/").status_code == expected


def test_the_coordinator_sees_a_row_per_enrolled_household(
    workshop, structure, other_structure, coordinator_client
):
    own = enrolled(workshop.programme, structure, last_name="Quatrebarbes")
    theirs = enrolled(workshop.programme, other_structure)
    HouseholdFactory(structure=structure)
    applied = HouseholdFactory(structure=structure)
    EnrolmentFactory(
        household=applied, programme=workshop.programme, status=Enrolment.Status.APPLIED
    )

    response = coordinator_client.get(f"/workshops/{workshop.pk}/")

    assert [row["household"] for row in response.context["rows"]] == sorted(
        [own, theirs], key=lambda h: h.code
    )
    assert "Quatrebarbes" in response.text
    assert applied.code not in response.text
    assert response.context["may_record"] is True


def test_a_social_worker_sees_only_their_households(
    workshop, structure, other_structure, social_worker_client
):
    own = enrolled(workshop.programme, structure)
    theirs = enrolled(workshop.programme, other_structure, last_name="Quatrebarbes")

    response = social_worker_client.get(f"/workshops/{workshop.pk}/")

    assert [row["household"] for row in response.context["rows"]] == [own]
    assert theirs.code not in response.text
    assert "Quatrebarbes" not in response.text


def test_the_form_shows_what_was_recorded(workshop, structure, coordinator_client):
    household = enrolled(workshop.programme, structure)
    AttendanceFactory(workshop=workshop, household=household, presence=P.EXCUSED)

    response = coordinator_client.get(f"/workshops/{workshop.pk}/")

    assert f'name="presence-{household.code}" value="excused" checked' in response.text


def test_the_attendance_of_every_row_is_saved_at_once(workshop, structure, coordinator_client):
    first, second, third = (enrolled(workshop.programme, structure) for _ in range(3))

    response = coordinator_client.post(
        f"/workshops/{workshop.pk}/",
        presences(**{first.code: "present", second.code: "absent", third.code: "excused"}),
    )

    assert response.status_code == 302
    assert dict(workshop.attendances.values_list("household__code", "presence")) == {
        first.code: "present",
        second.code: "absent",
        third.code: "excused",
    }


def test_rows_left_unanswered_are_not_recorded(workshop, structure, coordinator_client):
    answered, skipped = (enrolled(workshop.programme, structure) for _ in range(2))

    coordinator_client.post(
        f"/workshops/{workshop.pk}/", presences(**{answered.code: "present", skipped.code: ""})
    )

    assert list(workshop.attendances.values_list("household", flat=True)) == [answered.pk]


def test_an_unknown_household_records_nothing(workshop, structure, coordinator_client):
    known = enrolled(workshop.programme, structure)

    response = coordinator_client.post(
        f"/workshops/{workshop.pk}/", presences(**{known.code: "present", "F-0000": "present"})
    )

    assert response.status_code == 200
    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    assert "F-0000" in messages_of(response)[0][1]
    assert not Attendance.objects.exists()
    # The choices made are kept on the page to correct and send again.
    assert f'name="presence-{known.code}" value="present" checked' in response.text


def test_a_household_not_enrolled_in_the_programme_records_nothing(
    workshop, structure, coordinator_client
):
    known = enrolled(workshop.programme, structure)
    outsider = enrolled(ProgrammeFactory(structures=[structure]), structure)

    response = coordinator_client.post(
        f"/workshops/{workshop.pk}/", presences(**{known.code: "present", outsider.code: "absent"})
    )

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    assert outsider.code in messages_of(response)[0][1]
    assert not Attendance.objects.exists()


def test_a_social_worker_records_the_attendance_of_their_households(
    workshop, structure, social_worker, social_worker_client
):
    own = enrolled(workshop.programme, structure)

    response = social_worker_client.post(
        f"/workshops/{workshop.pk}/", presences(**{own.code: "present"})
    )

    assert response.status_code == 302
    assert workshop.attendances.get().recorded_by == social_worker


def test_a_social_worker_cannot_record_another_structures_household(
    workshop, structure, other_structure, social_worker_client
):
    own = enrolled(workshop.programme, structure)
    theirs = enrolled(workshop.programme, other_structure)

    response = social_worker_client.post(
        f"/workshops/{workshop.pk}/", presences(**{own.code: "present", theirs.code: "absent"})
    )

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    assert not Attendance.objects.exists()


def test_a_social_worker_without_households_there_cannot_post(
    workshop, other_structure, social_worker_client
):
    theirs = enrolled(workshop.programme, other_structure)

    response = social_worker_client.post(
        f"/workshops/{workshop.pk}/", presences(**{theirs.code: "present"})
    )

    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_more_present_than_the_workshop_takes_records_nothing(
    workshop, structure, coordinator_client
):
    workshop.capacity = 1
    workshop.save()
    first, second = (enrolled(workshop.programme, structure) for _ in range(2))

    response = coordinator_client.post(
        f"/workshops/{workshop.pk}/", presences(**{first.code: "present", second.code: "present"})
    )

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    assert not Attendance.objects.exists()


def test_a_nul_byte_in_a_household_code_is_an_unknown_household(
    workshop, structure, coordinator_client
):
    enrolled(workshop.programme, structure)

    response = coordinator_client.post(
        f"/workshops/{workshop.pk}/", {"presence-F-00\x0001": "present"}
    )

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    assert not Attendance.objects.exists()


def test_a_wrong_presence_records_nothing(workshop, structure, coordinator_client):
    household = enrolled(workshop.programme, structure)

    response = coordinator_client.post(
        f"/workshops/{workshop.pk}/", presences(**{household.code: "asleep"})
    )

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    assert not Attendance.objects.exists()


def test_a_capacity_below_those_present_is_refused_on_the_capacity(
    workshop, structure, coordinator_client
):
    for _ in range(2):
        AttendanceFactory(workshop=workshop, household=enrolled(workshop.programme, structure))

    response = coordinator_client.post(
        f"/workshops/{workshop.pk}/edit/",
        workshop_data(
            starts_at=timezone.localtime(workshop.starts_at).strftime("%Y-%m-%dT%H:%M"), capacity=1
        ),
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["capacity"]
    workshop.refresh_from_db()
    assert workshop.capacity is None


@pytest.mark.parametrize("households", [15, 100])
def test_the_workshop_page_runs_a_fixed_number_of_queries(
    households, workshop, structure, coordinator, coordinator_client, django_assert_max_num_queries
):
    enrolled_households = [enrolled(workshop.programme, structure) for _ in range(households)]
    Attendance.objects.bulk_create(
        Attendance(workshop=workshop, household=h, presence="present", recorded_by=coordinator)
        for h in enrolled_households[::2]
    )

    with django_assert_max_num_queries(11):
        response = coordinator_client.get(f"/workshops/{workshop.pk}/")

    assert len(response.context["rows"]) == households

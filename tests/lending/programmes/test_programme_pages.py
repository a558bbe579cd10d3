"""The programme pages (list, creation, edition, detail with its enrolments and attendance
matrix): who sees what, and what a refused form leaves behind (nothing)."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.roles import Role
from lending.models import Attendance, Criterion, Enrolment, Programme
from tests.factories import UserFactory
from tests.lending_factories import (
    AttendanceFactory,
    EnrolmentFactory,
    FunderFactory,
    HouseholdFactory,
    ProgrammeFactory,
    StructureFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

E = Enrolment.Status
# What no technician, nor a social worker of another structure, may read of a household.
PERSON = {
    "first_name": "Zéphyrine",
    "last_name": "Quatrebarbes",
    "phone": "06 99 88 77 66",
    "commune": "Rebreuve-Ranchicourt",
}


@pytest.fixture
def programme(coordinator, structure):
    return ProgrammeFactory(coordinators=[coordinator], structures=[structure], capacity=3)


def enrol(programme, structure=None, **fields):
    household = HouseholdFactory(structure=structure or programme.structures.first())
    return EnrolmentFactory(household=household, programme=programme, **fields)


def form_data(structure, **overrides):
    today = timezone.localdate()
    return {
        "name": "Atelier digital solidaire — Bruay 2026",
        "status": Programme.Status.OPEN,
        "structures": [structure.pk],
        "capacity": 15,
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=365)).isoformat(),
        "default_loan_days": 180,
        "lent_categories": ["laptop"],
        "lends_router": "on",
        "lends_sim": "on",
        "data_plan_gb": 50,
        "expected_workshops": 6,
        "min_criteria": 0,
        **overrides,
    }


def edit_data(programme, **overrides):
    data = {
        "name": programme.name,
        "status": programme.status,
        "structures": [s.pk for s in programme.structures.all()],
        "coordinators": [u.pk for u in programme.coordinators.all()],
        "capacity": programme.capacity,
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
        "default_loan_days": programme.default_loan_days,
        "lent_categories": programme.lent_categories,
        "lends_router": "on",
        "lends_sim": "on",
        "data_plan_gb": programme.data_plan_gb,
        "expected_workshops": programme.expected_workshops,
        "min_criteria": programme.min_criteria,
    }
    return {**data, **overrides}


# The list ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("technician", 200),
        ("social_worker", 200),
        ("coordinator", 200),
        ("superuser", 200),
        ("anonymous", 302),
    ],
)
def test_the_programme_list_opens_for_every_role(role, expected, programme, client_for):
    response = client_for(role).get("/programmes/")

    assert response.status_code == expected


def test_the_programme_list_shows_places_and_the_waiting_list(programme, coordinator_client):
    enrol(programme)
    enrol(programme, status=E.WAITLISTED, waitlist_position=1)
    programme.funders.add(FunderFactory(name="FEDER"))

    response = coordinator_client.get("/programmes/")

    (row,) = response.context["programmes"]
    assert (row.capacity, row.enrolled, row.places_left, row.waiting) == (3, 1, 2, 1)
    assert "FEDER" in response.text
    assert programme.structures.get().name in response.text


def test_only_coordinators_are_offered_a_new_programme(programme, client_for):
    assert "/programmes/new/" in client_for("coordinator").get("/programmes/").text
    assert "/programmes/new/" not in client_for("social_worker").get("/programmes/").text
    assert "/programmes/new/" not in client_for("technician").get("/programmes/").text


@pytest.mark.parametrize("size", [10, 200])
def test_the_programme_list_runs_a_fixed_number_of_queries(
    size, coordinator, structure, coordinator_client, django_assert_max_num_queries
):
    funder = FunderFactory()
    for _ in range(size):
        programme = ProgrammeFactory(coordinators=[coordinator], structures=[structure])
        programme.funders.add(funder)
    enrol(programme)

    with django_assert_max_num_queries(10):
        response = coordinator_client.get("/programmes/")

    assert len(response.context["programmes"]) == size


# Creation and edition ---------------------------------------------------------------


def test_a_coordinator_creates_a_programme_and_coordinates_it(
    structure, coordinator, coordinator_client
):
    response = coordinator_client.post("/programmes/new/", form_data(structure))

    programme = Programme.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/programmes/{programme.pk}/"
    assert list(programme.coordinators.all()) == [coordinator]
    assert programme.lent_categories == ["laptop"]
    assert programme.history.get().history_user == coordinator


def test_the_router_is_not_offered_as_a_lent_category(coordinator_client):
    response = coordinator_client.get("/programmes/new/")

    choices = [
        value for value, _label in response.context["form"].fields["lent_categories"].choices
    ]
    assert "router_4g" not in choices
    assert "laptop" in choices


def test_a_programme_ending_before_it_starts_is_refused_on_the_end_date(
    structure, coordinator_client
):
    today = timezone.localdate()
    data = form_data(structure, ends_on=(today - datetime.timedelta(days=1)).isoformat())

    response = coordinator_client.post("/programmes/new/", data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["ends_on"]
    assert not Programme.objects.exists()


def test_a_social_worker_cannot_create_a_programme(structure, social_worker_client):
    response = social_worker_client.post("/programmes/new/", form_data(structure))

    assert response.status_code == 403
    assert not Programme.objects.exists()


def test_a_coordinator_edits_their_programme(programme, coordinator, coordinator_client):
    response = coordinator_client.post(
        f"/programmes/{programme.pk}/edit/", edit_data(programme, capacity=20)
    )

    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.capacity == 20
    assert programme.history.latest().history_user == coordinator


def test_the_capacity_below_the_households_enrolled_is_refused_on_the_capacity(
    programme, coordinator_client
):
    enrol(programme)
    enrol(programme)

    response = coordinator_client.post(
        f"/programmes/{programme.pk}/edit/", edit_data(programme, capacity=1, name="Renamed")
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["capacity"]
    programme.refresh_from_db()
    assert (programme.capacity, programme.name) == (3, programme.name)
    assert programme.name != "Renamed"


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_coordinator_cannot_edit_a_programme(method, programme, roles, client):
    client.force_login(UserFactory(role=Role.COORDINATOR))

    response = getattr(client, method)(
        f"/programmes/{programme.pk}/edit/", edit_data(programme, name="Renamed")
    )

    assert response.status_code == 404
    programme.refresh_from_db()
    assert programme.name != "Renamed"


def test_a_superuser_edits_any_programme(programme, superuser_client):
    response = superuser_client.post(
        f"/programmes/{programme.pk}/edit/", edit_data(programme, name="Renamed")
    )

    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Renamed"


def test_a_social_worker_cannot_edit_a_programme(programme, social_worker_client):
    response = social_worker_client.post(
        f"/programmes/{programme.pk}/edit/", edit_data(programme, name="Renamed")
    )

    assert response.status_code == 403
    programme.refresh_from_db()
    assert programme.name != "Renamed"


# The detail page --------------------------------------------------------------------


def test_the_programme_page_shows_the_places_left(programme, coordinator_client):
    enrol(programme)

    response = coordinator_client.get(f"/programmes/{programme.pk}/")

    assert re.search(r'id="places-left">2<', response.text)


def test_the_waiting_list_is_shown_in_its_order(programme, coordinator_client):
    for _ in range(3):
        enrol(programme)
    third = enrol(programme, status=E.WAITLISTED, waitlist_position=3)
    first = enrol(programme, status=E.WAITLISTED, waitlist_position=1)
    second = enrol(programme, status=E.WAITLISTED, waitlist_position=2)

    response = coordinator_client.get(f"/programmes/{programme.pk}/")

    groups = dict(response.context["open_groups"])
    assert groups[E.WAITLISTED] == [first, second, third]
    text = response.text
    codes = [e.household.code for e in (first, second, third)]
    assert text.index(codes[0]) < text.index(codes[1]) < text.index(codes[2])
    # The first may only go down, the last only up.
    assert f'/enrolments/{first.pk}/move/"' in text
    assert 'name="position" value="2"' in text


def test_an_eligible_household_is_offered_a_place_while_places_are_left(
    programme, coordinator_client
):
    eligible = enrol(programme, status=E.ELIGIBLE)

    response = coordinator_client.get(f"/programmes/{programme.pk}/")

    assert f"/enrolments/{eligible.pk}/enrol/" in response.text
    assert f"/enrolments/{eligible.pk}/waitlist/" not in response.text
    assert f'name="next" value="/programmes/{programme.pk}/"' in response.text


def test_an_eligible_household_goes_on_the_waiting_list_of_a_full_programme(
    programme, coordinator_client
):
    for _ in range(3):
        enrol(programme)
    eligible = enrol(programme, status=E.ELIGIBLE)

    response = coordinator_client.get(f"/programmes/{programme.pk}/")

    assert f"/enrolments/{eligible.pk}/waitlist/" in response.text
    assert f"/enrolments/{eligible.pk}/enrol/" not in response.text


def test_an_application_to_review_offers_eligibility_and_rejection(programme, coordinator_client):
    applied = enrol(programme, status=E.APPLIED)

    response = coordinator_client.get(f"/programmes/{programme.pk}/")

    assert dict(response.context["open_groups"])[E.APPLIED] == [applied]
    assert f"/enrolments/{applied.pk}/eligible/" in response.text
    assert f"/enrolments/{applied.pk}/reject/" in response.text
    assert 'name="reason"' in response.text


def test_closed_enrolments_are_listed_apart(programme, coordinator_client):
    rejected = enrol(programme, status=E.REJECTED, reason="Hors secteur")

    response = coordinator_client.get(f"/programmes/{programme.pk}/")

    assert response.context["closed"] == [rejected]
    assert "Hors secteur" in response.text


@pytest.fixture
def person_in_programme(programme, structure):
    household = HouseholdFactory(structure=structure, **PERSON)
    EnrolmentFactory(household=household, programme=programme)
    WorkshopFactory(programme=programme)
    return household


def test_a_technician_sees_no_household_on_the_programme_page(
    programme, person_in_programme, technician_client
):
    response = technician_client.get(f"/programmes/{programme.pk}/")

    assert response.status_code == 200
    for value in [*PERSON.values(), person_in_programme.code]:
        assert value not in response.text
    assert response.context["matrix"] is None


def test_a_social_worker_of_another_structure_sees_no_personal_data(
    programme, person_in_programme, roles, client
):
    stranger = UserFactory(role=Role.SOCIAL_WORKER)
    StructureFactory(members=[stranger])
    client.force_login(stranger)

    response = client.get(f"/programmes/{programme.pk}/")

    assert response.status_code == 200
    for value in [*PERSON.values(), person_in_programme.code]:
        assert value not in response.text


def test_a_social_worker_sees_only_their_households_and_no_decision(
    programme, structure, social_worker_client
):
    other = StructureFactory()
    programme.structures.add(other)
    own = enrol(programme, structure, status=E.ELIGIBLE)
    theirs = enrol(programme, other, status=E.ELIGIBLE)

    response = social_worker_client.get(f"/programmes/{programme.pk}/")

    assert own.household.code in response.text
    assert own.household.last_name in response.text
    assert theirs.household.code not in response.text
    assert f"/enrolments/{own.pk}/enrol/" not in response.text
    assert response.context["decides"] is False


def test_the_attendance_matrix_counts_each_households_presences(
    programme, structure, coordinator_client
):
    now = timezone.now()
    workshops = [
        WorkshopFactory(programme=programme, starts_at=now - datetime.timedelta(days=d))
        for d in (21, 14, 7)
    ]
    programme.expected_workshops = 3
    programme.save()
    assiduous, irregular = enrol(programme), enrol(programme)
    # Both joined before the first workshop: every one of them counts.
    Enrolment.objects.filter(pk__in=[assiduous.pk, irregular.pk]).update(
        enrolled_at=now - datetime.timedelta(days=30)
    )
    for workshop in workshops:
        AttendanceFactory(workshop=workshop, household=assiduous.household)
    AttendanceFactory(
        workshop=workshops[1], household=irregular.household, presence=Attendance.Presence.EXCUSED
    )

    response = coordinator_client.get(f"/programmes/{programme.pk}/")

    rows = {row["household"]: row for row in response.context["matrix"]}
    assert rows[assiduous.household]["attended"] == 3
    assert rows[irregular.household]["cells"] == [None, "excused", None]
    assert rows[irregular.household]["missed"] == 2
    assert rows[irregular.household]["behind"] is True
    assert f'id="attendance-{irregular.household.code}" class="behind"' in response.text
    assert f'id="attendance-{assiduous.household.code}">' in response.text


def test_the_workshops_are_listed_with_those_present(programme, structure, coordinator_client):
    workshop = WorkshopFactory(programme=programme, topic="Les démarches CAF en ligne")
    AttendanceFactory(workshop=workshop, household=enrol(programme).household)
    AttendanceFactory(
        workshop=workshop,
        household=enrol(programme).household,
        presence=Attendance.Presence.ABSENT,
    )

    response = coordinator_client.get(f"/programmes/{programme.pk}/")

    assert [w.present for w in response.context["workshops"]] == [1]
    assert "Les démarches CAF en ligne" in response.text


@pytest.mark.parametrize(("households", "workshops"), [(15, 6), (100, 20)])
def test_the_programme_page_runs_a_fixed_number_of_queries(
    households, workshops, programme, structure, coordinator_client, django_assert_max_num_queries
):
    programme.capacity = households
    programme.save()
    programme.criteria.add(Criterion.objects.create(name="RSA"))
    sessions = [
        WorkshopFactory(programme=programme, starts_at=timezone.now() - datetime.timedelta(days=d))
        for d in range(workshops)
    ]
    coordinator = programme.coordinators.get()
    enrolled = [enrol(programme, structure) for _ in range(households)]
    Attendance.objects.bulk_create(
        Attendance(workshop=w, household=e.household, presence="present", recorded_by=coordinator)
        for w in sessions
        for e in enrolled[::2]
    )
    for status in (E.APPLIED, E.ELIGIBLE, E.REJECTED):
        enrol(programme, structure, status=status)
    enrol(programme, structure, status=E.WAITLISTED, waitlist_position=1)

    with django_assert_max_num_queries(16):
        response = coordinator_client.get(f"/programmes/{programme.pk}/")

    assert len(response.context["matrix"]) == households

"""lending.programmes.services: creating and editing programmes and workshops, recording
attendance (all or nothing)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.refusals import PermissionRefused
from accounts.roles import Role
from inventory.models import Category
from lending.models import Attendance, Enrolment, Programme, Workshop
from lending.programmes import services as programmes
from lending.states import LendingError
from tests.factories import UserFactory
from tests.lending_factories import (
    AttendanceFactory,
    EnrolmentFactory,
    HouseholdFactory,
    ProgrammeFactory,
    StructureFactory,
    WorkshopFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

P = Attendance.Presence
TODAY = datetime.date(2026, 3, 2)


def programme_fields(**overrides):
    return {
        "name": "Atelier digital solidaire — Bruay 2026",
        "status": Programme.Status.OPEN,
        "capacity": 15,
        "starts_on": TODAY,
        "ends_on": TODAY + datetime.timedelta(days=365),
        "lent_categories": [Category.LAPTOP],
        "lends_router": True,
        "lends_sim": True,
        "data_plan_gb": 50,
        "expected_workshops": 6,
        **overrides,
    }


@pytest.fixture
def programme(coordinator, structure):
    return ProgrammeFactory(coordinators=[coordinator], structures=[structure], capacity=3)


@pytest.fixture
def workshop(programme):
    return WorkshopFactory(programme=programme)


def enrolled(programme, structure, **fields):
    household = HouseholdFactory(structure=structure)
    EnrolmentFactory(household=household, programme=programme, **fields)
    return household


# Programmes -----------------------------------------------------------------------


def test_the_creator_of_a_programme_becomes_one_of_its_coordinators(coordinator, structure):
    programme = programmes.create_programme(
        by=coordinator, structures=[structure], **programme_fields()
    )

    assert list(programme.coordinators.all()) == [coordinator]
    assert list(programme.structures.all()) == [structure]
    entry = programme.history.get()
    assert entry.history_type == "+"
    assert entry.history_user == coordinator


def test_a_programme_cannot_end_before_it_starts(coordinator, structure):
    fields = programme_fields(ends_on=TODAY - datetime.timedelta(days=1))

    with pytest.raises(ValidationError) as refused:
        programmes.create_programme(by=coordinator, structures=[structure], **fields)

    assert list(refused.value.message_dict) == ["ends_on"]
    assert "end date on or after" in refused.value.message_dict["ends_on"][0]
    assert not Programme.objects.exists()


def test_a_programme_lending_a_sim_says_how_big_its_data_plan_is(coordinator, structure):
    fields = programme_fields(data_plan_gb=None)

    with pytest.raises(ValidationError) as refused:
        programmes.create_programme(by=coordinator, structures=[structure], **fields)

    assert list(refused.value.message_dict) == ["data_plan_gb"]
    assert not Programme.objects.exists()


def test_a_technician_cannot_create_a_programme(technician, structure):
    with pytest.raises(PermissionRefused):
        programmes.create_programme(by=technician, structures=[structure], **programme_fields())

    assert not Programme.objects.exists()


def test_the_capacity_cannot_drop_below_the_households_enrolled(programme, structure, coordinator):
    enrolled(programme, structure)
    enrolled(programme, structure)
    programme.capacity = 1

    with pytest.raises(ValidationError) as refused:
        programmes.update_programme(programme=programme, by=coordinator)

    assert "2 households are already enrolled" in refused.value.message_dict["capacity"][0]
    programme.refresh_from_db()
    assert programme.capacity == 3
    assert [entry.history_type for entry in programme.history.all()] == ["+"]


def test_the_capacity_may_come_down_to_the_households_enrolled(programme, structure, coordinator):
    enrolled(programme, structure)
    programme.capacity = 1

    programmes.update_programme(programme=programme, by=coordinator, note="Budget cut")

    programme.refresh_from_db()
    assert programme.capacity == 1
    assert programme.history.latest().history_change_reason == "Budget cut"


def test_another_coordinator_cannot_change_a_programme(programme, roles):
    other = UserFactory(role=Role.COORDINATOR)
    programme.name = "Renamed"

    with pytest.raises(LendingError) as refused:
        programmes.update_programme(programme=programme, by=other)

    assert refused.value.message == "Only the coordinators of this programme may change it."
    programme.refresh_from_db()
    assert programme.name != "Renamed"


def test_a_programme_keeps_at_least_one_coordinator(programme, coordinator):
    with pytest.raises(ValidationError) as refused:
        programmes.update_programme(programme=programme, by=coordinator, coordinators=[])

    assert list(refused.value.message_dict) == ["coordinators"]
    assert list(programme.coordinators.all()) == [coordinator]


def test_only_coordinators_may_coordinate_a_programme(programme, coordinator, social_worker):
    with pytest.raises(ValidationError) as refused:
        programmes.update_programme(
            programme=programme, by=coordinator, coordinators=[coordinator, social_worker]
        )

    assert "social-worker" in refused.value.message_dict["coordinators"][0]
    assert list(programme.coordinators.all()) == [coordinator]


def test_the_criteria_to_meet_cannot_outnumber_the_criteria(programme, coordinator):
    from lending.models import Criterion

    rsa = Criterion.objects.create(name="RSA")
    programme.min_criteria = 2

    with pytest.raises(ValidationError) as refused:
        programmes.update_programme(programme=programme, by=coordinator, criteria=[rsa])

    assert list(refused.value.message_dict) == ["min_criteria"]
    assert not programme.criteria.exists()


def test_places_are_annotated_on_programmes(programme, structure):
    enrolled(programme, structure)
    enrolled(programme, structure)
    enrolled(programme, structure, status=Enrolment.Status.WAITLISTED, waitlist_position=1)
    enrolled(programme, structure, status=Enrolment.Status.APPLIED)

    annotated = programmes.with_places(Programme.objects.all()).get()

    assert (annotated.enrolled, annotated.places_left, annotated.waiting) == (2, 1, 1)


def test_an_overfull_programme_has_no_place_left(programme, structure):
    for _ in range(3):
        enrolled(programme, structure)

    assert programmes.with_places(Programme.objects.all()).get().places_left == 0


# Workshops --------------------------------------------------------------------------


def test_a_coordinator_schedules_a_workshop_of_their_programme(programme, coordinator):
    workshop = programmes.schedule_workshop(
        programme=programme,
        by=coordinator,
        topic="La messagerie",
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )

    assert workshop.programme == programme
    assert workshop.history.get().history_user == coordinator


def test_another_coordinator_cannot_schedule_a_workshop(programme, roles):
    with pytest.raises(LendingError):
        programmes.schedule_workshop(
            programme=programme,
            by=UserFactory(role=Role.COORDINATOR),
            topic="La messagerie",
            starts_at=timezone.now(),
        )

    assert not Workshop.objects.exists()


def test_a_workshop_takes_place_within_the_programme(programme, coordinator):
    with pytest.raises(ValidationError) as refused:
        programmes.schedule_workshop(
            programme=programme,
            by=coordinator,
            topic="La messagerie",
            starts_at=timezone.now() + datetime.timedelta(days=800),
        )

    assert list(refused.value.message_dict) == ["starts_at"]
    assert not Workshop.objects.exists()


def test_a_workshops_capacity_cannot_drop_below_those_present(workshop, structure, coordinator):
    for _ in range(2):
        AttendanceFactory(workshop=workshop, household=enrolled(workshop.programme, structure))
    workshop.capacity = 1

    with pytest.raises(ValidationError) as refused:
        programmes.update_workshop(workshop=workshop, by=coordinator)

    assert list(refused.value.message_dict) == ["capacity"]
    workshop.refresh_from_db()
    assert workshop.capacity is None


# Attendance -------------------------------------------------------------------------


def test_attendance_is_recorded_for_several_households_at_once(workshop, structure, coordinator):
    first, second, third = (enrolled(workshop.programme, structure) for _ in range(3))

    changed = programmes.record_attendance(
        workshop=workshop,
        by=coordinator,
        presences={first.code: P.PRESENT, second.code: P.ABSENT, third.code: P.EXCUSED},
    )

    assert changed == 3
    recorded = dict(workshop.attendances.values_list("household__code", "presence"))
    assert recorded == {first.code: P.PRESENT, second.code: P.ABSENT, third.code: P.EXCUSED}
    assert {a.recorded_by for a in workshop.attendances.all()} == {coordinator}
    assert Attendance.history.filter(history_user=coordinator).count() == 3


def test_recording_again_changes_only_what_changed(workshop, structure, coordinator):
    first, second = (enrolled(workshop.programme, structure) for _ in range(2))
    AttendanceFactory(workshop=workshop, household=first, presence=P.PRESENT)
    AttendanceFactory(workshop=workshop, household=second, presence=P.ABSENT)

    changed = programmes.record_attendance(
        workshop=workshop,
        by=coordinator,
        presences={first.code: P.PRESENT, second.code: P.EXCUSED},
    )

    assert changed == 1
    assert workshop.attendances.get(household=second).presence == P.EXCUSED


def test_an_unknown_household_records_nothing(workshop, structure, coordinator):
    known = enrolled(workshop.programme, structure)

    with pytest.raises(LendingError) as refused:
        programmes.record_attendance(
            workshop=workshop,
            by=coordinator,
            presences={known.code: P.PRESENT, "F-0000": P.PRESENT},
        )

    assert refused.value.message == "Unknown household: F-0000. No attendance was recorded."
    assert not Attendance.objects.exists()


def test_a_household_not_enrolled_in_the_programme_records_nothing(
    workshop, structure, coordinator
):
    known = enrolled(workshop.programme, structure)
    waiting = enrolled(
        workshop.programme, structure, status=Enrolment.Status.WAITLISTED, waitlist_position=1
    )
    elsewhere = enrolled(ProgrammeFactory(structures=[structure]), structure)

    with pytest.raises(LendingError) as refused:
        programmes.record_attendance(
            workshop=workshop,
            by=coordinator,
            presences={known.code: P.PRESENT, waiting.code: P.PRESENT, elsewhere.code: P.ABSENT},
        )

    assert "are not enrolled in" in refused.value.message
    assert waiting.code in refused.value.message and elsewhere.code in refused.value.message
    assert not Attendance.objects.exists()


def test_a_wrong_presence_records_nothing(workshop, structure, coordinator):
    known = enrolled(workshop.programme, structure)

    with pytest.raises(LendingError):
        programmes.record_attendance(
            workshop=workshop, by=coordinator, presences={known.code: "maybe"}
        )

    assert not Attendance.objects.exists()


def test_a_social_worker_records_the_attendance_of_their_households(
    workshop, structure, social_worker
):
    own = enrolled(workshop.programme, structure)

    programmes.record_attendance(
        workshop=workshop, by=social_worker, presences={own.code: "present"}
    )

    assert workshop.attendances.get().recorded_by == social_worker


def test_a_social_worker_cannot_record_another_structures_household(
    workshop, structure, social_worker
):
    other_structure = StructureFactory()
    workshop.programme.structures.add(other_structure)
    own = enrolled(workshop.programme, structure)
    theirs = enrolled(workshop.programme, other_structure)

    with pytest.raises(LendingError) as refused:
        programmes.record_attendance(
            workshop=workshop,
            by=social_worker,
            presences={own.code: P.PRESENT, theirs.code: P.PRESENT},
        )

    assert refused.value.message == f"Unknown household: {theirs.code}. No attendance was recorded."
    assert not Attendance.objects.exists()


def test_a_technician_cannot_record_attendance(workshop, structure, technician):
    own = enrolled(workshop.programme, structure)

    with pytest.raises(PermissionRefused):
        programmes.record_attendance(
            workshop=workshop, by=technician, presences={own.code: "present"}
        )

    assert not Attendance.objects.exists()


def test_a_full_workshop_records_nothing_more_present(workshop, structure, coordinator):
    workshop.capacity = 2
    workshop.save()
    already = enrolled(workshop.programme, structure)
    AttendanceFactory(workshop=workshop, household=already, presence=P.PRESENT)
    first, second = (enrolled(workshop.programme, structure) for _ in range(2))

    with pytest.raises(LendingError) as refused:
        programmes.record_attendance(
            workshop=workshop,
            by=coordinator,
            presences={first.code: P.PRESENT, second.code: P.PRESENT},
        )

    assert "takes 2 households and 3 would be present" in refused.value.message
    assert list(workshop.attendances.values_list("household", flat=True)) == [already.pk]


def test_marking_someone_absent_frees_a_place_in_a_full_workshop(workshop, structure, coordinator):
    workshop.capacity = 1
    workshop.save()
    was_there = enrolled(workshop.programme, structure)
    AttendanceFactory(workshop=workshop, household=was_there, presence=P.PRESENT)
    newcomer = enrolled(workshop.programme, structure)

    programmes.record_attendance(
        workshop=workshop,
        by=coordinator,
        presences={was_there.code: P.ABSENT, newcomer.code: P.PRESENT},
    )

    assert workshop.attendances.get(presence=P.PRESENT).household == newcomer


def test_the_attendance_matrix_flags_two_workshops_missed_since_enrolment(
    programme, structure, coordinator
):
    programme.expected_workshops = 3
    now = timezone.now()
    held = [
        WorkshopFactory(programme=programme, starts_at=now - datetime.timedelta(days=d))
        for d in (21, 14, 7)
    ]
    coming = WorkshopFactory(programme=programme, starts_at=now + datetime.timedelta(days=7))
    assiduous, absent, newcomer = (enrolled(programme, structure) for _ in range(3))
    Enrolment.objects.filter(programme=programme).update(
        enrolled_at=now - datetime.timedelta(days=30)
    )
    # Joined after the first two workshops: only the third one was expected of it.
    Enrolment.objects.filter(household=newcomer).update(
        enrolled_at=now - datetime.timedelta(days=10)
    )
    for workshop in held:
        AttendanceFactory(workshop=workshop, household=assiduous, presence=P.PRESENT)
    AttendanceFactory(workshop=held[0], household=absent, presence=P.ABSENT)
    AttendanceFactory(workshop=held[1], household=absent, presence=P.EXCUSED)
    enrolments = Enrolment.objects.filter(programme=programme).order_by("household__code")

    rows = programmes.attendance_matrix(
        programme=programme, enrolments=enrolments, workshops=[*held, coming]
    )

    summary = [(row["household"], row["attended"], row["missed"], row["behind"]) for row in rows]
    assert summary == [
        (assiduous, 3, 0, False),
        (absent, 0, 2, True),
        (newcomer, 0, 1, False),
    ]

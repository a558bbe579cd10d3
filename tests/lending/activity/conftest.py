"""A small programme whose activity in March 2026 is known exactly.

Structure A (the social worker's) has 3 households, structure B has 2:
- A1 (4 people, 25-39, without a job, QPV, 62178): laptop handed over 3 March, returned 20
  March, damage noted at the review; enrolment completed.
- A2 (2 people, 60-69, retired, not QPV, 62178): handed over 10 March, still out,
  due 15 March (overdue now).
- A3 (1 person, nothing given): requested only, never handed over.
- B1 (5 people, 40-59, in work, QPV, 2A004): handed over 5 March, turned into a gift 30 March.
- B2 (3 people, 18-24, in school, unknown QPV, no code): handed over in February (outside
  the period), lost 12 March.

Workshops of the programme: 2 March (90 min) and 16 March (120 min) in the period, 10 April
outside. Attendance on 2 March: A1 present, A2 absent, B1 present; on 16 March: A1
present, B1 excused; on 10 April: A1 present.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from inventory.impact.period import Period
from lending.models import AgeBand, Attendance, Enrolment, Loan, Qpv, Return, SocialStatus
from tests.lending_factories import (
    AttendanceFactory,
    EnrolmentFactory,
    FunderFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
    StructureFactory,
    WorkshopFactory,
)

PARIS = ZoneInfo("Europe/Paris")
MARCH = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


def at(day, month=3, hour=10):
    return datetime.datetime(2026, month, day, hour, tzinfo=PARIS)


class Fixture:
    pass


@pytest.fixture
def march(social_worker, coordinator):
    f = Fixture()
    f.period = MARCH
    f.structure_a = StructureFactory(members=[social_worker], name="CCAS A")
    f.structure_b = StructureFactory(name="Centre social B")
    f.funder = FunderFactory()
    f.programme = ProgrammeFactory(
        coordinators=[coordinator],
        structures=[f.structure_a, f.structure_b],
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    f.programme.funders.add(f.funder)
    f.other_programme = ProgrammeFactory(coordinators=[coordinator])

    def household(structure, size, age, status, qpv, insee):
        return HouseholdFactory(
            structure=structure,
            size=size,
            school_age_children=0,
            age_band=age,
            social_status=status,
            qpv=qpv,
            insee_code=insee,
            consents=[],
        )

    A, S = AgeBand, SocialStatus
    f.a1 = household(f.structure_a, 4, A.FROM_25_TO_39, S.UNEMPLOYED, Qpv.YES, "62178")
    f.a2 = household(f.structure_a, 2, A.FROM_60_TO_69, S.RETIRED, Qpv.NO, "62178")
    f.a3 = household(f.structure_a, 1, A.UNKNOWN, S.UNKNOWN, Qpv.UNKNOWN, "")
    f.b1 = household(f.structure_b, 5, A.FROM_40_TO_59, S.EMPLOYED, Qpv.YES, "2A004")
    f.b2 = household(f.structure_b, 3, A.FROM_18_TO_24, S.IN_SCHOOL, Qpv.UNKNOWN, "")

    def loan(h, status, handed_over=None, due=None, closed=None, enrolment_status=None):
        enrolment = EnrolmentFactory(
            household=h,
            programme=f.programme,
            status=enrolment_status or Enrolment.Status.ENROLLED,
        )
        return LoanFactory(
            enrolment=enrolment,
            status=status,
            handed_over_at=handed_over,
            starts_on=handed_over and handed_over.date(),
            due_on=due,
            closed_at=closed,
        )

    L = Loan.Status
    f.loan_a1 = loan(
        f.a1,
        L.RETURNED,
        at(3),
        datetime.date(2026, 9, 3),
        at(22),
        enrolment_status=Enrolment.Status.COMPLETED,
    )
    Return.objects.create(
        loan=f.loan_a1,
        inspected_by=coordinator,
        inspected_at=at(20),
        reviewed_by=coordinator,
        reviewed_at=at(22),
        damage_noted=True,
    )
    f.loan_a2 = loan(f.a2, L.ACTIVE, at(10), datetime.date(2026, 3, 15))
    f.loan_a3 = loan(f.a3, L.REQUESTED)
    f.loan_b1 = loan(f.b1, L.GIFT, at(5), datetime.date(2026, 9, 5), at(30))
    f.loan_b2 = loan(f.b2, L.LOST, at(10, month=2), datetime.date(2026, 8, 10), at(12))

    f.w1 = WorkshopFactory(programme=f.programme, starts_at=at(2), duration_minutes=90)
    f.w2 = WorkshopFactory(programme=f.programme, starts_at=at(16), duration_minutes=120)
    f.w3 = WorkshopFactory(programme=f.programme, starts_at=at(10, month=4), duration_minutes=60)
    WorkshopFactory(programme=f.other_programme, starts_at=at(4), duration_minutes=45)
    P = Attendance.Presence
    for workshop, h, presence in [
        (f.w1, f.a1, P.PRESENT),
        (f.w1, f.a2, P.ABSENT),
        (f.w1, f.b1, P.PRESENT),
        (f.w2, f.a1, P.PRESENT),
        (f.w2, f.b1, P.EXCUSED),
        (f.w3, f.a1, P.PRESENT),
    ]:
        AttendanceFactory(workshop=workshop, household=h, presence=presence)
    return f


@pytest.fixture
def fixed_today(monkeypatch):
    """Today is 1 April 2026: A2's loan (due 15 March) is overdue."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 4, 1))

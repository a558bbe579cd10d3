"""The programme's activity figures on a small fixture (conftest.py), number by number."""

import datetime
from decimal import Decimal

import pytest

from inventory.impact.period import Period
from lending import access
from lending.activity.figures import activity
from lending.privacy.anonymise import anonymise_household
from tests.lending.activity.conftest import at
from tests.lending_factories import (
    AttendanceFactory,
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
)

pytestmark = pytest.mark.django_db


def test_households_and_persons_equipped_are_those_handed_over_in_the_period(march):
    figures = activity(march.period, programme=march.programme)

    # A1, A2, B1 (B2 was equipped in February, A3 never).
    assert figures.households_equipped == 3
    assert figures.persons_equipped == 4 + 2 + 5


def test_loans(march, fixed_today):
    loans = activity(march.period, programme=march.programme).loans

    assert loans.handed_over == 3
    assert loans.returned == 1
    assert loans.gift == 1
    assert loans.lost == 1
    assert loans.damaged == 1
    assert loans.lost_or_damaged == 2
    assert loans.overdue_now == 1


def test_workshops_hours_and_attendance(march):
    figures = activity(march.period, programme=march.programme)

    assert figures.workshops_held == 2
    assert figures.workshop_hours == Decimal("3.50")  # 90 + 120 minutes
    attendance = figures.attendance
    assert (attendance.present, attendance.absent, attendance.excused) == (3, 1, 1)
    assert attendance.rate == Decimal("0.600")
    # A1 at both (1.5 h + 2 h), B1 at the first (1.5 h).
    assert attendance.participant_hours == Decimal("5.00")


def test_outcomes_are_the_enrolments_of_the_equipped_households(march):
    outcomes = activity(march.period, programme=march.programme).outcomes

    assert outcomes["completed"] == 1
    assert outcomes["enrolled"] == 2
    assert sum(outcomes.values()) == 3


def test_breakdowns_of_the_households_equipped(march):
    figures = activity(march.period, programme=march.programme)

    assert figures.by_age_band == {
        "under_12": 0,
        "12_17": 0,
        "18_24": 0,
        "25_39": 1,
        "40_59": 1,
        "60_69": 1,
        "70_plus": 0,
        "unknown": 0,
    }
    assert figures.by_social_status == {
        "in_school": 0,
        "unemployed": 1,
        "employed": 1,
        "retired": 1,
        "unknown": 0,
    }
    assert figures.by_qpv == {"yes": 2, "no": 1, "unknown": 0}
    assert figures.by_insee_code == {"2A004": 1, "62178": 2}


def test_a_funder_sees_its_programmes_only(march):
    figures = activity(march.period, funder=march.funder)

    assert figures.households_equipped == 3
    assert figures.workshops_held == 2  # not the other programme's 4 March session


def test_an_empty_period_gives_zeros():
    figures = activity(Period(datetime.date(2020, 1, 1), datetime.date(2020, 1, 31)))

    assert figures.households_equipped == 0
    assert figures.persons_equipped == 0
    assert figures.workshop_hours == Decimal("0.00")
    assert figures.attendance.rate is None


def test_a_social_worker_sees_her_structures_households_only(march, social_worker):
    figures = activity(
        march.period,
        programme=march.programme,
        households=access.households_visible_to(social_worker),
    )

    assert figures.households_equipped == 2  # A1, A2
    assert figures.persons_equipped == 6
    assert figures.by_insee_code == {"62178": 2}
    assert figures.loans.handed_over == 2
    assert figures.loans.gift == 0
    # The workshops her households came to, and their attendance only.
    assert figures.workshops_held == 2
    attendance = figures.attendance
    assert (attendance.present, attendance.absent, attendance.excused) == (2, 1, 0)
    assert attendance.participant_hours == Decimal("3.50")


def test_the_structure_filter(march):
    figures = activity(march.period, structure=march.structure_b)

    assert figures.households_equipped == 1
    assert figures.by_qpv == {"yes": 1, "no": 0, "unknown": 0}
    assert figures.workshops_held == 2  # B1 was recorded at both (present, excused)


def test_same_totals_after_anonymising_a_household(march, coordinator):
    before = activity(march.period, programme=march.programme)

    anonymise_household(march.a1, by=None, reason="retention")
    march.a1.refresh_from_db()
    assert march.a1.anonymised_on is not None
    after = activity(march.period, programme=march.programme)

    assert after == before


def _equip(count, programme, period_day):
    for _ in range(count):
        household = HouseholdFactory(consents=[])
        enrolment = EnrolmentFactory(household=household, programme=programme)
        LoanFactory(enrolment=enrolment, status="active", handed_over_at=period_day)
        AttendanceFactory(household=household)


@pytest.mark.parametrize("households", [5, 50])
def test_a_constant_number_of_queries(households, march, django_assert_max_num_queries):
    _equip(households, march.programme, at(15))
    with django_assert_max_num_queries(6):
        figures = activity(march.period, programme=march.programme)
    assert figures.households_equipped == 3 + households

"""Which households are past retention, and the nightly task that anonymises them."""

import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from inventory.models import Comment
from lending.models import Attendance, Enrolment, Household, Loan
from lending.privacy.retention import expired_households, last_contacts
from lending.tasks import anonymise_expired_households
from tests.lending_factories import (
    AttendanceFactory,
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - timedelta(days=3 * 365)


@pytest.fixture
def old_household(structure, social_worker):
    """Registered, enrolled and last seen three years ago."""
    household = HouseholdFactory(
        structure=structure, social_worker=social_worker, last_name="Vieuxdossier"
    )
    EnrolmentFactory(household=household)
    Household.objects.filter(pk=household.pk).update(created_at=LONG_AGO)
    Household.history.filter(id=household.pk).update(history_date=LONG_AGO)
    Enrolment.objects.filter(household=household).update(applied_at=LONG_AGO, enrolled_at=LONG_AGO)
    return household


def test_the_default_is_two_years():
    assert settings.HOUSEHOLD_RETENTION_DAYS == 730


def test_a_household_not_seen_for_three_years_is_past_retention(old_household):
    assert list(expired_households()) == [old_household]
    assert last_contacts(Household.objects.all())[old_household.pk] == LONG_AGO


def test_a_recent_household_is_not(structure, social_worker, old_household):
    recent = HouseholdFactory(structure=structure, social_worker=social_worker)

    assert recent not in expired_households()


def test_an_edit_of_the_file_is_a_contact(old_household, social_worker):
    old_household.notes = "changed"
    old_household.save()

    assert old_household not in expired_households()


def test_a_comment_on_its_loan_is_a_contact(old_household, social_worker):
    loan = LoanFactory(enrolment=old_household.enrolments.get(), status=Loan.Status.RETURNED)
    Loan.objects.filter(pk=loan.pk).update(requested_at=LONG_AGO)
    assert old_household in expired_households()

    Comment.objects.create(subject=loan, author=social_worker, body="est passée")

    assert old_household not in expired_households()


def test_coming_to_a_workshop_is_a_contact_missing_it_is_not(old_household):
    attendance = AttendanceFactory(
        household=old_household,
        workshop=WorkshopFactory(starts_at=timezone.now() - timedelta(days=30)),
        presence=Attendance.Presence.ABSENT,
    )
    assert old_household in expired_households()

    Attendance.objects.filter(pk=attendance.pk).update(presence=Attendance.Presence.PRESENT)

    assert old_household not in expired_households()


def test_a_household_with_an_open_loan_is_kept_however_old(old_household):
    loan = LoanFactory(enrolment=old_household.enrolments.get(), status=Loan.Status.ACTIVE)
    Loan.objects.filter(pk=loan.pk).update(requested_at=LONG_AGO)

    assert old_household not in expired_households()


def test_the_retention_is_a_setting(old_household, settings):
    settings.HOUSEHOLD_RETENTION_DAYS = 4 * 365

    assert old_household not in expired_households()


def test_the_nightly_task_anonymises_them_and_logs_only_counts(old_household, caplog):
    with caplog.at_level(logging.INFO, logger="lending.privacy.anonymise"):
        assert anonymise_expired_households() == 1

    old_household.refresh_from_db()
    assert old_household.anonymised_on is not None
    assert "Vieuxdossier" not in caplog.text and old_household.code not in caplog.text
    assert "1" in caplog.text
    # The second night has nothing left to do.
    assert anonymise_expired_households() == 0


def test_the_task_runs_every_night():
    schedule = settings.CELERY_BEAT_SCHEDULE.values()

    assert {"task": "lending.tasks.anonymise_expired_households", "schedule": 86400} in schedule

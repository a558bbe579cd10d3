"""Celery tasks of the lending side: thin shells around lending.loans.reminders
lending.privacy.anonymise and lending.privacy.access_log."""

from celery import shared_task

from lending.loans import reminders
from lending.privacy.access_log import forget_old_accesses
from lending.privacy.anonymise import anonymise_expired


@shared_task
def send_loan_reminders():
    """Daily (Celery beat). Safe to run twice: each reminder is sent once."""
    return reminders.send_reminders()


@shared_task
def anonymise_expired_households():
    """Nightly (Celery beat). Anonymises households past retention with no open loan;
    returns (and logs) how many, never who. Safe to run twice."""
    return anonymise_expired()


@shared_task
def forget_old_household_accesses():
    """Nightly (Celery beat). Deletes access-log entries older than
    ACCESS_LOG_RETENTION_DAYS; returns how many. Safe to run twice."""
    return forget_old_accesses()

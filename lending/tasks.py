"""Celery tasks of the lending side: thin shells around lending.loans.reminders
and lending.privacy.anonymise."""

from celery import shared_task

from lending.loans import reminders
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

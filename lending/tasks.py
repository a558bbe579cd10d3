"""Celery tasks of the lending side: thin shells around lending.loans.reminders."""

from celery import shared_task

from lending.loans import reminders


@shared_task
def send_loan_reminders():
    """Daily (Celery beat). Safe to run twice: each reminder is sent once."""
    return reminders.send_reminders()

"""The default SMS backend writes to the log that a message went out, never to whom
(the phone number) nor what (the text names the programme that follows the family)."""

import datetime
import logging

import pytest

from lending import sms
from lending.loans.reminders import send_reminders
from lending.models import ConsentPurpose, Loan
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
)

PHONE = "06 12 34 56 78"
TEXT = "Le Secours du Quartier : l'ordinateur prêté par « Accompagnement RSA » est à rendre."


def test_the_log_backend_logs_neither_the_phone_nor_the_text(caplog, settings):
    settings.SMS_BACKEND = "lending.sms.LogBackend"
    with caplog.at_level(logging.DEBUG, logger="lending.sms"):
        sms.send_sms(PHONE, TEXT, reference="F-0042")
    logged = caplog.text
    assert "F-0042" in logged
    assert str(len(TEXT)) in logged
    for secret in (PHONE, PHONE.replace(" ", ""), "12 34 56", "Accompagnement RSA", TEXT[:20]):
        assert secret not in logged


def test_without_a_reference_the_log_still_names_no_one(caplog, settings):
    settings.SMS_BACKEND = "lending.sms.LogBackend"
    with caplog.at_level(logging.DEBUG, logger="lending.sms"):
        sms.send_sms("+33612345678", TEXT)
    assert caplog.records
    assert "612345678" not in caplog.text
    assert "RSA" not in caplog.text


@pytest.mark.django_db
def test_a_reminder_through_the_default_backend_logs_the_household_code_only(caplog, settings):
    settings.SMS_BACKEND = "lending.sms.LogBackend"
    settings.LOAN_REMINDER_DAYS = 7
    today = datetime.date(2026, 3, 2)
    programme = ProgrammeFactory(name="Accompagnement RSA", contact_phone="03 21 00 00 00")
    household = HouseholdFactory(phone=PHONE, consents=[ConsentPurpose.SMS])
    LoanFactory(
        enrolment=EnrolmentFactory(household=household, programme=programme),
        status=Loan.Status.ACTIVE,
        starts_on=today - datetime.timedelta(days=100),
        due_on=today + datetime.timedelta(days=7),
    )
    with caplog.at_level(logging.DEBUG):
        send_reminders(today)
    sms_lines = [r.getMessage() for r in caplog.records if r.name == "lending.sms"]
    assert len(sms_lines) == 1
    assert household.code in sms_lines[0]
    everything = caplog.text
    for secret in (PHONE, PHONE.replace(" ", ""), "Accompagnement RSA", "03 21 00 00 00"):
        assert secret not in everything

"""Reminders: before the due date (e-mail, and SMS to a household that agreed), when
overdue, and before a SIM plan ends. Each one goes out once, however often the task runs."""

import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from lending import sms
from lending.chatter import loan_timeline
from lending.loans import reminders
from lending.loans import workflow as loan_workflow
from lending.loans.reminders import send_reminders
from lending.models import ConsentPurpose, Loan, Reminder, SimCard
from lending.tasks import send_loan_reminders
from tests.factories import UserFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
    SimCardFactory,
    StructureFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = datetime.date(2026, 3, 2)
K, C = Reminder.Kind, Reminder.Channel


@pytest.fixture(autouse=True)
def _sms_kept_in_memory(settings):
    settings.SMS_BACKEND = "lending.sms.LocmemBackend"
    settings.LOAN_REMINDER_DAYS = 7
    settings.SIM_REMINDER_DAYS = 30
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def programme(coordinator, social_worker):
    return ProgrammeFactory(
        coordinators=[coordinator], structures=[StructureFactory(members=[social_worker])]
    )


def active_loan(programme, due_on, consent=(ConsentPurpose.SMS,)):
    household = HouseholdFactory(structure=programme.structures.first(), consents=list(consent))
    enrolment = EnrolmentFactory(household=household, programme=programme)
    return LoanFactory(
        enrolment=enrolment,
        status=Loan.Status.ACTIVE,
        starts_on=due_on - datetime.timedelta(days=180),
        due_on=due_on,
    )


@pytest.fixture
def due_soon(programme):
    return active_loan(programme, TODAY + datetime.timedelta(days=7))


def rows(loan=None, **filters):
    queryset = Reminder.objects.filter(**filters)
    if loan is not None:
        queryset = queryset.filter(loan=loan)
    return sorted(queryset.values_list("kind", "channel", "recipient", "about_date"))


def test_a_loan_due_within_the_reminder_days_sends_one_email_and_one_sms(due_soon, mailoutbox):
    send_reminders(today=TODAY)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [due_soon.household.social_worker.email]
    assert f"#{due_soon.pk}" in message.subject
    assert due_soon.household.code in message.subject
    assert f"/loans/{due_soon.pk}/" in message.body
    assert len(sms.outbox) == 1
    phone, text = sms.outbox[0]
    assert phone == due_soon.household.phone
    assert due_soon.programme.contact_phone in text
    # Reminders name the household by its code, never by its name.
    assert due_soon.household.last_name not in message.body + text
    assert rows(due_soon) == [
        (K.DUE_SOON, C.EMAIL, "social_worker", due_soon.due_on),
        (K.DUE_SOON, C.SMS, "household", due_soon.due_on),
    ]


def test_no_sms_goes_to_a_household_that_did_not_agree_to_it(programme, mailoutbox):
    loan = active_loan(programme, TODAY + datetime.timedelta(days=3), consent=[])

    send_reminders(today=TODAY)

    assert len(mailoutbox) == 1
    assert sms.outbox == []
    assert rows(loan) == [(K.DUE_SOON, C.EMAIL, "social_worker", loan.due_on)]


def test_no_sms_goes_to_a_household_without_a_phone(programme, mailoutbox):
    loan = active_loan(programme, TODAY + datetime.timedelta(days=3))
    type(loan.household).objects.filter(pk=loan.household_id).update(phone="")

    send_reminders(today=TODAY)

    assert sms.outbox == []
    assert rows(loan, channel=C.SMS) == []


def test_running_the_reminders_twice_sends_each_one_once(due_soon, mailoutbox):
    send_reminders(today=TODAY)
    send_reminders(today=TODAY + datetime.timedelta(days=1))

    assert len(mailoutbox) == 1
    assert len(sms.outbox) == 1
    assert Reminder.objects.count() == 2


def test_reminders_sent_show_in_the_loans_timeline(due_soon):
    send_reminders(today=TODAY)

    entries = [entry for entry in loan_timeline(due_soon) if entry.kind == "reminder"]

    assert len(entries) == 2
    assert all(entry.user is None and entry.note for entry in entries)


def test_a_loan_due_later_or_not_handed_over_gets_no_reminder_yet(programme, mailoutbox):
    active_loan(programme, TODAY + datetime.timedelta(days=8))
    not_handed_over = active_loan(programme, TODAY + datetime.timedelta(days=2))
    Loan.objects.filter(pk=not_handed_over.pk).update(status=Loan.Status.APPROVED)

    send_reminders(today=TODAY)

    assert mailoutbox == []
    assert sms.outbox == []
    assert not Reminder.objects.exists()


def test_after_an_extension_the_new_due_date_gets_its_own_reminder(
    due_soon, coordinator, mailoutbox
):
    send_reminders(today=TODAY)
    new_due = due_soon.due_on + datetime.timedelta(days=30)
    loan_workflow.extend_loan(loan=due_soon, by=coordinator, due_on=new_due, reason="Exams")

    send_reminders(today=TODAY + datetime.timedelta(days=10))
    send_reminders(today=new_due - datetime.timedelta(days=7))
    send_reminders(today=new_due - datetime.timedelta(days=6))

    assert len(mailoutbox) == 2
    assert len(sms.outbox) == 2
    assert rows(due_soon, channel=C.EMAIL) == [
        (K.DUE_SOON, C.EMAIL, "social_worker", TODAY + datetime.timedelta(days=7)),
        (K.DUE_SOON, C.EMAIL, "social_worker", new_due),
    ]


def test_an_overdue_loan_sends_one_email_to_the_social_worker_and_the_coordinators(
    programme, coordinator, mailoutbox
):
    second = UserFactory(role=Role.COORDINATOR)
    programme.coordinators.add(second)
    loan = active_loan(programme, TODAY - datetime.timedelta(days=1))

    send_reminders(today=TODAY)
    send_reminders(today=TODAY + datetime.timedelta(days=1))

    assert len(mailoutbox) == 1
    assert set(mailoutbox[0].to) == {
        loan.household.social_worker.email,
        coordinator.email,
        second.email,
    }
    assert loan.household.code in mailoutbox[0].subject
    assert sms.outbox == []
    assert rows(loan) == [(K.OVERDUE, C.EMAIL, "social_worker+coordinators", loan.due_on)]


def test_a_sim_plan_ending_soon_sends_one_email_to_the_coordinators(
    coordinator, social_worker, mailoutbox
):
    sim = SimCardFactory(ends_on=TODAY + datetime.timedelta(days=20))
    SimCardFactory(ends_on=TODAY + datetime.timedelta(days=31))
    SimCardFactory(ends_on=TODAY + datetime.timedelta(days=5))
    SimCard.objects.filter(ends_on=TODAY + datetime.timedelta(days=5)).update(
        status=SimCard.Status.TERMINATED
    )

    send_reminders(today=TODAY)
    send_reminders(today=TODAY)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [coordinator.email]
    assert sim.iccid in mailoutbox[0].body
    assert sorted(Reminder.objects.values_list("kind", "sim", "recipient")) == [
        (K.SIM_ENDING, sim.pk, "coordinators")
    ]


def test_a_failing_mail_server_leaves_no_reminder_so_the_next_run_retries(
    due_soon, monkeypatch, mailoutbox
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    with monkeypatch.context() as patch:
        patch.setattr(reminders, "send_mail", down)
        send_reminders(today=TODAY)

    assert mailoutbox == []
    assert rows(due_soon, channel=C.EMAIL) == []
    # The text message went out, and is not sent again by the next run.
    assert len(sms.outbox) == 1

    send_reminders(today=TODAY + datetime.timedelta(days=1))

    assert len(mailoutbox) == 1
    assert len(sms.outbox) == 1
    assert len(rows(due_soon)) == 2


def test_one_failing_reminder_does_not_stop_the_others(programme, monkeypatch, mailoutbox):
    first = active_loan(programme, TODAY + datetime.timedelta(days=2))
    second = active_loan(programme, TODAY + datetime.timedelta(days=3))

    def down_for_first(subject, *args, **kwargs):
        if first.household.code in subject:
            raise ConnectionRefusedError("smtp down")
        return 1

    monkeypatch.setattr(reminders, "send_mail", down_for_first)
    send_reminders(today=TODAY)

    assert rows(first, channel=C.EMAIL) == []
    assert len(rows(second, channel=C.EMAIL)) == 1


def test_the_daily_celery_task_sends_the_reminders(programme, mailoutbox):
    loan = active_loan(programme, timezone.localdate() + datetime.timedelta(days=2))

    result = send_loan_reminders.apply()

    assert result.successful()
    assert result.get()["due_soon"] == 2
    assert len(mailoutbox) == 1
    assert len(sms.outbox) == 1
    assert len(rows(loan)) == 2

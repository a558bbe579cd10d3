"""Reminders before a loan is due, when it is overdue, and before a SIM plan ends.

Each reminder is claimed by inserting its Reminder row, unique per (kind, channel,
loan or SIM, date), and sent in the same transaction: a second run of the daily task
finds the row and sends nothing; a failed send rolls the row back and is logged, so the
next run tries again (at least once, never twice for a committed reminder).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.roles import Role
from inventory.models import organisation_name
from lending.models import Loan, Reminder, SimCard
from lending.models.consents import active_consents_prefetch
from lending.sms import send_sms

logger = logging.getLogger(__name__)
K, C = Reminder.Kind, Reminder.Channel


def _claim_and_send(send, **reminder):
    """Insert the reminder's row and send it; False when it was sent already, or when
    sending failed (the row is rolled back: the next run tries again)."""
    try:
        with transaction.atomic():
            Reminder.objects.create(**reminder)
            send()
    except IntegrityError:
        return False
    except Exception:
        # One unreachable mail server or SMS provider must not stop the other reminders.
        logger.exception("Reminder not sent, to be retried: %s", reminder)
        return False
    return True


def _url(name, *args):
    return settings.SITE_URL + reverse(name, args=args)


def _due(loan):
    return date_format(loan.due_on, "DATE_FORMAT")


def _mail_social_worker(loan, subject, body):
    worker = loan.household.social_worker
    if worker.email:
        send_mail(subject, body, None, [worker.email])


def _loans(queryset):
    # The households' consents in one query: accepts_sms reads them.
    return queryset.select_related("household__social_worker", "programme").prefetch_related(
        active_consents_prefetch("household__consents")
    )


def remind_due_soon(today, days):
    """Loans due within `days`: the social worker by e-mail, the household by SMS."""
    sent = 0
    for loan in _loans(Loan.objects.due_within(days, today=today)):
        subject = _("Loan #%(number)s (%(household)s) is due back on %(date)s") % {
            "number": loan.pk,
            "household": loan.household.code,
            "date": _due(loan),
        }
        body = _(
            "The devices of loan #%(number)s, household %(household)s, programme "
            "“%(programme)s”, are due back on %(date)s.\n\n%(url)s"
        ) % {
            "number": loan.pk,
            "household": loan.household.code,
            "programme": loan.programme,
            "date": _due(loan),
            "url": _url("lending:loan_detail", loan.pk),
        }
        sent += _claim_and_send(
            lambda loan=loan, subject=subject, body=body: _mail_social_worker(loan, subject, body),
            kind=K.DUE_SOON,
            channel=C.EMAIL,
            loan=loan,
            about_date=loan.due_on,
            recipient="social_worker",
        )
        if loan.household.accepts_sms:
            text = _sms_text(loan)
            sent += _claim_and_send(
                lambda loan=loan, text=text: send_sms(
                    loan.household.phone, text, reference=loan.household.code
                ),
                kind=K.DUE_SOON,
                channel=C.SMS,
                loan=loan,
                about_date=loan.due_on,
                recipient="household",
            )
    return sent


def _sms_text(loan):
    programme = loan.programme
    return _(
        "%(organisation)s: the computer lent by “%(programme)s” is due back on %(date)s. "
        "Questions: %(phone)s"
    ) % {
        "organisation": organisation_name(),
        "programme": programme,
        "date": _due(loan),
        "phone": programme.contact_phone or "—",
    }


def remind_overdue(today):
    """Overdue loans: the social worker and the programme's coordinators, once per due date."""
    sent = 0
    for loan in _loans(Loan.objects.overdue(today=today)).prefetch_related(
        "programme__coordinators"
    ):
        subject = _("Loan #%(number)s (%(household)s) is overdue since %(date)s") % {
            "number": loan.pk,
            "household": loan.household.code,
            "date": _due(loan),
        }
        body = _(
            "Loan #%(number)s of household %(household)s (programme “%(programme)s”) was "
            "due back on %(date)s. Please get in touch with the household.\n\n%(url)s"
        ) % {
            "number": loan.pk,
            "household": loan.household.code,
            "programme": loan.programme,
            "date": _due(loan),
            "url": _url("lending:loan_detail", loan.pk),
        }
        recipients = [loan.household.social_worker.email] + [
            user.email for user in loan.programme.coordinators.all()
        ]
        recipients = sorted({address for address in recipients if address})
        sent += _claim_and_send(
            lambda subject=subject, body=body, to=recipients: (
                to and send_mail(subject, body, None, to)
            ),
            kind=K.OVERDUE,
            channel=C.EMAIL,
            loan=loan,
            about_date=loan.due_on,
            recipient="social_worker+coordinators",
        )
    return sent


def remind_sim_ending(today, days):
    """SIM plans that end within `days`: every coordinator, by e-mail."""
    sims = SimCard.objects.filter(
        ends_on__gte=today,
        ends_on__lte=today + timedelta(days=days),
        status__in=[SimCard.Status.STOCK, SimCard.Status.LENT],
    )
    coordinators = sorted(
        set(
            get_user_model()
            .objects.filter(groups__name=Role.COORDINATOR, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    sent = 0
    for sim in sims:
        subject = _("The data plan of SIM card %(sim)s ends on %(date)s") % {
            "sim": sim,
            "date": date_format(sim.ends_on, "DATE_FORMAT"),
        }
        body = _(
            "The %(gb)s GB plan of SIM card %(sim)s (ICCID %(iccid)s) ends on %(date)s. "
            "Renew it or plan its replacement.\n\n%(url)s"
        ) % {
            "gb": sim.data_plan_gb,
            "sim": sim,
            "iccid": sim.iccid,
            "date": date_format(sim.ends_on, "DATE_FORMAT"),
            "url": _url("lending:sim_list"),
        }
        sent += _claim_and_send(
            lambda subject=subject, body=body: (
                coordinators and send_mail(subject, body, None, coordinators)
            ),
            kind=K.SIM_ENDING,
            channel=C.EMAIL,
            sim=sim,
            about_date=sim.ends_on,
            recipient="coordinators",
        )
    return sent


def send_reminders(today=None):
    """Everything the daily task sends; returns how many reminders went out."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        counts = {
            "due_soon": remind_due_soon(today, settings.LOAN_REMINDER_DAYS),
            "overdue": remind_overdue(today),
            "sim_ending": remind_sim_ending(today, settings.SIM_REMINDER_DAYS),
        }
    logger.info("Reminders sent: %s", counts)
    return counts

"""The nightly anonymisation on the demo, with the retention set to 0 days: no personal
string of an anonymised household is left anywhere in the database (every table of
every app, history tables included), every figure is the same, households with an open
loan are untouched, and a second run changes nothing."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.test import override_settings
from django.utils import timezone

from inventory.models import Comment, Device
from lending.comments import add_lending_comment
from lending.models import (
    Attendance,
    Enrolment,
    Household,
    Loan,
    LoanDevice,
    LoanExtension,
    Programme,
    Reminder,
    Return,
)
from lending.overview.views import _counts, _programmes
from lending.programmes.services import ATTENDING, attendance_matrix, with_places
from lending.tasks import anonymise_expired_households
from tests.factories import UserFactory
from tests.lending.privacy.dump import database_dump, found_in_database

pytestmark = pytest.mark.django_db

FAST_HASHER = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}


def _comments(model, pks):
    return Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=list(pks)
    ).values_list("body", flat=True)


def personal_strings(household):
    """Every personal text of `household`, read field by field (not from the inventory
    under test): names, contact, notes, free texts, comments, history notes."""
    enrolments = Enrolment.objects.filter(household=household)
    loans = Loan.objects.filter(household=household)
    strings = [
        household.first_name,
        household.last_name,
        household.full_name,
        household.phone,
        household.email,
        household.notes,
        *enrolments.values_list("reason", flat=True),
        *loans.values_list("request_note", flat=True),
        *LoanDevice.objects.filter(loan__in=loans).values_list("inspection_note", flat=True),
        *LoanExtension.objects.filter(loan__in=loans).values_list("reason", flat=True),
        *Return.objects.filter(loan__in=loans).values_list("notes", flat=True),
        *Return.objects.filter(loan__in=loans).values_list("review_note", flat=True),
        *_comments(Household, [household.pk]),
        *_comments(Enrolment, enrolments.values_list("pk", flat=True)),
        *_comments(Loan, loans.values_list("pk", flat=True)),
    ]
    for model, rows in ((Household, [household.pk]), (Enrolment, enrolments), (Loan, loans)):
        past = model.history.filter(id__in=[getattr(r, "pk", r) for r in rows])
        strings += past.values_list("history_change_reason", flat=True)
        if model is Household:
            for field in ("first_name", "last_name", "phone", "email", "notes"):
                strings += past.values_list(field, flat=True)
    return {s.strip() for s in strings if s and len(s.strip()) >= 4}


def figures():
    """What the dashboards, the overview, the programme pages and the stock show."""
    today = timezone.localdate()
    superuser = UserFactory(username="figures-reader", is_superuser=True)
    result = {
        "devices": dict(Device.objects.values_list("status").annotate(n=Count("pk")).order_by()),
        "stock": sorted(
            Device.objects.values_list("site", "status").annotate(n=Count("pk")).order_by()
        ),
        "loans": _counts(Loan.objects.all(), today, today + timedelta(days=7)),
        "programmes": [(p.pk, p.enrolled, p.waiting, p.to_decide) for p in _programmes(superuser)],
        "places": list(
            with_places(Programme.objects.all()).values("pk", "enrolled", "places_left")
        ),
        "households": Household.objects.aggregate(
            n=Count("pk"), people=Sum("size"), children=Sum("school_age_children")
        ),
        "communes": sorted(Household.objects.values_list("commune").annotate(n=Count("pk"))),
        "enrolments": sorted(Enrolment.objects.values_list("status").annotate(n=Count("pk"))),
        "attendance": sorted(Attendance.objects.values_list("presence").annotate(n=Count("pk"))),
        "hours": Attendance.objects.filter(presence="present").aggregate(
            minutes=Sum("workshop__duration_minutes")
        ),
        "returns": Return.objects.filter(damage_noted=True).count(),
        "reminders": Reminder.objects.count(),
        "lent": sorted(
            LoanDevice.objects.values_list("condition", "decision").annotate(n=Count("pk"))
        ),
    }
    for programme in Programme.objects.all():
        enrolments = programme.enrolments.filter(status__in=ATTENDING).order_by("pk")
        rows = attendance_matrix(
            programme=programme, enrolments=enrolments, workshops=programme.workshops.all()
        )
        result[programme.pk] = [(r["household"].code, r["attended"], r["missed"]) for r in rows]
    superuser.delete()
    return result


@pytest.fixture(scope="module")
def run(django_db_setup, django_db_blocker):
    """The demo loaded, the task run twice with a retention of 0 days; what was seen."""
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(**FAST_HASHER):
        call_command("load_demo_data", devices=10)
        kept = set(Loan.objects.filter(status__in=Loan.OPEN).values_list("household", flat=True))
        expiring = list(Household.objects.exclude(pk__in=kept))
        # The demo comments only on running loans: a comment on an expiring household
        # and on its enrolment, as a social worker would write them.
        for subject in (expiring[0], expiring[0].enrolments.first()):
            add_lending_comment(
                subject=subject, by=expiring[0].social_worker, body="Rappelée au 07 55 44 33 22"
            )
        strings = set().union(*(personal_strings(h) for h in expiring))
        # A sentence the demo writes for every family stays with the families kept.
        kept_strings = set().union(
            *(personal_strings(h) for h in Household.objects.filter(pk__in=kept))
        )
        kept_dump = {
            h.pk: (h.full_name, h.phone, h.email, h.notes)
            for h in Household.objects.filter(pk__in=kept)
        }
        before = figures()
        with override_settings(HOUSEHOLD_RETENTION_DAYS=0):
            first = anonymise_expired_households()
            after_first = database_dump()
            second = anonymise_expired_households()
            after_second = database_dump()
        yield {
            "expiring": expiring,
            "kept": kept,
            "strings": strings - kept_strings,
            "kept_dump": kept_dump,
            "before": before,
            "after": figures(),
            "counts": (first, second),
            "dumps": (after_first, after_second),
        }
        transaction.set_rollback(True)


def test_the_households_without_an_open_loan_are_anonymised(run):
    assert len(run["expiring"]) >= 3
    assert run["counts"] == (len(run["expiring"]), 0)
    anonymised = Household.objects.filter(anonymised_on__isnull=False)
    assert set(anonymised) == set(run["expiring"])


def test_no_personal_string_of_theirs_remains_anywhere_in_the_database(run):
    assert len(run["strings"]) >= 10

    assert found_in_database(run["strings"]) == {}


def test_every_figure_is_the_same(run):
    assert run["after"] == run["before"]


def test_households_with_an_open_loan_are_untouched(run):
    kept = Household.objects.filter(pk__in=run["kept"])

    assert {h.pk: (h.full_name, h.phone, h.email, h.notes) for h in kept} == run["kept_dump"]
    assert not kept.filter(anonymised_on__isnull=False).exists()


def test_a_second_run_changes_nothing(run):
    first, second = run["dumps"]

    assert first == second

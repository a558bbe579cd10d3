"""How long a household's file is kept: HOUSEHOLD_RETENTION_DAYS after the last contact
with the household (the CNIL's référentiel for social support: two years; see
docs/privacy.md), and never while one of its loans is open.

The last contact is the latest of these dates, all of them recorded here:
- the household's registration, and every edit of its file (its history rows);
- its enrolments: application, decision, enrolment;
- its loans: request, hand-over, closing; their extensions, the return's inspection and
  review;
- the workshops it attended (the workshop's date, when it was present);
- comments written on the household, its enrolments and its loans.
Reminders we send are not a contact with the household: they do not count.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils import timezone

from inventory.models import Comment
from lending.models import (
    Attendance,
    Enrolment,
    Household,
    Loan,
    LoanExtension,
    Return,
)


def retention_cutoff(now=None):
    """Households whose last contact is before this moment are past retention."""
    return (now or timezone.now()) - timedelta(days=settings.HOUSEHOLD_RETENTION_DAYS)


def with_open_loan():
    """Households with a loan requested, approved or with them: never anonymised."""
    return Loan.objects.filter(status__in=Loan.OPEN).values("household")


def _latest(dates, rows):
    for household_id, when in rows:
        if when is not None and (household_id not in dates or when > dates[household_id]):
            dates[household_id] = when


def _grouped(queryset, household, *fields):
    """(household id, latest of `fields`) rows, one query per field."""
    for name in fields:
        yield from queryset.values_list(household).annotate(latest=Max(name)).order_by()


def last_contacts(households):
    """{household pk: date and time of the last contact} for the `households` queryset;
    a fixed number of queries, whatever their number."""
    pks = households.values("pk")
    dates = {}
    _latest(dates, households.values_list("pk", "created_at"))
    _latest(
        dates,
        _grouped(Household.history.filter(id__in=pks), "id", "history_date"),
    )
    enrolments = Enrolment.objects.filter(household__in=pks)
    _latest(dates, _grouped(enrolments, "household", "applied_at", "decided_at", "enrolled_at"))
    loans = Loan.objects.filter(household__in=pks)
    _latest(dates, _grouped(loans, "household", "requested_at", "handed_over_at", "closed_at"))
    extensions = LoanExtension.objects.filter(loan__household__in=pks)
    _latest(dates, _grouped(extensions, "loan__household", "at"))
    returns = Return.objects.filter(loan__household__in=pks)
    _latest(dates, _grouped(returns, "loan__household", "inspected_at", "reviewed_at"))
    attended = Attendance.objects.filter(household__in=pks, presence=Attendance.Presence.PRESENT)
    _latest(dates, _grouped(attended, "household", "workshop__starts_at"))
    _latest(dates, _comment_dates(pks))
    return dates


def _comment_dates(pks):
    """(household id, latest comment) on the households, their enrolments and loans."""
    owners = {
        Household: {
            pk: pk for pk in Household.objects.filter(pk__in=pks).values_list("pk", flat=True)
        },
        Enrolment: dict(Enrolment.objects.filter(household__in=pks).values_list("pk", "household")),
        Loan: dict(Loan.objects.filter(household__in=pks).values_list("pk", "household")),
    }
    for model, household_of in owners.items():
        if not household_of:
            continue
        rows = (
            Comment.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=list(household_of),
            )
            .values_list("object_id")
            .annotate(latest=Max("created_at"))
            .order_by()
        )
        for object_id, when in rows:
            yield household_of[object_id], when


def expired_households(now=None):
    """Households past retention, with no open loan, not yet anonymised."""
    cutoff = retention_cutoff(now)
    candidates = Household.objects.filter(
        anonymised_on__isnull=True, created_at__lt=cutoff
    ).exclude(pk__in=with_open_loan())
    dates = last_contacts(candidates)
    expired = [pk for pk, when in dates.items() if when < cutoff]
    return Household.objects.filter(pk__in=expired).order_by("pk")

"""The access log: who opened which household's file, and who may read that log.

`record_access` is the one function that writes it, called by the pages that show a
household's personal data: its page, the list export, a loan agreement, the subject-access
export. An export of many households is one INSERT … SELECT, whatever their number.

Who reads the log (issue 15: "shown to coordinators"): the coordinators of a programme
the household is (or was) in, for those households only, and superusers. Social workers
do not: the log names their colleagues' reading habits, which is a staff-supervision
matter for the coordination, not part of the follow-up of a family. The household
itself learns who read its file through the subject-access export (lending.privacy.
subject_export), which includes the log.

How long: the CNIL recommends keeping such logs between six months and a year
(recommandation relative aux modalités de conservation et d'usage des données de
journalisation, Journal officiel of 30 October 2021,
https://www.cnil.fr/fr/la-cnil-publie-une-recommandation-relative-aux-mesures-de-journalisation).
`forget_old_accesses` deletes older entries, after settings.ACCESS_LOG_RETENTION_DAYS (the
log is personal data of the staff too).
"""

import datetime

from django.conf import settings
from django.db import connection
from django.db.models import CharField, DateTimeField, IntegerField, QuerySet, Value
from django.utils import timezone

from lending.access import programmes_coordinated_by
from lending.models import Enrolment, Household, HouseholdAccess

PERMISSION = "lending.view_householdaccess"
What = HouseholdAccess.What


def record_access(user, households, what, *, detail=""):
    """Log that `user` read `households` (a Household, a QuerySet or a list of them) for
    `what` (a HouseholdAccess.What). Returns the number of entries written.

    A QuerySet is written with one INSERT … SELECT: the list export of 10,000 households
    costs one query, and the ids never travel through Python."""
    at = timezone.now()
    if isinstance(households, Household):
        households = [households]
    if isinstance(households, QuerySet):
        return _insert_from(households, user=user, what=what, detail=detail, at=at)
    entries = [
        HouseholdAccess(household=h, user=user, what=what, detail=detail, at=at) for h in households
    ]
    return len(HouseholdAccess.objects.bulk_create(entries))


def _insert_from(households, *, user, what, detail, at):
    # Through a subquery on the primary key: a queryset that joins (enrolments, say)
    # could list a household twice; its ordering and prefetches do not matter here.
    rows = (
        Household.objects.filter(pk__in=households.order_by().values("pk"))
        .order_by()
        .annotate(
            _user=Value(user.pk, output_field=IntegerField()),
            _at=Value(at, output_field=DateTimeField()),
            _what=Value(str(what), output_field=CharField()),
            _detail=Value(detail, output_field=CharField()),
        )
        .values_list("pk", "_user", "_at", "_what", "_detail")
    )
    select, params = rows.query.sql_with_params()
    meta = HouseholdAccess._meta
    columns = ", ".join(
        connection.ops.quote_name(meta.get_field(name).column)
        for name in ("household", "user", "at", "what", "detail")
    )
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
        return cursor.rowcount


def may_read_log(user):
    return user.has_perm(PERMISSION)


def households_whose_log(user):
    """The households whose access log `user` may read."""
    if user.is_superuser:
        return Household.objects.all()
    if not may_read_log(user):
        return Household.objects.none()
    enrolled = Enrolment.objects.filter(programme__in=programmes_coordinated_by(user))
    return Household.objects.filter(pk__in=enrolled.values("household"))


def accesses_visible_to(user):
    """The log entries `user` may read, newest first, with what a page shows of them."""
    entries = HouseholdAccess.objects.select_related("user", "household")
    if user.is_superuser:
        return entries
    return entries.filter(household__in=households_whose_log(user))


def recent_accesses(user, household, count=5):
    """The last `count` entries of `household`'s log for its page, or None when `user`
    may not read it (the page then shows no log at all)."""
    if not may_read_log(user):
        return None
    if not households_whose_log(user).filter(pk=household.pk).exists():
        return None
    return list(household.accesses.select_related("user")[:count])


def household_accesses(household):
    """Every entry of one household's log, newest first, for what the export includes."""
    return household.accesses.select_related("user")


def forget_old_accesses(*, days=None, now=None):
    """Delete the entries older than `days` (a nightly task's work); returns how many.
    Running it twice deletes nothing the second time."""
    days = settings.ACCESS_LOG_RETENTION_DAYS if days is None else days
    limit = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted, _by_model = HouseholdAccess.objects.filter(at__lt=limit).delete()
    return deleted

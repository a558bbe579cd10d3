"""Reads for the household pages: what a list shows, what a household's page lists. No
writes here; those are in lending.households.services."""

from django.db.models import Count, Prefetch, Q

from lending.access import households_visible_to, loans_visible_to, programmes_open_to
from lending.models import Attendance, Enrolment, Loan, Programme

E = Enrolment.Status
# Filter value for households in no programme at the moment.
NO_ENROLMENT = "none"


def household_rows(user, *, q="", programme=None, status=""):
    """The households `user` may see, filtered, with what the list shows prefetched:
    a fixed number of queries whatever the number of rows."""
    households = households_visible_to(user).select_related("social_worker", "structure")
    for word in q.split():
        households = households.filter(
            Q(code__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(commune__icontains=word)
            | Q(postcode__startswith=word)
        )
    households = _with_enrolment(households, programme=programme, status=status)
    return households.prefetch_related(
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.active().select_related("programme"),
            to_attr="current_enrolments",
        ),
        Prefetch(
            "loans",
            queryset=loans_visible_to(user).filter(status__in=Loan.OPEN).order_by("-pk"),
            to_attr="open_loans",
        ),
    ).order_by("code")


def _with_enrolment(households, *, programme, status):
    # Through a subquery, not a join: a household enrolled twice would be listed twice.
    if status == NO_ENROLMENT:
        active = Enrolment.objects.active()
        if programme:
            active = active.filter(programme=programme)
        return households.exclude(pk__in=active.values("household"))
    if not programme and not status:
        return households
    enrolments = Enrolment.objects.all()
    if programme:
        enrolments = enrolments.filter(programme=programme)
    enrolments = enrolments.filter(status=status) if status else enrolments.active()
    return households.filter(pk__in=enrolments.values("household"))


def programmes_for_filter(user):
    """The programmes the user's households are (or were) in, and those open to them."""
    seen = Enrolment.objects.filter(household__in=households_visible_to(user))
    return Programme.objects.filter(
        Q(pk__in=seen.values("programme")) | Q(pk__in=programmes_open_to(user).values("pk"))
    ).order_by("name")


def programmes_to_apply(user, household):
    """Open programmes `household`'s structure is a partner of, that it is not already
    applying to or in."""
    taken = household.enrolments.active().values("programme")
    open_to = programmes_open_to(user).filter(structures=household.structure_id)
    return open_to.exclude(pk__in=taken).order_by("name")


def household_page(queryset, code):
    """The household of `code` in `queryset` (the user's visible ones), or None."""
    return (
        queryset.select_related("structure", "social_worker")
        .prefetch_related("situations")
        .filter(code=code.strip().upper())
        .first()
    )


def household_enrolments(household):
    return household.enrolments.select_related("programme").order_by("-applied_at", "-pk")


def household_loans(user, household):
    """The household's loans `user` may open (a coordinator: their programmes' only)."""
    loans = loans_visible_to(user).filter(household=household)
    return loans.select_related("programme").order_by("-pk")


def attendance_by_programme(household):
    """{programme id: workshops the household attended}, in one query."""
    present = Attendance.objects.filter(household=household, presence=Attendance.Presence.PRESENT)
    rows = present.values("workshop__programme").annotate(n=Count("pk")).order_by()
    return {row["workshop__programme"]: row["n"] for row in rows}

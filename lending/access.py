"""Who may see which household, enrolment and loan: the object-level rules.

Every view fetches these objects through the functions below, so that another
structure's household answers 404 (its existence does not leak), never 403.

- A social worker sees the households of their own structures.
- A coordinator sees the households enrolled in (or applying to) the programmes they
  coordinate.
- A technician sees no household: only loans, where the household is its code.
- A superuser sees everything.
"""

from django.db.models import Q

from accounts.roles import Role, roles_of
from lending.models import Enrolment, Household, Loan, Programme


def _is(user, role):
    return role in roles_of(user)


def sees_all(user):
    return user.is_superuser


def households_visible_to(user):
    if sees_all(user):
        return Household.objects.all()
    rule = Q(pk__in=[])
    if _is(user, Role.SOCIAL_WORKER):
        rule |= Q(structure__members=user)
    if _is(user, Role.COORDINATOR):
        rule |= Q(enrolments__programme__coordinators=user)
    return Household.objects.filter(pk__in=Household.objects.filter(rule).values("pk"))


def can_see_person(user, household):
    """May `user` read the name, contact, situation and notes of `household`?"""
    return households_visible_to(user).filter(pk=household.pk).exists()


def coordinates(user, programme):
    """Is `user` one of the coordinators of `programme` (or a superuser)?"""
    if sees_all(user):
        return True
    return _is(user, Role.COORDINATOR) and programme.coordinators.filter(pk=user.pk).exists()


def programmes_coordinated_by(user):
    if sees_all(user):
        return Programme.objects.all()
    if not _is(user, Role.COORDINATOR):
        return Programme.objects.none()
    return Programme.objects.filter(coordinators=user)


def programmes_open_to(user):
    """Programmes this user may enrol households into: their structures are partners."""
    programmes = Programme.objects.filter(status=Programme.Status.OPEN)
    if sees_all(user) or _is(user, Role.COORDINATOR):
        return programmes
    return programmes.filter(structures__members=user).distinct()


def enrolments_visible_to(user):
    if sees_all(user):
        return Enrolment.objects.all()
    rule = Q(pk__in=[])
    if _is(user, Role.SOCIAL_WORKER):
        rule |= Q(household__structure__members=user)
    if _is(user, Role.COORDINATOR):
        rule |= Q(programme__coordinators=user)
    return Enrolment.objects.filter(pk__in=Enrolment.objects.filter(rule).values("pk"))


def loans_visible_to(user):
    """Technicians see every loan (they prepare and take back the devices), but only
    through pages that show the household's code and nothing else of it."""
    if sees_all(user) or _is(user, Role.TECHNICIAN):
        return Loan.objects.all()
    rule = Q(pk__in=[])
    if _is(user, Role.SOCIAL_WORKER):
        rule |= Q(household__structure__members=user)
    if _is(user, Role.COORDINATOR):
        rule |= Q(programme__coordinators=user)
    return Loan.objects.filter(pk__in=Loan.objects.filter(rule).values("pk"))

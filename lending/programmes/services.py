"""Programmes, their workshops and attendance: the writes, and the reads their pages
share (the reference data they refer to is lending.reference's).

Checks that concern a single field raise a ValidationError keyed by that field, so that
a form shows the sentence beside the field; refusals of the action as a whole raise a
LendingError. Either way nothing is written.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.refusals import require
from accounts.roles import Role, roles_of
from lending.access import coordinates, households_visible_to
from lending.enrolments.workflow import places_taken
from lending.models import Attendance, Enrolment, Household, Programme, Workshop
from lending.states import LendingError, save_with_history

E = Enrolment.Status
Presence = Attendance.Presence
# Households whose attendance is followed: those with a place, and those who finished.
ATTENDING = [E.ENROLLED, E.COMPLETED]


# Reads ------------------------------------------------------------------------------


def with_places(programmes):
    """Annotate programmes with `enrolled`, `waiting` and `places_left`, in one query."""
    return programmes.annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__status=E.ENROLLED)),
        waiting=Count("enrolments", filter=Q(enrolments__status=E.WAITLISTED)),
    ).annotate(
        places_left=Greatest(F("capacity") - F("enrolled"), Value(0), output_field=IntegerField())
    )


# Two workshops missed since a household joined is when a coordinator calls it.
MISSED_ALERT = 2


def attendance_matrix(*, programme, enrolments, workshops, now=None):
    """One row per enrolment: its household, a cell per workshop (a presence or None),
    how many workshops it attended, how many it missed (held since it was enrolled,
    neither present nor excused) and whether that many calls for a phone call."""
    now = now or timezone.now()
    enrolments, workshops = list(enrolments), list(workshops)
    cells = {
        (workshop_id, household_id): presence
        for workshop_id, household_id, presence in Attendance.objects.filter(
            workshop__in=workshops
        ).values_list("workshop_id", "household_id", "presence")
    }
    rows = []
    for enrolment in enrolments:
        row = [cells.get((w.pk, enrolment.household_id)) for w in workshops]
        since = enrolment.enrolled_at
        missed = sum(
            1
            for workshop, presence in zip(workshops, row, strict=True)
            if workshop.starts_at <= now
            and (since is None or workshop.starts_at >= since)
            and presence not in (Presence.PRESENT, Presence.EXCUSED)
        )
        rows.append(
            {
                "enrolment": enrolment,
                "household": enrolment.household,
                "cells": row,
                "attended": row.count(Presence.PRESENT),
                "missed": missed,
                "behind": missed >= MISSED_ALERT,
            }
        )
    return rows


# Programmes -------------------------------------------------------------------------


def _locked(model, pk):
    queryset = model.objects.filter(pk=pk)
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update()
    return queryset.get()


def check_period(starts_on, ends_on):
    """A programme ends on or after the day it starts; the form asks this too."""
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError(
            {
                "ends_on": _(
                    "The programme would end before it starts: choose an end date on or "
                    "after %(date)s."
                )
                % {"date": date_format(starts_on, "SHORT_DATE_FORMAT")}
            }
        )


def _check_programme(programme, *, structures, criteria, coordinators):
    check_period(programme.starts_on, programme.ends_on)
    errors = {}
    if programme.lends_sim and not programme.data_plan_gb:
        errors["data_plan_gb"] = _("Say how many GB a month the lent SIM cards' data plan gives.")
    if criteria and programme.min_criteria > len(criteria):
        errors["min_criteria"] = ngettext(
            "The programme has %(count)s eligibility criterion: a household cannot meet "
            "%(needed)s of them.",
            "The programme has %(count)s eligibility criteria: a household cannot meet "
            "%(needed)s of them.",
            len(criteria),
        ) % {"count": len(criteria), "needed": programme.min_criteria}
    if structures is not None and not structures:
        errors["structures"] = _(
            "Choose at least one partner structure: its social workers enrol the households."
        )
    if coordinators is not None:
        if not coordinators:
            errors["coordinators"] = _("A programme needs at least one coordinator.")
        elif not_coordinators := [
            user
            for user in coordinators
            if not user.is_superuser and Role.COORDINATOR not in roles_of(user)
        ]:
            errors["coordinators"] = _("%(people)s cannot coordinate: not a coordinator.") % {
                "people": ", ".join(user.get_username() for user in not_coordinators)
            }
    if errors:
        raise ValidationError(errors)


def _set_relations(programme, **relations):
    for name, values in relations.items():
        if values is not None:
            getattr(programme, name).set(values)


def create_programme(*, by, structures, funders=(), coordinators=(), criteria=(), **fields):
    """Create a programme from its `fields`; `by` becomes one of its coordinators."""
    require(by, "lending.add_programme")
    programme = Programme(**fields)
    coordinators = list({*coordinators, by})
    _check_programme(programme, structures=structures, criteria=criteria, coordinators=coordinators)
    with transaction.atomic():
        save_with_history(programme, by=by)
        _set_relations(
            programme,
            structures=structures,
            funders=funders,
            coordinators=coordinators,
            criteria=criteria,
        )
    return programme


def update_programme(
    *, programme, by, structures=None, funders=None, coordinators=None, criteria=None, note=""
):
    """Save the edits made to `programme` (a form's instance) and, when given, its new
    partners, funders, coordinators and criteria. Only its coordinators may."""
    require(by, "lending.change_programme")
    if not coordinates(by, programme):
        raise LendingError(_("Only the coordinators of this programme may change it."))
    if criteria is None:
        criteria = list(programme.criteria.all())
    _check_programme(programme, structures=structures, criteria=criteria, coordinators=coordinators)
    with transaction.atomic():
        # Under the programme's lock, no one enrols a household between the count and
        # the save.
        _locked(Programme, programme.pk)
        enrolled = places_taken(programme)
        if programme.capacity < enrolled:
            raise ValidationError(
                {
                    "capacity": ngettext(
                        "%(count)s household is already enrolled: the capacity cannot be "
                        "lower. Complete or withdraw enrolments first.",
                        "%(count)s households are already enrolled: the capacity cannot be "
                        "lower. Complete or withdraw enrolments first.",
                        enrolled,
                    )
                    % {"count": enrolled}
                }
            )
        save_with_history(programme, by=by, note=note)
        _set_relations(
            programme,
            structures=structures,
            funders=funders,
            coordinators=coordinators,
            criteria=criteria,
        )
    return programme


# Workshops and attendance -----------------------------------------------------------


def _require_coordinator(by, programme, permission):
    require(by, permission)
    if not coordinates(by, programme):
        raise LendingError(_("Only the coordinators of this programme may plan its workshops."))


def _check_workshop(workshop):
    programme = workshop.programme
    errors = {}
    if workshop.starts_at:
        day = timezone.localdate(workshop.starts_at)
        if not programme.starts_on <= day <= programme.ends_on:
            errors["starts_at"] = _(
                "The programme runs from %(start)s to %(end)s: a workshop of it takes "
                "place within those dates."
            ) % {
                "start": date_format(programme.starts_on, "SHORT_DATE_FORMAT"),
                "end": date_format(programme.ends_on, "SHORT_DATE_FORMAT"),
            }
    if workshop.pk and workshop.capacity:
        present = workshop.attendances.filter(presence=Presence.PRESENT).count()
        if workshop.capacity < present:
            errors["capacity"] = ngettext(
                "%(count)s household was recorded present: the capacity cannot be lower.",
                "%(count)s households were recorded present: the capacity cannot be lower.",
                present,
            ) % {"count": present}
    if errors:
        raise ValidationError(errors)


def schedule_workshop(*, programme, by, **fields):
    """Add a workshop to `programme`; only its coordinators may."""
    _require_coordinator(by, programme, "lending.add_workshop")
    workshop = Workshop(programme=programme, **fields)
    _check_workshop(workshop)
    return save_with_history(workshop, by=by)


def update_workshop(*, workshop, by, note=""):
    """Save the edits made to `workshop` (a form's instance)."""
    _require_coordinator(by, workshop.programme, "lending.change_workshop")
    with transaction.atomic():
        # Under the workshop's lock, the present count checked stays true until the save.
        _locked(Workshop, workshop.pk)
        _check_workshop(workshop)
        return save_with_history(workshop, by=by, note=note)


def _households_recordable_by(by, programme):
    """Coordinators of the programme record for every household; social workers for
    those of their own structures."""
    if coordinates(by, programme):
        return Household.objects.all()
    return households_visible_to(by).filter(structure__members=by)


def _codes_text(codes):
    return ", ".join(sorted(codes))


def record_attendance(*, workshop, by, presences):
    """Record who came to `workshop`: `presences` maps household codes to a presence
    (present, absent, excused). All of them or, at the first problem, none."""
    require(by, "lending.add_attendance")
    require(by, "lending.change_attendance")
    programme = workshop.programme
    # PostgreSQL refuses text holding a NUL byte (a 500); nobody types one on purpose.
    presences = {
        code.replace("\x00", "").strip().upper(): value for code, value in presences.items()
    }
    if not presences:
        raise LendingError(_("Choose present, absent or excused for at least one household."))
    wrong = [value for value in presences.values() if value not in Presence.values]
    if wrong:
        raise LendingError(
            _("“%(value)s” is not a presence: choose present, absent or excused.")
            % {"value": wrong[0]}
        )
    households = {
        h.code: h for h in _households_recordable_by(by, programme).filter(code__in=list(presences))
    }
    # Another structure's household reads as unknown: its existence does not leak.
    unknown = set(presences) - set(households)
    if unknown:
        raise LendingError(
            ngettext(
                "Unknown household: %(codes)s. No attendance was recorded.",
                "Unknown households: %(codes)s. No attendance was recorded.",
                len(unknown),
            )
            % {"codes": _codes_text(unknown)}
        )
    attending = set(
        Enrolment.objects.filter(
            programme=programme, status__in=ATTENDING, household__in=households.values()
        ).values_list("household_id", flat=True)
    )
    outside = {code for code, h in households.items() if h.pk not in attending}
    if outside:
        raise LendingError(
            ngettext(
                "%(codes)s is not enrolled in “%(programme)s”. No attendance was recorded.",
                "%(codes)s are not enrolled in “%(programme)s”. No attendance was recorded.",
                len(outside),
            )
            % {"codes": _codes_text(outside), "programme": programme}
        )
    with transaction.atomic():
        workshop = _locked(Workshop, workshop.pk)
        existing = {a.household_id: a for a in workshop.attendances.all()}
        _check_workshop_capacity(workshop, existing, households, presences)
        changed = 0
        for code, presence in presences.items():
            household = households[code]
            attendance = existing.get(household.pk) or Attendance(
                workshop=workshop, household=household
            )
            if attendance.pk and attendance.presence == presence:
                continue
            attendance.presence = presence
            attendance.recorded_by = by
            attendance._history_user = by
            attendance.save()
            changed += 1
    return changed


def _check_workshop_capacity(workshop, existing, households, presences):
    if not workshop.capacity:
        return
    present = {pk for pk, a in existing.items() if a.presence == Presence.PRESENT}
    for code, presence in presences.items():
        if presence == Presence.PRESENT:
            present.add(households[code].pk)
        else:
            present.discard(households[code].pk)
    if len(present) > workshop.capacity:
        raise LendingError(
            _(
                "This workshop takes %(capacity)s households and %(count)s would be "
                "present. No attendance was recorded."
            )
            % {"capacity": workshop.capacity, "count": len(present)}
        )

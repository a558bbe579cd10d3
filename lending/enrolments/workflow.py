"""Enrolment of households in programmes: applied → eligible | rejected → enrolled, or
waitlisted while the programme is full; withdrawn or completed at the end.

The capacity is settled under a lock on the programme's row (PostgreSQL) or SQLite's
write lock (transactions begin IMMEDIATE): two coordinators enrolling into the last
place at once are serialised, and the second one is told the programme is full.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.refusals import require
from lending.access import coordinates, households_visible_to
from lending.models import Enrolment, Loan, Programme
from lending.states import (
    LendingError,
    clean_text,
    record_history,
    require_not_anonymised,
    set_status,
)

E = Enrolment.Status


def places_taken(programme):
    return programme.enrolments.filter(status=E.ENROLLED).count()


def places_left(programme):
    return max(programme.capacity - places_taken(programme), 0)


def _locked(programme):
    queryset = Programme.objects.filter(pk=programme.pk)
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update()
    return queryset.get()


def _require_coordinator(by, programme):
    require(by, "lending.decide_enrolment")
    if not coordinates(by, programme):
        raise LendingError(_("Only the coordinators of this programme may decide on it."))


def apply_for_programme(*, household, programme, by, note=""):
    """A social worker applies for `household` to join `programme`."""
    require(by, "lending.add_enrolment")
    if not households_visible_to(by).filter(pk=household.pk).exists():
        raise LendingError(_("You can only enrol households of your own structure."))
    require_not_anonymised(household)
    if programme.status != Programme.Status.OPEN:
        raise LendingError(
            _("“%(programme)s” is not open for enrolment (it is %(status)s).")
            % {"programme": programme, "status": programme.get_status_display().lower()}
        )
    # The household's own structure must be a partner: a social worker who belongs to
    # several structures may not use one structure's partnership for another's family.
    if not programme.structures.filter(pk=household.structure_id).exists():
        raise LendingError(
            _("%(structure)s, the structure of %(household)s, is not a partner of “%(programme)s”.")
            % {
                "structure": household.structure,
                "household": household.code,
                "programme": programme,
            }
        )
    enrolment = Enrolment(household=household, programme=programme, applied_by=by)
    enrolment._history_user = by
    enrolment._change_reason = clean_text(note)
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        raise LendingError(
            _("%(household)s already has an application or a place in “%(programme)s”.")
            % {"household": household.code, "programme": programme}
        ) from None
    return enrolment


def mark_eligible(*, enrolment, by, criteria=None, note=""):
    """The coordinator checks the criteria met; at least `min_criteria` of the
    programme's own criteria must be among them."""
    programme = enrolment.programme
    _require_coordinator(by, programme)
    if criteria is None:
        criteria = enrolment.household.situations.all()
    wanted = set(programme.criteria.values_list("pk", flat=True))
    met = [c for c in criteria if c.pk in wanted] if wanted else list(criteria)
    if wanted and len(met) < programme.min_criteria:
        raise LendingError(
            _(
                "%(household)s meets %(met)s of the programme's criteria, %(needed)s needed. "
                "Tick the criteria you checked, or reject the application with its reason."
            )
            % {
                "household": enrolment.household.code,
                "met": len(met),
                "needed": programme.min_criteria,
            }
        )
    with transaction.atomic():
        set_status(
            enrolment,
            expected=E.APPLIED,
            target=E.ELIGIBLE,
            by=by,
            note=note,
            decided_at=timezone.now(),
        )
        enrolment.criteria_met.set(met)
    return enrolment


def reject_enrolment(*, enrolment, by, reason):
    _require_coordinator(by, enrolment.programme)
    reason = clean_text(reason)
    if not reason:
        raise LendingError(_("Say why the application is rejected: the social worker reads it."))
    with transaction.atomic():
        programme = _locked(enrolment.programme)
        set_status(
            enrolment,
            expected=[E.APPLIED, E.ELIGIBLE, E.WAITLISTED],
            target=E.REJECTED,
            by=by,
            note=reason,
            reason=reason,
            decided_at=timezone.now(),
            waitlist_position=None,
        )
        _renumber_waitlist(programme)
    return enrolment


def enrol_household(*, enrolment, by, note=""):
    """Give an eligible (or waitlisted) household a place, if one is left."""
    _require_coordinator(by, enrolment.programme)
    with transaction.atomic():
        programme = _locked(enrolment.programme)
        if places_left(programme) == 0:
            raise LendingError(
                _(
                    "“%(programme)s” is full (%(capacity)s households): put %(household)s "
                    "on the waiting list, or free a place first."
                )
                % {
                    "programme": programme,
                    "capacity": programme.capacity,
                    "household": enrolment.household.code,
                }
            )
        _enrol(enrolment, by=by, note=note)
        _renumber_waitlist(programme)
    return enrolment


def _enrol(enrolment, *, by, note):
    return set_status(
        enrolment,
        expected=[E.ELIGIBLE, E.WAITLISTED],
        target=E.ENROLLED,
        by=by,
        note=note,
        enrolled_at=timezone.now(),
        waitlist_position=None,
    )


def waitlist_household(*, enrolment, by, note=""):
    """Put an eligible household at the end of the waiting list of a full programme."""
    _require_coordinator(by, enrolment.programme)
    with transaction.atomic():
        programme = _locked(enrolment.programme)
        left = places_left(programme)
        if left:
            raise LendingError(
                ngettext(
                    "%(count)s place is left: enrol the household instead.",
                    "%(count)s places are left: enrol the household instead.",
                    left,
                )
                % {"count": left}
            )
        last = programme.enrolments.aggregate(last=Max("waitlist_position"))["last"] or 0
        return set_status(
            enrolment,
            expected=E.ELIGIBLE,
            target=E.WAITLISTED,
            by=by,
            note=note,
            waitlist_position=last + 1,
        )


def move_on_waitlist(*, enrolment, by, position):
    """Put a waitlisted household at `position` (1 = next to get a place)."""
    _require_coordinator(by, enrolment.programme)
    position = _parse_position(position)
    with transaction.atomic():
        programme = _locked(enrolment.programme)
        waiting = list(programme.enrolments.waitlist())
        if enrolment.pk not in {e.pk for e in waiting}:
            raise LendingError(_("This household is not on the waiting list."))
        waiting = [e for e in waiting if e.pk != enrolment.pk]
        position = min(position, len(waiting) + 1)
        waiting.insert(position - 1, enrolment)
        for number, entry in enumerate(waiting, start=1):
            if entry.waitlist_position != number:
                Enrolment.objects.filter(pk=entry.pk).update(waitlist_position=number)
                entry.waitlist_position = number
        enrolment.status, enrolment.waitlist_position = E.WAITLISTED, position
        record_history(
            enrolment,
            by=by,
            note=_("Moved to position %(position)s on the waiting list") % {"position": position},
        )
    return enrolment


def _parse_position(position):
    try:
        number = int(str(position).strip())
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise LendingError(
            _("“%(position)s” is not a position on the waiting list: give a number from 1.")
            % {"position": str(position)[:20]}
        )
    return number


def _renumber_waitlist(programme):
    """Keep the positions 1..n, in their order, once a household has left the list."""
    for number, entry in enumerate(programme.enrolments.waitlist(), start=1):
        if entry.waitlist_position != number:
            Enrolment.objects.filter(pk=entry.pk).update(waitlist_position=number)


def _refuse_open_loan(enrolment):
    # A request not yet approved counts too: it would be approved for a household
    # that has left the programme.
    if enrolment.loans.filter(status__in=Loan.OPEN).exists():
        raise LendingError(
            _("%(household)s still has a loan in progress: cancel it, or record its return, first.")
            % {"household": enrolment.household.code}
        )


def withdraw_enrolment(*, enrolment, by, reason):
    """The household leaves the programme; its place, if it had one, goes to the next."""
    follows = by.has_perm("lending.add_enrolment") and (
        households_visible_to(by).filter(pk=enrolment.household_id).exists()
    )
    if not follows and not coordinates(by, enrolment.programme):
        raise LendingError(_("You can only withdraw households of your own structure."))
    reason = clean_text(reason)
    if not reason:
        raise LendingError(_("Say why the household leaves the programme."))
    _refuse_open_loan(enrolment)
    return _leave(enrolment, target=E.WITHDRAWN, by=by, note=reason, reason=reason)


def complete_enrolment(*, enrolment, by, note=""):
    """The household has finished the programme; its place goes to the next one."""
    _require_coordinator(by, enrolment.programme)
    _refuse_open_loan(enrolment)
    return _leave(enrolment, target=E.COMPLETED, by=by, note=note)


def _leave(enrolment, *, target, by, note, **fields):
    with transaction.atomic():
        programme = _locked(enrolment.programme)
        was_enrolled = enrolment.status == E.ENROLLED
        expected = E.ENROLLED if target == E.COMPLETED else Enrolment.ACTIVE
        set_status(
            enrolment,
            expected=expected,
            target=target,
            by=by,
            note=note,
            waitlist_position=None,
            **fields,
        )
        if was_enrolled:
            offer_free_places(programme, by=by)
        _renumber_waitlist(programme)
    return enrolment


def offer_free_places(programme, *, by):
    """Enrol the first waitlisted households into the places left; tell their social
    workers. Called under the programme's lock."""
    promoted = []
    for enrolment in programme.enrolments.waitlist()[: places_left(programme)]:
        _enrol(enrolment, by=by, note=_("A place was freed: enrolled from the waiting list."))
        promoted.append(enrolment)
    for enrolment in promoted:
        # robust: a mail server that is down must not turn the committed change into
        # an error page (the failure is logged; the enrolment page shows the place).
        transaction.on_commit(lambda e=enrolment: _tell_social_worker(e), robust=True)
    return promoted


def _tell_social_worker(enrolment):
    worker = enrolment.household.social_worker
    if not worker.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            _("%(household)s has a place in “%(programme)s”")
            % {"household": enrolment.household.code, "programme": enrolment.programme},
            _(
                "A place was freed in “%(programme)s”: household %(household)s, which was on "
                "the waiting list, is now enrolled.\n\n%(url)s"
            )
            % {
                "programme": enrolment.programme,
                "household": enrolment.household.code,
                "url": settings.SITE_URL
                + reverse("lending:household_detail", args=[enrolment.household.code]),
            },
            None,
            [worker.email],
        )

"""Reads for the enrolment buttons: which decisions a person may take on an enrolment
now. No writes here; those are in lending.enrolments.workflow."""

from lending.access import coordinates, households_visible_to
from lending.models import Enrolment

E = Enrolment.Status


def follows(user, household):
    """Does `user` follow `household`: a social worker of its structure (the rule
    withdraw_enrolment applies)?"""
    return (
        user.has_perm("lending.add_enrolment")
        and households_visible_to(user).filter(pk=household.pk).exists()
    )


# What each decision expects the enrolment's status to be (as enrolment_workflow does).
_DECISIONS = {
    E.APPLIED: ["eligible", "reject"],
    E.ELIGIBLE: ["place", "reject"],
    E.WAITLISTED: ["move", "place", "reject"],
    E.ENROLLED: ["complete"],
}


def enrolment_actions(user, enrolment, *, places_left):
    """The actions `user` may take on `enrolment` now, as a set of names: "eligible",
    "reject", "enrol" or "waitlist" (by the `places_left` in its programme), "move",
    "complete", "withdraw"."""
    actions = set()
    if enrolment.status not in Enrolment.ACTIVE:
        return actions
    if coordinates(user, enrolment.programme):
        actions.update(_DECISIONS.get(enrolment.status, []))
    if "place" in actions:
        actions.discard("place")
        # A waitlisted household stays waitlisted while the programme is full.
        if places_left:
            actions.add("enrol")
        elif enrolment.status == E.ELIGIBLE:
            actions.add("waitlist")
    if coordinates(user, enrolment.programme) or follows(user, enrolment.household):
        actions.add("withdraw")
    return actions

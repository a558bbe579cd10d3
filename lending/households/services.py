"""Writes on households: registration and edits by the social workers who follow them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.refusals import require
from inventory.services import reserve_sequence_values
from lending.access import can_see_person
from lending.models import ConsentPurpose, Household
from lending.states import LendingError, require_not_anonymised, save_with_history

HOUSEHOLD_CODE_SEQUENCE = "household_code"


def format_household_code(number):
    return f"F-{number:04d}"


def _check_consent(household):
    if ConsentPurpose.FOLLOW_UP not in (household.consent_purposes or []):
        raise ValidationError(
            {
                "consent_purposes": _(
                    "The household must agree to the follow-up of its loan: without it, "
                    "nothing can be recorded."
                )
            }
        )


def _check_children(household):
    # At least one person in the household is the adult who signs the agreement.
    # (Missing numbers are left to full_clean, which names the field.)
    children, size = household.school_age_children, household.size
    if isinstance(children, int) and isinstance(size, int) and children >= size:
        raise ValidationError(
            {
                "school_age_children": _(
                    "%(children)s school-age children in a household of %(size)s people: "
                    "count the adults in the household's size too."
                )
                % {"children": household.school_age_children, "size": household.size}
            }
        )


def _is_member(by, structure):
    if structure is None:
        raise ValidationError({"structure": _("Choose the structure that follows the household.")})
    return by.is_superuser or structure.members.filter(pk=by.pk).exists()


def register_household(*, by, situations=(), **fields):
    """Create a household of one of `by`'s structures, with a new code (F-0042).

    Its social worker is `by` unless `social_worker` is given."""
    require(by, "lending.add_household")
    if not _is_member(by, fields.get("structure")):
        raise LendingError(_("You can only register households of your own structure."))
    fields.setdefault("social_worker", by)
    household = Household(consent_recorded_by=by, **fields)
    _check_consent(household)
    _check_children(household)
    with transaction.atomic():
        household.code = format_household_code(reserve_sequence_values(HOUSEHOLD_CODE_SEQUENCE))
        save_with_history(household, by=by)
        household.situations.set(situations)
    return household


def update_household(*, household, by, situations=None, note=""):
    """Save edits made to `household` (a form's instance); the history keeps the diff."""
    require(by, "lending.change_household")
    if not can_see_person(by, household):
        raise LendingError(_("You can only edit households of your own structure."))
    require_not_anonymised(household)
    # The form may have changed the structure: only to another one of `by`'s.
    if not _is_member(by, household.structure if household.structure_id else None):
        raise LendingError(_("You can only move a household to one of your own structures."))
    _check_consent(household)
    _check_children(household)
    if _consent_changed(household):
        household.consent_recorded_by = by
    with transaction.atomic():
        save_with_history(household, by=by, note=note)
        if situations is not None:
            household.situations.set(situations)
    return household


def _consent_changed(household):
    """Did this edit change the consent? Then its recorder is whoever made the edit."""
    before = Household.objects.filter(pk=household.pk).values(
        "consent_given_on", "consent_purposes"
    )[0]
    return before["consent_given_on"] != household.consent_given_on or sorted(
        before["consent_purposes"]
    ) != sorted(household.consent_purposes)

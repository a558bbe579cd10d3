"""Writes on households: registration and edits by the social workers who follow them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inventory.services import reserve_sequence_values

from .access import can_see_person
from .models import ConsentPurpose, Household
from .states import LendingError, require, save_with_history

HOUSEHOLD_CODE_SEQUENCE = "household_code"


def format_household_code(number):
    return f"F-{number:04d}"


def _check_consent(household):
    if ConsentPurpose.FOLLOW_UP not in household.consent_purposes:
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
    if household.school_age_children >= household.size:
        raise ValidationError(
            {
                "school_age_children": _(
                    "%(children)s school-age children in a household of %(size)s people: "
                    "count the adults in the household's size too."
                )
                % {"children": household.school_age_children, "size": household.size}
            }
        )


def register_household(*, by, situations=(), **fields):
    """Create a household of one of `by`'s structures, with a new code (F-0042)."""
    require(by, "lending.add_household")
    structure = fields["structure"]
    if not by.is_superuser and not structure.members.filter(pk=by.pk).exists():
        raise LendingError(_("You can only register households of your own structure."))
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
    _check_consent(household)
    _check_children(household)
    with transaction.atomic():
        save_with_history(household, by=by, note=note)
        if situations is not None:
            household.situations.set(situations)
    return household

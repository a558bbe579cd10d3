"""Writes on households: registration and edits by the social workers who follow them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.refusals import require
from inventory.services import reserve_sequence_values
from lending.access import can_see_person
from lending.models import Household
from lending.privacy.consent import check_sensitive_situations, record_consents
from lending.states import LendingError, require_not_anonymised, save_with_history

HOUSEHOLD_CODE_SEQUENCE = "household_code"


def format_household_code(number):
    return f"F-{number:04d}"


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


def register_household(*, by, situations=(), consents=(), **fields):
    """Create a household of one of `by`'s structures, with a new code (F-0042), and its
    `consents` to optional purposes, recorded today by `by`.

    Its social worker is `by` unless `social_worker` is given. A sensitive situation
    needs the explicit consent to record it."""
    require(by, "lending.add_household")
    if not _is_member(by, fields.get("structure")):
        raise LendingError(_("You can only register households of your own structure."))
    fields.setdefault("social_worker", by)
    household = Household(**fields)
    _check_children(household)
    check_sensitive_situations(situations, set(consents))
    with transaction.atomic():
        household.code = format_household_code(reserve_sequence_values(HOUSEHOLD_CODE_SEQUENCE))
        save_with_history(household, by=by)
        household.situations.set(situations)
        record_consents(household=household, purposes=consents, by=by)
    return household


def update_household(*, household, by, situations=None, consents=(), note=""):
    """Save edits made to `household` (a form's instance) and record the `consents` it
    gives today; the history keeps the diff."""
    require(by, "lending.change_household")
    if not can_see_person(by, household):
        raise LendingError(_("You can only edit households of your own structure."))
    require_not_anonymised(household)
    # The form may have changed the structure: only to another one of `by`'s.
    if not _is_member(by, household.structure if household.structure_id else None):
        raise LendingError(_("You can only move a household to one of your own structures."))
    _check_children(household)
    if situations is not None:
        check_sensitive_situations(situations, household.consented_purposes() | set(consents))
    with transaction.atomic():
        save_with_history(household, by=by, note=note)
        if situations is not None:
            household.situations.set(situations)
        record_consents(household=household, purposes=consents, by=by)
    return household

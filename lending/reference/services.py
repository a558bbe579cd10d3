"""Writes of the reference data: referring structures (and their social workers),
funders, eligibility criteria. A check of one field raises a ValidationError keyed by
that field; nothing is written then.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.refusals import require
from accounts.roles import Role, roles_of
from lending.models import Household
from lending.states import save_with_history


def _may_save(by, obj):
    """Refuse unless `by` may add `obj` (a new one) or change it."""
    require(by, f"lending.{'change' if obj.pk else 'add'}_{obj._meta.model_name}")


def save_structure(*, structure, by, members=None):
    """Create or edit a referring structure; its `members` are social workers."""
    _may_save(by, structure)
    if members is not None:
        _check_members(structure, list(members))
    with transaction.atomic():
        save_with_history(structure, by=by)
        if members is not None:
            structure.members.set(members)
    return structure


def _check_members(structure, members):
    strangers = [u for u in members if Role.SOCIAL_WORKER not in roles_of(u)]
    if strangers:
        raise ValidationError(
            {
                "members": _("%(people)s cannot be members: not social workers.")
                % {"people": ", ".join(u.get_username() for u in strangers)}
            }
        )
    if not structure.pk:
        return
    # A social worker who left the structure would lose sight of the households they
    # still follow there.
    leaving = structure.members.exclude(pk__in=[u.pk for u in members])
    following = (
        Household.objects.filter(structure=structure, social_worker__in=leaving)
        .values_list("social_worker__username", flat=True)
        .distinct()
    )
    if following:
        raise ValidationError(
            {
                "members": _(
                    "%(people)s still follow households of this structure: give those "
                    "households to another social worker first."
                )
                % {"people": ", ".join(sorted(following))}
            }
        )


def save_funder(*, funder, by):
    """Create or edit a funder."""
    _may_save(by, funder)
    return save_with_history(funder, by=by)


def save_criterion(*, criterion, by):
    """Create or edit an eligibility criterion."""
    _may_save(by, criterion)
    return save_with_history(criterion, by=by)

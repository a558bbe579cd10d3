"""Saving the organisation's details (the one row of inventory.Organisation)."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.refusals import require
from inventory.models import Organisation


def save_organisation(*, form, by):
    """Saves a valid OrganisationForm's details, with `by` in their history.

    Returns the organisation.
    """
    message = _("Your role may not change the organisation's details.")
    require(by, "inventory.change_organisation", message=message)
    with transaction.atomic():
        # There is one row: when two coordinators save the very first details at the same
        # time, the second one updates the row the first one created.
        existing = Organisation.objects.select_for_update().order_by("pk").first()
        organisation = form.save(commit=False)
        if organisation.pk is None and existing is not None:
            organisation.pk = existing.pk
        organisation._history_user = by
        organisation.save()
    return organisation

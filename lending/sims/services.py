"""Writes on SIM cards: coordinators register them and keep their plans up to date.

Their status is not edited here: loans move a card from stock to lent and back
(lending.loans.workflow), so a card's history says which loan took it.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.refusals import require
from lending.models import SimCard
from lending.states import LendingError, save_with_history


def _check_dates(sim):
    if sim.activated_on and sim.ends_on and sim.ends_on < sim.activated_on:
        raise ValidationError({"ends_on": _("The plan cannot end before the card was activated.")})


def _save(sim, by, note=""):
    _check_dates(sim)
    try:
        with transaction.atomic():
            return save_with_history(sim, by=by, note=note)
    except IntegrityError:
        # Two people registering the same card at once: the unique index decides.
        raise ValidationError(
            {"iccid": _("A SIM card with this ICCID is already registered.")}
        ) from None


def add_sim_card(*, by, **fields):
    """Register a SIM card in stock. Raises ValidationError (by field) on bad data."""
    require(by, "lending.add_simcard")
    return _save(SimCard(**fields), by)


def update_sim_card(*, sim, by, note=""):
    """Save the edits made to `sim` (a form's instance); the history keeps the diff."""
    require(by, "lending.change_simcard")
    if sim.pk is None:
        raise LendingError(_("This SIM card is not registered yet."))
    return _save(sim, by, note)

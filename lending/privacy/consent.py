"""Recording and withdrawing a household's consents to the optional purposes.

Only the purposes a family may refuse without losing its loan rest on consent
(lending.privacy.purposes): text-message reminders, and the recording of a situation that
reveals a disability or an illness (RGPD art. 9: explicit consent). A consent is dated the
day it is recorded, never before; a withdrawal keeps the row and its history.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import require
from lending.access import can_see_person
from lending.models import Consent, ConsentPurpose
from lending.states import LendingError, save_with_history


def check_sensitive_situations(situations, purposes):
    """Refuse (ValidationError on "situations") a sensitive situation, such as AAH,
    unless `purposes` holds the explicit consent to record it."""
    sensitive = [criterion.name for criterion in situations if criterion.sensitive]
    if sensitive and ConsentPurpose.SENSITIVE not in purposes:
        raise ValidationError(
            {
                "situations": _(
                    "%(criteria)s reveals the household's health or disability: it can be "
                    "recorded only with the household's explicit consent. Tick that "
                    "consent if the household gives it, or untick the situation."
                )
                % {"criteria": ", ".join(sensitive)}
            }
        )


def record_consents(*, household, purposes, by):
    """Record today, by `by`, the household's consent to each of `purposes` it has not
    already given. Called inside the registration or the edit that ticks them."""
    given = household.consented_purposes()
    today = timezone.localdate()
    for purpose in purposes:
        if purpose in given:
            continue
        consent = Consent(household=household, purpose=purpose, given_on=today, recorded_by=by)
        try:
            with transaction.atomic():
                save_with_history(consent, by=by)
        except IntegrityError:
            # Someone recorded the same consent a moment ago: it is given, as asked.
            continue


def withdraw_consent(*, consent, by):
    """Withdraw `consent` today. Withdrawing the consent to sensitive data also removes
    the sensitive situations it allowed to record."""
    require(by, "lending.change_household")
    household = consent.household
    if not can_see_person(by, household):
        raise LendingError(_("You can only change households of your own structure."))
    today = timezone.localdate()
    with transaction.atomic():
        # Conditional: a consent withdrawn twice at once is withdrawn once.
        changed = Consent.objects.filter(pk=consent.pk, withdrawn_on__isnull=True).update(
            withdrawn_on=today, withdrawn_by=by
        )
        if not changed:
            raise LendingError(_("This consent was already withdrawn."))
        # The same values again, saved so that the history records who withdrew it.
        consent.withdrawn_on, consent.withdrawn_by = today, by
        save_with_history(consent, by=by, note=_("Consent withdrawn"))
        if consent.purpose == ConsentPurpose.SENSITIVE:
            _forget_sensitive_situations(household, by=by)
    return consent


def _forget_sensitive_situations(household, *, by):
    sensitive = list(household.situations.filter(sensitive=True))
    if sensitive:
        household.situations.remove(*sensitive)
        save_with_history(
            household,
            by=by,
            note=_("Sensitive situations removed with the consent: %(names)s")
            % {"names": ", ".join(c.name for c in sensitive)},
        )


def household_consents(household):
    """Every consent of `household`, open ones first, withdrawn ones kept as its history."""
    consents = household.consents.select_related("recorded_by", "withdrawn_by")
    return consents.order_by(F("withdrawn_on").desc(nulls_first=True), "purpose", "-given_on")


def sensitive_without_consent(household, consents):
    """Does `household` have a sensitive situation without the explicit consent in
    `consents` (its rows)? Files registered before consents were rows may: the next edit
    asks for the consent or the removal of the situation."""
    given = any(c.active and c.purpose == ConsentPurpose.SENSITIVE for c in consents)
    return not given and any(c.sensitive for c in household.situations.all())

"""Anonymising a household: its names, contact, situation, free texts and comments go,
from its rows and from every past version of them (history tables); what the figures
need stays (code, size, commune, programme, dates, attendance, devices lent).

One function does it, for the nightly task (retention) and for a request of the person
(erasure_views); the rules are the inventory's (personal_data). Running it again on an
anonymised household changes nothing.
"""

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, roles_of
from inventory.models import Comment
from lending.access import households_visible_to
from lending.models import Enrolment, Household, Loan
from lending.privacy.personal_data import PLACEHOLDER, Action, about_households, declaration
from lending.privacy.retention import expired_households
from lending.states import LendingError, clean_text, record_history

logger = logging.getLogger(__name__)

MAX_REASON = 500


def can_erase(user, household):
    """The household's social worker (a member of its structure) or a coordinator of one
    of its programmes, or a superuser, may anonymise it on the person's request."""
    if user is None or not user.is_authenticated:
        return False
    if not (user.is_superuser or {Role.COORDINATOR, Role.SOCIAL_WORKER} & set(roles_of(user))):
        return False
    return households_visible_to(user).filter(pk=household.pk).exists()


def _blank(model_field):
    if isinstance(model_field, models.JSONField):
        return []
    if isinstance(model_field, (models.CharField, models.TextField)):
        return ""
    return None


def _scrub_model(model, lookup, household):
    """Apply the inventory's rules to the rows of `model` about `household`, and to
    their history rows."""
    rules = declaration(model).fields
    pks = list(model.objects.filter(**{lookup: household.pk}).values_list("pk", flat=True))
    if not pks:
        return
    updates = {}
    for name, rule in rules.items():
        model_field = model._meta.get_field(name)
        if rule.action == Action.KEEP:
            continue
        if model_field.many_to_many:
            through = model_field.remote_field.through
            rows = through.objects.filter(**{f"{model_field.m2m_field_name()}__in": pks})
            if rule.action == Action.DROP_SENSITIVE:
                rows = rows.filter(**{f"{model_field.m2m_reverse_field_name()}__sensitive": True})
            rows.delete()
        elif rule.action == Action.PLACEHOLDER:
            updates[model_field.attname] = PLACEHOLDER
        else:
            updates[model_field.attname] = _blank(model_field)
    if updates:
        model.objects.filter(pk__in=pks).update(**updates)
    history = getattr(model, "history", None)
    if history is None:
        return
    past = history.model.objects.filter(id__in=pks)
    if updates:
        past.update(**updates)
    # Notes typed with past changes are free text too. The household's own rows written
    # since its anonymisation keep theirs: the first one says why it was anonymised.
    if model is Household:
        past = past.filter(anonymised_on__isnull=True)
    past.exclude(history_change_reason__isnull=True).exclude(history_change_reason="").update(
        history_change_reason=""
    )


def _delete_comments(household):
    subjects = Q(content_type=ContentType.objects.get_for_model(Household), object_id=household.pk)
    for model in (Enrolment, Loan):
        subjects |= Q(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=list(
                model.objects.filter(household=household).values_list("pk", flat=True)
            ),
        )
    Comment.objects.filter(subjects).delete()


@transaction.atomic
def anonymise_household(household, *, by=None, reason):
    """Anonymise `household` for `reason` (kept: a retention rule or the person's
    request). `by` is who asked (checked: see can_erase); None for the nightly task.

    Refused while one of its loans is open (requested, approved or with the family)."""
    reason = clean_text(reason)[:MAX_REASON]
    if not reason:
        raise LendingError(_("Say why the household is anonymised."))
    if by is not None and not can_erase(by, household):
        raise LendingError(_("You may not anonymise this household."))
    # Lock the household's row where the database can (PostgreSQL) while loans are
    # checked: a loan requested meanwhile waits for the anonymisation to end.
    household = Household.objects.select_for_update().get(pk=household.pk)
    open_loans = list(
        Loan.objects.filter(household=household, status__in=Loan.OPEN).values_list("pk", flat=True)
    )
    if open_loans:
        raise LendingError(
            _(
                "Household %(code)s cannot be anonymised while a loan is open (loan "
                "%(loans)s): close the loan first (devices back, or the loan cancelled)."
            )
            % {"code": household.code, "loans": ", ".join(f"#{pk}" for pk in open_loans)}
        )
    for model, lookup in about_households():
        _scrub_model(model, lookup, household)
    _delete_comments(household)
    if household.anonymised_on is None:
        Household.objects.filter(pk=household.pk).update(
            anonymised_on=timezone.now(), anonymisation_reason=reason
        )
        household.refresh_from_db()
        record_history(household, by=by, note=reason)
    else:
        household.refresh_from_db()
    return household


def anonymise_expired(now=None):
    """Anonymise every household past retention with no open loan; return how many.
    Each household in its own transaction: one refused (a loan opened meanwhile) does
    not undo the others."""
    done = refused = 0
    # Stored in the site's language (history notes are data, shown as written).
    reason = _("Retention period over: no contact for %(days)s days.") % {
        "days": settings.HOUSEHOLD_RETENTION_DAYS
    }
    for household in expired_households(now):
        try:
            anonymise_household(household, reason=reason)
        except LendingError:
            refused += 1
        else:
            done += 1
    # Counts only: never a name, nor a code.
    logger.info("Households anonymised: %d; refused (loan opened meanwhile): %d", done, refused)
    return done

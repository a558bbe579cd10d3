"""Status changes of lending objects: one conditional UPDATE and one history row.

Like inventory.workflow for devices: the UPDATE … WHERE status = <the status the user
saw> is what makes the second of two simultaneous clicks lose, on every database; the
history row is written in the same transaction.
"""

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.refusals import Refused


class LendingError(Refused):
    """A refused lending action; its message is a sentence for the person who asked."""


def clean_text(value):
    """A note or reason as typed, trimmed; NUL characters (which PostgreSQL refuses in
    text) are dropped, as they mean nothing in a sentence."""
    return str(value or "").replace("\x00", "").strip()


def set_status(obj, *, expected, target, by, note="", **fields):
    """Move `obj` from one of the `expected` statuses to `target`, with other `fields`.

    Raises LendingError when its status does not allow it, or when someone else changed
    it first (`obj.status` is the status the user saw). Updates `obj` in place.
    """
    expected = [expected] if isinstance(expected, str) else list(expected)
    model = type(obj)
    changes = {"status": target, **fields}
    won = model.objects.filter(pk=obj.pk, status__in=expected).update(**changes)
    if not won:
        current = model.objects.get(pk=obj.pk)
        if current.status == obj.status:
            # Nobody else changed it: the action does not apply to this status.
            raise LendingError(
                _("This cannot be done while it is “%(status)s”.")
                % {"status": current.get_status_display()}
            )
        raise LendingError(
            _("This was changed by someone else in the meantime: it is now “%(status)s”.")
            % {"status": current.get_status_display()}
        )
    for field, value in changes.items():
        setattr(obj, field, value)
    record_history(obj, by=by, note=note)
    return obj


def record_history(obj, *, by, note=""):
    """Write one history row for `obj` as it is now, by `by`, with `note`."""
    # simple-history prefers an instance's own _history_user and _change_reason to the
    # defaults given here: left over from an earlier save (the request that created
    # the loan), they would credit this change to someone else.
    obj.__dict__.pop("_history_user", None)
    obj.__dict__.pop("_change_reason", None)
    type(obj).history.bulk_history_create(
        [obj], update=True, default_user=by, default_change_reason=clean_text(note)
    )


def save_with_history(obj, *, by, note=""):
    """Save an edited object; django-simple-history records who changed what, and why."""
    obj._history_user = by
    obj._change_reason = clean_text(note)
    _refuse_null_characters(obj)
    obj.full_clean()
    obj.save()
    return obj


def _refuse_null_characters(obj):
    # Forms refuse them already; a service called from elsewhere (an import, the shell)
    # gets the same answer instead of a database error on PostgreSQL.
    message = ProhibitNullCharactersValidator.message
    errors = {
        field.name: [message]
        for field in obj._meta.concrete_fields
        if isinstance(getattr(obj, field.attname, None), str)
        and "\x00" in getattr(obj, field.attname)
    }
    if errors:
        raise ValidationError(errors)


def require_not_anonymised(household):
    """An anonymised household is closed: its file holds no one to follow any more. A
    family that comes back is registered again, with a new code."""
    if household.anonymised_on:
        anonymised_on = timezone.localtime(household.anonymised_on)
        raise LendingError(
            _(
                "%(code)s was anonymised on %(date)s: its file is closed. If the family "
                "comes back, register it again as a new household."
            )
            % {
                "code": household.code,
                "date": formats.date_format(anonymised_on),
            }
        )

"""Status changes of lending objects: one conditional UPDATE and one history row.

Like inventory.workflow for devices: the UPDATE … WHERE status = <the status the user
saw> is what makes the second of two simultaneous clicks lose, on every database; the
history row is written in the same transaction.
"""

from django.utils.translation import gettext as _

from inventory.workflow import WorkflowError


class LendingError(WorkflowError):
    """A refused lending action; its message is a sentence for the person who asked."""


def require(user, permission):
    if not user.has_perm(permission):
        raise LendingError(_("Your role may not do this."))


def set_status(obj, *, expected, target, by, note="", **fields):
    """Move `obj` from one of the `expected` statuses to `target`, with other `fields`.

    Raises LendingError when someone else changed it first. Updates `obj` in place.
    """
    expected = [expected] if isinstance(expected, str) else list(expected)
    model = type(obj)
    changes = {"status": target, **fields}
    won = model.objects.filter(pk=obj.pk, status__in=expected).update(**changes)
    if not won:
        current = model.objects.get(pk=obj.pk)
        raise LendingError(
            _("This was changed by someone else in the meantime: it is now “%(status)s”.")
            % {"status": current.get_status_display()}
        )
    for field, value in changes.items():
        setattr(obj, field, value)
    model.history.bulk_history_create(
        [obj], update=True, default_user=by, default_change_reason=note.strip()
    )
    return obj


def save_with_history(obj, *, by, note=""):
    """Save an edited object; django-simple-history records who changed what, and why."""
    obj._history_user = by
    obj._change_reason = note.strip()
    obj.full_clean()
    obj.save()
    return obj

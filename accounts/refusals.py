"""One way to refuse: every service that says no raises a Refused carrying a sentence.

The apps subclass Refused where the kind of refusal means something to the code that
catches it (inventory.workflow.StaleStatus, lending.states.LendingError…); a page
catches Refused and shows its `message`. A role that lacks a permission is refused by
`require`, with a PermissionRefused: it is also Django's PermissionDenied, so that
where no page catches it the person gets the 403 page, saying why.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


class Refused(Exception):
    """A refused action; its message is a sentence for the person who asked."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class PermissionRefused(Refused, PermissionDenied):
    """The person's role may not do this."""


def require(user, *permissions, message=None):
    """Refuse (PermissionRefused) unless `user` has every one of `permissions`."""
    if not user.has_perms(permissions):
        raise PermissionRefused(message or _("Your role may not do this."))

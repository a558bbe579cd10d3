"""Comments in the history of a household, an enrolment or a loan.

They use the inventory's Comment model (one history, one look), but not its permission:
whoever may open the object may comment on it, and the views only hand over objects
fetched through lending.access.
"""

from django.utils.translation import gettext as _

from accounts.refusals import require
from inventory.models import Comment
from lending.states import LendingError

_PERMISSION = {
    "household": "lending.view_household",
    "enrolment": "lending.view_enrolment",
    "loan": "lending.view_loan",
}


def add_lending_comment(*, subject, by, body):
    require(by, _PERMISSION[subject._meta.model_name])
    body = (body or "").strip()
    if not body:
        raise LendingError(_("A comment cannot be empty."))
    return Comment.objects.create(subject=subject, author=by, body=body)

"""Comments in the history of a household, an enrolment or a loan.

They use the inventory's Comment model (one history, one look), but not its permission:
whoever may open the object may comment on it, and the views only hand over objects
fetched through lending.access.

Each has an audience. The social team (who may read the household's file: its social
workers, the coordinators of its programmes, superusers) writes for itself by default;
on a loan, which the workshop opens too, it may also write for the workshop. The
workshop writes on loans only, for everyone. Households and enrolments are never opened
by the workshop: their comments are the social team's.
"""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.refusals import require
from inventory.chatter import timeline
from inventory.forms import CommentForm
from inventory.models import Comment
from lending import access
from lending.chatter import loan_timeline
from lending.states import LendingError

_PERMISSION = {
    "household": "lending.view_household",
    "enrolment": "lending.view_enrolment",
    "loan": "lending.view_loan",
}

SOCIAL, EVERYONE = Comment.Audience.SOCIAL, Comment.Audience.EVERYONE

# Who reads a loan's comment, said on the form next to each choice.
AUDIENCE_SENTENCES = {
    SOCIAL: gettext_lazy("Visible to the social team only"),
    EVERYONE: gettext_lazy("Visible to the workshop too (technicians)"),
}
# What a technician reads under the form: they write for the social team too.
WORKSHOP_HINT = gettext_lazy(
    "The social team and the workshop read this comment: no name, address or situation "
    "of the household here."
)


class LoanCommentForm(CommentForm):
    audience = forms.ChoiceField(
        label=gettext_lazy("Who will read it"),
        choices=[(value, AUDIENCE_SENTENCES[value]) for value in (SOCIAL, EVERYONE)],
        initial=SOCIAL,
        required=False,
        widget=forms.RadioSelect,
    )


def is_social_team(user, subject):
    """Does `user` read the social team's comments on `subject` (a household, an
    enrolment or a loan)? Whoever may read the household's file."""
    household = subject if subject._meta.model_name == "household" else subject.household
    return access.can_see_person(user, household)


def add_lending_comment(*, subject, by, body, audience=""):
    require(by, _PERMISSION[subject._meta.model_name])
    body = (body or "").strip()
    if not body:
        raise LendingError(_("A comment cannot be empty."))
    social_team = is_social_team(by, subject)
    if subject._meta.model_name != "loan":
        audience = SOCIAL
    elif not social_team:
        if audience == SOCIAL:
            raise LendingError(_("Only the social team may write a comment for itself."))
        audience = EVERYONE
    elif audience not in (SOCIAL, EVERYONE):
        audience = SOCIAL
    return Comment.objects.create(subject=subject, author=by, body=body, audience=audience)


def timeline_for(user, subject):
    """The history of `subject` as `user` may read it: the social team's comments only
    for the social team."""
    social = is_social_team(user, subject)
    if subject._meta.model_name == "loan":
        return loan_timeline(subject, social=social)
    return timeline(subject, social=social)


def comment_context(user, subject):
    """What the history panel's form needs: the audience choice for the social team on
    a loan, or the sentence that says who reads the comment."""
    if subject._meta.model_name != "loan":
        return {"can_comment": True}
    if is_social_team(user, subject):
        return {"can_comment": True, "comment_audiences": LoanCommentForm()["audience"]}
    return {"can_comment": True, "comment_hint": WORKSHOP_HINT}

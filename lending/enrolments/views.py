"""Pages of an enrolment: its page, its history, and the decisions on it (eligible,
rejected, enrolled, waitlisted and moved, withdrawn, completed), one POST each.

Enrolments come through lending.access, so that another structure's answers 404; each
decision calls one lending.enrolments.workflow function and goes back where its button
was, saying how it went.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import back_or, run_action
from inventory.chatter import post_comment
from lending.access import can_see_person, enrolments_visible_to
from lending.comments import add_lending_comment, timeline_for
from lending.enrolments import workflow
from lending.enrolments.forms import EligibleForm, MoveForm, NoteForm, ReasonForm
from lending.enrolments.selectors import enrolment_actions


def add_actions(request, enrolment):
    """The buttons of `enrolment` for this user, and the forms they need."""
    if enrolment.status in enrolment.ACTIVE:
        enrolment.places_left = workflow.places_left(enrolment.programme)
    else:
        enrolment.places_left = None
    enrolment.actions = enrolment_actions(
        request.user, enrolment, places_left=enrolment.places_left
    )
    if "eligible" in enrolment.actions:
        enrolment.eligible_form = EligibleForm(enrolment=enrolment)


def status_message(enrolment):
    return _("%(household)s is now “%(status)s” in “%(programme)s”.") % {
        "household": enrolment.household.code,
        "status": enrolment.get_status_display(),
        "programme": enrolment.programme,
    }


def waitlist_message(enrolment):
    return _("%(household)s is now number %(position)s on the waiting list of “%(programme)s”.") % {
        "household": enrolment.household.code,
        "position": enrolment.waitlist_position,
        "programme": enrolment.programme,
    }


def _enrolment_or_404(request, pk):
    queryset = enrolments_visible_to(request.user).select_related(
        "household__structure", "programme", "applied_by"
    )
    return get_object_or_404(queryset, pk=pk)


@permission_required("lending.view_enrolment", raise_exception=True)
def enrolment_detail(request, pk):
    enrolment = _enrolment_or_404(request, pk)
    add_actions(request, enrolment)
    context = {
        "enrolment": enrolment,
        "household": enrolment.household,
        "can_see_person": can_see_person(request.user, enrolment.household),
        "criteria_met": enrolment.criteria_met.all(),
        "history": timeline_for(request.user, enrolment),
        "comment_url": reverse("lending:enrolment_comment", args=[enrolment.pk]),
        "can_comment": True,
    }
    return render(request, "lending/enrolments/enrolment_detail.html", context)


@require_POST
@permission_required("lending.view_enrolment", raise_exception=True)
def enrolment_comment(request, pk):
    enrolment = _enrolment_or_404(request, pk)
    return post_comment(
        request,
        enrolment,
        add_lending_comment,
        history=lambda subject: timeline_for(request.user, subject),
        can_comment=True,
    )


def _form_errors(form):
    # These small forms have no errors but their fields'.
    return " ".join(
        f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
    )


def _decide(request, enrolment, form, decide, *, message=status_message):
    """Run `decide` (one enrolment_workflow function) on `enrolment` with the form's
    cleaned data, and go back to where the button was."""
    back = back_or(request, enrolment)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return back
    # The workflow updates `enrolment` in place: the message reads its new status.
    return run_action(
        request,
        lambda: decide(form.cleaned_data),
        success=lambda _decided: message(enrolment),
        back=back,
    )


@require_POST
@permission_required("lending.decide_enrolment", raise_exception=True)
def enrolment_eligible(request, pk):
    enrolment = _enrolment_or_404(request, pk)
    form = EligibleForm(request.POST, enrolment=enrolment)

    def decide(data):
        workflow.mark_eligible(
            enrolment=enrolment, by=request.user, criteria=form.criteria_met(), note=data["note"]
        )

    return _decide(request, enrolment, form, decide)


@require_POST
@permission_required("lending.decide_enrolment", raise_exception=True)
def enrolment_reject(request, pk):
    enrolment = _enrolment_or_404(request, pk)

    def decide(data):
        workflow.reject_enrolment(enrolment=enrolment, by=request.user, reason=data["reason"])

    return _decide(request, enrolment, ReasonForm(request.POST), decide)


@require_POST
@permission_required("lending.decide_enrolment", raise_exception=True)
def enrolment_enrol(request, pk):
    enrolment = _enrolment_or_404(request, pk)

    def decide(data):
        workflow.enrol_household(enrolment=enrolment, by=request.user, note=data["note"])

    return _decide(request, enrolment, NoteForm(request.POST), decide)


@require_POST
@permission_required("lending.decide_enrolment", raise_exception=True)
def enrolment_waitlist(request, pk):
    enrolment = _enrolment_or_404(request, pk)

    def decide(data):
        workflow.waitlist_household(enrolment=enrolment, by=request.user, note=data["note"])

    return _decide(request, enrolment, NoteForm(request.POST), decide, message=waitlist_message)


@require_POST
@permission_required("lending.decide_enrolment", raise_exception=True)
def enrolment_move(request, pk):
    enrolment = _enrolment_or_404(request, pk)

    def decide(data):
        workflow.move_on_waitlist(enrolment=enrolment, by=request.user, position=data["position"])

    return _decide(request, enrolment, MoveForm(request.POST), decide, message=waitlist_message)


@require_POST
@permission_required("lending.view_enrolment", raise_exception=True)
def enrolment_withdraw(request, pk):
    enrolment = _enrolment_or_404(request, pk)

    def decide(data):
        workflow.withdraw_enrolment(enrolment=enrolment, by=request.user, reason=data["reason"])

    return _decide(request, enrolment, ReasonForm(request.POST), decide)


@require_POST
@permission_required("lending.decide_enrolment", raise_exception=True)
def enrolment_complete(request, pk):
    enrolment = _enrolment_or_404(request, pk)

    def decide(data):
        workflow.complete_enrolment(enrolment=enrolment, by=request.user, note=data["note"])

    return _decide(request, enrolment, NoteForm(request.POST), decide)

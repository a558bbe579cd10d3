"""Pages of the social workers' daily work: households and their enrolments.

Objects come through lending.access, so that another structure's household answers 404;
each action calls one service and redirects with its message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import back_or, run_action, save_form
from inventory.chatter import post_comment, timeline
from lending.access import can_see_person, enrolments_visible_to, households_visible_to
from lending.comments import add_lending_comment
from lending.enrolments import workflow
from lending.households.forms import (
    ApplyForm,
    EligibleForm,
    HouseholdFilterForm,
    HouseholdForm,
    MoveForm,
    NoteForm,
    ReasonForm,
)
from lending.households.resources import HouseholdResource
from lending.households.selectors import (
    attendance_by_programme,
    enrolment_actions,
    household_enrolments,
    household_loans,
    household_page,
    household_rows,
    programmes_for_filter,
    programmes_to_apply,
)
from lending.households.services import register_household, update_household
from spreadsheets.exporting import export_format, export_response

PAGE_SIZE = 50


def _household_or_404(request, code):
    household = household_page(households_visible_to(request.user), code)
    if household is None:
        raise Http404
    return household


@permission_required("lending.view_household", raise_exception=True)
def household_list(request):
    filters = HouseholdFilterForm(request.GET, programmes=programmes_for_filter(request.user))
    rows = household_rows(request.user, **filters.filters())
    if export_format(request):
        return export_response(request, HouseholdResource, rows, "households")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode()}
    return render(request, "lending/household_list.html", context)


@permission_required("lending.add_household", raise_exception=True)
def household_create(request):
    form = HouseholdForm(request.POST or None, user=request.user)

    def register(data):
        return register_household(
            by=request.user, situations=data["situations"], **form.service_fields()
        )

    def registered(household):
        return _("Household %(code)s registered.") % {"code": household.code}

    return save_form(request, form, register, success=registered) or render(
        request, "lending/household_form.html", {"form": form}
    )


@permission_required("lending.change_household", raise_exception=True)
def household_edit(request, code):
    household = _household_or_404(request, code)
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)

    def update(data):
        return update_household(
            household=form.instance, by=request.user, situations=data["situations"]
        )

    saved = _("Household %(code)s saved.") % {"code": household.code}
    return save_form(request, form, update, success=saved, then=household) or render(
        request, "lending/household_form.html", {"form": form, "household": household}
    )


@permission_required("lending.view_household", raise_exception=True)
def household_detail(request, code):
    household = _household_or_404(request, code)
    attended = attendance_by_programme(household)
    enrolments = list(household_enrolments(household))
    # A coordinator sees the household's enrolments in other programmes, not their pages.
    visible = set(
        enrolments_visible_to(request.user).filter(household=household).values_list("pk", flat=True)
    )
    for enrolment in enrolments:
        enrolment.attended = attended.get(enrolment.programme_id, 0)
        enrolment.visible = enrolment.pk in visible
        _add_actions(request, enrolment)
    context = {
        "household": household,
        "enrolments": enrolments,
        "loans": household_loans(request.user, household),
        "history": timeline(household),
        "comment_url": reverse("lending:household_comment", args=[household.code]),
        "can_comment": True,
    }
    if request.user.has_perm("lending.add_enrolment"):
        programmes = programmes_to_apply(request.user, household)
        if programmes.exists():
            context["apply_form"] = ApplyForm(programmes=programmes)
    return render(request, "lending/household_detail.html", context)


def _add_actions(request, enrolment):
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


@require_POST
@permission_required("lending.view_household", raise_exception=True)
def household_comment(request, code):
    return _comment(request, _household_or_404(request, code))


def _comment(request, subject):
    """Add a comment to the history of `subject`, fetched through lending.access."""
    return post_comment(request, subject, add_lending_comment, can_comment=True)


@require_POST
@permission_required("lending.add_enrolment", raise_exception=True)
def household_apply(request, code):
    household = _household_or_404(request, code)
    form = ApplyForm(request.POST, programmes=programmes_to_apply(request.user, household))
    if not form.is_valid():
        messages.error(request, _("Choose a programme this household is not already in."))
        return redirect(household)

    def apply():
        return workflow.apply_for_programme(
            household=household,
            programme=form.cleaned_data["programme"],
            by=request.user,
            note=form.cleaned_data["note"],
        )

    return run_action(request, apply, success=_status_message, back=redirect(household))


def _status_message(enrolment):
    return _("%(household)s is now “%(status)s” in “%(programme)s”.") % {
        "household": enrolment.household.code,
        "status": enrolment.get_status_display(),
        "programme": enrolment.programme,
    }


def _waitlist_message(enrolment):
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
    _add_actions(request, enrolment)
    context = {
        "enrolment": enrolment,
        "household": enrolment.household,
        "can_see_person": can_see_person(request.user, enrolment.household),
        "criteria_met": enrolment.criteria_met.all(),
        "history": timeline(enrolment),
        "comment_url": reverse("lending:enrolment_comment", args=[enrolment.pk]),
        "can_comment": True,
    }
    return render(request, "lending/enrolment_detail.html", context)


@require_POST
@permission_required("lending.view_enrolment", raise_exception=True)
def enrolment_comment(request, pk):
    return _comment(request, _enrolment_or_404(request, pk))


def _form_errors(form):
    # These small forms have no errors but their fields'.
    return " ".join(
        f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
    )


def _decide(request, enrolment, form, decide, *, message=_status_message):
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

    return _decide(request, enrolment, NoteForm(request.POST), decide, message=_waitlist_message)


@require_POST
@permission_required("lending.decide_enrolment", raise_exception=True)
def enrolment_move(request, pk):
    enrolment = _enrolment_or_404(request, pk)

    def decide(data):
        workflow.move_on_waitlist(enrolment=enrolment, by=request.user, position=data["position"])

    return _decide(request, enrolment, MoveForm(request.POST), decide, message=_waitlist_message)


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

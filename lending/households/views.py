"""Pages of the social workers' daily work: households, and applying for a programme.

Objects come through lending.access, so that another structure's household answers 404;
each action calls one service and redirects with its message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import run_action, save_form
from inventory.chatter import post_comment
from lending.access import enrolments_visible_to, households_visible_to
from lending.comments import add_lending_comment, timeline_for
from lending.enrolments import workflow
from lending.enrolments.views import add_actions, status_message
from lending.households.forms import ApplyForm, HouseholdFilterForm, HouseholdForm
from lending.households.resources import HouseholdResource
from lending.households.selectors import (
    attendance_by_programme,
    household_enrolments,
    household_loans,
    household_page,
    household_rows,
    programmes_for_filter,
    programmes_to_apply,
)
from lending.households.services import register_household, update_household
from lending.privacy.access_log import What, recent_accesses, record_access
from lending.privacy.consent import household_consents, sensitive_without_consent
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
        exported = export_response(request, HouseholdResource, rows, "households")
        record_access(request.user, rows, What.EXPORTED, detail=export_format(request))
        return exported
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode()}
    return render(request, "lending/households/household_list.html", context)


@permission_required("lending.add_household", raise_exception=True)
def household_create(request):
    form = HouseholdForm(request.POST or None, user=request.user)

    def register(data):
        return register_household(
            by=request.user,
            situations=data["situations"],
            consents=form.given_consents(),
            **form.service_fields(),
        )

    def registered(household):
        return _("Household %(code)s registered.") % {"code": household.code}

    return save_form(request, form, register, success=registered) or render(
        request, "lending/households/household_form.html", {"form": form}
    )


@permission_required("lending.change_household", raise_exception=True)
def household_edit(request, code):
    household = _household_or_404(request, code)
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)

    def update(data):
        return update_household(
            household=form.instance,
            by=request.user,
            situations=data["situations"],
            consents=form.given_consents(),
        )

    saved = _("Household %(code)s saved.") % {"code": household.code}
    return save_form(request, form, update, success=saved, then=household) or render(
        request, "lending/households/household_form.html", {"form": form, "household": household}
    )


@permission_required("lending.view_household", raise_exception=True)
def household_detail(request, code):
    household = _household_or_404(request, code)
    record_access(request.user, household, What.VIEWED)
    attended = attendance_by_programme(household)
    consents = list(household_consents(household))
    enrolments = list(household_enrolments(household))
    # A coordinator sees the household's enrolments in other programmes, not their pages.
    visible = set(
        enrolments_visible_to(request.user).filter(household=household).values_list("pk", flat=True)
    )
    for enrolment in enrolments:
        enrolment.attended = attended.get(enrolment.programme_id, 0)
        enrolment.visible = enrolment.pk in visible
        add_actions(request, enrolment)
    context = {
        "household": household,
        "enrolments": enrolments,
        "loans": household_loans(request.user, household),
        "history": timeline_for(request.user, household),
        "consents": consents,
        "sensitive_without_consent": sensitive_without_consent(household, consents),
        "can_withdraw": request.user.has_perm("lending.change_household"),
        "comment_url": reverse("lending:household_comment", args=[household.code]),
        "can_comment": True,
        "access_log": recent_accesses(request.user, household),
    }
    if request.user.has_perm("lending.add_enrolment"):
        programmes = programmes_to_apply(request.user, household)
        if programmes.exists():
            context["apply_form"] = ApplyForm(programmes=programmes)
    return render(request, "lending/households/household_detail.html", context)


@require_POST
@permission_required("lending.view_household", raise_exception=True)
def household_comment(request, code):
    return _comment(request, _household_or_404(request, code))


def _comment(request, subject):
    """Add a comment to the history of `subject`, fetched through lending.access."""
    return post_comment(
        request,
        subject,
        add_lending_comment,
        history=lambda subject: timeline_for(request.user, subject),
        can_comment=True,
    )


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

    return run_action(request, apply, success=status_message, back=redirect(household))

"""Loan pages: the list, a loan's page, one page per action, the agreement.

Loans are fetched through lending.access, so another structure's loan answers 404.
Technicians see loans too (they hand devices over and take them back), and on these
pages a household is only its code unless access.can_see_person says otherwise.
Each action page calls one workflow function; its refusal is shown on the form.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import save_form
from inventory import pdf
from inventory.chatter import post_comment
from lending import access
from lending.comments import LoanCommentForm, add_lending_comment, comment_context, timeline_for
from lending.loans import workflow as loan_workflow
from lending.loans.agreement import agreement_refusal, build_agreement
from lending.loans.forms import (
    ExtendForm,
    GiftForm,
    HandOverForm,
    LoanApproveForm,
    LoanFilterForm,
    LoanRequestForm,
    ReasonForm,
    ReturnForm,
    ReviewForm,
)
from lending.loans.resources import LoanExportResource
from lending.models import Accessory, GiftAttestation, Loan, LoanDevice, Programme
from lending.privacy.access_log import What, record_access
from spreadsheets.exporting import export_format, export_response

PAGE_SIZE = 50
L = Loan.Status


def loan_actions(user, loan):
    """Which action panels `user` sees on `loan`; the workflow checks each one again."""
    decides = user.has_perm("lending.approve_loan") and access.coordinates(user, loan.programme)
    record = getattr(loan, "return_record", None)
    requester = loan.status == L.REQUESTED and loan.requested_by_id == user.pk
    return {
        "approve": decides and loan.status == L.REQUESTED,
        "extend": decides and loan.status in (L.APPROVED, L.ACTIVE),
        "cancel": loan.status in (L.REQUESTED, L.APPROVED) and (decides or requester),
        "review": decides
        and loan.status == L.RETURNED
        and record is not None
        and record.reviewed_at is None,
        "gift": decides and loan.status == L.ACTIVE,
        "lost": decides and loan.status == L.ACTIVE,
        "hand_over": user.has_perm("inventory.hand_over_device") and loan.status == L.APPROVED,
        "inspect": user.has_perm("lending.inspect_return") and loan.status == L.ACTIVE,
    }


def _loan_for(user, pk):
    loans = access.loans_visible_to(user).select_related(
        "household__structure",
        "household__social_worker",
        "programme",
        "sim",
        "requested_by",
        "return_record__inspected_by",
        "return_record__reviewed_by",
    )
    return get_object_or_404(loans, pk=pk)


def _days_late(loan, today):
    return (today - loan.due_on).days if loan.is_overdue(today) else 0


def _accessory_labels(values):
    labels = dict(Accessory.choices)
    return [str(labels.get(value, value)) for value in values]


# The list -------------------------------------------------------------------------------


def _filtered(loans, form, today):
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    programme = form.cleaned_data.get("programme") if form.is_valid() else None
    if programme:
        loans = loans.filter(programme=programme)
    if status == "overdue":
        return loans.overdue(today).order_by("due_on", "pk")
    if status == "due_soon":
        return loans.due_within(settings.LOAN_REMINDER_DAYS, today).order_by("due_on", "pk")
    if status == "to_review":
        return loans.awaiting_review().order_by("pk")
    if status:
        loans = loans.filter(status=status)
    return loans.order_by("-pk")


@permission_required("lending.view_loan", raise_exception=True)
def loan_list(request):
    today = timezone.localdate()
    visible = access.loans_visible_to(request.user)
    programmes = Programme.objects.filter(pk__in=visible.values("programme")).order_by("name")
    form = LoanFilterForm(request.GET, programmes=programmes)
    loans = _filtered(visible, form, today).select_related("household", "programme", "sim")
    loans = loans.prefetch_related(
        Prefetch("items", queryset=LoanDevice.objects.select_related("device").order_by("pk"))
    )
    if export_format(request):
        return export_response(request, LoanExportResource, loans, "loans")
    page = Paginator(loans, PAGE_SIZE).get_page(request.GET.get("page"))
    for loan in page:
        loan.days_late = _days_late(loan, today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "lending/loans/loan_list.html", context)


# A loan's page --------------------------------------------------------------------------


@permission_required("lending.view_loan", raise_exception=True)
def loan_detail(request, pk):
    loan = _loan_for(request.user, pk)
    today = timezone.localdate()
    can_see_person = access.can_see_person(request.user, loan.household)
    context = {
        "loan": loan,
        "items": loan.items.select_related("device").order_by("pk"),
        "record": getattr(loan, "return_record", None),
        "days_late": _days_late(loan, today),
        "accessories_given": _accessory_labels(loan.accessories_given),
        "can_see_person": can_see_person,
        "agreement_ready": can_see_person and agreement_refusal(loan) is None,
        "gift_attestation": GiftAttestation.objects.filter(loan=loan)
        .only("number", "loan_id")
        .first(),
        "actions": loan_actions(request.user, loan),
        "history": timeline_for(request.user, loan),
        "comment_url": reverse("lending:loan_comment", args=[loan.pk]),
        **comment_context(request.user, loan),
    }
    record = context["record"]
    if record is not None:
        context["accessories_back"] = _accessory_labels(record.accessories_back)
    return render(request, "lending/loans/loan_detail.html", context)


@require_POST
@permission_required("lending.view_loan", raise_exception=True)
def loan_comment(request, pk):
    loan = _loan_for(request.user, pk)
    return post_comment(
        request,
        loan,
        add_lending_comment,
        history=lambda subject: timeline_for(request.user, subject),
        form_class=LoanCommentForm,
        **comment_context(request.user, loan),
    )


@permission_required("lending.view_loan", raise_exception=True)
def loan_agreement(request, pk):
    loan = _loan_for(request.user, pk)
    # The agreement names the household: only who may read its file may print it.
    if not access.can_see_person(request.user, loan.household):
        raise Http404
    refusal = agreement_refusal(loan)
    if refusal:
        messages.error(request, refusal)
        return redirect(loan)
    record_access(request.user, loan.household, What.AGREEMENT, detail=f"#{loan.pk}")
    return pdf.response(build_agreement(loan), pdf.download_name("convention-de-pret", loan.pk))


@permission_required("lending.view_loan", raise_exception=True)
def loan_gift_attestation(request, pk):
    """The attestation as it was issued at the gift: the same bytes on every reprint."""
    loan = _loan_for(request.user, pk)
    # It names the household: only who may read its file may print it.
    if not access.can_see_person(request.user, loan.household):
        raise Http404
    attestation = GiftAttestation.objects.filter(loan=loan).first()
    if attestation is None:
        messages.error(
            request,
            _("This loan has no gift attestation: one is issued when a loan becomes a gift."),
        )
        return redirect(loan)
    if attestation.pdf is None:
        messages.error(
            request,
            _(
                "Gift attestation %(number)s was erased with the household's identity: "
                "the household keeps its own copy."
            )
            % {"number": attestation.number},
        )
        return redirect(loan)
    record_access(request.user, loan.household, What.AGREEMENT, detail=attestation.number)
    return pdf.response(
        bytes(attestation.pdf), pdf.download_name("attestation-don", attestation.number)
    )


# Action pages ---------------------------------------------------------------------------


def _action_page(request, loan, form, act, done, template="lending/loans/loan_form.html", **extra):
    """Show `form`; on a valid POST call `act(cleaned_data)`, the one workflow function,
    and go back to the loan (its refusal is shown on the form: see save_form)."""
    context = {"loan": loan, "form": form, **extra}
    return save_form(request, form, act, success=done, then=loan) or render(
        request, template, context
    )


def _unavailable(request, loan, action):
    """On GET, an action the loan's status no longer allows sends back to its page."""
    if request.method == "GET" and not loan_actions(request.user, loan)[action]:
        messages.warning(
            request,
            _("This action is not available on this loan (it is “%(status)s”).")
            % {"status": loan.get_status_display()},
        )
        return redirect(loan)
    return None


@permission_required("lending.add_loan", raise_exception=True)
def loan_request(request, pk):
    enrolments = access.enrolments_visible_to(request.user).select_related("household", "programme")
    enrolment = get_object_or_404(enrolments, pk=pk)
    form = LoanRequestForm(request.POST or None)

    def ask(data):
        return loan_workflow.request_loan(enrolment=enrolment, by=request.user, note=data["note"])

    done = _("Loan requested: the coordinator will decide on it.")
    return save_form(request, form, ask, success=done) or render(
        request, "lending/loans/loan_request.html", {"enrolment": enrolment, "form": form}
    )


@permission_required("lending.approve_loan", raise_exception=True)
def loan_approve(request, pk):
    loan = _loan_for(request.user, pk)
    search = request.GET.get("q", "")
    form = LoanApproveForm(request.POST or None, loan=loan, search=search)

    def act(data):
        loan_workflow.approve_loan(
            loan=loan,
            by=request.user,
            devices=form.chosen_devices(),
            starts_on=data["starts_on"],
            due_on=data["due_on"],
            sim=data.get("sim"),
            note=data["note"],
        )

    done = _("Loan approved: its devices are reserved.")
    return _unavailable(request, loan, "approve") or _action_page(
        request, loan, form, act, done, "lending/loans/loan_approve.html", q=search
    )


@permission_required("inventory.hand_over_device", raise_exception=True)
def loan_hand_over(request, pk):
    loan = _loan_for(request.user, pk)
    form = HandOverForm(request.POST or None, loan=loan)

    def act(data):
        loan_workflow.hand_over_loan(
            loan=loan,
            by=request.user,
            signed_on=data["signed_on"],
            accessories=data["accessories"],
            note=data["note"],
        )

    done = _("Devices handed over: the loan is active.")
    return _unavailable(request, loan, "hand_over") or _action_page(
        request, loan, form, act, done, title=_("Hand over"), items=_items(loan)
    )


@permission_required("lending.approve_loan", raise_exception=True)
def loan_extend(request, pk):
    loan = _loan_for(request.user, pk)
    form = ExtendForm(request.POST or None)

    def act(data):
        loan_workflow.extend_loan(
            loan=loan, by=request.user, due_on=data["due_on"], reason=data["reason"]
        )

    return _unavailable(request, loan, "extend") or _action_page(
        request, loan, form, act, _("Loan extended."), title=_("Extend the loan")
    )


@permission_required("lending.add_loan", raise_exception=True)
def loan_cancel(request, pk):
    loan = _loan_for(request.user, pk)
    form = ReasonForm(request.POST or None, label=_("Why is it cancelled?"))

    def act(data):
        loan_workflow.cancel_loan(loan=loan, by=request.user, reason=data["note"])

    return _unavailable(request, loan, "cancel") or _action_page(
        request, loan, form, act, _("Loan cancelled."), title=_("Cancel the loan")
    )


def _items(loan):
    return list(loan.items.filter(active=True).select_related("device").order_by("pk"))


@permission_required("lending.inspect_return", raise_exception=True)
def loan_return(request, pk):
    loan = _loan_for(request.user, pk)
    form = ReturnForm(request.POST or None, loan=loan, items=_items(loan))

    def act(data):
        loan_workflow.inspect_return(
            loan=loan,
            by=request.user,
            conditions=form.conditions(),
            accessories_back=data["accessories_back"],
            sim_back=data.get("sim_back", False),
            notes=data["notes"],
        )

    done = _("Return recorded: a coordinator will decide what happens to the devices.")
    given = _accessory_labels(loan.accessories_given)
    return _unavailable(request, loan, "inspect") or _action_page(
        request,
        loan,
        form,
        act,
        done,
        "lending/loans/loan_return.html",
        items=form.items,
        accessories_given=given,
    )


@permission_required("lending.approve_loan", raise_exception=True)
def loan_review(request, pk):
    loan = _loan_for(request.user, pk)
    form = ReviewForm(request.POST or None, items=_items(loan))

    def act(data):
        loan_workflow.review_return(
            loan=loan,
            by=request.user,
            decisions=form.decisions(),
            damage_noted=data["damage_noted"],
            note=data["note"],
        )

    record = getattr(loan, "return_record", None)
    context = {
        "items": form.items,
        "record": record,
        "accessories_given": _accessory_labels(loan.accessories_given),
        "accessories_back": _accessory_labels(record.accessories_back) if record else [],
    }
    done = _("Return reviewed: the devices are back in the workshop's hands.")
    return _unavailable(request, loan, "review") or _action_page(
        request, loan, form, act, done, "lending/loans/loan_review.html", **context
    )


@permission_required("lending.approve_loan", raise_exception=True)
def loan_gift(request, pk):
    loan = _loan_for(request.user, pk)
    form = GiftForm(request.POST or None, loan=loan)

    def act(data):
        loan_workflow.convert_to_gift(
            loan=loan,
            by=request.user,
            note=data["note"],
            sim_outcome=data.get("sim_outcome", ""),
        )

    return _unavailable(request, loan, "gift") or _action_page(
        request,
        loan,
        form,
        act,
        _(
            "The household keeps the devices: the loan is now a gift. Print its gift "
            "attestation from the loan's page."
        ),
        title=_("Convert to a gift"),
        items=_items(loan),
    )


@permission_required("lending.approve_loan", raise_exception=True)
def loan_lost(request, pk):
    loan = _loan_for(request.user, pk)
    form = ReasonForm(request.POST or None, label=_("What happened?"))

    def act(data):
        loan_workflow.declare_loan_lost(loan=loan, by=request.user, note=data["note"])

    return _unavailable(request, loan, "lost") or _action_page(
        request,
        loan,
        form,
        act,
        _("The loan is recorded as lost."),
        title=_("Declare the loan lost"),
        items=_items(loan),
    )

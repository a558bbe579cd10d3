"""The lending overview: what needs doing today, for whoever opens it.

A coordinator sees the programmes they run; a social worker, their households' loans;
a technician, the loans to hand over and the returns to expect (household codes only).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from lending import access
from lending.models import Enrolment, Loan

LISTED = 20


def _loan_rows(queryset, today):
    loans = list(
        queryset.select_related("household", "programme").order_by("due_on", "pk")[:LISTED]
    )
    for loan in loans:
        loan.days_late = (today - loan.due_on).days if loan.due_on else 0
    return loans


def _counts(loans, today, soon):
    L = Loan.Status
    return loans.aggregate(
        requested=Count("pk", filter=Q(status=L.REQUESTED)),
        approved=Count("pk", filter=Q(status=L.APPROVED)),
        active=Count("pk", filter=Q(status=L.ACTIVE)),
        due_soon=Count("pk", filter=Q(status=L.ACTIVE, due_on__gte=today, due_on__lte=soon)),
        overdue=Count("pk", filter=Q(status=L.ACTIVE, due_on__lt=today)),
        to_review=Count("pk", filter=Q(status=L.RETURNED, return_record__reviewed_at__isnull=True)),
    )


def _programmes(user):
    E = Enrolment.Status
    return list(
        access.programmes_coordinated_by(user)
        .exclude(status="closed")
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status=E.ENROLLED)),
            waiting=Count("enrolments", filter=Q(enrolments__status=E.WAITLISTED)),
            to_decide=Count("enrolments", filter=Q(enrolments__status__in=[E.APPLIED, E.ELIGIBLE])),
        )
        .order_by("-starts_on", "name")
    )


@permission_required("lending.view_loan", raise_exception=True)
def overview(request):
    today = timezone.localdate()
    soon = today + timedelta(days=settings.LOAN_REMINDER_DAYS)
    loans = access.loans_visible_to(request.user)
    running = loans.filter(status=Loan.Status.ACTIVE)
    programmes = _programmes(request.user)
    for programme in programmes:
        programme.left = max(programme.capacity - programme.enrolled, 0)
    context = {
        "today": today,
        "soon_days": settings.LOAN_REMINDER_DAYS,
        "counts": _counts(loans, today, soon),
        "overdue": _loan_rows(running.filter(due_on__lt=today), today),
        "due_soon": _loan_rows(running.filter(due_on__gte=today, due_on__lte=soon), today),
        "to_review": _loan_rows(loans.awaiting_review(), today),
        "requested": _loan_rows(loans.filter(status=Loan.Status.REQUESTED), today),
        "to_hand_over": _loan_rows(loans.filter(status=Loan.Status.APPROVED), today),
        "programmes": programmes,
    }
    return render(request, "lending/overview/overview.html", context)

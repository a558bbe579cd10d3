"""A programme's activity over a period: households and people equipped, loans, workshop
hours, attendance and outcomes, with the households broken down by the categories of the
national médiation-numérique data (docs/activity.md).

Every figure is an SQL aggregate: the number of queries does not grow with the number
of households, loans or workshops. Only statistical fields are read (code, size, age
band, social status, INSEE code, QPV), which anonymisation keeps: a report gives the same
totals before and after a household is anonymised.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from inventory.impact.period import Period
from lending.models import (
    AgeBand,
    Attendance,
    Enrolment,
    Household,
    Loan,
    Qpv,
    SocialStatus,
    Workshop,
)

MINUTES_IN_AN_HOUR = Decimal(60)
HOURS = Decimal("0.01")
RATE = Decimal("0.001")
# The key of households with no INSEE code in the by-commune breakdown.
NO_INSEE_CODE = ""


@dataclass(frozen=True)
class LoanFigures:
    handed_over: int = 0  # loans whose devices were handed over in the period
    returned: int = 0  # returns inspected in the period
    gift: int = 0  # loans turned into a gift in the period
    lost: int = 0  # loans closed as lost in the period
    damaged: int = 0  # returns reviewed in the period with damage or loss noted
    overdue_now: int = 0  # running loans past their due date today (not the period's)

    @property
    def lost_or_damaged(self):
        return self.lost + self.damaged


@dataclass(frozen=True)
class AttendanceFigures:
    present: int = 0
    absent: int = 0
    excused: int = 0
    # Sum of the workshops' hours over the present attendances.
    participant_hours: Decimal = Decimal("0.00")

    @property
    def recorded(self):
        return self.present + self.absent + self.excused

    @property
    def rate(self):
        """Present ÷ recorded (0.750 for 3 in 4), None when nothing was recorded."""
        if not self.recorded:
            return None
        return (Decimal(self.present) / Decimal(self.recorded)).quantize(RATE, ROUND_HALF_UP)


@dataclass(frozen=True)
class Activity:
    period: Period
    households_equipped: int = 0
    persons_equipped: int = 0
    loans: LoanFigures = field(default_factory=LoanFigures)
    workshops_held: int = 0
    workshop_hours: Decimal = Decimal("0.00")
    attendance: AttendanceFigures = field(default_factory=AttendanceFigures)
    # Enrolment status → number of the equipped households' enrolments (completed,
    # withdrawn, still enrolled…), every status of Enrolment.Status present.
    outcomes: dict = field(default_factory=dict)
    # Households equipped in the period, per category: every value of the choices
    # present (0 included), "unknown" last; by_insee_code only the codes met.
    by_age_band: dict = field(default_factory=dict)
    by_social_status: dict = field(default_factory=dict)
    by_qpv: dict = field(default_factory=dict)
    by_insee_code: dict = field(default_factory=dict)


def _hours(minutes):
    return (Decimal(minutes or 0) / MINUTES_IN_AN_HOUR).quantize(HOURS, ROUND_HALF_UP)


def _in(period, lookup):
    """`lookup` (a moment) on a day of `period`: compared with the period's first and
    next-after instants, not cast to a date, so that the database can estimate it."""
    first, after = period.bounds()
    return Q(**{f"{lookup}__gte": first, f"{lookup}__lt": after})


def _scoped_loans(*, programme, funder, structure, households):
    loans = Loan.objects.all()
    if programme is not None:
        loans = loans.filter(programme=programme)
    if funder is not None:
        loans = loans.filter(programme__in=funder.programmes.values("pk"))
    if structure is not None:
        loans = loans.filter(household__structure=structure)
    if households is not None:
        loans = loans.filter(household__in=households.values("pk"))
    return loans


def _scoped_attendances(*, programme, funder, structure, households):
    attendances = Attendance.objects.all()
    if programme is not None:
        attendances = attendances.filter(workshop__programme=programme)
    if funder is not None:
        attendances = attendances.filter(workshop__programme__in=funder.programmes.values("pk"))
    if structure is not None:
        attendances = attendances.filter(household__structure=structure)
    if households is not None:
        attendances = attendances.filter(household__in=households.values("pk"))
    return attendances


def _scoped_workshops(period, attendances, *, programme, funder, narrowed):
    workshops = Workshop.objects.filter(_in(period, "starts_at"))
    if programme is not None:
        workshops = workshops.filter(programme=programme)
    if funder is not None:
        workshops = workshops.filter(programme__in=funder.programmes.values("pk"))
    if narrowed:
        # A structure's or a social worker's view: the workshops their households came to
        # (or were expected at), not every session of the programme.
        workshops = workshops.filter(pk__in=attendances.values("workshop"))
    return workshops


def _loan_figures(period, loans):
    L = Loan.Status
    counts = loans.aggregate(
        handed_over=Count("pk", filter=_in(period, "handed_over_at")),
        returned=Count("pk", filter=_in(period, "return_record__inspected_at")),
        gift=Count("pk", filter=Q(status=L.GIFT) & _in(period, "closed_at")),
        lost=Count("pk", filter=Q(status=L.LOST) & _in(period, "closed_at")),
        damaged=Count(
            "pk",
            filter=Q(return_record__damage_noted=True, status=L.RETURNED)
            & _in(period, "return_record__reviewed_at"),
        ),
        overdue_now=Count("pk", filter=Q(status=L.ACTIVE, due_on__lt=timezone.localdate())),
    )
    return LoanFigures(**counts)


def _choice_counts(choices, prefix):
    return {f"{prefix}__{value}": Count("pk", filter=Q(**{prefix: value})) for value, _ in choices}


def _household_figures(equipped):
    """One query: the totals and the three breakdowns with fixed values."""
    row = equipped.aggregate(
        households=Count("pk"),
        persons=Sum("size"),
        **_choice_counts(AgeBand.choices, "age_band"),
        **_choice_counts(SocialStatus.choices, "social_status"),
        **_choice_counts(Qpv.choices, "qpv"),
    )

    def breakdown(choices, prefix):
        return {value: row[f"{prefix}__{value}"] for value, _ in choices}

    return {
        "households_equipped": row["households"],
        "persons_equipped": row["persons"] or 0,
        "by_age_band": breakdown(AgeBand.choices, "age_band"),
        "by_social_status": breakdown(SocialStatus.choices, "social_status"),
        "by_qpv": breakdown(Qpv.choices, "qpv"),
    }


def _by_insee_code(equipped):
    rows = equipped.values("insee_code").annotate(households=Count("pk")).order_by("insee_code")
    return {row["insee_code"] or NO_INSEE_CODE: row["households"] for row in rows}


def _attendance_figures(period, attendances):
    P = Attendance.Presence
    row = attendances.filter(_in(period, "workshop__starts_at")).aggregate(
        present=Count("pk", filter=Q(presence=P.PRESENT)),
        absent=Count("pk", filter=Q(presence=P.ABSENT)),
        excused=Count("pk", filter=Q(presence=P.EXCUSED)),
        minutes=Sum("workshop__duration_minutes", filter=Q(presence=P.PRESENT)),
    )
    return AttendanceFigures(
        present=row["present"],
        absent=row["absent"],
        excused=row["excused"],
        participant_hours=_hours(row["minutes"]),
    )


def _outcomes(handed_over):
    """The present status of the enrolments under which devices were handed over."""
    enrolments = Enrolment.objects.filter(pk__in=handed_over.values("enrolment"))
    row = enrolments.aggregate(**_choice_counts(Enrolment.Status.choices, "status"))
    return {value: row[f"status__{value}"] for value, _ in Enrolment.Status.choices}


def activity(period, *, programme=None, funder=None, structure=None, households=None):
    """The activity of `period` (an inventory.impact.period.Period), for a programme, a
    funder's programmes, a structure's households and/or `households` (a Household
    queryset: pass lending.access.households_visible_to(user) for a social worker's view).

    A household is equipped when devices of one of its loans were handed over in the
    period; persons equipped is the sum of those households' sizes. Returns an Activity.
    """
    scope = {
        "programme": programme,
        "funder": funder,
        "structure": structure,
        "households": households,
    }
    loans = _scoped_loans(**scope)
    handed_over = loans.filter(_in(period, "handed_over_at"))
    equipped = Household.objects.filter(pk__in=handed_over.values("household"))
    attendances = _scoped_attendances(**scope)
    narrowed = structure is not None or households is not None
    workshops = _scoped_workshops(
        period, attendances, programme=programme, funder=funder, narrowed=narrowed
    ).aggregate(held=Count("pk"), minutes=Sum("duration_minutes"))
    return Activity(
        period=period,
        loans=_loan_figures(period, loans),
        workshops_held=workshops["held"],
        workshop_hours=_hours(workshops["minutes"]),
        attendance=_attendance_figures(period, attendances),
        outcomes=_outcomes(handed_over),
        by_insee_code=_by_insee_code(equipped),
        **_household_figures(equipped),
    )

"""Closed reports: figures handed out, kept with the factor version they used.

A report is closed once and never changes: later factor versions, corrected weights or
anonymised households leave its figures as they were handed out.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import Refused, require
from inventory.models import ClosedReport
from inventory.services import reserve_sequence_values


def next_report_number(year):
    """RAP-2026-0001: a counter per year that is never reused."""
    return f"RAP-{year}-{reserve_sequence_values(f'impact-report-{year}'):04d}"


def close_report(*, title, period, filters, figures, factor_set, by):
    """Close a report: keep `figures` (JSON-ready, stored as is) with `factor_set`.

    `period` is an inventory.impact.period.Period; `filters` the chosen site, programme
    and funder as ids and names. Returns the ClosedReport.
    """
    require(by, "inventory.add_closedreport", message=_("Your role may not close reports."))
    title = (title or "").strip()
    if not title:
        raise Refused(_("Give the report a title."))
    if period.end < period.start:
        raise Refused(_("The period ends before it starts."))
    if factor_set is None or factor_set.pk is None:
        raise Refused(_("Choose the factor version the figures were computed with."))
    closed_at = timezone.now()
    with transaction.atomic():
        report = ClosedReport(
            number=next_report_number(timezone.localdate(closed_at).year),
            title=title,
            period_start=period.start,
            period_end=period.end,
            filters=filters or {},
            factor_set=factor_set,
            figures=figures,
            closed_at=closed_at,
            closed_by=by,
        )
        report._history_user = by
        report.save()
    return report


def closed_report(number):
    """The closed report numbered `number`, with its factor set (ClosedReport.DoesNotExist
    when there is none). `figures` and `filters` come back as stored, Decimals as strings."""
    return ClosedReport.objects.select_related("factor_set", "closed_by").get(number=number)


def closed_reports():
    """Every closed report, newest first."""
    return ClosedReport.objects.select_related("factor_set", "closed_by")

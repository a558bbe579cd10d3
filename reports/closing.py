"""Closing the report a coordinator is looking at: its filters and every section's figures,
as shown, kept by inventory.impact.closing.close_report with the factor set they used.
And what a closed report's pages need to show it again without computing anything."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.refusals import require
from inventory import pdf
from inventory.impact import closing
from inventory.impact.period import Period
from inventory.models import FactorSet
from reports import exports, frozen, sections

CLOSE = "inventory.add_closedreport"
VIEW = "inventory.view_closedreport"
FILTER_NAMES = ("site", "programme", "funder")


class ClosingForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        error_messages={"required": gettext_lazy("Give the report a title.")},
    )


def default_title(period):
    """« Rapport du 01/01/2026 au 31/12/2026 »."""
    return _("Report %(period)s") % {"period": exports.period_text(period)}


def stored_filters(filters):
    """The site, programme and funder chosen, as ids and names (None when not chosen)."""
    chosen = {}
    for name in FILTER_NAMES:
        value = getattr(filters, name)
        chosen[name] = None if value is None else {"id": value.pk, "name": str(value)}
    return chosen


def _factor_set(built):
    """The factor set the impact figures used; the latest when no section used one."""
    for section in built:
        if section.factor_set is not None:
            return section.factor_set
    return FactorSet.latest()


def close(*, title, filters, by):
    """Close the report `by` sees for `filters` (reports.forms.Filters) under `title`.

    Refused (PermissionRefused) before anything is computed when `by` may not close
    reports. Returns the ClosedReport.
    """
    require(by, CLOSE, message=_("Your role may not close reports."))
    built = sections.build(sections.sections_for(by), filters, by)
    factor_set = _factor_set(built)
    return closing.close_report(
        title=title,
        period=filters.period,
        filters=stored_filters(filters),
        figures=frozen.freeze(built, factor_set),
        factor_set=factor_set,
        by=by,
    )


@dataclass(frozen=True)
class StoredFilters:
    """A closed report's filters as exports.report_pdf reads them: the names as they were."""

    period: Period
    site: str | None = None
    programme: str | None = None
    funder: str | None = None


def filters_of(report):
    chosen = report.filters or {}
    names = {name: (chosen.get(name) or {}).get("name") for name in FILTER_NAMES}
    return StoredFilters(Period(report.period_start, report.period_end), **names)


def sections_of(report):
    """The closed report's sections, from its stored figures only."""
    return frozen.thaw(report.figures)


def about(report):
    """What the heading of a closed report's PDF says about it."""
    return [
        _("Closed report %(number)s") % {"number": report.number},
        _("Closed by %(person)s on %(when)s")
        % {"person": pdf.person(report.closed_by), "when": pdf.when(report.closed_at)},
        _("Impact factors: version %(version)s") % {"version": report.factor_set.version},
    ]


def pdf_response(report):
    """The closed report as a PDF, drawn from its stored figures."""
    content = exports.report_pdf(
        sections_of(report),
        filters_of(report),
        title=_("Report %(number)s: %(title)s") % {"number": report.number, "title": report.title},
        about=about(report),
    )
    return pdf.response(content, pdf.download_name("rapport", report.number))

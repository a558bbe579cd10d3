"""The workshop section of a report: devices per week entering each status, devices now
per status, time spent in each status (reports.workshop's figures)."""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from inventory.models import Status
from reports import workshop
from reports.blocks import Section, Table
from reports.charts import BAR, Chart, Series


def _status_label(value):
    return str(Status(value).label)


def _short(day):
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def workshop_section(key, scope):
    period, site = scope.period, scope.site
    weekly = workshop.entries_per_week(period, site=site)
    now = workshop.devices_now(site=site)
    stays = workshop.time_in_status(period, site=site)
    section = Section.named(key)

    weeks = sorted({week for week, _status, _n in weekly})
    statuses = [s.value for s in Status if any(row[1] == s.value for row in weekly)]
    counts = {(week, status): n for week, status, n in weekly}
    section.charts.append(
        Chart(
            title=_("Devices entering each status, per week"),
            labels=[_short(week) for week in weeks],
            series=[
                Series(_status_label(status), [counts.get((week, status), 0) for week in weeks])
                for status in statuses
            ],
            kind=BAR,
        )
    )
    section.charts.append(
        Chart(
            title=_("Devices now, per status"),
            labels=[_status_label(status) for status in now],
            series=[Series(_("Devices"), list(now.values()))],
        )
    )
    section.charts.append(
        Chart(
            title=_("Average days spent in each status during the period"),
            labels=[_status_label(status) for status in stays],
            series=[Series(_("Days"), [row["days"] for row in stays.values()])],
            unit=pgettext("abbreviation of days", "d"),
            decimals=1,
        )
    )
    section.tables.append(
        Table(
            "workshop-weeks",
            _("Devices entering each status, per week"),
            [_("Week of"), _("Status"), _("Devices")],
            [[week, _status_label(status), n] for week, status, n in weekly],
            number_columns=(2,),
        )
    )
    section.tables.append(
        Table(
            "workshop-now",
            _("Devices now, per status"),
            [_("Status"), _("Devices")],
            [[_status_label(status), n] for status, n in now.items()],
            number_columns=(1,),
        )
    )
    section.tables.append(
        Table(
            "workshop-time",
            _("Time spent in each status during the period"),
            [_("Status"), _("Devices"), _("Average days")],
            [[_status_label(s), row["devices"], row["days"]] for s, row in stays.items()],
            number_columns=(1, 2),
        )
    )
    section.notes.append(
        _(
            "A device enters a status when it is registered or moved; the time in a status "
            "counts only the days inside the period, and only in the statuses where a device "
            "stays (sold, given, recycled and lost are not counted). Site filter only: "
            "programmes and funders do not apply to the workshop."
        )
    )
    return section

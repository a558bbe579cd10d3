"""The workshop section of a report: devices per week entering each status, devices now
per status, time spent in each status (reports.workshop's figures)."""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from inventory.models import Status
from reports import workshop
from reports.blocks import Section, Table
from reports.charts import STACKED, Chart, Series

S = Status
# The stages a device goes through, for the weekly chart.
STAGE_OF_STATUS = {
    S.RECEIVED: "received",
    S.WIPING: "workshop",
    S.REFURBISHING: "workshop",
    S.RETURNED: "workshop",
    S.READY: "ready",
    S.RESERVED: "ready",
    S.LENT: "out",
    S.SOLD: "out",
    S.GIVEN: "out",
    S.PARTS: "other",
    S.RECYCLED: "other",
    S.LOST: "other",
}


def stage_labels():
    return [
        ("received", pgettext("devices of a week", "Received")),
        ("workshop", _("In the workshop")),
        ("ready", _("Ready or reserved")),
        ("out", _("Lent, sold or given")),
        ("other", _("Parts, recycled or lost")),
    ]


def _status_label(value):
    return str(Status(value).label)


def _short(day):
    # « 06/04 »: thirty weeks' labels must fit under the bars (the table has the year).
    return formats.date_format(day, "d/m")


def workshop_section(key, scope):
    period, site = scope.period, scope.site
    weekly = workshop.entries_per_week(period, site=site)
    now = workshop.devices_now(site=site)
    found = workshop.time_in_status(period, site=site)
    # In the lifecycle's order, as the other charts: not the database's.
    stays = {status.value: found[status.value] for status in Status if status.value in found}
    section = Section.named(key)

    weeks = sorted({week for week, _status, _n in weekly})
    counts = {}
    for week, status, n in weekly:
        stage = STAGE_OF_STATUS[status]
        counts[(week, stage)] = counts.get((week, stage), 0) + n
    stages = [key for key, _label in stage_labels() if any(k[1] == key for k in counts)]
    labels = dict(stage_labels())
    # Twelve statuses side by side for thirty weeks cannot be read: the chart piles up
    # five stages a week; the table below keeps every status.
    section.charts.append(
        Chart(
            title=_("Devices entering each stage, per week"),
            labels=[_short(week) for week in weeks],
            series=[
                Series(labels[stage], [counts.get((week, stage), 0) for week in weeks])
                for stage in stages
            ],
            kind=STACKED,
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
            title=_("Average days per stay in each status during the period"),
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
            [_("Status"), _("Stays"), _("Average days per stay")],
            [[_status_label(s), row["stays"], row["days"]] for s, row in stays.items()],
            number_columns=(1, 2),
        )
    )
    section.notes.append(
        _(
            "A device enters a status when it is registered or moved; each passage through a "
            "status is one stay (a device erased twice counts two). The time in a status "
            "counts only the days inside the period, and only in the statuses where a device "
            "stays (sold, given, recycled and lost are not counted). Site filter only: "
            "programmes and funders do not apply to the workshop."
        )
    )
    return section

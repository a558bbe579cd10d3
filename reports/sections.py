"""What a report page holds: its sections, each a title, charts and tables, built from
the figures of the layers below. Which sections a person gets depends on their role:
a coordinator everything, a social worker the activity of her structure's households,
a technician the workshop."""

from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role, roles_of
from inventory.models import Status
from reports import workshop
from reports.charts import BAR, Chart, Series

IMPACT, FLOWS, BALANCE, ACTIVITY, WORKSHOP = "impact", "flows", "balance", "activity", "workshop"
TITLES = {
    IMPACT: gettext_lazy("Environmental impact"),
    FLOWS: gettext_lazy("Entries and exits"),
    BALANCE: gettext_lazy("Monthly balance"),
    ACTIVITY: gettext_lazy("Programme activity"),
    WORKSHOP: gettext_lazy("Workshop"),
}
ORDER = [IMPACT, FLOWS, BALANCE, ACTIVITY, WORKSHOP]


@dataclass
class Table:
    """Figures as rows: shown under the charts and exported as one file each."""

    slug: str
    title: str
    headers: list
    rows: list
    number_columns: tuple = ()


@dataclass
class Section:
    key: str
    title: str
    charts: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def sections_for(user):
    """The section keys `user` may read, in page order."""
    if user.is_superuser or Role.COORDINATOR in roles_of(user):
        return list(ORDER)
    keys = set()
    if Role.SOCIAL_WORKER in roles_of(user):
        keys.add(ACTIVITY)
    if Role.TECHNICIAN in roles_of(user):
        keys.add(WORKSHOP)
    return [key for key in ORDER if key in keys]


def build(keys, filters, user):
    """The Sections named by `keys` for `filters` (reports.forms.Filters)."""
    builders = {
        IMPACT: _pending,
        FLOWS: _pending,
        BALANCE: _pending,
        ACTIVITY: _pending,
        WORKSHOP: workshop_section,
    }
    return [builders[key](key, filters, user) for key in keys]


def _pending(key, filters, user):
    section = Section(key, str(TITLES[key]))
    section.notes.append(_("These figures are not available yet."))
    return section


def _status_label(value):
    return str(Status(value).label)


def _short(day):
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def workshop_section(key, filters, user):
    period, site = filters.period, filters.site
    weekly = workshop.entries_per_week(period, site=site)
    now = workshop.devices_now(site=site)
    stays = workshop.time_in_status(period, site=site)
    section = Section(key, str(TITLES[key]))

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
            unit=_("d"),
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
            "A device enters a status when its history records the change; the time in a "
            "status counts only the days inside the period. Site filter only: programmes "
            "and funders do not apply to the workshop."
        )
    )
    return section

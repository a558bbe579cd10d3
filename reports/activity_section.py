"""The programme activity section (lending.activity.figures): households and persons
equipped, loans, workshops and attendance, and the households equipped broken down with
the national médiation-numérique categories. A social worker's figures count the
households of her structures only (lending.access)."""

from django.utils.translation import gettext as _

from accounts.roles import Role, roles_of
from lending import access
from lending.activity.figures import activity
from lending.models import AgeBand, Enrolment, Qpv, SocialStatus
from reports.blocks import Section, Table
from reports.charts import Chart, Series
from reports.stock_sections import number, percent


def visible_households(user):
    """None (every household) for a coordinator, else the households `user` sees."""
    if user.is_superuser or Role.COORDINATOR in roles_of(user):
        return None
    return access.households_visible_to(user)


def _breakdown(section, slug, title, heading, counts, labels):
    names = [str(labels.get(key, key) or _("No code")) for key in counts]
    section.charts.append(
        Chart(title=title, labels=names, series=[Series(_("Households"), list(counts.values()))])
    )
    section.tables.append(
        Table(
            slug,
            title,
            [heading, _("Households equipped")],
            [[name, n] for name, n in zip(names, counts.values(), strict=True)],
            number_columns=(1,),
        )
    )


def activity_section(key, scope):
    section = Section.named(key)
    figures = activity(
        scope.period,
        programme=scope.filters.programme,
        funder=scope.filters.funder,
        households=visible_households(scope.user),
    )
    loans, attendance = figures.loans, figures.attendance
    summary = [
        (_("Households equipped"), figures.households_equipped),
        (_("Persons equipped"), figures.persons_equipped),
        (_("Loans handed over"), loans.handed_over),
        (_("Loans returned"), loans.returned),
        (_("Loans turned into gifts"), loans.gift),
        (_("Loans lost or damaged"), loans.lost_or_damaged),
        (_("Loans overdue today"), loans.overdue_now),
        (_("Workshops held"), figures.workshops_held),
        (_("Workshop hours"), figures.workshop_hours),
        (_("Attendances: present"), attendance.present),
        (_("Attendances: absent"), attendance.absent),
        (_("Attendances: excused"), attendance.excused),
        (_("Participant-hours"), attendance.participant_hours),
    ]
    section.facts = [
        (label, number(value, 2 if not isinstance(value, int) else 0), ())
        for label, value in summary
    ]
    section.facts.append((_("Attendance rate"), percent(attendance.rate), ()))
    section.tables.append(
        Table(
            "activity-summary",
            _("Activity figures"),
            [_("Figure"), _("Value")],
            [[label, value] for label, value in summary],
            number_columns=(1,),
        )
    )
    _breakdown(
        section,
        "activity-age",
        _("Households equipped per age band"),
        _("Age band"),
        figures.by_age_band,
        dict(AgeBand.choices),
    )
    _breakdown(
        section,
        "activity-social-status",
        _("Households equipped per social status"),
        _("Social status"),
        figures.by_social_status,
        dict(SocialStatus.choices),
    )
    _breakdown(
        section,
        "activity-qpv",
        _("Households equipped living in a QPV"),
        _("QPV"),
        figures.by_qpv,
        dict(Qpv.choices),
    )
    section.tables.append(
        Table(
            "activity-insee",
            _("Households equipped per commune (INSEE code)"),
            [_("INSEE code"), _("Households equipped")],
            [[code or _("No code"), n] for code, n in figures.by_insee_code.items()],
            number_columns=(1,),
        )
    )
    statuses = dict(Enrolment.Status.choices)
    section.tables.append(
        Table(
            "activity-outcomes",
            _("Outcomes of the enrolments of the households equipped"),
            [_("Enrolment status"), _("Households")],
            [[str(statuses.get(k, k)), n] for k, n in figures.outcomes.items()],
            number_columns=(1,),
        )
    )
    if visible_households(scope.user) is not None:
        section.notes.append(_("Only the households of your structures are counted."))
    return section

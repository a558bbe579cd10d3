"""Which sections a report page holds for whom: a coordinator everything, a social worker
the activity of her structure's households, a technician the workshop."""

from accounts.roles import Role, roles_of
from reports import stock_sections
from reports.activity_section import activity_section
from reports.blocks import ACTIVITY, BALANCE, FLOWS, IMPACT, ORDER, WORKSHOP
from reports.scope import Scope
from reports.workshop_section import workshop_section


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
    scope = Scope(filters, user)
    builders = {
        IMPACT: stock_sections.impact_section,
        FLOWS: stock_sections.flows_section,
        BALANCE: stock_sections.balance_section,
        ACTIVITY: activity_section,
        WORKSHOP: workshop_section,
    }
    return [builders[key](key, scope) for key in keys]

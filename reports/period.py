"""The reporting periods people ask for by name (this month, last year…), as
inventory.impact.period.Period (both ends inclusive)."""

import datetime

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from inventory.impact.period import Period


class Preset(TextChoices):
    THIS_MONTH = "this_month", _("This month")
    LAST_MONTH = "last_month", _("Last month")
    THIS_QUARTER = "this_quarter", _("This quarter")
    THIS_YEAR = "this_year", _("This year")
    LAST_YEAR = "last_year", _("Last year")


def _month_end(day):
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def preset_period(preset, today):
    """The Period `preset` names, seen on `today` (a date)."""
    if preset == Preset.THIS_MONTH:
        return Period(today.replace(day=1), _month_end(today))
    if preset == Preset.LAST_MONTH:
        last = today.replace(day=1) - datetime.timedelta(days=1)
        return Period(last.replace(day=1), last)
    if preset == Preset.THIS_QUARTER:
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = today.replace(month=first_month, day=1)
        return Period(start, _month_end(start.replace(month=first_month + 2)))
    if preset == Preset.THIS_YEAR:
        return Period(datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))
    if preset == Preset.LAST_YEAR:
        return Period(datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31))
    raise ValueError(f"Unknown preset {preset!r}")

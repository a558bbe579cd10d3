"""How a report writes a value in a table cell (page and PDF): dates the short French
way, numbers with the language's separators and no trailing zeros (27, 24,6, 1 179,5)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats


class Month(datetime.date):
    """The first day of a month, shown as the month (« décembre 2026 ») and written to
    spreadsheets as the date it is."""

    @classmethod
    def of(cls, day):
        return cls(day.year, day.month, 1)


def rounded(value, decimals=0):
    """`value` with `decimals` digits in the language's format, rounded half up: Django's
    number_format cuts the digits beyond decimal_pos (12.79 would give « 12,7 »)."""
    value = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def display(value):
    if value is None:
        return "—"
    if isinstance(value, Month):
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, float | Decimal):
        rounded = Decimal(str(value)).quantize(Decimal("0.01"))
        decimals = max(0, -rounded.normalize().as_tuple().exponent)
        return formats.number_format(
            rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True
        )
    return str(value)

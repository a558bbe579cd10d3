import datetime

import pytest

from inventory.impact.period import Period

D = datetime.date


def test_a_period_lists_the_months_it_touches():
    period = Period(D(2025, 11, 15), D(2026, 2, 3))

    assert period.months() == [D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1)]
    assert period.month_periods()[0] == Period(D(2025, 11, 15), D(2025, 11, 30))
    assert period.month_periods()[-1] == Period(D(2026, 2, 1), D(2026, 2, 3))


def test_a_year_and_a_month():
    assert Period.year(2026) == Period(D(2026, 1, 1), D(2026, 12, 31))
    assert Period.month(2024, 2) == Period(D(2024, 2, 1), D(2024, 2, 29))
    assert D(2026, 12, 31) in Period.year(2026)
    assert D(2027, 1, 1) not in Period.year(2026)


def test_bounds_cover_the_last_day_entirely(settings):
    first, after = Period.month(2026, 3).bounds()

    assert (first.date(), after.date()) == (D(2026, 3, 1), D(2026, 4, 1))
    assert str(first.tzinfo) == settings.TIME_ZONE


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        Period(D(2026, 2, 1), D(2026, 1, 31))

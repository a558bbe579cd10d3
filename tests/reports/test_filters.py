"""The report filters: named periods, typed dates, and clear messages for bad ones."""

import datetime

import pytest

from inventory.impact.period import Period
from reports.forms import ReportFilterForm
from reports.period import Preset, preset_period
from tests.factories import SiteFactory
from tests.lending_factories import FunderFactory, ProgrammeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = datetime.date(2026, 5, 14)


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        (Preset.THIS_MONTH, datetime.date(2026, 5, 1), datetime.date(2026, 5, 31)),
        (Preset.LAST_MONTH, datetime.date(2026, 4, 1), datetime.date(2026, 4, 30)),
        (Preset.THIS_QUARTER, datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
        (Preset.THIS_YEAR, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
        (Preset.LAST_YEAR, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
    ],
)
def test_named_periods(preset, start, end):
    assert preset_period(preset, TODAY) == Period(start, end)


def test_last_month_in_january_is_last_december():
    january = datetime.date(2027, 1, 10)
    assert preset_period(Preset.LAST_MONTH, january) == Period(
        datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)
    )


def form(**data):
    return ReportFilterForm(data, today=TODAY)


def test_typed_dates_and_every_filter():
    site, programme, funder = SiteFactory(), ProgrammeFactory(), FunderFactory()
    filled = form(
        start="2026-02-01",
        end="2026-02-28",
        site=site.pk,
        programme=programme.pk,
        funder=funder.pk,
    )

    assert filled.is_valid(), filled.errors
    filters = filled.filters()
    assert filters.period == Period(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert (filters.site, filters.programme, filters.funder) == (site, programme, funder)


def test_nothing_chosen_is_this_year():
    filled = form()
    assert filled.is_valid()
    assert filled.filters().period == preset_period(Preset.THIS_YEAR, TODAY)


def test_a_named_period_wins_over_dates():
    filled = form(preset="last_month", start="2020-01-01", end="2020-01-31")
    assert filled.is_valid()
    assert filled.filters().period.start == datetime.date(2026, 4, 1)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"start": "2026-03-01", "end": "2026-02-01"},
            "end",
            "The end of the period must not come before its start.",
        ),
        (
            {"start": "2026-03-01"},
            "end",
            "Give both dates of the period, or choose a named period.",
        ),
        (
            {"end": "2026-03-01"},
            "start",
            "Give both dates of the period, or choose a named period.",
        ),
        (
            {"start": "2015-01-01", "end": "2026-01-01"},
            "end",
            "A report covers at most five years: shorten the period.",
        ),
        ({"start": "31/02/2026", "end": "2026-03-01"}, "start", "Enter a valid date."),
        ({"preset": "next_century"}, "preset", None),
        ({"site": "999999"}, "site", None),
    ],
)
def test_bad_filters_say_which_field_and_why(data, field, message):
    filled = form(**data)

    assert not filled.is_valid()
    assert field in filled.errors
    if message:
        assert message in filled.errors[field]

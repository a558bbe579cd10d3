"""Factor versions and closed reports: a changed factor is a new version, and a closed
report keeps its figures and its factor version whatever changes afterwards."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.refusals import PermissionRefused, Refused
from inventory.impact.carbon import avoided
from inventory.impact.closing import close_report, closed_report
from inventory.impact.factors import new_version
from inventory.impact.period import Period
from inventory.models import ClosedReport, FactorSet, FrozenRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

YEAR_2026 = Period(date(2026, 1, 1), date(2026, 12, 31))
FILTERS = {"site": {"id": 1, "name": "Bruay"}, "programme": None, "funder": None}


def close(coordinator, factor_set=None):
    result = avoided({"laptop": 10, "smartphone": 5}, factor_set)
    return close_report(
        title="Rapport 2026",
        period=YEAR_2026,
        filters=FILTERS,
        figures=result.as_figures(),
        factor_set=result.factor_set,
        by=coordinator,
    )


def test_changing_a_factor_leaves_a_closed_report_unchanged(coordinator):
    v1 = FactorSet.latest()
    report = close(coordinator)

    v2 = new_version(
        v1,
        {("laptop", "yearly"): {"kg_co2e": Decimal("30")}},
        coordinator,
        reason="Corrected study",
    )

    assert v2.version == 2 and FactorSet.latest() == v2
    assert avoided({"laptop": 10, "smartphone": 5}).yearly_total == Decimal("1269")
    again = closed_report(report.number)
    assert again.factor_set == v1
    assert Decimal(again.figures["yearly_total"]) == Decimal("1179")
    assert Decimal(again.figures["upper_bound_total"]) == Decimal("2251.5")
    assert again.filters == FILTERS
    assert (again.period_start, again.period_end) == (YEAR_2026.start, YEAR_2026.end)
    # v1 is untouched and still computes what the report says.
    assert avoided({"laptop": 10, "smartphone": 5}, v1).yearly_total == Decimal("1179")


def test_a_new_version_copies_the_sources_and_keeps_history(coordinator):
    v1 = FactorSet.latest()

    v2 = new_version(
        v1,
        {("smartphone", "yearly"): {"assumed_second_life_years": Decimal("2")}},
        coordinator,
        reason="Shorter",
    )

    assert v2.factors.count() == v1.factors.count()
    changed = v2.factors.get(category="smartphone", method="yearly")
    assert changed.assumed_second_life_years == 2 and changed.source_url
    record = v2.history.get()
    assert record.history_user == coordinator and record.history_change_reason == "Shorter"
    assert v2.notes == "Shorter" and v2.based_on == v1 and v2.created_by == coordinator
    assert changed.history.get().history_user == coordinator


def test_a_used_factor_set_and_a_closed_report_are_never_edited(coordinator):
    report = close(coordinator)
    factor = report.factor_set.factors.first()

    factor.kg_co2e = Decimal("1")
    with pytest.raises(FrozenRecord):
        factor.save()
    with pytest.raises(FrozenRecord):
        factor.delete()
    report.title = "Changed"
    with pytest.raises(FrozenRecord):
        report.save()


@pytest.mark.parametrize(
    ("changes", "reason", "message"),
    [
        ({("laptop", "yearly"): {"kg_co2e": Decimal("27")}}, "same", "Nothing changed"),
        ({("laptop", "yearly"): {"kg_co2e": Decimal("30")}}, "  ", "Give the reason"),
        ({("laptop", "yearly"): {"kg_co2e": Decimal("-1")}}, "typo", "Laptop, Avoided per year"),
        ({("router_4g", "yearly"): {"kg_co2e": Decimal("5")}}, "new", "assumed years"),
    ],
)
def test_bad_changes_are_refused_with_a_sentence(coordinator, changes, reason, message):
    with pytest.raises(Refused, match=message):
        new_version(FactorSet.latest(), changes, coordinator, reason=reason)
    assert FactorSet.objects.count() == 1


def test_only_the_latest_version_is_a_starting_point(coordinator):
    v1 = FactorSet.latest()
    new_version(v1, {("laptop", "yearly"): {"kg_co2e": Decimal("30")}}, coordinator, reason="a")

    with pytest.raises(Refused, match="Version 2 was published meanwhile"):
        new_version(v1, {("laptop", "yearly"): {"kg_co2e": Decimal("31")}}, coordinator, reason="b")


def test_a_factor_can_be_added_or_dropped(coordinator):
    v2 = new_version(
        FactorSet.latest(),
        {
            ("tablet", "manufacturing"): None,
            ("tablet", "yearly"): {
                "kg_co2e": Decimal("10"),
                "assumed_second_life_years": Decimal("3"),
                "source_title": "A study",
                "year": 2026,
            },
        },
        coordinator,
        reason="Test",
    )

    methods = set(v2.factors.filter(category="tablet").values_list("method", "unit"))
    assert methods == {("yearly", "per_year")}


def test_a_technician_can_neither_make_a_version_nor_close_a_report(technician):
    with pytest.raises(PermissionRefused):
        new_version(
            FactorSet.latest(),
            {("laptop", "yearly"): {"kg_co2e": Decimal("30")}},
            technician,
            reason="x",
        )
    with pytest.raises(PermissionRefused):
        close(technician)
    assert FactorSet.objects.count() == 1 and not ClosedReport.objects.exists()


def test_reports_are_numbered_per_year_and_keep_their_closer(coordinator):
    first, second = close(coordinator), close(coordinator)

    assert first.number.startswith("RAP-") and first.number != second.number
    assert first.history.get().history_user == coordinator


def test_a_period_in_the_wrong_order_is_refused(coordinator):
    # The ledger's Period refuses to exist in the wrong order, before close_report's
    # own check could say so (merged in the reports branch).
    with pytest.raises(ValueError, match="ends on or after its start"):
        Period(date(2026, 2, 1), date(2026, 1, 1))

"""CO2e avoided by reuse: both methods side by side, exact, footnoted with their sources,
and never a number for a category that has no published factor."""

from decimal import Decimal

import pytest

from inventory.impact.carbon import avoided
from inventory.models import Category, FactorSet, ImpactFactor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ADEME_REFURBISHMENT = "https://librairie.ademe.fr/dechets-economie-circulaire/5241-"
ADEME_ARCEP = "https://librairie.ademe.fr/consommer-autrement/5226-"


def test_ten_laptops_and_five_smartphones_over_three_years():
    result = avoided({Category.LAPTOP: 10, Category.SMARTPHONE: 5})

    # 10 × 27 × 3 + 5 × 24.6 × 3 and 10 × 182.6 + 5 × 85.1, to the gram.
    assert result.yearly_total == Decimal("1179")
    assert result.upper_bound_total == Decimal("2251.5")
    assert result.factor_set.version == 1
    laptop, smartphone = result.rows
    assert (laptop.category, laptop.count, laptop.years) == ("laptop", 10, Decimal("3"))
    assert laptop.yearly_factor == Decimal("27") and laptop.yearly_total == Decimal("810")
    assert smartphone.yearly_total == Decimal("369")
    assert laptop.upper_bound_total == Decimal("1826")
    assert smartphone.upper_bound_total == Decimal("425.5")
    assert result.missing == []


def test_each_total_is_footnoted_with_its_source():
    result = avoided({"laptop": 10, "smartphone": 5})

    notes = {note.number: note for note in result.footnotes}
    [yearly] = result.yearly_footnotes
    [upper] = result.upper_bound_footnotes
    assert notes[yearly].url.startswith(ADEME_REFURBISHMENT)
    assert "produits reconditionnés" in notes[yearly].text and "2022" in notes[yearly].text
    assert notes[upper].url.startswith(ADEME_ARCEP)
    assert "Arcep" in notes[upper].text
    assert sorted(notes) == [1, 2]


def test_a_category_without_a_factor_is_listed_and_adds_nothing():
    result = avoided({"laptop": 1, "router_4g": 4, "desktop": 2})

    router = next(row for row in result.rows if row.category == "router_4g")
    assert router.yearly_total is None and router.upper_bound_total is None
    assert router.footnotes == ()
    missing = {(m.category, m.method) for m in result.missing}
    # No yearly figure is published for desktops; nothing at all for 4G routers.
    assert missing == {
        ("desktop", "yearly"),
        ("router_4g", "yearly"),
        ("router_4g", "manufacturing"),
    }
    assert result.yearly_total == Decimal("81")
    assert result.upper_bound_total == Decimal("182.6") + 2 * Decimal("261.5")


def test_v1_holds_only_sourced_factors():
    v1 = FactorSet.objects.get(version=1)

    factors = {(f.category, f.method): f for f in v1.factors.all()}
    assert set(factors) == {
        ("laptop", "yearly"),
        ("smartphone", "yearly"),
        ("laptop", "manufacturing"),
        ("desktop", "manufacturing"),
        ("screen", "manufacturing"),
        ("smartphone", "manufacturing"),
        ("tablet", "manufacturing"),
    }
    for factor in factors.values():
        assert (
            factor.source_title and factor.source_url.startswith("https://") and factor.year == 2022
        )
    assert factors["tablet", "manufacturing"].kg_co2e == Decimal("59.7")
    assert factors["screen", "manufacturing"].kg_co2e == Decimal("65.9")
    assert factors["desktop", "manufacturing"].kg_co2e == Decimal("261.5")
    assert all(
        f.assumed_second_life_years == 3
        for f in factors.values()
        if f.method == ImpactFactor.Method.YEARLY
    )
    assert v1.history.count() == 1 and v1.factors.first().history.count() == 1


def test_the_result_is_kept_as_json_figures():
    figures = avoided({"laptop": 10, "smartphone": 5}).as_figures()

    assert Decimal(figures["yearly_total"]) == Decimal("1179")
    assert Decimal(figures["upper_bound_total"]) == Decimal("2251.5")
    assert figures["factor_set_version"] == 1


def test_two_queries_whatever_the_categories(django_assert_max_num_queries):
    counts = dict.fromkeys(Category.values, 3)
    with django_assert_max_num_queries(2):
        avoided(counts)

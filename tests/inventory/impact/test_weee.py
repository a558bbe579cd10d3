"""Each device category falls in one of the six WEEE categories, with its reason."""

import pytest

from inventory.impact.weee import WEEE_CATEGORIES, WEEE_OF_CATEGORY, weee_expression, weee_of
from inventory.models import Category, Device
from tests.factories import DeviceFactory


def test_the_six_categories_of_annex_iii():
    assert list(WEEE_CATEGORIES) == ["1", "2", "3", "4", "5", "6"]
    assert "100 cm²" in str(WEEE_CATEGORIES["2"])


@pytest.mark.parametrize("category", Category.values)
def test_every_device_category_has_a_weee_category_a_reason_and_a_source(category):
    rule = WEEE_OF_CATEGORY[category]

    assert rule.weee in WEEE_CATEGORIES
    assert str(rule.reason)
    assert "2012/19/EU" in rule.source


@pytest.mark.parametrize(
    ("category", "weee"),
    [
        (Category.LAPTOP, "2"),
        (Category.TABLET, "2"),
        (Category.SCREEN, "2"),
        (Category.SMARTPHONE, "6"),
        (Category.ROUTER_4G, "6"),
        (Category.DESKTOP, "6"),
    ],
)
def test_screens_over_100_cm2_apart_from_small_it(category, weee):
    assert weee_of(category) == weee


@pytest.mark.django_db
def test_sql_gives_the_same_category_as_the_table():
    for category in Category.values:
        DeviceFactory(category=category)

    found = dict(Device.objects.annotate(weee=weee_expression()).values_list("category", "weee"))

    assert found == {category: weee_of(category) for category in Category.values}

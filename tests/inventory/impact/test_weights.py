"""Every device weighs something: its measured weight, else its category's default,
flagged "estimated" wherever it is shown."""

from decimal import Decimal

import pytest
from django.utils import translation

from inventory.impact.weights import (
    default_weights,
    estimated_expression,
    weight_expression,
    weight_of,
)
from inventory.models import Category, Device, WeightDefault

pytestmark = pytest.mark.django_db


def test_every_category_has_a_seeded_default_that_says_it_is_only_typical():
    assert set(default_weights()) == set(Category.values)
    for row in WeightDefault.objects.all():
        assert row.kg > 0
        assert "pesées" in row.source


def test_sql_weight_is_the_measured_one_else_the_default(django_assert_num_queries):
    from tests.factories import DeviceFactory

    WeightDefault.objects.filter(category=Category.LAPTOP).update(kg=Decimal("2.30"))
    measured = DeviceFactory(weight_kg=Decimal("1.45"))
    guessed = DeviceFactory(weight_kg=None)
    defaults = default_weights()

    with django_assert_num_queries(1):
        rows = dict(
            Device.objects.annotate(
                kg=weight_expression(defaults=defaults),
                estimated=estimated_expression(defaults=defaults),
            ).values_list("pk", "kg")
        )
    estimated = dict(
        Device.objects.annotate(estimated=estimated_expression()).values_list("pk", "estimated")
    )

    assert Decimal(rows[measured.pk]) == Decimal("1.45")
    assert Decimal(rows[guessed.pk]) == Decimal("2.30")
    assert Decimal(estimated[measured.pk]) == 0
    assert Decimal(estimated[guessed.pk]) == Decimal("2.30")


def test_a_category_without_a_default_weighs_nothing_rather_than_failing():
    from tests.factories import DeviceFactory

    WeightDefault.objects.all().delete()
    device = DeviceFactory(weight_kg=None)

    kg = Device.objects.annotate(kg=weight_expression()).get(pk=device.pk).kg

    assert Decimal(kg) == 0
    assert weight_of(device).kg is None
    assert str(weight_of(device)) == "—"


def test_the_device_page_shows_a_measured_weight_plainly_and_a_default_as_estimated():
    from tests.factories import DeviceFactory

    WeightDefault.objects.filter(category=Category.LAPTOP).update(kg=Decimal("2.10"))

    with translation.override("en"):
        assert str(weight_of(DeviceFactory(weight_kg=Decimal("1.5")))) == "1.50 kg"
        assert str(weight_of(DeviceFactory(weight_kg=None))) == "2.10 kg (estimated)"


def test_the_device_page_shows_the_weight(technician_client, english):
    from tests.factories import DeviceFactory

    WeightDefault.objects.filter(category=Category.LAPTOP).update(kg=Decimal("2.10"))
    device = DeviceFactory(weight_kg=None)

    response = technician_client.get(device.get_absolute_url())

    assert "2.10 kg (estimated)" in response.content.decode()

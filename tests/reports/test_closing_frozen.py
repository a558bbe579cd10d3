"""A report's sections survive being stored as JSON: the same text and the same typed
values come back, so a closed report is written exactly as it was shown."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from inventory.models import FactorSet
from reports.blocks import Section, Table
from reports.charts import BAR, Chart, Series
from reports.formatting import Month, display
from reports.frozen import freeze, thaw

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_sections_come_back_from_json_as_they_were_shown():
    section = Section(
        key="impact",
        title="Environmental impact",
        facts=[("CO2e avoided", "1,179.0 kg CO2e", (1, 2))],
        charts=[
            Chart("Per month", ["Jan", "Feb"], [Series("kg", [Decimal("1.5"), None])], BAR, "kg", 1)
        ],
        tables=[
            Table(
                "t",
                "A table",
                ["Month", "Day", "Devices", "kg", "Closes", "Note"],
                [
                    [
                        Month(2026, 1, 1),
                        datetime.date(2026, 1, 5),
                        10,
                        Decimal("810.000"),
                        True,
                        None,
                    ]
                ],
                number_columns=(2, 3),
            )
        ],
        notes=["Factor set version 1."],
        sources=[(1, "ADEME, « Étude », 2022", "https://example.org")],
    )

    stored = json.loads(json.dumps(freeze([section], FactorSet.latest()), cls=DjangoJSONEncoder))
    (again,) = thaw(stored)

    assert stored["factor_set_version"] == 1
    assert again.facts == section.facts
    assert again.charts == section.charts
    assert again.notes == section.notes and again.sources == section.sources
    assert again.tables[0].number_columns == (2, 3)
    row = again.tables[0].rows[0]
    assert row == section.tables[0].rows[0]
    assert [display(cell) for cell in row] == [
        "January 2026",
        "01/05/2026",
        "10",
        "810",
        "True",
        "—",
    ]

"""A report's sections as JSON and back, for closed reports.

A closed report keeps the figures as they were shown: every section's key figures, charts,
tables, notes and numbered sources, in the words of the moment it was closed. Decoding
gives back the same Section, Table and Chart objects, so that the page, the PDF and the
spreadsheets of a closed report are drawn by the same code as the live report, from the
stored values only (nothing is computed again).

Table cells and chart values keep their type, so they are written the same way
afterwards (a Decimal as « 1 179,5 », a month as « janvier 2026 »): JSON has no Decimal
nor date, so those are tagged ({"number": "1179.5"}, {"month": "2026-01-01"}).
"""

import datetime
from decimal import Decimal

from reports.blocks import Section, Table
from reports.charts import Chart, Series
from reports.formatting import Month

# Bumped if the shape below changes, so that old closed reports stay readable.
FORMAT = 1


def _value(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Month):
        return {"month": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal | float):
        return {"number": str(value)}
    # Lazy translations and anything else: the text that was shown.
    return str(value)


def _unvalue(value):
    if not isinstance(value, dict):
        return value
    if "month" in value:
        return Month.of(datetime.date.fromisoformat(value["month"]))
    if "date" in value:
        return datetime.date.fromisoformat(value["date"])
    return Decimal(value["number"])


def _chart(chart):
    return {
        "title": str(chart.title),
        "labels": [str(label) for label in chart.labels],
        "series": [
            {"name": str(s.name), "values": [_value(v) for v in s.values]} for s in chart.series
        ],
        "kind": chart.kind,
        "unit": chart.unit,
        "decimals": chart.decimals,
    }


def _unchart(data):
    return Chart(
        title=data["title"],
        labels=data["labels"],
        series=[Series(s["name"], [_unvalue(v) for v in s["values"]]) for s in data["series"]],
        kind=data["kind"],
        unit=data["unit"],
        decimals=data["decimals"],
    )


def _table(table):
    return {
        "slug": table.slug,
        "title": str(table.title),
        "headers": [str(header) for header in table.headers],
        "rows": [[_value(cell) for cell in row] for row in table.rows],
        "number_columns": list(table.number_columns),
    }


def _untable(data):
    return Table(
        slug=data["slug"],
        title=data["title"],
        headers=data["headers"],
        rows=[[_unvalue(cell) for cell in row] for row in data["rows"]],
        number_columns=tuple(data["number_columns"]),
    )


def _section(section):
    return {
        "key": section.key,
        "title": str(section.title),
        "facts": [[str(label), str(value), list(notes)] for label, value, notes in section.facts],
        "charts": [_chart(chart) for chart in section.charts],
        "tables": [_table(table) for table in section.tables],
        "notes": [str(note) for note in section.notes],
        "sources": [[number, str(text), str(url or "")] for number, text, url in section.sources],
    }


def _unsection(data):
    return Section(
        key=data["key"],
        title=data["title"],
        facts=[(label, value, tuple(notes)) for label, value, notes in data["facts"]],
        charts=[_unchart(chart) for chart in data["charts"]],
        tables=[_untable(table) for table in data["tables"]],
        notes=data["notes"],
        sources=[tuple(source) for source in data["sources"]],
    )


def freeze(sections, factor_set):
    """The JSON-ready figures of `sections` (built Sections) computed with `factor_set`."""
    return {
        "format": FORMAT,
        "factor_set_version": factor_set.version,
        "sections": [_section(section) for section in sections],
    }


def thaw(figures):
    """The Sections stored by freeze(), as they were shown."""
    return [_unsection(data) for data in figures.get("sections", [])]

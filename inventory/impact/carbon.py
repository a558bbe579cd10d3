"""CO2e avoided by reuse, by two methods side by side, from the counts the caller gives.

Pure computation on a factor set (inventory.models.FactorSet): the caller counts the
devices reused per category (the ledger does, in SQL) and passes the counts. Two methods:
- yearly: devices × kg CO2e avoided per year of second life × assumed years;
- upper bound: devices × manufacturing footprint of a new device.
Every total is footnoted with the sources of the factors it used; a category with no
published factor for a method is listed as such and adds nothing, never a guessed number.
All arithmetic is Decimal, so the totals are exact.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy

from inventory.models import Category, FactorSet, ImpactFactor

# What a report says where a category has no factor for a method: never a number.
NO_FACTOR = gettext_lazy("no published factor")

YEARLY = ImpactFactor.Method.YEARLY
MANUFACTURING = ImpactFactor.Method.MANUFACTURING


@dataclass(frozen=True)
class Footnote:
    number: int
    text: str
    url: str


@dataclass(frozen=True)
class Row:
    category: str
    label: str
    count: int
    yearly_factor: Decimal | None
    years: Decimal | None
    yearly_total: Decimal | None
    manufacturing_factor: Decimal | None
    upper_bound_total: Decimal | None
    footnotes: tuple[int, ...]


@dataclass(frozen=True)
class Missing:
    category: str
    label: str
    method: str
    method_label: str


@dataclass(frozen=True)
class Avoided:
    factor_set: FactorSet
    rows: list[Row]
    yearly_total: Decimal
    upper_bound_total: Decimal
    yearly_footnotes: tuple[int, ...]
    upper_bound_footnotes: tuple[int, ...]
    footnotes: list[Footnote]
    missing: list[Missing] = field(default_factory=list)

    def as_figures(self):
        """The result as JSON-ready data, for close_report's `figures`."""
        return {
            "factor_set_version": self.factor_set.version,
            "yearly_total": str(self.yearly_total),
            "upper_bound_total": str(self.upper_bound_total),
            "yearly_footnotes": list(self.yearly_footnotes),
            "upper_bound_footnotes": list(self.upper_bound_footnotes),
            "rows": [
                {
                    "category": row.category,
                    "count": row.count,
                    "yearly_factor": _text(row.yearly_factor),
                    "years": _text(row.years),
                    "yearly_total": _text(row.yearly_total),
                    "manufacturing_factor": _text(row.manufacturing_factor),
                    "upper_bound_total": _text(row.upper_bound_total),
                    "footnotes": list(row.footnotes),
                }
                for row in self.rows
            ],
            "footnotes": [
                {"number": note.number, "text": note.text, "url": note.url}
                for note in self.footnotes
            ],
            "missing": [{"category": m.category, "method": m.method} for m in self.missing],
        }


def without_factor(factor_set):
    """The (category, method) pairs `factor_set` has no factor for, as Missing rows, in the
    categories' order (uses the set's prefetched factors when there are)."""
    have = {(f.category, f.method) for f in factor_set.factors.all()}
    return [
        Missing(category, str(label), method, str(method_label))
        for category, label in Category.choices
        for method, method_label in ImpactFactor.Method.choices
        if (category, method) not in have
    ]


def _text(value):
    return None if value is None else str(value)


def source_text(factor):
    """How a factor's source is cited in a footnote."""
    parts = [factor.source_publisher, f"« {factor.source_title} »", str(factor.year)]
    return ", ".join(part for part in parts if part)


class _Footnotes:
    """Numbers each distinct source once, in order of first use."""

    def __init__(self):
        self.by_key = {}

    def number(self, factor):
        key = (source_text(factor), factor.source_url)
        if key not in self.by_key:
            self.by_key[key] = Footnote(len(self.by_key) + 1, key[0], key[1])
        return self.by_key[key].number

    def all(self):
        return list(self.by_key.values())


def _category_order(category):
    values = list(Category.values)
    return values.index(category) if category in values else len(values)


def avoided(counts, factor_set=None):
    """CO2e avoided for `counts` ({category: number of devices reused}), by both methods.

    `factor_set` None means the latest version. Returns an Avoided: one Row per category
    of `counts` (in the categories' order), both totals in kg CO2e, the footnote numbers
    of each total, the numbered footnotes, and the (category, method) pairs with no factor.
    Two queries at most, whatever the counts.
    """
    factor_set = factor_set or FactorSet.latest()
    if factor_set is None:
        raise LookupError("No impact factor set: migrate the database.")
    factors = {(f.category, f.method): f for f in factor_set.factors.all()}
    notes = _Footnotes()
    rows, missing = [], []
    yearly_total = upper_total = Decimal(0)
    yearly_notes, upper_notes = [], []
    for category in sorted(counts, key=_category_order):
        count = int(counts[category])
        label = str(Category(category).label) if category in Category.values else str(category)
        yearly = factors.get((category, YEARLY))
        made = factors.get((category, MANUFACTURING))
        row_notes = []
        yearly_factor = years = row_yearly = None
        if yearly is not None:
            yearly_factor, years = yearly.kg_co2e, yearly.assumed_second_life_years
            row_yearly = count * yearly_factor * years
            yearly_total += row_yearly
            number = notes.number(yearly)
            row_notes.append(number)
            yearly_notes.append(number)
        else:
            missing.append(Missing(category, label, YEARLY, str(YEARLY.label)))
        made_factor = row_upper = None
        if made is not None:
            made_factor = made.kg_co2e
            row_upper = count * made_factor
            upper_total += row_upper
            number = notes.number(made)
            row_notes.append(number)
            upper_notes.append(number)
        else:
            missing.append(Missing(category, label, MANUFACTURING, str(MANUFACTURING.label)))
        rows.append(
            Row(
                category=category,
                label=label,
                count=count,
                yearly_factor=yearly_factor,
                years=years,
                yearly_total=row_yearly,
                manufacturing_factor=made_factor,
                upper_bound_total=row_upper,
                footnotes=tuple(sorted(set(row_notes))),
            )
        )
    return Avoided(
        factor_set=factor_set,
        rows=rows,
        yearly_total=yearly_total,
        upper_bound_total=upper_total,
        yearly_footnotes=tuple(sorted(set(yearly_notes))),
        upper_bound_footnotes=tuple(sorted(set(upper_notes))),
        footnotes=notes.all(),
        missing=missing,
    )

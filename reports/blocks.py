"""What a report page is made of: sections, each a title, charts, tables and notes."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

IMPACT, FLOWS, BALANCE, ACTIVITY, WORKSHOP = "impact", "flows", "balance", "activity", "workshop"
ORDER = [IMPACT, FLOWS, BALANCE, ACTIVITY, WORKSHOP]
TITLES = {
    IMPACT: _("Environmental impact"),
    FLOWS: _("Entries and exits"),
    BALANCE: _("Monthly balance"),
    ACTIVITY: _("Programme activity"),
    WORKSHOP: _("Workshop"),
}


@dataclass
class Table:
    """Figures as rows: shown under the charts and exported as one file each."""

    slug: str
    title: str
    headers: list
    rows: list
    number_columns: tuple = ()


@dataclass
class Section:
    key: str
    title: str
    charts: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    # Key figures shown first: [(label, formatted value, footnote numbers)].
    facts: list = field(default_factory=list)
    # Numbered sources: [(number, text, url)].
    sources: list = field(default_factory=list)
    # The impact factor set (inventory.models.FactorSet) the figures were computed with,
    # when they used one: a closed report keeps it.
    factor_set: object = None

    @classmethod
    def named(cls, key):
        return cls(key, str(TITLES[key]))

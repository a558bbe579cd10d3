"""What a report page is made of: sections, each a title, charts, tables and notes."""

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

IMPACT, FLOWS, BALANCE, ACTIVITY, WORKSHOP = "impact", "flows", "balance", "activity", "workshop"
ORDER = [IMPACT, FLOWS, BALANCE, ACTIVITY, WORKSHOP]
TITLES = {
    IMPACT: _("Environmental impact"),
    FLOWS: _("Entries and exits"),
    BALANCE: _("Monthly balance"),
    ACTIVITY: _("Programme activity"),
    WORKSHOP: _("Workshop"),
}


# The rows a page or a PDF shows of one table; the downloads hold them all. At a
# regional network's size a year's entries by month, site, category and donor kind run
# to a thousand rows: nobody reads them on a page, and they made it take seconds.
SHOWN_ROWS = 100


@dataclass
class Table:
    """Figures as rows: shown under the charts and exported as one file each."""

    slug: str
    title: str
    headers: list
    rows: list
    number_columns: tuple = ()

    @property
    def shown_rows(self):
        return self.rows[:SHOWN_ROWS]

    @property
    def more_rows(self):
        """How many rows the page leaves to the downloads."""
        return max(len(self.rows) - SHOWN_ROWS, 0)

    @property
    def more_text(self):
        return ngettext(
            "%(shown)s rows shown of %(total)s: the download holds the other one.",
            "%(shown)s rows shown of %(total)s: the downloads hold the other %(more)s.",
            self.more_rows,
        ) % {
            "shown": number_format(SHOWN_ROWS, force_grouping=True),
            "total": number_format(len(self.rows), force_grouping=True),
            "more": number_format(self.more_rows, force_grouping=True),
        }


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

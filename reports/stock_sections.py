"""The sections read from the inventory's ledger: CO2e avoided (inventory.impact.carbon),
entries and exits in kg (inventory.impact.flows), the monthly balance."""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory.impact import carbon, flows
from inventory.impact.weee import WEEE_CATEGORIES
from inventory.models import Category, Donor, ExitChannel, Site
from reports.blocks import Section, Table
from reports.charts import BAR, LINE, Chart, Series
from reports.formatting import Month, rounded

UNKNOWN = gettext_lazy("Unknown")


def number(value, decimals=0):
    if value is None:
        return "—"
    return rounded(value, decimals)


def kg(value):
    return _("%(kg)s kg") % {"kg": number(value, 1)}


def percent(rate):
    if rate is None:
        return "—"
    return f"{number(rate * 100, 1)} %"


def _month(day):
    # Short (« 03/2026 »): twelve months must fit under a chart's bars side by side.
    return formats.date_format(day, "m/Y")


def _category(value):
    return str(dict(Category.choices).get(value, value))


# Impact ------------------------------------------------------------------------------------


def impact_section(key, scope):
    section = Section.named(key)
    counts = scope.reused_counts()
    try:
        avoided = carbon.avoided(counts)
    except LookupError:
        section.notes.append(_("No impact factor set is recorded: no CO2e figure."))
        return section
    reused = flows.reused_total(scope.period, scope.site, scope.devices, known=scope.known)
    rate = flows.reemploi_rate(scope.period, scope.site, scope.devices, known=scope.known)
    section.facts = [
        (_("Devices reused (sold, given, loan turned gift)"), number(reused.count), ()),
        (_("Weight reused"), kg(reused.kg), ()),
        (_("Réemploi rate (kg reused ÷ kg received)"), percent(rate), ()),
        (
            _("CO2e avoided, per year of second life"),
            _("%(kg)s kg CO2e") % {"kg": number(avoided.yearly_total, 1)},
            avoided.yearly_footnotes,
        ),
        (
            _("CO2e avoided, upper bound (manufacturing avoided)"),
            _("%(kg)s kg CO2e") % {"kg": number(avoided.upper_bound_total, 1)},
            avoided.upper_bound_footnotes,
        ),
    ]
    section.sources = [(note.number, note.text, note.url) for note in avoided.footnotes]
    section.factor_set = avoided.factor_set
    rows = avoided.rows
    section.charts.append(
        Chart(
            title=_("CO2e avoided per category (kg CO2e)"),
            labels=[row.label for row in rows],
            series=[
                Series(_("Per year of second life"), [row.yearly_total for row in rows]),
                Series(_("Upper bound"), [row.upper_bound_total for row in rows]),
            ],
            kind=BAR,
            unit="kg",
            decimals=1,
        )
    )
    section.tables.append(
        Table(
            "impact-co2e",
            _("CO2e avoided per category"),
            [
                _("Category"),
                _("Devices reused"),
                _("kg CO2e per year"),
                _("Years of second life"),
                _("kg CO2e, per year method"),
                _("kg CO2e of manufacturing"),
                _("kg CO2e, upper bound"),
                _("Sources"),
            ],
            [
                [
                    row.label,
                    row.count,
                    row.yearly_factor,
                    row.years,
                    row.yearly_total,
                    row.manufacturing_factor,
                    row.upper_bound_total,
                    ", ".join(str(n) for n in row.footnotes),
                ]
                for row in rows
            ],
            number_columns=(1, 2, 3, 4, 5, 6),
        )
    )
    for missing in avoided.missing:
        section.notes.append(
            _("No published factor for %(category)s (%(method)s): not counted.")
            % {"category": missing.label, "method": missing.method_label}
        )
    section.notes.append(
        _("Factor set version %(version)s.") % {"version": avoided.factor_set.version}
    )
    return section


# Flows -------------------------------------------------------------------------------------


def flows_section(key, scope):
    section = Section.named(key)
    entries = flows.entries(scope.period, scope.site, scope.devices, known=scope.known)
    exits = flows.exits(scope.period, scope.site, scope.devices, known=scope.known)
    sites = dict(Site.objects.values_list("pk", "name"))
    donor_kinds = dict(Donor.Kind.choices)
    channels = dict(ExitChannel.choices)

    months = list(scope.period.months())
    by_month = {first: Decimal(0) for first in months}
    for row in entries:
        by_month[row["month"]] = by_month.get(row["month"], Decimal(0)) + row["kg"]
    received = sum((row["kg"] for row in entries), Decimal(0))
    estimated = sum((row["estimated_kg"] for row in entries), Decimal(0))
    section.facts = [
        (_("Devices received"), number(sum(row["count"] for row in entries)), ()),
        (_("Weight received"), kg(received), ()),
        (_("of which estimated"), kg(estimated), ()),
        (_("Devices out"), number(exits.total.count), ()),
        (_("Weight out"), kg(exits.total.kg), ()),
    ]
    section.charts.append(
        Chart(
            title=_("Weight received per month (kg)"),
            labels=[_month(first) for first in months],
            series=[Series(_("Received"), [by_month.get(first) for first in months])],
            unit="kg",
            decimals=1,
        )
    )
    channel_order = [c for c in ExitChannel.values if c in exits.by_channel]
    section.charts.append(
        Chart(
            title=_("Weight out per channel (kg)"),
            labels=[str(channels[c]) for c in channel_order],
            series=[Series(_("Out"), [exits.by_channel[c].kg for c in channel_order])],
            unit="kg",
            decimals=1,
        )
    )
    section.tables.append(
        Table(
            "flows-entries",
            _("Entries per month, site, category and donor"),
            [
                _("Month"),
                _("Site"),
                _("Category"),
                _("Donor"),
                _("Devices"),
                _("kg"),
                _("of which estimated kg"),
            ],
            [
                [
                    Month.of(row["month"]),
                    str(sites.get(row["site"], UNKNOWN)),
                    _category(row["category"]),
                    str(donor_kinds.get(row["donor_kind"], UNKNOWN)),
                    row["count"],
                    row["kg"],
                    row["estimated_kg"],
                ]
                for row in entries
            ],
            number_columns=(4, 5, 6),
        )
    )
    section.tables.append(
        Table(
            "flows-exits",
            _("Exits per channel and WEEE category"),
            [_("Channel"), _("WEEE category"), _("Devices"), _("kg"), _("of which estimated kg")],
            [
                [
                    str(channels.get(channel, channel)),
                    str(WEEE_CATEGORIES.get(weee, weee or UNKNOWN)),
                    totals.count,
                    totals.kg,
                    totals.estimated_kg,
                ]
                for (channel, weee), totals in sorted(exits.by_channel_weee.items(), key=_key)
            ],
            number_columns=(2, 3, 4),
        )
    )
    section.notes.append(
        _(
            "Weights are measured, or the category's default weight when a device was not "
            "weighed (« estimated »). Exits are net of devices that came back."
        )
    )
    return section


def _key(item):
    (channel, weee), _totals = item
    return (str(channel), str(weee or ""))


# Balance -----------------------------------------------------------------------------------


def balance_section(key, scope):
    section = Section.named(key)
    months = flows.monthly_balance(scope.period, scope.site, scope.devices, known=scope.known)
    labels = [_month(month.month) for month in months]
    section.charts.append(
        Chart(
            title=_("Stock at the end of each month (kg)"),
            labels=labels,
            series=[Series(_("Closing stock"), [month.closing_kg for month in months])],
            kind=LINE,
            unit="kg",
            decimals=1,
        )
    )
    section.tables.append(
        Table(
            "balance-months",
            _("Monthly balance (kg)"),
            [
                _("Month"),
                _("Opening stock"),
                _("Entries"),
                _("Exits"),
                _("Closing stock"),
                _("Gap"),
                _("Closes"),
            ],
            [
                [
                    Month.of(month.month),
                    month.opening_kg,
                    month.entries_kg,
                    month.exits_kg,
                    month.closing_kg,
                    month.gap_kg,
                    _("yes") if month.closes else _("no"),
                ]
                for month in months
            ],
            number_columns=(1, 2, 3, 4, 5),
        )
    )
    section.notes.append(
        _("A month closes when opening stock + entries − exits = closing stock, to 0.5 kg.")
    )
    return section

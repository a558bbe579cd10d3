"""The six WEEE categories and where each device category falls, as data.

Categories: Directive 2012/19/EU (WEEE recast), Annex III, applicable to all EEE since
15 August 2018 (Article 2(1)(b)); Annex IV lists examples (e.g. mobile phones, routers,
personal computers and printers in category 6). Checked on the Official Journal text,
L 197/38 of 24.7.2012 (eur-lex CELEX 32012L0019) and its national-language versions.
French law transposes the same six categories in the code de l'environnement (the
article the issue names is R.543-171-1; its wording was not re-read for this module).
"""

from dataclasses import dataclass

from django.db.models import Case, CharField, Value, When
from django.utils.translation import gettext_lazy as _

from inventory.models import Category

DIRECTIVE = "Directive 2012/19/EU, Annex III"


class Weee:
    """The Annex III category numbers, as stored and exported."""

    TEMPERATURE_EXCHANGE = "1"
    SCREENS = "2"
    LAMPS = "3"
    LARGE = "4"
    SMALL = "5"
    SMALL_IT = "6"


WEEE_CATEGORIES = {
    Weee.TEMPERATURE_EXCHANGE: _("1. Temperature exchange equipment"),
    Weee.SCREENS: _(
        "2. Screens, monitors, and equipment containing screens having a surface "
        "greater than 100 cm²"
    ),
    Weee.LAMPS: _("3. Lamps"),
    Weee.LARGE: _("4. Large equipment (any external dimension more than 50 cm)"),
    Weee.SMALL: _("5. Small equipment (no external dimension more than 50 cm)"),
    Weee.SMALL_IT: _(
        "6. Small IT and telecommunication equipment (no external dimension more than 50 cm)"
    ),
}


@dataclass(frozen=True)
class WeeeRule:
    weee: str
    reason: str
    source: str = DIRECTIVE


# One rule per device category: the category a typical device of it falls in, and why.
# Category 2 comes first in the Annex (equipment with a screen over 100 cm² is there
# whatever its size), then size decides between 4, 5 and 6.
WEEE_OF_CATEGORY = {
    Category.LAPTOP: WeeeRule(
        Weee.SCREENS,
        _("Its built-in screen is larger than 100 cm² (a 13-inch screen is about 480 cm²)."),
    ),
    Category.TABLET: WeeeRule(
        Weee.SCREENS,
        _("Its screen is larger than 100 cm² (a 7-inch screen is already about 135 cm²)."),
    ),
    Category.SCREEN: WeeeRule(Weee.SCREENS, _("A monitor: category 2 names screens and monitors.")),
    Category.SMARTPHONE: WeeeRule(
        Weee.SMALL_IT,
        _(
            "Small IT: no side longer than 50 cm, and Annex IV lists mobile phones in "
            "category 6; its screen is about 100 cm² or less."
        ),
        f"{DIRECTIVE} and Annex IV",
    ),
    Category.DESKTOP: WeeeRule(
        Weee.SMALL_IT,
        _(
            "Annex IV lists personal computers in category 6 when no side is longer than "
            "50 cm, as for a usual tower; a larger one belongs to category 4."
        ),
        f"{DIRECTIVE} and Annex IV",
    ),
    Category.ROUTER_4G: WeeeRule(
        Weee.SMALL_IT,
        _("Small telecommunication equipment: Annex IV lists routers in category 6."),
        f"{DIRECTIVE} and Annex IV",
    ),
    Category.OTHER: WeeeRule(
        Weee.SMALL_IT,
        _(
            "Other devices here are IT accessories (keyboards, printers, docks), small IT "
            "in category 6; check a large or a screen-bearing one by hand."
        ),
    ),
}


def weee_of(category):
    """The WEEE category number ("1"…"6") of a device category."""
    return WEEE_OF_CATEGORY[category].weee


def weee_expression(prefix=""):
    """The WEEE category of the device at `prefix`, computed in SQL."""
    return Case(
        *[
            When(**{f"{prefix}category": category}, then=Value(rule.weee))
            for category, rule in WEEE_OF_CATEGORY.items()
        ],
        default=Value(Weee.SMALL_IT),
        output_field=CharField(),
    )

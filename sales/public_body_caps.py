"""The most a device given by a public body may be resold for, with the text that says so.

Code général de la propriété des personnes publiques (CG3P), art. L3212-2 3°, as amended
by loi n° 2022-217 du 21 février 2022 (« 3DS »), art. 178: the State, local authorities
and their public bodies may give IT equipment they no longer use to associations; an
association recognised of public utility or of general interest may then sell it on
only « à un prix solidaire ne pouvant dépasser un seuil défini par décret », to people
in precarity or to associations working for them (L3212-3 extends this to local
authorities). The décret of 7 November 2022 (JO of 9 November 2022) sets those caps,
all taxes included, for equipment in working order (charger, disk, operating system,
working battery).

These caps change only when a new décret does: edit SOURCE and CAPS together, and the
counter, the receipts issued from then on and docs/legal.md follow. A receipt keeps
the cap and source it was issued with (PublicBodyLine), so an old receipt still says
what applied on the day.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from inventory.models import Category

LAW = "art. L3212-2 du CG3P"
# The décret's number could not be confirmed with the sources at hand (see docs/legal.md);
# its date and its table are, from two independent summaries of the Journal officiel.
SOURCE = "décret du 7 novembre 2022"
SOURCE_URLS = (
    # Loi 3DS, art. 178 (the sentence that allows the resale under a cap).
    "https://www.legifrance.gouv.fr/jorf/article_jo/JORFARTI000045197631",
    # The décret's table, as published the day it appeared in the Journal officiel.
    "https://www.lagazettedescommunes.com/834869/prix-de-revente-des-materiels-"
    "informatiques-cedes-gratuitement-par-les-collectivites-a-des-associations/",
)


@dataclass(frozen=True)
class Cap:
    """The décret's maximum price (TTC) for one kind of equipment."""

    key: str
    label: str
    amount: Decimal
    # The inventory's category this cap applies to; None: the inventory has no such
    # category (printers), the cap is listed for completeness.
    category: str | None
    source: str = SOURCE


CAPS = (
    Cap("laptop", _("Laptop"), Decimal("180.00"), Category.LAPTOP),
    # The décret's line is « PC fixe avec un écran, un clavier et une souris »: a tower
    # sold alone is capped at no more than the whole set.
    Cap(
        "desktop", _("Desktop with screen, keyboard and mouse"), Decimal("150.00"), Category.DESKTOP
    ),
    Cap("tablet", _("Tablet"), Decimal("100.00"), Category.TABLET),
    Cap("smartphone", _("Smartphone"), Decimal("100.00"), Category.SMARTPHONE),
    Cap("screen", _("Screen"), Decimal("30.00"), Category.SCREEN),
    Cap("printer", _("Personal printer"), Decimal("30.00"), None),
    Cap("multifunction", _("Multifunction device (print, scan, copy)"), Decimal("170.00"), None),
)

BY_CATEGORY = {cap.category: cap for cap in CAPS if cap.category}


def cap_for(category):
    """The Cap of an inventory category, or None: the décret sets none (a 4G router, an
    "other" device), and such a device from a public body cannot be resold at all."""
    return BY_CATEGORY.get(category)

"""Factor set v1 (its texts in French: reports and donor pages print them): the published figures the impact reports start from.

Every figure below was checked against its source (December 2026); docs/impact.md lists
them for people. The data is written out here rather than imported, so that this
migration seeds the same v1 whatever the code becomes.

Yearly method (avoided per year of second life), ADEME 2022 refurbishment study
« Évaluation de l'impact environnemental d'un ensemble de produits reconditionnés »
(ADEME with EFL consulting, DDemain and Bureau Veritas, September 2022): a refurbished
laptop avoids 27 kg CO2e per year of use, a refurbished smartphone 24.6 kg CO2e (as the
study's findings were reported by ADEME's release of 9 September 2022 and the press, e.g.
Alliancy and Reporterre). The study gives no such yearly figure we could verify for the
other categories, so they get none.

Upper bound (manufacturing + distribution of a new device), ADEME and Arcep 2022
« Évaluation de l'impact environnemental du numérique en France et analyse
prospective », as served by ADEME's Impact CO2 (impactco2.fr; data file
incubateur-ademe/impactco2, src/data/categories/numerique.json, "Construction" +
"Assemblage et distribution"): laptop 170.3 + 12.3 = 182.6; desktop without screen
(household mix) 258.6 + 2.9 = 261.5; 24" screen 64.6 + 1.3 = 65.9; smartphone
83 + 2.1 = 85.1; tablet 56.3 + 3.4 = 59.7 kg CO2e.

4G routers get no factor. Impact CO2's "box" (60.8 + 0.6 = 61.4 kg CO2e) is a fixed-line
internet box (its own note: xDSL, FTTx), a different device from a 4G router (cellular
modem, often a battery-powered hotspot), and ADEME's refurbishment study found no robust
data for boxes at all; borrowing it would be a made-up number, so the reports say « pas
de facteur publié » for 4G routers, as they do for "other".
"""

import datetime
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

REFURBISHMENT_STUDY = {
    "source_title": (
        "Évaluation de l'impact environnemental d'un ensemble de produits reconditionnés"
    ),
    "source_publisher": "ADEME (avec EFL consulting, DDemain, Bureau Veritas)",
    "source_url": (
        "https://librairie.ademe.fr/dechets-economie-circulaire/"
        "5241-evaluation-de-l-impact-environnemental-d-un-ensemble-de-produits-reconditionnes.html"
    ),
    "year": 2022,
}
DIGITAL_FOOTPRINT_STUDY = {
    "source_title": (
        "Évaluation de l'impact environnemental du numérique en France et analyse prospective"
        " (via Impact CO2)"
    ),
    "source_publisher": "ADEME et Arcep ; chiffres publiés par Impact CO2 de l'ADEME (impactco2.fr)",
    "source_url": (
        "https://librairie.ademe.fr/consommer-autrement/"
        "5226-evaluation-de-l-impact-environnemental-du-numerique-en-france-et-analyse-prospective.html"
    ),
    "year": 2022,
}
# The association's assumption, the one of issue 17's reference example: a reused device
# serves three more years. A new factor version changes it.
SECOND_LIFE_YEARS = Decimal("3")
YEARLY_NOTE = (
    "kg CO2e évités par année d'usage d'un appareil reconditionné au lieu d'un neuf ; "
    "multipliés par les années de seconde vie supposées."
)
IMPACT_CO2_DATA = (
    "Fichier de données d'Impact CO2 incubateur-ademe/impactco2 src/data/categories/numerique.json "
    "(commit 00ff7a278bc166e7f71c5d0f459a6074298d5369)"
)

FACTORS = [
    ("laptop", "yearly", "27", REFURBISHMENT_STUDY, YEARLY_NOTE),
    ("smartphone", "yearly", "24.6", REFURBISHMENT_STUDY, YEARLY_NOTE),
    (
        "laptop",
        "manufacturing",
        "182.6",
        DIGITAL_FOOTPRINT_STUDY,
        f"Fabrication 170,3 + distribution 12,3 (ordinateur portable, Impact CO2 « ordinateurportable »). {IMPACT_CO2_DATA}.",
    ),
    (
        "desktop",
        "manufacturing",
        "261.5",
        DIGITAL_FOOTPRINT_STUDY,
        "Fabrication 258,6 + distribution 2,9 (ordinateur fixe sans écran, usage particulier, "
        "Impact CO2 « ordinateurfixeparticulier » ; l'usage professionnel donne 204,4 : le plus "
        f"élevé est retenu, cette méthode étant une borne haute). {IMPACT_CO2_DATA}.",
    ),
    (
        "screen",
        "manufacturing",
        "65.9",
        DIGITAL_FOOTPRINT_STUDY,
        f"Fabrication 64,6 + distribution 1,3 (écran 24 pouces, Impact CO2 « ecran »). {IMPACT_CO2_DATA}.",
    ),
    (
        "smartphone",
        "manufacturing",
        "85.1",
        DIGITAL_FOOTPRINT_STUDY,
        f"Fabrication 83 + distribution 2,1 (Impact CO2 « smartphone »). {IMPACT_CO2_DATA}.",
    ),
    (
        "tablet",
        "manufacturing",
        "59.7",
        DIGITAL_FOOTPRINT_STUDY,
        f"Fabrication 56,3 + distribution 3,4 (Impact CO2 « tabletteclassique »). {IMPACT_CO2_DATA}.",
    ),
]


def seed(apps, schema_editor):
    FactorSet = apps.get_model("inventory", "FactorSet")
    ImpactFactor = apps.get_model("inventory", "ImpactFactor")
    HistoricalFactorSet = apps.get_model("inventory", "HistoricalFactorSet")
    HistoricalImpactFactor = apps.get_model("inventory", "HistoricalImpactFactor")
    if FactorSet.objects.filter(version=1).exists():
        return
    now = timezone.now()
    factor_set = FactorSet.objects.create(
        version=1,
        name="ADEME 2022 (reconditionnement) et ADEME-Arcep 2022 (fabrication)",
        published_on=datetime.date(2026, 12, 7),
        notes="Facteurs initiaux, vérifiés sur leurs sources.",
        created_at=now,
    )
    reason = "Seeded by migration 0021"
    # Historical models in migrations record nothing by themselves: write the "+" rows
    # the app would have written.
    HistoricalFactorSet.objects.create(
        id=factor_set.pk,
        version=1,
        name=factor_set.name,
        published_on=factor_set.published_on,
        notes=factor_set.notes,
        created_at=now,
        history_date=now,
        history_type="+",
        history_change_reason=reason,
    )
    for category, method, kg, source, note in FACTORS:
        values = {
            "category": category,
            "method": method,
            "kg_co2e": Decimal(kg),
            "unit": "per_year" if method == "yearly" else "per_device",
            "assumed_second_life_years": SECOND_LIFE_YEARS if method == "yearly" else None,
            "method_note": note,
            **source,
        }
        factor = ImpactFactor.objects.create(factor_set=factor_set, **values)
        HistoricalImpactFactor.objects.create(
            id=factor.pk,
            factor_set_id=factor_set.pk,
            history_date=now,
            history_type="+",
            history_change_reason=reason,
            **values,
        )


class Migration(migrations.Migration):
    dependencies = [("inventory", "0020_carbon_impact_ledger")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

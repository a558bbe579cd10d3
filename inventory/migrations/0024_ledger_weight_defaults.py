"""Seed one default weight per device category.

Typical weights of a device as it arrives, rounded: chosen when the ledger was written,
not read from a publication. Each association replaces them with the average of its own
weighings (Django admin, "default weights"); the source says so.
"""

from decimal import Decimal

from django.db import migrations

TYPICAL = {
    "laptop": "2.00",
    "desktop": "8.00",
    "tablet": "0.50",
    "smartphone": "0.18",
    "screen": "5.00",
    "router_4g": "0.30",
    "other": "1.00",
}
SOURCE = (
    "Valeur typique proposée à l'installation, sans source publiée : remplacez-la par "
    "la moyenne de vos propres pesées."
)


def seed(apps, schema_editor):
    WeightDefault = apps.get_model("inventory", "WeightDefault")
    for category, kg in TYPICAL.items():
        WeightDefault.objects.get_or_create(
            category=category, defaults={"kg": Decimal(kg), "source": SOURCE}
        )


class Migration(migrations.Migration):
    dependencies = [("inventory", "0023_ledger_stock")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""Seed a default refurbishment checklist per category and the catalogue of systems.

Coordinators edit both afterwards; this only gives a new ressourcerie a starting point.
"""

from django.db import migrations

CHECKLISTS = {
    "laptop": [
        ("Écran (pixels, rétroéclairage, charnières)", "", True),
        ("Clavier (toutes les touches)", "", True),
        ("Pavé tactile", "", True),
        ("Batterie", "Capacité au moins 60 % de la capacité d'origine", True),
        ("Wi-Fi", "Connexion à un réseau et navigation", True),
        ("Webcam", "", False),
        ("Son (haut-parleurs, micro, prise casque)", "", True),
        ("Ports USB", "Chaque port lit une clé", True),
        ("Chargeur", "Fourni et conforme", True),
        ("Nettoyage", "", True),
    ],
    "desktop": [
        ("Démarrage et stabilité (test mémoire)", "", True),
        ("Ports USB", "Chaque port lit une clé", True),
        ("Réseau (Ethernet ou Wi-Fi)", "", True),
        ("Son", "", False),
        ("Câble d'alimentation", "", True),
        ("Nettoyage", "", True),
    ],
    "tablet": [
        ("Écran tactile", "", True),
        ("Batterie", "Capacité au moins 60 % de la capacité d'origine", True),
        ("Wi-Fi", "", True),
        ("Chargeur", "", True),
        ("Réinitialisation d'usine", "", True),
    ],
    "smartphone": [
        ("Écran tactile", "", True),
        ("Batterie", "Capacité au moins 60 % de la capacité d'origine", True),
        ("Réseau mobile et Wi-Fi", "", True),
        ("Réinitialisation d'usine et compte retiré", "", True),
    ],
    "screen": [
        ("Affichage (pixels, rétroéclairage)", "", True),
        ("Entrées vidéo", "", True),
        ("Câbles", "", False),
    ],
    "router_4g": [
        ("Démarrage et connexion 4G", "", True),
        ("Réinitialisation d'usine", "", True),
        ("Alimentation", "", True),
    ],
}
SYSTEMS = [
    ("Linux Mint", "22"),
    ("Emmabuntüs", "DE5"),
    ("PrimTux", "8"),
    ("Ubuntu", "24.04 LTS"),
    ("Autre", ""),
]


def seed(apps, schema_editor):
    item_model = apps.get_model("inventory", "ChecklistItem")
    for category, items in CHECKLISTS.items():
        for position, (label, criterion, mandatory) in enumerate(items):
            item_model.objects.get_or_create(
                category=category,
                label=label,
                defaults={"criterion": criterion, "mandatory": mandatory, "position": position},
            )
    system_model = apps.get_model("inventory", "OperatingSystem")
    for name, version in SYSTEMS:
        system_model.objects.get_or_create(name=name, version=version)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0003_erasure_refurbishment_hardware")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

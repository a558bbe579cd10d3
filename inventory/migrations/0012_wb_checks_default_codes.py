"""Give the default checklist's tests (0004) their workbench check, and add the tests the
workbench fills by itself on computers (drive health, memory, drive sizes).

Only the default labels are matched: a test a coordinator renamed or added keeps no code
until they choose one on its page. The added tests are not mandatory: a workshop without
the workbench gains no click; a coordinator may make them mandatory.
"""

from django.db import migrations

CODES = {
    "laptop": {
        "Écran (pixels, rétroéclairage, charnières)": "screen",
        "Clavier (toutes les touches)": "keyboard",
        "Pavé tactile": "touchpad",
        "Batterie": "battery",
        "Wi-Fi": "wifi",
        "Webcam": "camera",
        "Son (haut-parleurs, micro, prise casque)": "sound",
        "Ports USB": "usb",
    },
    "desktop": {
        "Ports USB": "usb",
        "Son": "sound",
    },
}
# (label, criterion, code), added at the end of the laptop and desktop checklists.
ADDED = [
    ("Disques : état SMART", "Verdict SMART « PASSED » pour chaque disque interne", "smart"),
    ("Mémoire vive reconnue", "Taille lue par le système", "ram"),
    ("Disques reconnus", "Taille de chaque disque interne lue", "storage"),
]


def add_codes(apps, schema_editor):
    item_model = apps.get_model("inventory", "ChecklistItem")
    for category, codes in CODES.items():
        for label, code in codes.items():
            # One test a code a category: a code already given is left where it is.
            if not item_model.objects.filter(category=category, workbench_check=code).exists():
                item_model.objects.filter(category=category, label=label).update(
                    workbench_check=code
                )
    for category in ("laptop", "desktop"):
        last = item_model.objects.filter(category=category).order_by("-position").first()
        position = last.position + 1 if last else 0
        for offset, (label, criterion, code) in enumerate(ADDED):
            if item_model.objects.filter(category=category, workbench_check=code).exists():
                continue
            item_model.objects.get_or_create(
                category=category,
                label=label,
                defaults={
                    "criterion": criterion,
                    "mandatory": False,
                    "position": position + offset,
                    "workbench_check": code,
                },
            )


def remove_codes(apps, schema_editor):
    item_model = apps.get_model("inventory", "ChecklistItem")
    added = [label for label, _criterion, _code in ADDED]
    # The added tests go only if no result was recorded on them.
    item_model.objects.filter(label__in=added, results__isnull=True).delete()
    item_model.objects.update(workbench_check="")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0011_wb_checks_workbench_code")]

    operations = [migrations.RunPython(add_codes, remove_codes)]

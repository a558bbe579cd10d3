"""The label stocks most associations already have: two A4 sheets and two thermal rolls."""

from decimal import Decimal as D

from django.db import migrations

SHIPPED = [
    {
        # Avery L7160 and compatibles: 21 labels, 63.5 x 38.1 mm, 2.5 mm between columns.
        "name": "A4 3×7 · 63,5 × 38,1 mm (Avery L7160)",
        "kind": "sheet",
        "printer_dpi": 600,
        "page_width_mm": D("210"),
        "page_height_mm": D("297"),
        "label_width_mm": D("63.5"),
        "label_height_mm": D("38.1"),
        "columns": 3,
        "rows": 7,
        "margin_left_mm": D("7.25"),
        "margin_top_mm": D("15.15"),
        "gap_x_mm": D("2.5"),
        "gap_y_mm": D("0"),
    },
    {
        # Avery L7163 and compatibles: 14 labels, 99.1 x 38.1 mm.
        "name": "A4 2×7 · 99,1 × 38,1 mm (Avery L7163)",
        "kind": "sheet",
        "printer_dpi": 600,
        "page_width_mm": D("210"),
        "page_height_mm": D("297"),
        "label_width_mm": D("99.1"),
        "label_height_mm": D("38.1"),
        "columns": 2,
        "rows": 7,
        "margin_left_mm": D("4.65"),
        "margin_top_mm": D("15.15"),
        "gap_x_mm": D("2.5"),
        "gap_y_mm": D("0"),
    },
    {
        # Brother QL printers (300 dpi) with DK-11209-type die-cut labels.
        "name": "Rouleau 62 × 29 mm (Brother QL)",
        "kind": "roll",
        "printer_dpi": 300,
        "page_width_mm": D("62"),
        "page_height_mm": D("29"),
        "label_width_mm": D("62"),
        "label_height_mm": D("29"),
        "columns": 1,
        "rows": 1,
    },
    {
        # The common 58 mm thermal printers (203 dpi) with 57 x 32 mm labels.
        "name": "Rouleau 57 × 32 mm (thermique 203 dpi)",
        "kind": "roll",
        "printer_dpi": 203,
        "page_width_mm": D("57"),
        "page_height_mm": D("32"),
        "label_width_mm": D("57"),
        "label_height_mm": D("32"),
        "columns": 1,
        "rows": 1,
    },
]


def add_layouts(apps, schema_editor):
    LabelLayout = apps.get_model("labels", "LabelLayout")
    for fields in SHIPPED:
        LabelLayout.objects.get_or_create(name=fields["name"], defaults=fields)


def remove_layouts(apps, schema_editor):
    apps.get_model("labels", "LabelLayout").objects.filter(
        name__in=[fields["name"] for fields in SHIPPED]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("labels", "0001_layouts_and_batches")]
    operations = [migrations.RunPython(add_layouts, remove_layouts)]

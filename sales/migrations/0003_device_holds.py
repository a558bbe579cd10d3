"""Sold devices are held by their sale (inventory's Device.held_by, with its receipt
number): the inventory no longer reads the sales to know it."""

from django.db import migrations, models


def fill_holds(apps, schema_editor):
    SaleItem = apps.get_model("sales", "SaleItem")
    Device = apps.get_model("inventory", "Device")
    # A device is in one active sale item at most (a partial unique index says so).
    items = SaleItem.objects.filter(active=True, device=models.OuterRef("pk"))
    sold = Device.objects.filter(
        status="sold", sale_items__active=True, sale_items__sale__status="completed"
    )
    sold.update(held_by="sale", held_ref=models.Subquery(items.values("sale__number")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0002_shipped_proofs"),
        ("inventory", "0007_device_held_by"),
    ]
    operations = [migrations.RunPython(fill_holds, migrations.RunPython.noop)]

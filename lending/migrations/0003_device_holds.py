"""Devices of loans in progress are held by their loan (inventory's Device.held_by).

Until then the inventory read lending's active loan items to refuse other moves of such
a device; it now reads the device's own fields, which this fills for existing loans.
"""

from django.db import migrations, models
from django.db.models.functions import Cast

# The statuses in which a loan holds its devices (inventory.workflow.HELD_IN), as the
# inventory's former check had them.
LOAN_STATUSES = ["reserved", "lent", "returned"]


def fill_holds(apps, schema_editor):
    LoanDevice = apps.get_model("lending", "LoanDevice")
    Device = apps.get_model("inventory", "Device")
    # A device is in one active loan item at most (a partial unique index says so).
    items = LoanDevice.objects.filter(active=True, device=models.OuterRef("pk"))
    loan = Cast(models.Subquery(items.values("loan_id")[:1]), models.CharField())
    Device.objects.filter(status__in=LOAN_STATUSES, loan_items__active=True).update(
        held_by="loan", held_ref=loan
    )


class Migration(migrations.Migration):
    dependencies = [
        ("lending", "0002_shipped_criteria"),
        ("inventory", "0007_device_held_by"),
    ]
    operations = [migrations.RunPython(fill_holds, migrations.RunPython.noop)]

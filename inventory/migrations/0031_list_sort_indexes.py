"""Indexes for the device list's sorts, each value's newest devices first (inventory.views.SORTS)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0030_device_counts'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='device',
            name='inventory_d_categor_b028a4_idx',
        ),
        migrations.RemoveIndex(
            model_name='device',
            name='inventory_d_manufac_e97750_idx',
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(fields=['manufacturer', 'model', '-id'], name='inventory_d_manufac_15547e_idx'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(fields=['status', '-id'], name='inventory_d_status_2ccbf8_idx'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(fields=['category', '-id'], name='inventory_d_categor_2c17b8_idx'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(fields=['grade', '-id'], name='inventory_d_grade_c06730_idx'),
        ),
    ]

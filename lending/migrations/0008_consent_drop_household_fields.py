from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("lending", "0007_consent_consents"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='historicalhousehold',
            name='consent_given_on',
        ),
        migrations.RemoveField(
            model_name='historicalhousehold',
            name='consent_purposes',
        ),
        migrations.RemoveField(
            model_name='historicalhousehold',
            name='consent_recorded_by',
        ),
        migrations.RemoveField(
            model_name='household',
            name='consent_given_on',
        ),
        migrations.RemoveField(
            model_name='household',
            name='consent_purposes',
        ),
        migrations.RemoveField(
            model_name='household',
            name='consent_recorded_by',
        ),
    ]

"""The eligibility criteria French social programmes most often use; coordinators edit them."""

from django.db import migrations

SHIPPED = [
    # name, sensitive (reveals health data)
    ("Bénéficiaire du RSA", False),
    ("Bénéficiaire de l'AAH", True),
    ("Bénéficiaire de l'ASS", False),
    ("Demandeur d'emploi", False),
    ("Habitant d'un quartier prioritaire (QPV)", False),
    ("Enfants scolarisés au foyer", False),
    ("Quotient familial CAF inférieur au plafond du programme", False),
    ("Jeune suivi par la mission locale (CEJ)", False),
    ("Sans équipement informatique au foyer", False),
]


def add_criteria(apps, schema_editor):
    Criterion = apps.get_model("lending", "Criterion")
    for order, (name, sensitive) in enumerate(SHIPPED, start=1):
        Criterion.objects.get_or_create(
            name=name, defaults={"sensitive": sensitive, "order": order * 10}
        )


def remove_criteria(apps, schema_editor):
    apps.get_model("lending", "Criterion").objects.filter(
        name__in=[name for name, _sensitive in SHIPPED]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("lending", "0001_programmes_households_loans")]
    operations = [migrations.RunPython(add_criteria, remove_criteria)]

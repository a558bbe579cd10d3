"""The proofs of eligibility French social pricing usually accepts; coordinators edit them."""

from django.db import migrations

SHIPPED = [
    "Attestation de bénéficiaire du RSA",
    "Attestation de bénéficiaire de l'AAH",
    "Attestation de bénéficiaire de l'ASS",
    "Notification de bourse (étudiant ou lycéen)",
    "Orientation par une structure partenaire (CCAS, centre social, mission locale)",
    "Attestation de quotient familial CAF",
    "Carte d'allocataire de la complémentaire santé solidaire",
]


def add_proofs(apps, schema_editor):
    EligibilityProof = apps.get_model("sales", "EligibilityProof")
    for order, name in enumerate(SHIPPED, start=1):
        EligibilityProof.objects.get_or_create(name=name, defaults={"order": order * 10})


def remove_proofs(apps, schema_editor):
    apps.get_model("sales", "EligibilityProof").objects.filter(name__in=SHIPPED).delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_price_list_sales_credit_notes")]
    operations = [migrations.RunPython(add_proofs, remove_proofs)]

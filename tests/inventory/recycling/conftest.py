import datetime
from decimal import Decimal

import pytest

from inventory.models import Device, Organisation, Status
from tests.factories import DeviceFactory, SiteFactory

# Luhn-valid SIRETs and SIREN (checked in test_siret.py).
RECIPIENT_SIRET = "44306184100047"
CARRIER_SIRET = "73282932000074"
ORGANISATION_SIRET = "80712345600012"
ECO_SIREN = "512345679"


@pytest.fixture
def site(db):
    return SiteFactory(code="BRU", name="Bruay", address="12 rue des Ateliers\n62700 Bruay")


@pytest.fixture
def organisation(db):
    return Organisation.objects.create(
        name="Ressourcerie du Béthunois", siret=ORGANISATION_SIRET, address="1 place X"
    )


@pytest.fixture
def erased(site):
    """Two laptops kept for parts, their drives erased, weighed."""
    return [
        DeviceFactory(
            site=site,
            status=Status.PARTS,
            drives__count=1,
            drives__erased=True,
            weight_kg=Decimal("2.10"),
        ),
        DeviceFactory(
            site=site,
            status=Status.REFURBISHING,
            drives__count=1,
            drives__erased=True,
            weight_kg=Decimal("1.90"),
        ),
    ]


@pytest.fixture
def unerased(site):
    return DeviceFactory(site=site, status=Status.PARTS, drives__count=1)


def paperwork(site, **overrides):
    """Every field of a complete shipment, as the service takes them."""
    fields = {
        "shipped_on": datetime.date(2026, 3, 12),
        "site": site,
        "waste_code": "16 02 14",
        "waste_description": "Ordinateurs portables hors d'usage",
        "contains_pop": False,
        "quantity_kg": Decimal("125.50"),
        "consignment_note": "BSD-20260312-ABCD1234",
        "eco_organisation_name": "ecosystem",
        "eco_organisation_siren": ECO_SIREN,
        "carrier_name": "Transports Nord DEEE",
        "carrier_siret": CARRIER_SIRET,
        "carrier_address": "ZI du Marais\n62400 Béthune",
        "carrier_receipt_number": "62-2024-0042",
        "recipient_name": "Envie 2E Nord",
        "recipient_siret": RECIPIENT_SIRET,
        "recipient_address": "Rue de l'Industrie\n59000 Lille",
        "treatment_code": "R4",
        "treatment_mode": "recycling",
        "notes": "",
    }
    return {**fields, **overrides}


def reload(devices):
    return list(Device.objects.filter(pk__in=[d.pk for d in devices]).order_by("pk"))

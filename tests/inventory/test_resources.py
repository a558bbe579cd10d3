"""Donors, sites, locations, drives and parts from spreadsheets: each row found by its
natural key is updated or left unchanged, the others are created, and a bad value is
refused on its line and column."""

import pytest

from exchange import engine
from exchange.models import ImportJob
from inventory.models import Donor, Drive, Location, Part, Site
from tests.factories import DeviceFactory, DonorFactory, DriveFactory, LocationFactory, SiteFactory
from tests.import_jobs import errors, kinds

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def analysed(user, resource, *lines):
    content = "\r\n".join(lines).encode()
    job = ImportJob.objects.create(
        resource=resource,
        filename=f"{resource}.csv",
        content=content,
        size=len(content),
        created_by=user,
    )
    engine.analyse(job)
    return job


def without_errors(user, resource, *lines):
    """The same file, its refused lines left out (the person corrected the file)."""
    job = analysed(user, resource, *lines)
    bad = set(errors(job))
    kept = [line for number, line in enumerate(lines, start=1) if number not in bad]
    return analysed(user, resource, *kept)


# Donors -----------------------------------------------------------------------------

DONORS = [
    "Raison sociale;Type;SIRET;Contact;Courriel;Téléphone",
    "Mairie de Bruay;Collectivité;217 101 339 00010;Mme Leroy;dons@bruay.example;03 21 00 00 00",
    "ACME Logistique;Entreprise;552 100 554;M. Durand;contact@acme.example;",
    "emmaüs connect;Association;;;;",
    "Garage Martin;Entreprise;12345;;;",
    "Cabinet Lefebvre;Entreprise;;;pas-un-mail;",
]


def test_donors_are_found_by_siren_or_by_name(technician):
    DonorFactory(name="ACME Logistique", siren="552100554", contact_name="")
    DonorFactory(name="Emmaüs Connect", kind=Donor.Kind.ASSOCIATION)

    job = analysed(technician, "donors", *DONORS)

    assert kinds(job) == {2: "new", 3: "update", 4: "update", 5: "error", 6: "error"}
    assert job.rows.get(line=3).changes == ["Contact person", "E-mail"]
    assert job.rows.get(line=4).changes == ["Name"]
    assert errors(job) == {
        5: [
            {
                "column": "SIREN",
                "message": "“12345” is not a SIREN number (9 digits, e.g. 123 456 789).",
            }
        ],
        6: [{"column": "E-mail", "message": "Enter a valid email address."}],
    }


def test_imported_donors_keep_a_siren_of_nine_digits(technician):
    DonorFactory(name="ACME Logistique", siren="552100554")
    job = without_errors(technician, "donors", *DONORS)

    engine.apply(job)

    mairie = Donor.objects.get(name="Mairie de Bruay")
    assert (mairie.siren, mairie.kind, mairie.phone) == (
        "217101339",
        Donor.Kind.PUBLIC_BODY,
        "03 21 00 00 00",
    )
    assert Donor.objects.get(siren="552100554").contact_name == "M. Durand"
    assert Donor.objects.count() == 3


def test_a_donor_file_imported_twice_is_unchanged(technician):
    first = without_errors(technician, "donors", *DONORS)
    engine.apply(first)

    again = without_errors(technician, "donors", *DONORS)

    assert set(kinds(again).values()) == {"unchanged"}


# Sites ------------------------------------------------------------------------------

SITES = [
    "Code;Nom;Type;Adresse",
    "BRU;Ressourcerie de Bruay;Ressourcerie;12 rue de la Gare, Bruay-La-Buissière",
    "BET;Entrepôt de Béthune;Entrepôt;",
    "lil;Centre social de Lille;Centre social;",
    "BRU 2;Atelier de Bruay;Ressourcerie;",
]


def test_sites_are_found_by_code(technician):
    SiteFactory(
        code="BRU",
        name="Ressourcerie de Bruay",
        address="12 rue de la Gare, Bruay-La-Buissière",
    )
    SiteFactory(code="BET", name="Béthune", kind=Site.Kind.STORAGE)

    job = analysed(technician, "sites", *SITES)

    assert kinds(job) == {2: "unchanged", 3: "update", 4: "new", 5: "error"}
    assert job.rows.get(line=3).changes == ["Name"]
    assert errors(job) == {
        5: [
            {
                "column": "Code",
                "message": "Use upper-case letters, digits and single hyphens only, e.g. BRU-A03.",
            }
        ]
    }


def test_an_imported_site_gets_its_code_in_upper_case(technician):
    job = without_errors(technician, "sites", *SITES)

    engine.apply(job)

    lille = Site.objects.get(code="LIL")
    assert (lille.name, lille.kind) == ("Centre social de Lille", Site.Kind.SOCIAL_CENTRE)
    assert not Site.objects.filter(code="BRU 2").exists()


# Locations --------------------------------------------------------------------------

LOCATIONS = [
    "Code emplacement;Libellé;Code site",
    "BRU-A01;Étagère A1;BRU",
    "BRU-A02;Étagère A2 (portables);bru",
    "BET-B01;Palette B1;BET",
    "LIL-A01;Étagère A1;LIL",
]


def test_locations_are_found_by_code_with_their_site_code(technician):
    bruay, bethune = SiteFactory(code="BRU"), SiteFactory(code="BET")
    LocationFactory(code="BRU-A01", name="Étagère A1", site=bruay)
    LocationFactory(code="BRU-A02", name="Étagère A2", site=bruay)

    job = analysed(technician, "locations", *LOCATIONS)

    assert kinds(job) == {2: "unchanged", 3: "update", 4: "new", 5: "error"}
    assert job.rows.get(line=3).changes == ["Name"]
    assert errors(job) == {5: [{"column": "Site", "message": "No site has the code “LIL”."}]}

    engine.apply(without_errors(technician, "locations", *LOCATIONS))
    assert Location.objects.get(code="BET-B01").site == bethune
    assert Location.objects.get(code="BRU-A02").name == "Étagère A2 (portables)"


# Drives -----------------------------------------------------------------------------


def test_drives_are_found_by_serial_and_attached_by_asset_tag(technician):
    device = DeviceFactory()
    DriveFactory(device=device, serial_number="S3Z1NX0K123456", capacity_gb=256, model="PM981")
    DriveFactory(device=device, serial_number="WD-WCC6Y1234567", capacity_gb=500, model="WD5000")
    tag = device.asset_tag
    lines = [
        "Appareil;Type;N° de série;Modèle;Capacité;SMART;Heures de fonctionnement",
        f"{tag};SSD;S3Z1NX0K123456;PM981;256;;",
        f"{tag.lower()};Disque dur;wd-wcc6y1234567;WD5000;1 To;oui;12 034",
        f"{tag};NVMe;S5GXNX0T000001;PM9A1;512 Go;oui;120",
        f"{tag};SSD;S5GXNX0T000002;PM9A1;beaucoup;;",
        "RE-999999;SSD;S5GXNX0T000003;PM9A1;256;;",
    ]

    job = analysed(technician, "drives", *lines)

    assert kinds(job) == {2: "unchanged", 3: "update", 4: "new", 5: "error", 6: "error"}
    assert job.rows.get(line=3).changes == [
        "Type",
        "Capacity (GB)",
        "SMART health passed",
        "Power-on hours",
    ]
    assert errors(job) == {
        5: [
            {
                "column": "Capacity (GB)",
                "message": "“beaucoup” is not a drive capacity (write e.g. 256 GB or 1 TB).",
            }
        ],
        6: [{"column": "Device", "message": "No device has the asset tag “RE-999999”."}],
    }

    engine.apply(without_errors(technician, "drives", *lines))
    drive = Drive.objects.get(serial_number="WD-WCC6Y1234567")
    assert (drive.kind, drive.capacity_gb, drive.smart_passed, drive.power_on_hours) == (
        Drive.Kind.HDD,
        1000,
        True,
        12034,
    )
    assert Drive.objects.get(serial_number="S5GXNX0T000001").capacity_gb == 512


# Parts ------------------------------------------------------------------------------

PARTS = [
    "Désignation;Type;Quantité en stock",
    "Barrette DDR4 8 Go;Barrettes;3",
    "Chargeur Lenovo 65W;Chargeur;5",
    "Batterie Dell 42Wh;Batterie;2",
    "SSD 256 Go;SSD;-2",
]


def test_parts_are_found_by_name(technician):
    Part.objects.create(name="Barrette DDR4 8 Go", kind=Part.Kind.RAM, quantity=3)
    Part.objects.create(name="Chargeur Lenovo 65W", kind=Part.Kind.CHARGER, quantity=2)

    job = analysed(technician, "parts", *PARTS)

    assert kinds(job) == {2: "unchanged", 3: "update", 4: "new", 5: "error"}
    assert job.rows.get(line=3).changes == ["Quantity in stock"]
    assert errors(job) == {
        5: [
            {
                "column": "Quantity in stock",
                "message": "Ensure this value is greater than or equal to 0.",
            }
        ]
    }


def test_a_part_named_in_another_case_is_the_same_part(technician):
    part = Part.objects.create(name="Chargeur Lenovo 65W", kind=Part.Kind.CHARGER, quantity=2)
    job = analysed(technician, "parts", "Nom;Type;Stock", "chargeur lenovo 65w;Chargeur;4")

    assert kinds(job) == {2: "update"}
    engine.apply(job)

    assert Part.objects.get().pk == part.pk
    assert Part.objects.get().quantity == 4

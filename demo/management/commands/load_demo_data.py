"""Fill the database with a realistic ressourcerie and one account per role.

Safe to run twice: accounts, sites, donors and donations are matched by natural key,
and the devices are created only once (all in one transaction). Then the lending demo
(lending/demo.py) lends the laptops and 4G routers prepared for its programme, and the
shop demo (sales/demo.py) sells part of the ready stock over the last week.
"""

import hashlib
import random
from datetime import datetime, timedelta
from decimal import Decimal
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.roles import Role, sync_roles
from demo import lending as lending_demo
from demo import sales as sales_demo
from inventory import services, workflow
from inventory.erasure import services as erasure_services
from inventory.impact import monthly
from inventory.models import (
    Category,
    CheckResult,
    Device,
    Donation,
    Donor,
    Drive,
    Erasure,
    ErasureLog,
    Location,
    OperatingSystem,
    Site,
)
from inventory.models import Status as S
from inventory.recycling.services import ship_for_recycling
from inventory.refurbishment import services as refurbishment
from labels.models import LabelRequest

PASSWORD = "demo"
ACCOUNTS = [
    # username, first name, last name, role (None = superuser)
    ("technicien", "Karim", "Benali", Role.TECHNICIAN),
    ("coordinatrice", "Sophie", "Lefebvre", Role.COORDINATOR),
    ("travailleur-social", "Nadia", "Mercier", Role.SOCIAL_WORKER),
    ("admin", "Admin", "Réemploi", None),
]
SITES = [
    (
        "BRU",
        "Ressourcerie de Bruay-La-Buissière",
        Site.Kind.RESSOURCERIE,
        "12 rue des Ateliers, 62700 Bruay-La-Buissière",
        [
            ("A01", "Étagère A1"),
            ("A02", "Étagère A2"),
            ("A03", "Étagère A3"),
            ("EFF", "Banc d'effacement"),
            ("ATL", "Établi de reconditionnement"),
            ("VTE", "Boutique"),
            ("DEEE", "Bac DEEE"),
        ],
    ),
    (
        "BET",
        "Entrepôt de Béthune",
        Site.Kind.STORAGE,
        "4 avenue du Port, 62400 Béthune",
        [("R01", "Rayonnage 1"), ("R02", "Rayonnage 2"), ("QUAI", "Quai de réception")],
    ),
]
DONORS = [
    ("Artois Logistique SAS", Donor.Kind.COMPANY, "812345674", "Claire Dumont"),
    (
        "Communauté d'agglomération Béthune-Bruay (service informatique)",
        Donor.Kind.PUBLIC_BODY,
        "200072460",
        "Marc Vasseur",
    ),
    ("Lycée professionnel du Pays minier", Donor.Kind.PUBLIC_BODY, "", "Hélène Carpentier"),
    ("Mutuelle solidaire du Pas-de-Calais", Donor.Kind.COMPANY, "784512369", "Julien Roussel"),
    ("Jean-Pierre Lemaire", Donor.Kind.INDIVIDUAL, "", ""),
]
# Fictitious addresses: donation attestations and tax receipts print the donor's.
DONOR_ADDRESSES = {
    "Artois Logistique SAS": "ZA des Alouettes, 5 rue du Commerce\n62400 Béthune",
    "Communauté d'agglomération Béthune-Bruay (service informatique)": (
        "100 avenue de Londres\n62400 Béthune"
    ),
    "Lycée professionnel du Pays minier": "2 rue des Écoles\n62700 Bruay-La-Buissière",
    "Mutuelle solidaire du Pas-de-Calais": "18 boulevard Carnot\n62000 Arras",
    "Jean-Pierre Lemaire": "7 rue des Tilleuls\n62700 Bruay-La-Buissière",
}
MODELS = {
    Category.LAPTOP: [
        ("Lenovo", "ThinkPad T480", "Intel Core i5-8350U", 8, 256, "1.58"),
        ("Dell", "Latitude 5490", "Intel Core i5-8250U", 8, 256, "1.60"),
        ("HP", "EliteBook 840 G5", "Intel Core i5-8250U", 16, 512, "1.48"),
        ("Lenovo", "ThinkPad X270", "Intel Core i5-7300U", 8, 240, "1.36"),
    ],
    Category.DESKTOP: [
        ("Dell", "OptiPlex 7050", "Intel Core i5-6500", 8, 500, "5.40"),
        ("HP", "ProDesk 600 G3", "Intel Core i5-7500", 8, 256, "4.90"),
    ],
    Category.TABLET: [("Samsung", "Galaxy Tab A7", "Snapdragon 662", 3, 32, "0.48")],
    Category.SMARTPHONE: [("Samsung", "Galaxy A40", "Exynos 7904", 4, 64, "0.14")],
    Category.SCREEN: [
        ("Dell", "P2219H", "", None, None, "3.20"),
        ("Iiyama", "ProLite XU2292HS", "", None, None, "3.10"),
    ],
    Category.ROUTER_4G: [("Huawei", "B311-221", "", None, None, "0.20")],
}
CATEGORY_WEIGHTS = [
    (Category.LAPTOP, 55),
    (Category.DESKTOP, 20),
    (Category.TABLET, 6),
    (Category.SMARTPHONE, 5),
    (Category.SCREEN, 9),
    (Category.ROUTER_4G, 5),
]
# Statuses wanted at the end, and how many devices in each (300 in all).
TARGETS = [
    (S.RECEIVED, 30),
    (S.WIPING, 30),
    (S.REFURBISHING, 40),
    (S.READY, 60),
    # Reserved, lent and returned devices come with their loans (demo.lending), sold ones
    # with their receipts (demo.sales): a device in one of those statuses without its
    # loan or sale would contradict those pages.
    (S.GIVEN, 10),
    (S.PARTS, 12),
    (S.RECYCLED, 12),
    (S.LOST, 6),
]
# The path a device takes to reach each status.
ROUTES = {
    S.RECEIVED: [],
    S.WIPING: [S.WIPING],
    S.REFURBISHING: [S.WIPING, S.REFURBISHING],
    S.READY: [S.WIPING, S.REFURBISHING, S.READY],
    S.GIVEN: [S.WIPING, S.REFURBISHING, S.READY, S.GIVEN],
    S.PARTS: [S.WIPING, S.PARTS],
    S.RECYCLED: [S.RECYCLED],
    # Lost from the shop floor: the demo's lost loans are in demo.lending.
    S.LOST: [S.WIPING, S.REFURBISHING, S.READY, S.LOST],
}
# Two loads' paperwork (fictitious companies; SIRET and SIREN numbers pass the Luhn check).
RECYCLING_PAPERWORK = [
    {
        "waste_code": "20 01 36",
        "waste_description": "Ordinateurs et écrans hors d'usage, disques détruits",
        "contains_pop": False,
        "consignment_note": "",
        "eco_organisation_name": "Éco-organisme DEEE (démo)",
        "eco_organisation_siren": "512345679",
        "carrier_name": "Transports Artois Collecte",
        "carrier_siret": "79812345600013",
        "carrier_address": "ZI de la Plaine, 62400 Béthune",
        "carrier_receipt_number": "62-2025-0117",
        "recipient_name": "Centre de traitement DEEE de l'Artois",
        "recipient_siret": "38480000000018",
        "recipient_address": "Rue de l'Industrie, 62800 Liévin",
        "treatment_code": "R4",
        "treatment_mode": "recycling",
        "notes": "Palette filmée, bon d'enlèvement n° 2026-031",
    },
    {
        "waste_code": "16 02 13*",
        "waste_description": "Équipements informatiques avec batteries, disques détruits",
        "contains_pop": True,
        "consignment_note": "BSD-20260412-7KQ2M9XA",
        "eco_organisation_name": "",
        "eco_organisation_siren": "",
        "carrier_name": "Transports Artois Collecte",
        "carrier_siret": "79812345600013",
        "carrier_address": "ZI de la Plaine, 62400 Béthune",
        "carrier_receipt_number": "62-2025-0117",
        "recipient_name": "Centre de traitement DEEE de l'Artois",
        "recipient_siret": "38480000000018",
        "recipient_address": "Rue de l'Industrie, 62800 Liévin",
        "treatment_code": "R13",
        "treatment_mode": "",
        "notes": "Regroupement avant dépollution (piles retirées sur place)",
    },
]
# The loan programme's own stock, on top of --devices: prepared months ago, so that the
# loans the lending demo approved back then find them ready.
LENDING_STOCK = [(Category.LAPTOP, 20), (Category.ROUTER_4G, 16)]
LENDING_SERIAL = "DEMOPRET"
NOTES = {
    S.WIPING: ["Sur le banc d'effacement", ""],
    S.REFURBISHING: ["Effacement OK, nettoyage et tests", ""],
    S.READY: ["Linux Mint 22 installé, tests OK", "Emmabuntüs installé", "PrimTux pour l'école"],
    S.RESERVED: ["Pour l'atelier digital solidaire", ""],
    S.LENT: ["Remis avec chargeur et sacoche", ""],
    S.RETURNED: ["Rendu en fin de programme", ""],
    S.SOLD: ["Vente solidaire", ""],
    S.PARTS: ["Carte mère HS, gardé pour pièces"],
    S.RECYCLED: ["Écran cassé, filière DEEE"],
    S.LOST: ["Non rendu, foyer injoignable"],
}


class Clock:
    """A clock that walks forward, so the demo history spreads over past months."""

    def __init__(self, start, limit):
        self.now = start
        self.limit = limit

    def __call__(self):
        return self.now

    def advance(self, rng, days=(0, 6)):
        step = timedelta(
            days=rng.randint(*days), hours=rng.randint(0, 7), minutes=rng.randint(0, 59)
        )
        # Never in the future: the history must end before the demo starts.
        self.now = min(self.now + step, self.limit)


class Command(BaseCommand):
    help = "Load demo data: 2 sites, 5 donors, ~300 devices with history, one account per role."

    def add_arguments(self, parser):
        parser.add_argument("--devices", type=int, default=300, help="How many devices to create.")

    def handle(self, *args, devices, **options):
        sync_roles()
        users = self._accounts()
        sites = self._sites()
        donations = self._donations(sites)
        if Device.objects.filter(serial_number__startswith="DEMO").exists():
            self.stdout.write("Demo devices already loaded: nothing to add.")
        else:
            count = self._devices(devices, users, sites, donations)
            self.stdout.write(f"Created {count} demo devices with their history.")
        if Device.objects.filter(serial_number__startswith=LENDING_SERIAL).exists():
            self.stdout.write("Demo lending stock already loaded: nothing to add.")
        else:
            count = self._lending_stock(users, sites, donations)
            self.stdout.write(f"Prepared {count} laptops and 4G routers for the loans.")
        if lending_demo.load_lending_demo(
            technician=users[Role.TECHNICIAN],
            coordinator=users[Role.COORDINATOR],
            social_worker=users[Role.SOCIAL_WORKER],
        ):
            self.stdout.write(f"Created the programme “{lending_demo.PROGRAMME}” and its loans.")
        else:
            self.stdout.write("Demo programme already loaded: nothing to add.")
        if sales_demo.load_sales_demo(
            technician=users[Role.TECHNICIAN], coordinator=users[Role.COORDINATOR]
        ):
            self.stdout.write("Created the price list, a week of sales and two attestations.")
        else:
            self.stdout.write("Demo sales already loaded: nothing to add.")
        _labels_printed_long_ago(keep=3)
        # What the nightly task does: the reports read the past months from the summary.
        monthly.rebuild()
        usernames = [a[0] for a in ACCOUNTS] + [a[0] for a in lending_demo.ACCOUNTS]
        self.stdout.write(
            self.style.SUCCESS("Demo accounts (password 'demo'): " + ", ".join(usernames))
        )

    def _accounts(self):
        users = {}
        for username, first, last, role in ACCOUNTS:
            user, created = get_user_model().objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@demo.invalid",
                },
            )
            if created:
                user.set_password(PASSWORD)
            user.is_superuser = user.is_staff = role is None
            user.save()
            if role:
                user.groups.set([Group.objects.get(name=role)])
            users[role] = user
        return users

    def _sites(self):
        sites = {}
        for code, name, kind, address, locations in SITES:
            site, _ = Site.objects.get_or_create(
                code=code, defaults={"name": name, "kind": kind, "address": address}
            )
            for suffix, label in locations:
                Location.objects.get_or_create(
                    code=f"{code}-{suffix}", defaults={"site": site, "name": label}
                )
            sites[code] = site
        return sites

    def _donations(self, sites):
        today = timezone.localdate()
        donations = []
        for index, (name, kind, siren, contact) in enumerate(DONORS):
            donor, _ = Donor.objects.get_or_create(
                name=name,
                defaults={
                    "kind": kind,
                    "siren": siren,
                    "contact_name": contact,
                    "email": f"contact{index}@demo.invalid" if contact else "",
                    "phone": f"03 21 00 0{index} 0{index}",
                    "address": DONOR_ADDRESSES.get(name, ""),
                },
            )
            for batch in range(2):
                # Ten donations over the last eight months, the latest about a week ago.
                received = today - timedelta(days=240 - 115 * batch - 23 * index)
                # Recorded on the day it came in: its history starts there, before the
                # attestations and valuations of the shop demo.
                arrival = timezone.make_aware(
                    datetime.combine(received, datetime.min.time()) + timedelta(hours=8)
                )
                with mock.patch("django.utils.timezone.now", lambda a=arrival: a):
                    donation, _ = Donation.objects.get_or_create(
                        donor=donor,
                        received_on=received,
                        defaults={
                            "site": sites["BET" if batch and index % 2 else "BRU"],
                            "reference": f"LOT-{received:%Y}-{index + 1}{batch + 1}",
                        },
                    )
                donations.append(donation)
        return donations

    @transaction.atomic
    def _devices(self, total, users, sites, donations):
        rng = random.Random(2026)
        plan = [status for status, n in TARGETS for _ in range(n)]
        # Shuffle before cutting, so that a small demo still spans the whole lifecycle.
        rng.shuffle(plan)
        plan = (plan * (total // len(plan) + 1))[:total]
        locations = {site: list(site.locations.all()) for site in sites.values()}
        self._load_systems()
        real_now = timezone.now() - timedelta(minutes=5)
        self._to_recycle = []
        for number, target in enumerate(plan, start=1):
            donation = rng.choice(donations)
            start = datetime.combine(donation.received_on, datetime.min.time()) + timedelta(hours=9)
            clock = Clock(timezone.make_aware(start), limit=real_now)
            # Everything that stamps a date (history, auto_now_add, the workflow) reads
            # timezone.now(): a moving clock gives a believable months-long history.
            with mock.patch("django.utils.timezone.now", clock):
                device = self._register(number, rng, users, donation, locations)
                self._walk(device, ROUTES[target], rng, clock, users)
        self._ship_for_recycling(users, real_now)
        return len(plan)

    def _ship_for_recycling(self, users, real_now):
        """The devices meant for recycling leave in one load per site, with its paperwork."""
        by_site = {}
        for device in self._to_recycle:
            by_site.setdefault(device.site, []).append(device)
        loads = sorted(
            (
                (min(max(d.status_changed_at for d in devices) + timedelta(days=3), real_now), site)
                for site, devices in by_site.items()
            ),
            key=lambda load: load[0],
        )
        # In the order they left, so that the register's numbers follow its dates.
        for index, (moment, site) in enumerate(loads):
            devices = by_site[site]
            fields = {**RECYCLING_PAPERWORK[index % len(RECYCLING_PAPERWORK)]}
            # A scale's figure: about 2.4 kg a device with the pallet's straps.
            fields["quantity_kg"] = (Decimal("2.35") * len(devices) + Decimal("1.2")).quantize(
                Decimal("0.1")
            )
            with mock.patch("django.utils.timezone.now", lambda m=moment: m):
                ship_for_recycling(
                    devices=devices,
                    by=users[Role.TECHNICIAN],
                    site=site,
                    shipped_on=timezone.localdate(moment),
                    **fields,
                )

    @transaction.atomic
    def _lending_stock(self, users, sites, donations):
        rng = random.Random(62700)
        # The oldest donations: the stock is ready before the programme starts.
        early = sorted(donations, key=lambda d: d.received_on)[:4]
        locations = {site: list(site.locations.all()) for site in sites.values()}
        self._load_systems()
        real_now = timezone.now() - timedelta(minutes=5)
        plan = [category for category, n in LENDING_STOCK for _ in range(n)]
        for number, category in enumerate(plan, start=1):
            donation = rng.choice(early)
            start = datetime.combine(donation.received_on, datetime.min.time()) + timedelta(hours=9)
            clock = Clock(timezone.make_aware(start), limit=real_now)
            with mock.patch("django.utils.timezone.now", clock):
                serial = f"{LENDING_SERIAL}{number:03d}"
                device = self._register(
                    90000 + number, rng, users, donation, locations, category, serial
                )
                self._walk(device, ROUTES[S.READY], rng, clock, users)
        return len(plan)

    def _load_systems(self):
        self.systems = list(OperatingSystem.objects.exclude(version="")) or [
            OperatingSystem.objects.get_or_create(name="Linux Mint", version="22")[0]
        ]

    def _register(self, number, rng, users, donation, locations, category=None, serial=None):
        category = category or rng.choices(*zip(*CATEGORY_WEIGHTS, strict=True))[0]
        make, model, cpu, ram, storage, weight = rng.choice(MODELS[category])
        device = services.register_device(
            by=users[Role.TECHNICIAN],
            serial_number=serial or f"DEMO{number:05d}{rng.choice('ABCDEFGHJK')}",
            category=category,
            manufacturer=make,
            model=model,
            cpu=cpu,
            ram_mb=ram * 1024 if ram else None,
            storage_summary=f"{storage} Go {'SSD' if storage and storage < 500 else 'HDD'}"
            if storage
            else "",
            # Not every device meets the scale: one in four keeps its category's default
            # weight, which the reports flag « estimated ». Decided by number, not by the
            # random generator, so that the rest of the demo stays as it was.
            weight_kg=None if number % 4 == 0 else Decimal(weight),
            site=donation.site,
            donation=donation,
            location=rng.choice(locations[donation.site]),
            battery_health=rng.randint(55, 98) if category == Category.LAPTOP else None,
        )
        if storage:
            kind = (
                Drive.Kind.EMMC
                if category in (Category.TABLET, Category.SMARTPHONE)
                else (Drive.Kind.SSD if storage < 500 else Drive.Kind.HDD)
            )
            services.add_drive(
                device=device,
                by=users[Role.TECHNICIAN],
                kind=kind,
                serial_number=f"DRV{number:05d}",
                model=f"{make} {storage}GB",
                capacity_gb=storage,
            )
        return device

    def _walk(self, device, route, rng, clock, users):
        for target in route:
            clock.advance(rng)
            technician = users[Role.TECHNICIAN]
            if target in (S.REFURBISHING, S.PARTS, S.RECYCLED):
                destroy = target == S.RECYCLED
                self._erase(
                    device, rng, technician, destroy=destroy, coordinator=users[Role.COORDINATOR]
                )
            if target == S.READY:
                self._refurbish(device, rng, technician)
            if target == S.RECYCLED:
                # It leaves with a recycling shipment, at the end (_ship_for_recycling).
                self._to_recycle.append(device)
                continue
            rule = workflow.check_transition(device, target, users[Role.COORDINATOR])
            by = users[
                Role.COORDINATOR if rule.permission == workflow.ALLOCATE else Role.TECHNICIAN
            ]
            note = rng.choice(NOTES.get(target, [""]))
            if target == S.READY and not workflow.needs_system(device):
                note = "Tests OK"
            workflow.transition_device(device=device, target=target, by=by, note=note)
            if target == S.READY:
                shelf = _ready_shelf(device)
                services.move_device(device=device, location=shelf, by=technician)
        if rng.random() < 0.15:
            services.add_comment(
                subject=device,
                by=users[Role.TECHNICIAN],
                body=rng.choice(
                    [
                        "Clavier AZERTY à remplacer.",
                        "Batterie faible, à signaler à la vente.",
                        "Rayure sur le capot.",
                    ]
                ),
            )

    def _erase(self, device, rng, technician, destroy=False, coordinator=None):
        """Each drive erased as the workbench would (a technique that fits its kind, the
        tool's version and log), then validated and certified (inventory.erasure.rules)."""
        for drive in device.drives.all():
            method, tool, version = _ERASURE_OF_KIND.get(drive.kind, _ERASURE_OF_KIND["other"])
            if destroy:
                method, tool, version = Erasure.Method.DESTROYED, "", ""
            services.record_erasure(
                drive=drive,
                by=technician,
                method=method,
                tool=tool,
                tool_version=version,
                log=_demo_log(drive, tool, version, technician) if tool else None,
                passes=1 if method == Erasure.Method.OVERWRITE else None,
                verification=Erasure.Verification.SAMPLED,
                verification_passed=True,
                result=Erasure.Result.PASSED,
            )
        if coordinator is not None and device.drives.exists():
            erasure_services.validate_erasures(device=device, by=coordinator)
            erasure_services.issue_certificate(device=device, by=technician)

    def _refurbish(self, device, rng, technician):
        for item in workflow.checklist_for(device):
            refurbishment.record_check(
                device=device, item=item, outcome=CheckResult.Outcome.PASS, by=technician
            )
        if workflow.needs_system(device):
            refurbishment.install_system(
                device=device, system=rng.choice(self.systems), by=technician
            )
        device.grade = rng.choice(["A", "B", "B", "C"])
        services.update_device(device=device, by=technician, fields=["grade"])


# The technique, tool and version the workbench uses per kind of drive: overwrite for
# hard disks (Clear, accepted when they leave), the drive's own erase for flash (Purge);
# a tablet's eMMC is erased by its own encrypted reset (no tool, no log).
_ERASURE_OF_KIND = {
    Drive.Kind.HDD: (Erasure.Method.OVERWRITE, Erasure.Tool.NWIPE, "0.37"),
    Drive.Kind.SSD: (Erasure.Method.SECURE_ERASE, Erasure.Tool.HDPARM, "9.65"),
    Drive.Kind.NVME: (Erasure.Method.SANITIZE, Erasure.Tool.NVME_CLI, "2.8"),
    Drive.Kind.EMMC: (Erasure.Method.CRYPTO_ERASE, "", ""),
    Drive.Kind.OTHER: (Erasure.Method.SECURE_ERASE, Erasure.Tool.HDPARM, "9.65"),
}


def _demo_log(drive, tool, version, by):
    """A short log file per drive, as the workbench sends it (kept as the proof)."""
    run = drive.erasures.count() + 1  # a device back from a loan is erased again
    text = f"{tool} {version}\nrun {run}\ndrive {drive.serial_number} ({drive.kind}): erased\n"
    data = text.encode()
    log = ErasureLog(
        original_name=f"{tool}-{drive.serial_number}.log",
        sha256=hashlib.sha256(data).hexdigest(),
        tool=tool,
        tool_version=version,
        uploaded_by=by,
    )
    log.file.save(f"demo-{drive.serial_number}-{run}.log", ContentFile(data), save=False)
    log.save()
    return log


def _labels_printed_long_ago(*, keep):
    """The months of history made every device ready and queued its label: all were
    printed back then, but for the `keep` latest, waiting to show the queue. Only the
    demo's own devices: a second run leaves the labels queued since alone."""
    waiting = LabelRequest.objects.filter(
        printed_at__isnull=True, device__serial_number__startswith="DEMO"
    )
    latest = list(waiting.order_by("-requested_at", "-pk").values_list("pk", flat=True)[:keep])
    waiting.exclude(pk__in=latest).update(printed_at=F("requested_at"))


# Where each site keeps its ready devices: laptops on the first shelf, desktops on the
# second, the rest on the last (so that the ready panel has a habit to propose).
_SHELF_OF_CATEGORY = {Category.LAPTOP: 0, Category.DESKTOP: 1}


def _ready_shelf(device):
    shelves = sorted(
        (loc for loc in device.site.locations.all() if loc.code.split("-")[-1][:1] in "AR"),
        key=lambda loc: loc.code,
    )
    return shelves[min(_SHELF_OF_CATEGORY.get(device.category, 2), len(shelves) - 1)]

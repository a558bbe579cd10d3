"""factory-boy factories for the inventory. Defaults build a valid, boring object."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from inventory import workflow
from inventory.models import (
    Category,
    CheckResult,
    Device,
    Donation,
    Donor,
    Drive,
    Erasure,
    ErasureLog,
    Grade,
    Location,
    OperatingSystem,
    OsInstall,
    Site,
    Status,
)
from inventory.services import format_asset_tag

# Factory tags start far above the counter that services.register_device uses, so a
# test may mix both without two devices ever sharing a tag.
FACTORY_TAG_OFFSET = 900_000


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("secret-password")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        """`UserFactory(role=Role.TECHNICIAN)` puts the user in that role's group."""
        if create and extracted:
            user.groups.add(Group.objects.get(name=extracted))


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.Sequence(lambda n: f"Ressourcerie {n}")
    kind = Site.Kind.RESSOURCERIE


def bench_site():
    """The site of the workstation in the API tests, where their devices are too (a
    workstation writes only about the devices of its own site)."""
    return SiteFactory._meta.model.objects.get_or_create(
        code="ETB", defaults={"name": "Atelier de l'établi"}
    )[0]


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    site = factory.SubFactory(SiteFactory)
    code = factory.Sequence(lambda n: f"LOC-{n}")
    name = factory.Sequence(lambda n: f"Étagère {n}")


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donor

    name = factory.Sequence(lambda n: f"Donateur {n}")
    kind = Donor.Kind.COMPANY


class DonationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donation

    donor = factory.SubFactory(DonorFactory)
    site = factory.SubFactory(SiteFactory)
    received_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    reference = factory.Sequence(lambda n: f"LOT-{n}")


class DeviceFactory(factory.django.DjangoModelFactory):
    """A laptop; `drives__count=2` adds drives, `drives__erased=True` a passed erasure each,
    and `refurbished=True` passes its checklist, installs a system and grades it."""

    class Meta:
        model = Device
        skip_postgeneration_save = True

    asset_tag = factory.Sequence(lambda n: format_asset_tag(FACTORY_TAG_OFFSET + n))
    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
    category = Category.LAPTOP
    manufacturer = "Lenovo"
    model = "ThinkPad T480"
    status = Status.RECEIVED
    site = factory.SubFactory(SiteFactory)

    @factory.post_generation
    def drives(device, create, extracted, count=0, erased=False, **kwargs):
        if not create:
            return
        for _ in range(count):
            drive = DriveFactory(device=device)
            if erased:
                ErasureFactory(drive=drive)

    @factory.post_generation
    def refurbished(device, create, extracted, **kwargs):
        if not (create and extracted):
            return
        technician = UserFactory()
        now = timezone.now()
        if device.category in workflow.HOLDS_STORAGE and not device.drives.exists():
            # A computer's storage is recorded, and erased, before it is ready.
            ErasureFactory(drive=DriveFactory(device=device), operator=technician)
        CheckResult.objects.bulk_create(
            CheckResult(
                device=device,
                item=item,
                outcome=CheckResult.Outcome.PASS,
                checked_by=technician,
                checked_at=now,
            )
            for item in workflow.checklist_for(device)
        )
        if workflow.needs_system(device):
            system, _created = OperatingSystem.objects.get_or_create(
                name="Linux Mint", version="22"
            )
            OsInstall.objects.create(
                device=device, system=system, installed_at=now, installed_by=technician
            )
        if not device.grade:
            # Straight to the row: grading is not the change under test.
            device.grade = Grade.B
            Device.objects.filter(pk=device.pk).update(grade=device.grade)


class DriveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drive

    device = factory.SubFactory(DeviceFactory)
    kind = Drive.Kind.SSD
    serial_number = factory.Sequence(lambda n: f"DRV{n:08d}")
    model = "Samsung PM981"
    capacity_gb = 256


class ErasureLogFactory(factory.django.DjangoModelFactory):
    """A raw log on record (its file is not read back)."""

    class Meta:
        model = ErasureLog

    file = "erasure-logs/test.log"
    original_name = "hdparm.log"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    tool = "hdparm"
    tool_version = "9.65"
    uploaded_by = factory.SubFactory(UserFactory)


class ErasureFactory(factory.django.DjangoModelFactory):
    """An overwrite; `certifiable=True` a validated Purge with its tool, version and log,
    as an erasure certificate needs (inventory.erasure.rules)."""

    class Meta:
        model = Erasure

    class Params:
        certifiable = factory.Trait(
            method=Erasure.Method.SECURE_ERASE,
            level=Erasure.Level.PURGE,
            tool=Erasure.Tool.HDPARM,
            tool_version="9.65",
            log=factory.SubFactory(ErasureLogFactory),
            validated_by=factory.SelfAttribute("operator"),
            validated_at=factory.LazyFunction(timezone.now),
        )

    drive = factory.SubFactory(DriveFactory)
    method = Erasure.Method.OVERWRITE
    result = Erasure.Result.PASSED
    operator = factory.SubFactory(UserFactory)
    performed_at = factory.LazyFunction(timezone.now)

"""The demo data: one account per role, a believable stock, and safe to load twice."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.roles import Role
from inventory import workflow
from inventory.management.commands.load_demo_data import LENDING_STOCK
from inventory.models import Device, Donation, Donor, Drive, Erasure, Location, Site, Status

pytestmark = pytest.mark.django_db

# The same hasher as the tests (conftest.py), which a module fixture runs before.
FAST_HASHER = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}
MODELS = [get_user_model(), Site, Location, Donor, Donation, Device, Drive, Erasure]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Loaded once for the module (it takes seconds), inside a transaction rolled back
    at the end; each test runs in a savepoint of its own within it."""
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(**FAST_HASHER):
        call_command("load_demo_data", devices=40)
        yield
        transaction.set_rollback(True)


def test_loading_the_demo_twice_adds_nothing(demo):
    first = counts()

    call_command("load_demo_data", devices=40)

    assert counts() == first
    # --devices, plus the laptops and 4G routers prepared for the lending demo.
    assert first["Device"] == 40 + sum(count for _category, count in LENDING_STOCK)
    assert not Device.objects.exclude(serial_number__startswith="DEMO").exists()


def test_each_role_has_a_demo_account_in_its_group(demo):
    accounts = {
        "technicien": Role.TECHNICIAN,
        "coordinatrice": Role.COORDINATOR,
        "travailleur-social": Role.SOCIAL_WORKER,
    }

    for username, role in accounts.items():
        user = get_user_model().objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert not user.is_superuser
        assert user.check_password("demo")
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff


def test_demo_devices_are_spread_over_the_lifecycle_with_their_history(demo):
    statuses = set(Device.objects.values_list("status", flat=True))

    assert len(statuses) >= 6
    for device in Device.objects.exclude(status=Status.RECEIVED):
        changes = device.history.filter(history_type="~").exclude(history_user=None)
        assert changes.first().status == device.status, device
    # The history is spread over past months, never in the future.
    assert not Device.history.filter(history_date__gt=timezone.now()).exists()


def test_no_demo_device_is_ready_without_its_erasures(demo):
    past_erasure = [Status.REFURBISHING, Status.READY, Status.SOLD, Status.GIVEN]

    for device in Device.objects.filter(status__in=past_erasure):
        assert workflow.unerased_drives(device) == [], device

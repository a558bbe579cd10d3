"""Fixtures shared by the whole suite: one user per role, and a logged-in client for each."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

from accounts.roles import Role, sync_roles
from tests.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need row locks and real concurrency: skip them elsewhere."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason=f"needs PostgreSQL (DATABASE_URL=postgres://...), not {connection.vendor}"
    )
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Hashing with PBKDF2 costs tens of milliseconds per user: far too slow for tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def roles(db):
    """The role groups; post_migrate creates them, but a flushed database may not have them."""
    if Group.objects.filter(name__in=Role.values).count() != len(Role.values):
        sync_roles()
    return {role: Group.objects.get(name=role) for role in Role.values}


@pytest.fixture
def shipped_layouts(db):
    """The label layouts of the data migration: a transactional test's flush removes them."""
    migration = importlib.import_module("labels.migrations.0002_shipped_layouts")
    migration.add_layouts(apps, schema_editor=None)


@pytest.fixture
def technician(roles):
    return UserFactory(username="technician", role=Role.TECHNICIAN)


@pytest.fixture
def coordinator(roles):
    return UserFactory(username="coordinator", role=Role.COORDINATOR)


@pytest.fixture
def social_worker(roles):
    return UserFactory(username="social-worker", role=Role.SOCIAL_WORKER)


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


def _logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def technician_client(technician):
    return _logged_in(technician)


@pytest.fixture
def coordinator_client(coordinator):
    return _logged_in(coordinator)


@pytest.fixture
def social_worker_client(social_worker):
    return _logged_in(social_worker)


@pytest.fixture
def superuser_client(superuser):
    return _logged_in(superuser)


@pytest.fixture
def anonymous_client():
    return Client()


@pytest.fixture
def user_for(request):
    """The user of a role named by a string, for parametrized tests."""
    return lambda role: request.getfixturevalue(role)


@pytest.fixture
def client_for(request):
    """The logged-in client of a role named by a string ("anonymous" for nobody)."""
    return lambda role: request.getfixturevalue(f"{role}_client")

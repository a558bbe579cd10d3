"""Login throttling (django-axes): failed logins lock the account and the address."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import UserFactory

PASSWORD = "secret-password"
ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def accounts(roles):
    return (
        UserFactory(username="coordinatrice", role=Role.COORDINATOR),
        UserFactory(username="travailleur", role=Role.SOCIAL_WORKER),
    )


def log_in(username, password, address, **extra):
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password}, **extra)
    return client, response


def logged_in(client):
    return "_auth_user_id" in client.session


def test_fifty_wrong_passwords_lock_the_account_and_the_address(accounts, settings):
    for _attempt in range(50):
        log_in("coordinatrice", "wrong", ATTACKER)

    client, response = log_in("coordinatrice", PASSWORD, ATTACKER)
    assert response.status_code == 429 and not logged_in(client)
    # The account is locked from anywhere, the address for every account.
    client, response = log_in("coordinatrice", PASSWORD, ELSEWHERE)
    assert response.status_code == 429 and not logged_in(client)
    client, response = log_in("travailleur", PASSWORD, ATTACKER)
    assert response.status_code == 429 and not logged_in(client)
    # Another address logs in to another account.
    client, response = log_in("travailleur", PASSWORD, ELSEWHERE)
    assert response.status_code == 302 and logged_in(client)


def test_the_lock_is_explained_on_the_login_page(accounts, settings, english):
    settings.LOGIN_LOCKOUT_MINUTES = 15
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in("coordinatrice", "wrong", ATTACKER)

    _client, response = log_in("coordinatrice", PASSWORD, ATTACKER)

    page = response.content.decode()
    assert response.status_code == 429
    assert 'name="password"' in page  # the login page, not a bare error
    assert "locked for 15 minutes" in page and "ask your coordinator" in page


def test_fewer_failures_than_the_limit_do_not_lock(accounts, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in("coordinatrice", "wrong", ATTACKER)

    client, response = log_in("coordinatrice", PASSWORD, ATTACKER)

    assert response.status_code == 302 and logged_in(client)


def test_the_lock_ends_after_the_cool_off(accounts, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in("coordinatrice", "wrong", ATTACKER)
    assert log_in("coordinatrice", PASSWORD, ATTACKER)[1].status_code == 429

    past = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    AccessAttempt.objects.update(attempt_time=past)

    client, response = log_in("coordinatrice", PASSWORD, ATTACKER)
    assert response.status_code == 302 and logged_in(client)


def test_a_reset_lifts_the_lock(accounts, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in("coordinatrice", "wrong", ATTACKER)

    reset(username="coordinatrice")
    reset(ip=ATTACKER)

    client, response = log_in("coordinatrice", PASSWORD, ATTACKER)
    assert response.status_code == 302 and logged_in(client)


def test_behind_a_trusted_proxy_each_visitor_has_their_own_address(accounts, settings):
    """Behind the proxy everybody connects from its address: the lock follows the
    client named by X-Forwarded-For, as the public pages' rate limit does."""
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]
    proxy = "172.18.0.2"
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in("nobody", "wrong", proxy, HTTP_X_FORWARDED_FOR=ATTACKER)

    _client, locked = log_in("travailleur", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    client, response = log_in("travailleur", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE)

    assert locked.status_code == 429
    assert response.status_code == 302 and logged_in(client)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_lockouts_are_listed_in_the_admin(accounts, superuser_client, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in("coordinatrice", "wrong", ATTACKER)

    response = superuser_client.get(reverse("admin:axes_accessattempt_changelist"))

    assert response.status_code == 200
    assert "coordinatrice" in response.content.decode()

"""Idle timeout for the roles that see households' files."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.sessions import LAST_SEEN

pytestmark = pytest.mark.usefixtures("english")


def idle_for(client, minutes):
    session = client.session
    session[LAST_SEEN] -= minutes * 60
    session.save()


@pytest.mark.parametrize("role", ["social_worker", "coordinator", "superuser"])
def test_household_roles_are_logged_out_after_the_idle_time(role, client_for, settings):
    settings.HOUSEHOLD_SESSION_IDLE_MINUTES = 30
    client = client_for(role)
    assert client.get(reverse("dashboard")).status_code == 200

    idle_for(client, 31)
    response = client.get(reverse("dashboard"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert "logged out after 30 minutes without activity" in response.content.decode()


def test_activity_within_the_idle_time_keeps_the_session(social_worker_client, settings):
    settings.HOUSEHOLD_SESSION_IDLE_MINUTES = 30
    social_worker_client.get(reverse("dashboard"))

    idle_for(social_worker_client, 29)

    assert social_worker_client.get(reverse("dashboard")).status_code == 200
    # The request counted as activity: the clock starts again.
    idle_for(social_worker_client, 29)
    assert social_worker_client.get(reverse("dashboard")).status_code == 200


def test_technicians_keep_their_session(technician, settings):
    settings.HOUSEHOLD_SESSION_IDLE_MINUTES = 30
    client = Client()
    client.force_login(technician)
    client.get(reverse("dashboard"))
    session = client.session
    session[LAST_SEEN] = 0  # as if idle for decades
    session.save()

    assert client.get(reverse("dashboard")).status_code == 200


def test_a_login_lasts_at_most_the_session_cookie_age(settings):
    assert settings.SESSION_COOKIE_AGE <= 24 * 60 * 60


def test_an_htmx_request_after_the_idle_time_sends_the_whole_page_to_the_login(
    social_worker_client, settings
):
    settings.HOUSEHOLD_SESSION_IDLE_MINUTES = 30
    social_worker_client.get(reverse("dashboard"))
    idle_for(social_worker_client, 31)

    response = social_worker_client.get(
        reverse("dashboard"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/households/"},
    )

    assert response["HX-Redirect"] == f"{reverse('login')}?next=/households/"
    assert "_auth_user_id" not in social_worker_client.session

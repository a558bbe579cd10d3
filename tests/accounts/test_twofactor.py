"""The optional second factor (TOTP) of superusers and coordinators."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.usefixtures("english")

PASSWORD = "secret-password"


def totp(secret_base32, at=None, step=30):
    """RFC 6238 computed here, independently of django-otp: what a phone app shows."""
    secret = "".join(secret_base32.split())
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def enrol(client):
    """Start the enrolment, read the secret from the page, confirm it with a code."""
    url = reverse("account_security")
    page = client.post(url, {"action": "start"}, follow=True).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code, server-rendered
    secret = page.split('<code id="secret">')[1].split("</code>")[0]
    enrol.used_code = totp(secret)
    response = client.post(url, {"action": "confirm", "token": enrol.used_code}, follow=True)
    assert "The second factor is now in force." in response.content.decode()
    return secret


def password_step(username):
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    return client, response


def test_a_coordinator_enrols_then_the_login_asks_for_the_code(coordinator, coordinator_client):
    secret = enrol(coordinator_client)

    client, response = password_step("coordinator")
    assert response["Location"] == reverse("login_code")
    assert "_auth_user_id" not in client.session  # the password alone is not enough
    assert client.get(reverse("dashboard")).status_code == 302

    # The code shown once the enrolment's own code has passed (a code works only once).
    response = client.post(reverse("login_code"), {"token": totp(secret, time.time() + 30)})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_code_works_only_once(coordinator, coordinator_client):
    secret = enrol(coordinator_client)
    client, _response = password_step("coordinator")

    response = client.post(reverse("login_code"), {"token": enrol.used_code})

    assert secret and "This code is not the right one" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_is_refused_with_a_sentence(coordinator, coordinator_client):
    secret = enrol(coordinator_client)
    client, _response = password_step("coordinator")
    wrong = totp(secret, at=time.time() - 3600)

    response = client.post(reverse("login_code"), {"token": wrong})

    assert response.status_code == 200
    assert "This code is not the right one" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_code_of_the_wrong_shape_is_explained(coordinator, coordinator_client):
    enrol(coordinator_client)
    client, _response = password_step("coordinator")

    response = client.post(reverse("login_code"), {"token": "12ab"})

    assert "Type the 6 digits" in response.content.decode()


def test_without_a_second_factor_the_password_logs_in(coordinator):
    client, response = password_step("coordinator")

    assert response["Location"] == reverse("dashboard")
    assert "_auth_user_id" in client.session


def test_a_wrong_confirmation_code_leaves_the_second_factor_off(coordinator, coordinator_client):
    url = reverse("account_security")
    coordinator_client.post(url, {"action": "start"})

    response = coordinator_client.post(url, {"action": "confirm", "token": "000000"})

    assert "This code is not the right one" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()


def test_social_workers_and_technicians_are_not_offered_a_second_factor(
    social_worker_client, technician
):
    response = social_worker_client.post(reverse("account_security"), {"action": "start"})

    assert "Only coordinators and superusers use a second factor." in response.content.decode()
    assert not TOTPDevice.objects.exists()


def test_removing_the_second_factor_needs_the_current_code(coordinator, coordinator_client):
    secret = enrol(coordinator_client)
    url = reverse("account_security")

    coordinator_client.post(url, {"action": "remove", "token": "000000"})
    assert TOTPDevice.objects.filter(user=coordinator).exists()
    # A code not used yet (the enrolment used the current one).
    coordinator_client.post(url, {"action": "remove", "token": totp(secret, time.time() + 30)})
    assert not TOTPDevice.objects.filter(user=coordinator).exists()


def test_a_required_second_factor_sends_the_person_to_the_enrolment(superuser_client, settings):
    settings.REQUIRE_2FA_FOR = ["superuser"]

    response = superuser_client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("account_security")

    enrol(superuser_client)
    assert superuser_client.get(reverse("dashboard")).status_code == 200


def test_a_required_second_factor_does_not_concern_other_roles(technician_client, settings):
    settings.REQUIRE_2FA_FOR = ["superuser", "coordinator"]

    assert technician_client.get(reverse("dashboard")).status_code == 200


def test_the_admin_login_goes_through_the_code_too(superuser, superuser_client):
    enrol(superuser_client)

    response = Client().get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/admin/"


def test_enrolment_and_removal_leave_a_history_without_the_secret(coordinator, coordinator_client):
    secret = enrol(coordinator_client)
    coordinator_client.post(
        reverse("account_security"), {"action": "remove", "token": totp(secret, time.time() + 30)}
    )

    history = TOTPDevice.history.filter(user=coordinator)
    kinds = list(
        history.order_by("history_date", "history_id").values_list("history_type", "confirmed")
    )
    assert kinds[0] == ("+", False) and ("~", True) in kinds and kinds[-1][0] == "-"
    assert not hasattr(history.first(), "key")


def test_an_unknown_role_in_require_2fa_for_stops_the_checks(settings):
    from accounts.twofactor import check_required_roles

    settings.REQUIRE_2FA_FOR = ["coordinator", "technicien"]

    errors = check_required_roles()

    assert [error.id for error in errors] == ["accounts.E001"]
    assert "technicien" in errors[0].msg


def test_a_required_second_factor_takes_an_htmx_request_to_the_whole_page(
    coordinator_client, settings
):
    settings.REQUIRE_2FA_FOR = ["coordinator"]

    response = coordinator_client.get(reverse("dashboard"), headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == reverse("account_security")

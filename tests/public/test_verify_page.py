"""The public check of a certificate: anyone may open it, it shows nothing personal."""

import pytest
from django.urls import reverse

from inventory import services
from inventory.erasure.services import issue_certificate, validate_erasures
from inventory.models import Drive, Erasure
from tests.factories import (
    DeviceFactory,
    DonationFactory,
    DonorFactory,
    DriveFactory,
    ErasureLogFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(technician):
    user = UserFactory(username="jdupont-atelier", first_name="Josiane", last_name="Dupontel")
    user.groups.set(technician.groups.all())
    return user


@pytest.fixture
def certificate(operator, coordinator):
    donor = DonorFactory(name="Cabinet Lemoine & Fils", contact_name="Hervé Lemoine")
    device = DeviceFactory(
        serial_number="PF1XYZ42",
        manufacturer="Dell",
        model="Latitude 5490",
        donation=DonationFactory(donor=donor),
    )
    for serial in ("S3YJNX0K123456A", "WD-WCC2EUK1234567"):
        services.record_erasure(
            drive=DriveFactory(device=device, serial_number=serial, kind=Drive.Kind.HDD),
            by=operator,
            method=Erasure.Method.OVERWRITE,
            result=Erasure.Result.PASSED,
            tool=Erasure.Tool.NWIPE,
            tool_version="0.35",
            log=ErasureLogFactory(uploaded_by=operator),
        )
    validate_erasures(device=device, by=coordinator)
    return issue_certificate(device=device, by=coordinator)


def verify_url(number):
    return f"/verify/{number}/"


def test_the_check_opens_without_logging_in(certificate, anonymous_client):
    response = anonymous_client.get(verify_url(certificate.number))

    assert response.status_code == 200
    for expected in [
        certificate.number,
        certificate.device.asset_tag,
        "PF1XYZ42",
        "Latitude 5490",
        "S3YJNX0K123456A",
        "WD-WCC2EUK1234567",
    ]:
        assert expected in response.text


def test_the_check_shows_no_personal_data(certificate, operator, coordinator, anonymous_client):
    response = anonymous_client.get(verify_url(certificate.number))

    text = response.text
    for user in (operator, coordinator):
        assert user.username not in text
        assert user.first_name not in text
        assert user.last_name not in text
        assert user.get_full_name() not in text
    assert "Lemoine" not in text
    assert "Cabinet" not in text


def test_the_check_shows_no_personal_data_to_a_logged_in_user_either(
    certificate, operator, social_worker_client
):
    response = social_worker_client.get(verify_url(certificate.number))

    assert response.status_code == 200
    assert operator.get_full_name() not in response.text
    assert operator.username not in response.text


def test_the_check_answers_to_a_number_typed_in_lower_case(certificate, anonymous_client):
    response = anonymous_client.get(verify_url(certificate.number.lower()))

    assert response.status_code == 200
    assert response.context["certificate"] == certificate


def test_the_address_is_named_for_the_qr_code(certificate):
    assert reverse("public:verify_certificate", args=[certificate.number]) == verify_url(
        certificate.number
    )


@pytest.mark.parametrize(
    "number", ["CE-2026-99999", "CE-1999-00001", "nope", "CE-2026-00001'--", "%00", "CE-2026-1"]
)
def test_an_unknown_number_answers_404_with_the_same_page(number, certificate, anonymous_client):
    response = anonymous_client.get(verify_url(number))

    assert response.status_code == 404
    assert "public/verify.html" in [t.name for t in response.templates]
    assert response.context.get("certificate") is None
    assert certificate.device.asset_tag not in response.text
    assert "S3YJNX0K123456A" not in response.text


def test_the_check_asks_search_engines_not_to_index_it(certificate, anonymous_client):
    found = anonymous_client.get(verify_url(certificate.number))
    missing = anonymous_client.get(verify_url("CE-2026-99999"))

    assert "noindex" in found["X-Robots-Tag"]
    assert "noindex" in missing["X-Robots-Tag"]


def test_the_check_accepts_only_reading(certificate, anonymous_client):
    response = anonymous_client.post(verify_url(certificate.number))

    assert response.status_code == 405

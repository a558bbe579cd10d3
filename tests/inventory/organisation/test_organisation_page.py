"""The organisation's details page: coordinators edit it (with history), the logo is
checked and served to the public pages."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from inventory.models import Organisation
from tests.factories import DeviceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media_root")]

URL = "/organisation/"


def details(**changes):
    data = {
        "name": "Ressourcerie du Bruaysis",
        "address": "12 rue des Ateliers\n62700 Bruay-La-Buissière",
        "siret": "12345678900012",
        "vat_mention": "TVA non applicable, article 293 B du CGI",
        "phone": "03 21 61 00 00",
        "email": "contact@ressourcerie-bruaysis.example",
        "website": "https://ressourcerie-bruaysis.example",
        "opening_hours": "Tuesday to Saturday, 9:00 to 17:00",
    }
    data.update(changes)
    return data


def image(fmt="PNG", size=(40, 20), noise=False, name=None):
    picture = Image.new("RGB", size, "green")
    if noise:
        # Random pixels do not compress: the file weighs about width × height × 3 bytes.
        picture = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt)
    return SimpleUploadedFile(name or f"logo.{fmt.lower()}", buffer.getvalue())


def test_a_coordinator_saves_the_details_with_history(coordinator_client, coordinator):
    response = coordinator_client.post(URL, details())

    assert response.status_code == 302 and response["Location"] == URL
    organisation = Organisation.objects.get()
    assert organisation.name == "Ressourcerie du Bruaysis"
    assert organisation.siret == "12345678900012"
    assert organisation.opening_hours == "Tuesday to Saturday, 9:00 to 17:00"
    record = organisation.history.get()
    assert record.history_type == "+"
    assert record.history_user == coordinator


def test_a_second_save_changes_the_same_row(coordinator_client, coordinator):
    coordinator_client.post(URL, details())

    coordinator_client.post(URL, details(phone="03 21 62 62 62"))

    organisation = Organisation.objects.get()
    assert organisation.phone == "03 21 62 62 62"
    assert [r.history_type for r in organisation.history.order_by("history_date")] == ["+", "~"]


def test_the_page_shows_the_saved_details_and_who_changed_them(coordinator_client, coordinator):
    coordinator_client.post(URL, details())

    response = coordinator_client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Ressourcerie du Bruaysis"' in html
    assert coordinator.get_full_name() in html
    assert "Details entered" in html


def test_a_siret_typed_with_spaces_is_kept_as_its_14_digits(coordinator_client):
    coordinator_client.post(URL, details(siret="123 456 789 00012"))

    assert Organisation.objects.get().siret == "12345678900012"


@pytest.mark.parametrize("siret", ["1234567890001", "123456789000123", "1234567890001A"])
def test_a_bad_siret_is_a_field_error_and_nothing_is_saved(coordinator_client, siret):
    response = coordinator_client.post(URL, details(siret=siret))

    assert response.status_code == 200
    assert response.context["form"].errors["siret"] == ["A SIRET number has 14 digits."]
    assert not Organisation.objects.exists()


def test_a_bad_siret_leaves_the_saved_details_alone(coordinator_client):
    coordinator_client.post(URL, details())

    coordinator_client.post(URL, details(siret="42", name="Autre nom"))

    organisation = Organisation.objects.get()
    assert organisation.name == "Ressourcerie du Bruaysis"
    assert organisation.history.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_technician_may_not_edit_the_details(technician_client, method):
    response = getattr(technician_client, method)(URL, details())

    assert response.status_code == 403
    assert not Organisation.objects.exists()


def test_a_social_worker_may_not_open_the_page(social_worker_client):
    assert social_worker_client.get(URL).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login(anonymous_client):
    response = anonymous_client.get(URL)

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_sites_page_links_to_the_details_for_coordinators_only(
    coordinator_client, technician_client
):
    assert f'href="{URL}"' in coordinator_client.get("/sites/").content.decode()
    assert f'href="{URL}"' not in technician_client.get("/sites/").content.decode()


# The logo ----------------------------------------------------------------------------


def test_a_logo_is_saved_and_shown_on_the_public_pages(coordinator_client, anonymous_client):
    coordinator_client.post(URL, {**details(), "logo": image("PNG")})
    organisation = Organisation.objects.get()

    public = anonymous_client.get(f"/d/{DeviceFactory().asset_tag}/").content.decode()
    logo = anonymous_client.get("/organisation/logo/")

    assert organisation.logo.name.startswith("organisation/logo")
    assert 'src="/organisation/logo/?v=' in public
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize("fmt", ["JPEG", "GIF", "WEBP"])
def test_other_common_image_formats_are_accepted(coordinator_client, fmt):
    response = coordinator_client.post(URL, {**details(), "logo": image(fmt)})

    assert response.status_code == 302
    assert Organisation.objects.get().logo


def test_a_logo_over_1_mb_is_refused(coordinator_client):
    big = image("PNG", size=(1000, 1000), noise=True)
    assert big.size > 1024 * 1024

    response = coordinator_client.post(URL, {**details(), "logo": big})

    assert response.status_code == 200
    assert response.context["form"].errors["logo"][0].startswith("The logo weighs")
    assert not Organisation.objects.exists()


def test_an_image_format_browsers_do_not_all_show_is_refused(coordinator_client):
    response = coordinator_client.post(URL, {**details(), "logo": image("BMP")})

    assert response.context["form"].errors["logo"] == [
        "The logo must be a PNG, JPEG, GIF or WebP image."
    ]
    assert not Organisation.objects.exists()


def test_a_file_that_is_no_image_is_refused(coordinator_client):
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)></svg>")

    response = coordinator_client.post(URL, {**details(), "logo": fake})

    assert response.status_code == 200
    assert "logo" in response.context["form"].errors
    assert not Organisation.objects.exists()


def test_without_a_logo_its_address_answers_404(anonymous_client):
    assert anonymous_client.get("/organisation/logo/").status_code == 404

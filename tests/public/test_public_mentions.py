"""The public pages carry the legal notice of a site (loi n° 2004-575 du 21 juin 2004,
LCEN, art. 6 III-1): the publisher's name, seat and phone, the director of publication
and the host, besides the contact people need when they find a device."""

import re

import pytest
from django.core.cache import cache

from inventory.models import Organisation
from tests.factories import DeviceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def visible_text(response):
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def organisation():
    return Organisation.objects.create(
        name="Ressourcerie du Bruaysis",
        address="12 rue des Ateliers\n62700 Bruay-La-Buissière",
        siret="12345678900012",
        phone="03 21 61 00 00",
        email="contact@ressourcerie-bruaysis.example",
        publication_director="Martine Présidente",
        web_host="Hébergeur SAS, 1 rue du Serveur, 59000 Lille, 03 20 00 00 00",
    )


@pytest.mark.parametrize(
    "address",
    [f"/d/{tag}/" for tag in ("RE-000001", "RE-999999")] + ["/verify/CE-2026-00001/"],
    ids=["known tag", "unknown tag", "certificate check"],
)
def test_every_public_page_carries_the_legal_notice(anonymous_client, organisation, address):
    DeviceFactory(asset_tag="RE-000001")

    text = visible_text(anonymous_client.get(address))

    for mention in [
        "Legal notice",
        "Ressourcerie du Bruaysis",  # the publisher (art. 6 III-1 b)
        "12 rue des Ateliers",  # its seat
        "03 21 61 00 00",  # its phone
        "12345678900012",  # its SIRET
        "Director of publication Martine Présidente",  # art. 6 III-1 c
        "Host Hébergeur SAS, 1 rue du Serveur, 59000 Lille, 03 20 00 00 00",  # art. 6 III-1 d
    ]:
        assert mention in text, mention


def test_a_missing_mention_is_shown_as_missing(anonymous_client):
    Organisation.objects.create(name="Ressourcerie du Bruaysis")

    text = visible_text(anonymous_client.get(f"/d/{DeviceFactory().asset_tag}/"))

    assert "Director of publication not given yet" in text
    assert "Host not given yet" in text

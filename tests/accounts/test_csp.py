"""Every page carries the Content-Security-Policy header."""

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin

from accounts.csp import CSPMiddleware
from tests.factories import DeviceFactory


def directives(response):
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


def assert_strict(response):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("anonymous", "/login/"),
        ("anonymous", "/"),  # the redirect to the login
        ("anonymous", "/no-such-page/"),
        ("technician", "/"),
        ("technician", "/scan/"),
        ("technician", "/devices/kanban/"),
        ("technician", "/households/"),  # refused (403): the refusal carries it too
        ("social_worker", "/households/"),
        ("coordinator", "/account/security/"),
        ("superuser", "/admin/"),
    ],
)
def test_every_page_carries_the_policy(role, url, client_for, anonymous_client):
    client = anonymous_client if role == "anonymous" else client_for(role)

    assert_strict(client.get(url))


def test_the_public_page_of_a_device_carries_the_policy(db):
    device = DeviceFactory()

    assert_strict(Client().get(reverse("public:public_device", args=[device.asset_tag])))


def test_what_the_site_frames_itself_may_be_framed_by_the_site_only(rf, settings):
    """The label previews (@xframe_options_sameorigin) are shown in an <iframe> of the
    print page: frame-ancestors says 'self' there, as X-Frame-Options does."""
    framed = CSPMiddleware(xframe_options_sameorigin(lambda request: HttpResponse("pdf")))
    plain = CSPMiddleware(lambda request: HttpResponse("page"))

    assert directives(framed(rf.get("/")))["frame-ancestors"] == ["'self'"]
    assert directives(plain(rf.get("/")))["frame-ancestors"] == ["'none'"]

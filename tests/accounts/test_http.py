"""back_or: the "back to where you were" redirect of every action page."""

import pytest
from django.test import RequestFactory

from accounts.http import back_or

DEFAULT = "/devices/"


def post(next_url, *, secure=False):
    return RequestFactory().post("/act/", {"next": next_url}, secure=secure)


def test_it_goes_back_to_a_page_of_this_site():
    assert (
        back_or(post("/devices/kanban/?site=1"), DEFAULT)["Location"] == "/devices/kanban/?site=1"
    )


def test_it_reads_next_from_the_query_string_too():
    request = RequestFactory().post("/act/?next=/sales/")

    assert back_or(request, DEFAULT)["Location"] == "/sales/"


def test_it_follows_an_address_of_this_site_with_its_host():
    assert back_or(post("http://testserver/sales/"), DEFAULT)["Location"] == (
        "http://testserver/sales/"
    )


@pytest.mark.parametrize(
    "outside",
    [
        "https://evil.example/",
        "//evil.example/devices/",
        "http://evil.example/devices/",
        "javascript:alert(1)",
        "https://testserver.evil.example/",
    ],
)
def test_it_refuses_another_site(outside):
    assert back_or(post(outside), DEFAULT)["Location"] == DEFAULT
    assert back_or(post(outside, secure=True), DEFAULT)["Location"] == DEFAULT


def test_it_refuses_to_leave_https_for_http():
    request = post("http://testserver/sales/", secure=True)

    assert back_or(request, DEFAULT)["Location"] == DEFAULT


def test_it_keeps_https_on_an_https_request():
    request = post("https://testserver/sales/", secure=True)

    assert back_or(request, DEFAULT)["Location"] == "https://testserver/sales/"


def test_without_next_it_goes_to_the_default_a_url_name_may_give():
    request = RequestFactory().post("/act/")

    assert back_or(request, "inventory:device_list")["Location"] == "/devices/"

"""The helpers of every app's pages: back_or (the "back to where you were" redirect),
run_action (a button's service call) and save_form (a form page's)."""

import pytest
from django import forms
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from accounts.http import back_or, run_action, save_form
from accounts.refusals import PermissionRefused, Refused

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


# run_action and save_form -------------------------------------------------------------


def with_messages(request):
    request._messages = CookieStorage(request)
    return request


def said(request):
    return [(message.level, message.message) for message in request._messages]


def test_an_action_done_says_so_and_goes_back():
    request = with_messages(post("/devices/"))

    response = run_action(
        request, lambda: 3, success=lambda n: f"{n} moved.", back=back_or(request, DEFAULT)
    )

    assert response["Location"] == "/devices/"
    assert said(request) == [(constants.SUCCESS, "3 moved.")]


def test_an_action_refused_says_why_and_goes_back_the_same():
    request = with_messages(post("/devices/"))

    def refuse():
        raise Refused("Not now.")

    response = run_action(request, refuse, success="Done.", back=back_or(request, DEFAULT))

    assert response["Location"] == "/devices/"
    assert said(request) == [(constants.ERROR, "Not now.")]


def test_an_action_refused_to_the_role_says_so_too():
    request = with_messages(post("/devices/"))

    def refuse():
        raise PermissionRefused("Your role may not do this.")

    run_action(request, refuse, success="Done.", back=back_or(request, DEFAULT))

    assert said(request) == [(constants.ERROR, "Your role may not do this.")]


def test_an_action_lets_a_fault_that_is_no_refusal_through():
    request = with_messages(post("/devices/"))

    def fail():
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        run_action(request, fail, success="Done.", back=back_or(request, DEFAULT))
    assert said(request) == []


class NameForm(forms.Form):
    name = forms.CharField()


def form_post(data):
    return with_messages(RequestFactory().post("/form/", data))


def test_a_form_page_shown_by_get_saves_nothing():
    request = with_messages(RequestFactory().get("/form/"))
    saved = []

    assert save_form(request, NameForm(), saved.append, success="Saved.") is None
    assert saved == []


def test_an_invalid_form_is_shown_again_without_saving():
    saved = []
    form = NameForm({})

    assert save_form(form_post({}), form, saved.append, success="Saved.") is None
    assert saved == []
    assert "name" in form.errors


def test_a_saved_form_says_so_and_goes_where_asked():
    request = form_post({"name": "Ada"})

    response = save_form(
        request, NameForm(request.POST), lambda data: data["name"], success="Saved.", then="/x/"
    )

    assert response["Location"] == "/x/"
    assert said(request) == [(constants.SUCCESS, "Saved.")]


def test_a_saved_form_goes_to_what_was_saved_by_default():
    request = form_post({"name": "Ada"})

    response = save_form(
        request, NameForm(request.POST), lambda data: f"/people/{data['name']}/", success="Saved."
    )

    assert response["Location"] == "/people/Ada/"


def test_a_refused_form_shows_the_refusal_on_top_of_the_form():
    request = form_post({"name": "Ada"})
    form = NameForm(request.POST)

    def refuse(data):
        raise Refused("Ada is taken.")

    assert save_form(request, form, refuse, success="Saved.") is None
    assert form.non_field_errors() == ["Ada is taken."]
    assert said(request) == []


def test_a_form_refused_by_a_validation_error_shows_it_beside_its_field():
    request = form_post({"name": "Ada"})
    form = NameForm(request.POST)

    def refuse(data):
        raise ValidationError({"name": "Too short.", "hidden": "Not shown here."})

    assert save_form(request, form, refuse, success="Saved.") is None
    assert form.errors["name"] == ["Too short."]
    assert form.non_field_errors() == ["Not shown here."]

"""Small helpers shared by the pages of every app: going back where the person was, and
running the one service call of an action page, its refusal shown to the person."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.refusals import Refused


def back_or(request, default):
    """Redirect to the page the person came from, else to `default`.

    That page is `next`, posted or in the query string; it is followed only when it is
    on this site, and over HTTPS when this request is, so that nobody can send a person
    through a link of ours to another site. `default` is anything redirect() takes.
    """
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _said(success, result):
    return success(result) if callable(success) else success


def run_action(request, action, *, success, back):
    """The end of a POST-only action view (a button): call `action()`, the one service
    call, say how it went and answer `back` (a response, e.g. back_or(…)).

    `success` is the sentence said when it is done, or a function making it from what
    `action` returned. A refusal (Refused) is said instead: nothing was written.
    """
    try:
        result = action()
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _said(success, result))
    return back


def save_form(request, form, save, *, success, then=None):
    """The POST of a form page: when `form` is valid, call `save(form.cleaned_data)`, say
    `success` (as run_action does) and redirect to `then`, or to what `save` returned.

    Returns None when the page is to be shown (again): on GET, with an invalid form, or
    refused. A refusal goes on the form, a ValidationError beside the fields it names
    and a Refused on top: nothing was written, and the person corrects what they typed.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except ValidationError as error:
        add_errors(form, error)
    except Refused as refusal:
        form.add_error(None, refusal.message)
    else:
        messages.success(request, _said(success, result))
        return redirect(result if then is None else then)
    return None


def add_errors(form, error):
    """Put a service's ValidationError beside the fields of `form` it names, and the rest
    (a field the form does not show, or no field at all) on top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)

"""Small helpers shared by the pages of every app."""

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


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

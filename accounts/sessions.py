"""Idle timeout for the people who see households' files.

Social workers, coordinators and superusers open the files of families, often on a
shared computer in a social centre: after settings.HOUSEHOLD_SESSION_IDLE_MINUTES
without a request their session ends, and the login page says why. Technicians keep
their session (the workshop's bench computer); every session still ends after
SESSION_COOKIE_AGE.
"""

import time
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

from accounts.roles import Role, roles_of

LAST_SEEN = "accounts_last_seen"
# The time of the last request is written at most this often (seconds): one session
# write a minute, not one per request.
_RESOLUTION = 60


def sees_households(user):
    """Whether the user's roles show households' files."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(roles_of(user) & {Role.SOCIAL_WORKER, Role.COORDINATOR})


def idle_message(minutes):
    return ngettext(
        "You were logged out after %(minutes)d minute without activity, to protect the "
        "households' files. Log in again to continue.",
        "You were logged out after %(minutes)d minutes without activity, to protect the "
        "households' files. Log in again to continue.",
        minutes,
    ) % {"minutes": minutes}


def start_the_clock(sender, request, user, **kwargs):
    """user_logged_in: the login is the first activity (and the session is written then,
    not again by the first page)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


def _page(request):
    """The page the person was on (an htmx request names it in HX-Current-URL)."""
    current = request.headers.get("HX-Current-URL", "")
    if not url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}):
        return "/"
    parts = urlsplit(current)
    return quote(parts.path + (f"?{parts.query}" if parts.query else ""), safe="/")


class IdleTimeoutMiddleware:
    """After MessageMiddleware (it says why) and before LoginRequiredMiddleware (which
    then sends the person to the login page, back to this page afterwards)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and sees_households(user):
            now = int(time.time())
            minutes = settings.HOUSEHOLD_SESSION_IDLE_MINUTES
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > minutes * 60:
                logout(request)
                messages.warning(request, idle_message(minutes))
                if request.headers.get("HX-Request"):
                    # A fragment would show the login page inside the page: go there whole.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = f"{reverse('login')}?next={_page(request)}"
                    return response
            elif last_seen is None or now - last_seen >= _RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)

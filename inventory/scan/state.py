"""Where a technician's scan station keeps its mode and log between scans: a cookie.

The station's state (mode, armed action, location, card, last scans, undo) used to live
in the web session, so that every scan rewrote the session row: three of a scan's SQL
statements, and a write at every beep. It now travels in a cookie signed for this user
and login (a changed cookie, or one of another login, is ignored: the station starts
afresh), compressed, and kept within what a browser stores (the oldest log lines give
way).
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

COOKIE = "scan_station"
# Browsers keep cookies of up to 4096 bytes, name and attributes included.
MAX_BYTES = 3800


def _salt(request):
    # Bound to the user and their login: a new login starts a fresh station.
    return f"inventory.scan.state:{request.user.pk}:{request.session.session_key}"


def read(request):
    """The state saved by the last scan of this user, or None."""
    value = request.COOKIES.get(COOKIE)
    if not value:
        return None
    try:
        return signing.loads(value, salt=_salt(request), max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:
        return None


def encode(state, request):
    """The cookie's value: signed, compressed, with as many log lines as fit."""
    state = {**state, "log": list(state.get("log", []))}
    while True:
        value = signing.dumps(state, salt=_salt(request), compress=True)
        if len(value) <= MAX_BYTES or not state["log"]:
            return value
        state["log"].pop()


def save(response, request, state):
    response.set_cookie(
        COOKIE,
        encode(state, request),
        max_age=settings.SESSION_COOKIE_AGE,
        path=reverse("scan:station"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response

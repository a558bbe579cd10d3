"""Login throttling (django-axes): how long a lock lasts and what the person sees.

Settings: AXES_FAILURE_LIMIT (LOGIN_FAILURE_LIMIT in the environment) failed logins for
one account, or from one client address, lock it for LOGIN_LOCKOUT_MINUTES. Locked, the
login page says so in words, with the time to wait and whom to ask, instead of axes's
bare page.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def cool_off(request=None):
    """settings.AXES_COOLOFF_TIME: how long a lock lasts."""
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def lockout_message():
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    return ngettext(
        "Too many failed logins: this account or this computer's address is locked for "
        "%(minutes)d minute. Wait, then try again; if you have forgotten your password, "
        "ask your coordinator or the site's administrator, who can also lift the lock.",
        "Too many failed logins: this account or this computer's address is locked for "
        "%(minutes)d minutes. Wait, then try again; if you have forgotten your password, "
        "ask your coordinator or the site's administrator, who can also lift the lock.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """settings.AXES_LOCKOUT_CALLABLE: the login page again, with the lock explained."""
    form = AuthenticationForm(request)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return render(
        request,
        "registration/login.html",
        {
            "form": form,
            "locked_out": lockout_message(),
            "username": username,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "title": _("Log in"),
        },
        status=429,
    )

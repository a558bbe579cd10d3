"""The second factor: a time-based one-time password (TOTP, RFC 6238, django-otp).

Superusers and coordinators may enrol an authenticator application from "Account
security"; once enrolled, the login asks for its 6-digit code after the password.
settings.REQUIRE_2FA_FOR names the roles ("superuser", "coordinator") that must enrol:
until they have, every page sends them to the enrolment.

Every change goes through the functions below, which refuse with a sentence
(Refused) and leave a history entry (the devices' history, without their secret).
"""

import base64
import io
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import logout
from django.core import checks
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.refusals import Refused
from accounts.roles import Role, roles_of

SUPERUSER = "superuser"


def check_required_roles(app_configs=None, **kwargs):
    """System check: REQUIRE_2FA_FOR names only roles that may enrol."""
    unknown = set(settings.REQUIRE_2FA_FOR) - {SUPERUSER, Role.COORDINATOR}
    if not unknown:
        return []
    return [
        checks.Error(
            f"REQUIRE_2FA_FOR names {sorted(unknown)}: only 'superuser' and 'coordinator' "
            "use a second factor.",
            id="accounts.E001",
        )
    ]


def may_enrol(user):
    """Superusers and coordinators may protect their account with a second factor."""
    return user.is_authenticated and (user.is_superuser or Role.COORDINATOR in roles_of(user))


def must_enrol(user):
    """Whether settings.REQUIRE_2FA_FOR makes the second factor compulsory for `user`."""
    required = set(settings.REQUIRE_2FA_FOR)
    if not user.is_authenticated or not required:
        return False
    return (SUPERUSER in required and user.is_superuser) or bool(required & roles_of(user))


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def _clean(token):
    token = "".join((token or "").split())
    if not (len(token) == 6 and token.isdigit()):
        raise Refused(_("Type the 6 digits that your authenticator application shows."))
    return token


def _check(device, token):
    allowed, _why = device.verify_is_allowed()
    if not allowed:
        raise Refused(_("Too many wrong codes: wait a minute, then type the current code."))
    if not device.verify_token(_clean(token)):
        raise Refused(
            _("This code is not the right one: type the code that your application shows now.")
        )


@transaction.atomic
def start_enrolment(user):
    """A new secret for `user`, not yet in force (the person confirms it with a code)."""
    if not may_enrol(user):
        raise Refused(_("Only coordinators and superusers use a second factor."))
    if confirmed_device(user):
        raise Refused(_("A second factor is already in force for this account."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator"), confirmed=False)


@transaction.atomic
def confirm_enrolment(request, token):
    """Put the pending secret in force once the person typed a right code from it."""
    device = pending_device(request.user)
    if device is None:
        raise Refused(_("Start the enrolment first: no secret is waiting for a code."))
    _check(device, token)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # This session has just proved the second factor.
    otp_login(request, device)
    return device


@transaction.atomic
def remove_second_factor(request, token):
    """Withdraw the second factor; the current code proves it is the owner who asks."""
    device = confirmed_device(request.user)
    if device is None:
        raise Refused(_("No second factor is in force for this account."))
    if must_enrol(request.user):
        raise Refused(_("Your role must use a second factor: it cannot be removed."))
    _check(device, token)
    TOTPDevice.objects.filter(user=request.user).delete()


def verify_login(user, token):
    """The code typed at login for `user`: their device, or Refused."""
    device = confirmed_device(user)
    if device is None:
        raise Refused(_("No second factor is in force for this account."))
    _check(device, token)
    return device


def qr_code_data_uri(device):
    """The device's otpauth:// address as an SVG QR code, in a data: URI (no CDN, no
    inline markup for the CSP to weigh)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=4, box_size=8
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def secret_text(device):
    """The secret in base32, by groups of four, for typing into an application."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class SecondFactorRequiredMiddleware:
    """The roles of settings.REQUIRE_2FA_FOR see nothing before their second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and must_enrol(user) and not user.is_verified():
            allowed = {reverse("account_security"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith(
                "/" + settings.STATIC_URL.lstrip("/")
            ):
                if confirmed_device(user):
                    # A session opened before the rule: log in again, with the code.
                    logout(request)
                    target = f"{reverse('login')}?next={quote(request.path)}"
                else:
                    target = reverse("account_security")
                if request.headers.get("HX-Request"):
                    # Not inside a fragment of the page: the whole page goes there.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
        return self.get_response(request)

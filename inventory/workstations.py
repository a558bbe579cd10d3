"""The workstations' API: its key check and its JSON answers, shared by its endpoints.

A workstation (the live USB stick on a machine being refurbished) sends what it read with
`Authorization: Token <key>`; the key acts in its user's name, as far as their role
allows. The endpoints are `hardware.views.api_report` and `erasure.views.api_log`
(docs/live-usb-report.md). This module sits at the inventory's top level so that both
capability packages import it without importing each other.
"""

import functools

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from accounts.refusals import PermissionRefused, Refused
from inventory.models import Device, WorkstationToken


class RequestRefused(Refused):
    """A request the API cannot take; `status` is the HTTP status that says so."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


class OtherSite(RequestRefused):
    """A workstation writing about a device of another site than its own."""

    def __init__(self, message):
        super().__init__(message, 403)


def require_same_site(workstation, device):
    """Refuse (OtherSite) a workstation's report, log or results about a device of another
    site: a stick carried to another workshop, a mistyped tag, a stolen key."""
    if device.site_id != workstation.site_id:
        raise OtherSite(
            _(
                "%(tag)s is at the site “%(device_site)s” and the workstation “%(name)s” at "
                "“%(site)s”: nothing was saved. If the device is refurbished here, change "
                "its site first."
            )
            % {
                "tag": device.asset_tag,
                "device_site": device.site,
                "name": workstation.name,
                "site": workstation.site,
            }
        )


def named_device(tag):
    """The device a workstation's request names by its asset tag; 404 when none has it."""
    tag = (tag or "").strip().upper()
    device = Device.objects.filter(asset_tag=tag).first() if tag else None
    if device is None:
        raise RequestRefused(_("No device has the asset tag %(tag)s.") % {"tag": tag[:40]}, 404)
    return device


def authenticate_workstation(key):
    """The active token of this clear key (its last use recorded), or None."""
    if not key:
        return None
    token = (
        WorkstationToken.objects.select_related("user", "site")
        .filter(key_hash=WorkstationToken.hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        token.last_used_at = timezone.now()
        WorkstationToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
    return token


def error(message, status):
    return JsonResponse({"error": str(message)}, status=status)


def _key(request):
    scheme, _space, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "token" else ""


def workstation_api(view=None, *, method="POST"):
    """Make `view(request, token, **url_kwargs)` an endpoint of the API: `method` only
    (POST unless told, as `@workstation_api(method="GET")`), a valid key, JSON errors.

    405 for another method, 401 for a missing, unknown or revoked key; a RequestRefused
    answers its status and a PermissionRefused (the key's user may not) 403.
    """
    if view is None:
        return functools.partial(workstation_api, method=method)

    @csrf_exempt
    @login_not_required
    @functools.wraps(view)
    def endpoint(request, **kwargs):
        if request.method != method:
            wrong = _("Send the report with POST.") if method == "POST" else _("Ask with GET.")
            response = error(wrong, 405)
            response["Allow"] = method
            return response
        token = authenticate_workstation(_key(request))
        if token is None:
            response = error(_("Missing, unknown or revoked workstation key."), 401)
            response["WWW-Authenticate"] = "Token"
            return response
        try:
            return view(request, token, **kwargs)
        except RequestRefused as refusal:
            return error(refusal.message, refusal.status)
        except PermissionRefused as refusal:
            return error(refusal.message, 403)

    return endpoint

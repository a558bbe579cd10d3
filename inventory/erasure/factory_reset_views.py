"""The device page's factory reset of a phone or tablet (inventory.erasure.factory_reset)."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import run_action
from inventory.erasure.factory_reset import record_factory_reset
from inventory.models import Device
from inventory.panel.forms import FactoryResetForm


@require_POST
@permission_required("inventory.add_erasure", raise_exception=True)
def factory_reset(request, asset_tag):
    device = get_object_or_404(Device, asset_tag=asset_tag.strip().upper())
    form = FactoryResetForm(request.POST)
    device.status = form.seen(device)
    data = form.cleaned_data if form.is_valid() else {}

    def done(device):
        return _("Factory reset recorded: %(tag)s is now “%(status)s”.") % {
            "tag": device.asset_tag,
            "status": device.get_status_display(),
        }

    return run_action(
        request,
        lambda: record_factory_reset(
            device=device,
            by=request.user,
            encrypted=data.get("encrypted", False),
            note=data.get("note", ""),
        ),
        success=done,
        back=redirect(device),
    )

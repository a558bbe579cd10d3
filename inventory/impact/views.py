"""The coordinators' page of impact factors: every version with its sources, and a new one."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import save_form
from inventory.impact.carbon import NO_FACTOR, without_factor
from inventory.impact.factors import factor_sets, new_version
from inventory.impact.forms import NewVersionForm
from inventory.models import FactorSet


@require_safe
@permission_required("inventory.view_factorset", raise_exception=True)
def factor_set_list(request):
    sets = list(factor_sets())
    for factor_set in sets:
        factor_set.without_factor = without_factor(factor_set)
    context = {"factor_sets": sets, "no_factor": NO_FACTOR}
    return render(request, "inventory/impact/factor_sets.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("inventory.publish_factorset", raise_exception=True)
def factor_set_new(request):
    latest = FactorSet.latest()
    form = NewVersionForm(request.POST or None, factor_set=latest)
    response = save_form(
        request,
        form,
        lambda data: new_version(latest, form.changes(), request.user, reason=data["reason"]),
        success=lambda made: (
            _("Version %(version)s of the impact factors is published.") % {"version": made.version}
        ),
        then="impact:factor_sets",
    )
    if response is not None:
        return response
    return render(
        request, "inventory/impact/factor_set_form.html", {"form": form, "latest": latest}
    )

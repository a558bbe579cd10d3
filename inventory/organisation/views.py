"""The organisation's details page (coordinators) and its logo, shown on public pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from inventory.models import Organisation
from inventory.organisation.forms import OrganisationForm
from inventory.organisation.services import save_organisation


@require_http_methods(["GET", "POST"])
@permission_required("inventory.change_organisation", raise_exception=True)
def organisation_edit(request):
    organisation = Organisation.current()
    if request.method == "POST":
        form = OrganisationForm(request.POST, request.FILES, instance=organisation)
        if form.is_valid():
            save_organisation(form=form, by=request.user)
            messages.success(request, _("The organisation's details are saved."))
            return redirect("organisation:edit")
    else:
        form = OrganisationForm(instance=organisation)
    history = []
    if organisation.pk:
        history = organisation.history.select_related("history_user").order_by("-history_date")[:5]
    return render(
        request,
        "inventory/organisation/organisation_form.html",
        {"form": form, "organisation": organisation, "history": history},
    )


@require_safe
@login_not_required
def organisation_logo(request):
    """Public: the logo on the pages behind labels (uploaded files are not served as such)."""
    logo = Organisation.current().logo
    if not logo:
        raise Http404
    try:
        response = FileResponse(logo.open("rb"))
    except FileNotFoundError:
        raise Http404 from None
    # The pages ask for it with ?v=<file name>: a new logo is a new address.
    patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    return response

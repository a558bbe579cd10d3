"""Erasure on request: the household's social worker or coordinator anonymises it now,
with the person's reason (lending.privacy.anonymise does it and checks who may)."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from accounts.http import save_form
from lending.access import households_visible_to
from lending.models import Loan
from lending.privacy.anonymise import anonymise_household, can_erase
from lending.privacy.erasure_forms import ErasureForm


@permission_required("lending.view_household", raise_exception=True)
def erasure_confirm(request, code):
    """GET: what anonymising will do, and the form; POST: do it, then back to the file."""
    household = get_object_or_404(households_visible_to(request.user), code=code.strip().upper())
    if not can_erase(request.user, household):
        raise PermissionDenied
    form = ErasureForm(request.POST or None)

    def anonymise(data):
        return anonymise_household(household, by=request.user, reason=data["reason"])

    done = _("Household %(code)s anonymised.") % {"code": household.code}
    context = {
        "household": household,
        "form": form,
        "open_loans": household.loans.filter(status__in=Loan.OPEN).order_by("pk"),
    }
    return save_form(request, form, anonymise, success=done) or render(
        request, "lending/households/erasure_confirm.html", context
    )

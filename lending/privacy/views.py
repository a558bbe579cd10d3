"""Privacy pages: withdrawing a consent, the information notice, the register of
processing. Thin: each calls one function of lending.privacy and answers."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import run_action
from accounts.roles import Role, has_role
from inventory import pdf
from inventory.models import Organisation
from lending.access import households_visible_to
from lending.models import Consent
from lending.privacy import register
from lending.privacy.consent import withdraw_consent
from lending.privacy.notice import build_notice
from spreadsheets.exporting import CONTENT_TYPES, CSV, XLSX, write_table


@require_POST
@permission_required("lending.change_household", raise_exception=True)
def consent_withdraw(request, pk):
    # Through the households the user may see: another structure's consent is a 404.
    consent = Consent.objects.filter(
        pk=pk, household__in=households_visible_to(request.user)
    ).select_related("household")
    consent = consent.first()
    if consent is None:
        raise Http404
    household = consent.household

    def withdraw():
        return withdraw_consent(consent=consent, by=request.user)

    def withdrawn(consent):
        return _("Consent withdrawn: %(purpose)s.") % {"purpose": consent.get_purpose_display()}

    return run_action(request, withdraw, success=withdrawn, back=redirect(household))


@permission_required("lending.view_household", raise_exception=True)
def privacy_notice(request):
    return pdf.response(build_notice(), pdf.download_name("notice-information-donnees"))


def _require_coordinator(user):
    if not has_role(user, Role.COORDINATOR):
        raise PermissionDenied(_("The register is kept by the coordinators."))


def processing_register(request):
    _require_coordinator(request.user)
    labels = register.headings()[1:]
    entries = [(row[0], list(zip(labels, row[1:], strict=True))) for row in register.rows()]
    context = {"organisation": Organisation.current(), "entries": entries}
    return render(request, "lending/privacy/register.html", context)


def processing_register_export(request, fmt):
    _require_coordinator(request.user)
    if fmt == "pdf":
        content = register.build_register_pdf()
        return pdf.response(content, pdf.download_name("registre-des-traitements"))
    if fmt not in (CSV, XLSX):
        raise Http404
    title = _("Register of processing activities")
    content = write_table(fmt, register.headings(), register.rows(), title=title[:31])
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        True, f"registre-des-traitements.{fmt}"
    )
    return response

"""Pages of the donor paperwork: the donation attestation, the erasure summary sent to
the donor (and the public download behind its link), and the tax-receipt fields with
the accountant's list. Each action calls one service of inventory.donors.documents."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core import signing
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.http import run_action
from accounts.refusals import PermissionRefused, Refused
from inventory import pdf
from inventory.counts import count_donation_devices
from inventory.donors import documents as donor_documents
from inventory.donors import rules
from inventory.donors.exports import DonationTaxExportResource
from inventory.erasure import certificates
from inventory.forms import DonationValuationForm
from inventory.models import Donation, Donor, Organisation
from spreadsheets.exporting import export_format, export_response

PAGE_SIZE = 50


def _donation(pk):
    return get_object_or_404(Donation.objects.select_related("donor", "site"), pk=pk)


def _issued_pdf(request, pk, issue, file_name):
    """Answer a post asking for a donation's paper: the PDF that `issue` gives (issued
    now, or the one issued before), or back to the donation with the refusal."""
    donation = _donation(pk)
    try:
        document = issue(
            donation=donation, by=request.user, correct=request.POST.get("correct") == "1"
        )
    except PermissionRefused:
        raise
    except Refused as error:
        messages.error(request, error.message)
        return redirect(donation)
    return pdf.response(bytes(document.content), pdf.download_name(file_name, document.number))


@require_POST
@permission_required("inventory.view_donation", raise_exception=True)
def attestation(request, pk):
    """Issue the attestation, or hand out the one already issued (same number, same
    bytes): the PDF is the answer to the post, so that each copy printed is in the
    history (the donation page's button opens it in a new tab). `correct=1` issues a
    corrected one listing the devices recorded now."""
    return _issued_pdf(request, pk, donor_documents.issue_attestation, "attestation-don")


@require_POST
@permission_required(["inventory.view_donation", "inventory.value_donation"], raise_exception=True)
def tax_receipt(request, pk):
    """Issue the tax receipt that fits the donor's kind, or hand out the one issued."""
    return _issued_pdf(request, pk, donor_documents.issue_tax_receipt, "recu-fiscal")


@require_POST
@permission_required(["inventory.change_donation", "inventory.view_erasure"], raise_exception=True)
def send_erasure_summary(request, pk):
    donation = _donation(pk)
    return run_action(
        request,
        lambda: donor_documents.send_erasure_summary(donation=donation, by=request.user),
        success=_("The erasure summary was sent to %(email)s.") % {"email": donation.donor.email},
        back=redirect(donation),
    )


@require_safe
@login_not_required
def shared_erasure_summary(request, token):
    """Public: the erasure summary behind the link e-mailed to the donor's contact."""
    try:
        donation = donor_documents.donation_of_link(token)
    except signing.SignatureExpired:
        return _unusable_link(request, expired=True)
    except signing.BadSignature:
        donation = None
    if donation is None:
        return _unusable_link(request, expired=False)
    devices = certificates.summary_devices(donation)
    response = pdf.response(
        certificates.donation_summary_pdf(donation, devices),
        pdf.download_name("recapitulatif-effacement-don", donation.pk),
    )
    return _private(response)


def _unusable_link(request, *, expired):
    response = render(
        request,
        "inventory/donors/donor_link_unusable.html",
        {
            "expired": expired,
            "days": settings.DONOR_LINK_DAYS,
            "organisation": Organisation.current(),
        },
        status=410 if expired else 404,
    )
    return _private(response)


def _private(response):
    # The token is the key: keep it out of search engines, shared caches and referrers.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@permission_required(["inventory.view_donation", "inventory.value_donation"], raise_exception=True)
def valuation(request, pk):
    donation = _donation(pk)
    form = DonationValuationForm(request.POST or None, instance=donation)
    if request.method == "POST" and form.is_valid():
        try:
            donor_documents.value_donation(donation=donation, by=request.user, **form.cleaned_data)
        except Refused as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect(donation)
    return render(
        request, "inventory/donors/donor_valuation_form.html", {"donation": donation, "form": form}
    )


TAX_LISTS = {"company": Donor.Kind.COMPANY, "individual": Donor.Kind.INDIVIDUAL}


@require_safe
@permission_required(["inventory.view_donation", "inventory.value_donation"], raise_exception=True)
def tax_receipts(request):
    """Donations from companies (or, with ?donors=individual, from individuals) with what
    their tax receipt needs, by year; exported as the accountant's file."""
    donors = request.GET.get("donors", "company")
    if donors not in TAX_LISTS:
        donors = "company"
    kind = TAX_LISTS[donors]
    donations = donor_documents.tax_donations(kind)
    years = [d.year for d in donations.dates("received_on", "year", order="DESC")]
    year = request.GET.get("year", "")
    if year.isdigit() and int(year) in years:
        donations = donations.filter(received_on__year=int(year))
    else:
        year = ""
    if export_format(request):
        donations = donor_documents.with_device_counts(donations)
        return export_response(request, DonationTaxExportResource, donations, "tax-receipts")
    page = Paginator(donations, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = count_donation_devices(page.object_list)
    receipts = donor_documents.tax_receipts_by_donation([d.pk for d in page], kind)
    for donation in page:
        donation.issued_receipt = receipts.get(donation.pk)
    query = urlencode({k: v for k, v in (("donors", donors), ("year", year)) if v})
    context = {
        "page": page,
        "years": years,
        "year": year,
        "query": query,
        "donors": donors,
        "paper": rules.TAX_PAPERS[kind],
    }
    return render(request, "inventory/donors/donor_tax_receipts.html", context)

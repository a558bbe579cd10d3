"""Every address of the project, written down: a URL added, removed or renamed fails here
with the difference, so that it is a decision, not an accident. Some addresses live
outside the project too, printed in QR codes (labels, certificates) or sent by e-mail (the
donor's link): they must keep resolving to the same views.

The list is the project's routes with their namespaced names, walked from the root URL
conf. The Django admin's own addresses are Django's: only where it is mounted is listed.
When a change here is on purpose, update ROUTES (the assertion prints what to add and
what to remove).
"""

from urllib.parse import urlsplit

import pytest
from django.urls import URLResolver, get_resolver, resolve

from inventory.donors.documents import donation_page_link, summary_link
from inventory.erasure.certificates import verification_url
from inventory.erasure.services import certificate_number
from inventory.scan.codes import device_public_url
from tests.factories import DonationFactory

# (route, namespace:name), sorted by route. The admin is its mount point, "admin:".
ROUTES = [
    ("", "dashboard"),
    ("access-log/", "lending:access_log"),
    ("account/security/", "account_security"),
    ("activity/coop/", "lending:coop_export"),
    ("activity/coop/activities/", "lending:coop_activities"),
    ("activity/coop/beneficiaries/", "lending:coop_beneficiaries"),
    ("admin/", "admin:"),
    ("admin/login/", "admin_login"),
    ("api/check-results/", "refurbishment:api_check_results"),
    ("api/erasure-logs/", "erasure:api_log"),
    ("api/erasure-progress/", "erasure:api_progress"),
    ("api/erasure-starts/", "erasure:api_start"),
    ("api/hardware-reports/", "hardware:api_report"),
    ("api/labels/<tag:asset_tag>.pdf", "labels_api:device_label"),
    ("consents/<int:pk>/withdraw/", "lending:consent_withdraw"),
    ("criteria/", "lending:criterion_list"),
    ("criteria/<int:pk>/edit/", "lending:criterion_edit"),
    ("criteria/new/", "lending:criterion_create"),
    ("d/<tag:asset_tag>/", "public:public_device"),
    ("devices/", "inventory:device_list"),
    ("devices/<tag:asset_tag>/", "inventory:device_detail"),
    ("devices/<tag:asset_tag>/checks/<int:item_pk>/", "refurbishment:check_record"),
    ("devices/<tag:asset_tag>/checks/all-passed/", "refurbishment:checks_pass_all"),
    ("devices/<tag:asset_tag>/comment/", "inventory:device_comment"),
    ("devices/<tag:asset_tag>/drives/", "inventory:drive_add"),
    ("devices/<tag:asset_tag>/erasure-certificate/", "erasure:certificate_issue"),
    ("devices/<tag:asset_tag>/erasure-certificate/<str:number>.pdf", "erasure:certificate_pdf"),
    ("devices/<tag:asset_tag>/erasure-log/", "erasure:log_import"),
    ("devices/<tag:asset_tag>/erasure-run/", "erasure:run_status"),
    ("devices/<tag:asset_tag>/erasure-validation/", "erasure:validate"),
    ("devices/<tag:asset_tag>/erasures/", "inventory:erasure_add"),
    ("devices/<tag:asset_tag>/factory-reset/", "erasure:factory_reset"),
    ("devices/<tag:asset_tag>/hardware-reports/", "hardware:device_import"),
    ("devices/<tag:asset_tag>/parts/", "refurbishment:part_use"),
    ("devices/<tag:asset_tag>/ready/", "refurbishment:device_ready"),
    ("devices/<tag:asset_tag>/shelve/", "inventory:device_shelve"),
    ("devices/<tag:asset_tag>/system/", "refurbishment:system_install"),
    ("devices/<tag:asset_tag>/transition/<slug:target>/", "inventory:device_transition"),
    ("devices/bulk-transition/", "inventory:device_bulk_transition"),
    ("devices/import-hardware/", "hardware:import"),
    ("devices/kanban/", "inventory:device_kanban"),
    ("devices/new/", "inventory:device_create"),
    ("donation/<str:token>/", "public:donation_page"),
    ("donations/", "inventory:donation_list"),
    ("donations/<int:pk>/", "inventory:donation_detail"),
    ("donations/<int:pk>/attestation.pdf", "donor_documents:attestation"),
    ("donations/<int:pk>/comment/", "inventory:donation_comment"),
    ("donations/<int:pk>/edit/", "inventory:donation_edit"),
    ("donations/<int:pk>/erasure-summary.pdf", "erasure:donation_summary"),
    ("donations/<int:pk>/erasure-summary/send/", "donor_documents:send_erasure_summary"),
    ("donations/<int:pk>/tax-receipt.pdf", "donor_documents:tax_receipt"),
    ("donations/<int:pk>/valuation/", "donor_documents:valuation"),
    ("donations/new/", "inventory:donation_create"),
    ("donations/tax-receipts/", "donor_documents:tax_receipts"),
    ("donor-documents/<str:token>/erasure-summary.pdf", "donor_documents:shared_erasure_summary"),
    ("donors/", "inventory:donor_list"),
    ("donors/<int:pk>/", "inventory:donor_detail"),
    ("donors/<int:pk>/comment/", "inventory:donor_comment"),
    ("donors/<int:pk>/edit/", "inventory:donor_edit"),
    ("donors/new/", "inventory:donor_create"),
    ("enrolments/<int:pk>/", "lending:enrolment_detail"),
    ("enrolments/<int:pk>/comment/", "lending:enrolment_comment"),
    ("enrolments/<int:pk>/complete/", "lending:enrolment_complete"),
    ("enrolments/<int:pk>/eligible/", "lending:enrolment_eligible"),
    ("enrolments/<int:pk>/enrol/", "lending:enrolment_enrol"),
    ("enrolments/<int:pk>/move/", "lending:enrolment_move"),
    ("enrolments/<int:pk>/reject/", "lending:enrolment_reject"),
    ("enrolments/<int:pk>/request-loan/", "lending:loan_request"),
    ("enrolments/<int:pk>/waitlist/", "lending:enrolment_waitlist"),
    ("enrolments/<int:pk>/withdraw/", "lending:enrolment_withdraw"),
    ("erasure-logs/<int:pk>/", "erasure:log_download"),
    ("favicon.ico", "favicon"),
    ("funders/", "lending:funder_list"),
    ("funders/<int:pk>/edit/", "lending:funder_edit"),
    ("funders/new/", "lending:funder_create"),
    ("hardware-reports/<int:pk>/lshw.json", "hardware:report_lshw"),
    ("households/", "lending:household_list"),
    ("households/<str:code>/", "lending:household_detail"),
    ("households/<str:code>/access-log/", "lending:household_access_log"),
    ("households/<str:code>/anonymise/", "lending:household_anonymise"),
    ("households/<str:code>/apply/", "lending:household_apply"),
    ("households/<str:code>/comment/", "lending:household_comment"),
    ("households/<str:code>/edit/", "lending:household_edit"),
    ("households/<str:code>/personal-data.zip", "lending:household_subject_export"),
    ("households/new/", "lending:household_create"),
    ("i18n/setlang/", "set_language"),
    ("impact/factors/", "impact:factor_sets"),
    ("impact/factors/new/", "impact:factor_set_new"),
    ("imports/", "exchange:index"),
    ("imports/<int:pk>/", "exchange:job_detail"),
    ("imports/<int:pk>/confirm/", "exchange:job_confirm"),
    ("imports/<int:pk>/progress/", "exchange:job_progress"),
    ("imports/<int:pk>/upload-again/", "exchange:job_reupload"),
    ("imports/new/", "exchange:start"),
    ("imports/template/<slug:resource>.<slug:fmt>", "exchange:template"),
    ("labels/", "labels:index"),
    ("labels/batches/<uuid:pk>/", "labels:batch_detail"),
    ("labels/batches/<uuid:pk>/download/", "labels:batch_download"),
    ("labels/batches/<uuid:pk>/progress/", "labels:batch_progress"),
    ("labels/layouts/<int:pk>/edit/", "labels:layout_edit"),
    ("labels/layouts/new/", "labels:layout_create"),
    ("labels/print/<slug:kind>/preview.pdf", "labels:preview"),
    ("labels/print/actions/", "labels:print_actions"),
    ("labels/print/devices/", "labels:print_devices"),
    ("labels/print/locations/", "labels:print_locations"),
    ("labels/queue/<int:pk>/remove/", "labels:queue_remove"),
    ("labels/queue/print/", "labels:queue_print"),
    ("labels/workstations/", "labels:workstation_printers"),
    ("lending/", "lending:overview"),
    ("loans/", "lending:loan_list"),
    ("loans/<int:pk>/", "lending:loan_detail"),
    ("loans/<int:pk>/agreement.pdf", "lending:loan_agreement"),
    ("loans/<int:pk>/approve/", "lending:loan_approve"),
    ("loans/<int:pk>/cancel/", "lending:loan_cancel"),
    ("loans/<int:pk>/comment/", "lending:loan_comment"),
    ("loans/<int:pk>/extend/", "lending:loan_extend"),
    ("loans/<int:pk>/gift-attestation.pdf", "lending:loan_gift_attestation"),
    ("loans/<int:pk>/gift/", "lending:loan_gift"),
    ("loans/<int:pk>/hand-over/", "lending:loan_hand_over"),
    ("loans/<int:pk>/lost/", "lending:loan_lost"),
    ("loans/<int:pk>/return/", "lending:loan_return"),
    ("loans/<int:pk>/review/", "lending:loan_review"),
    ("login/", "login"),
    ("login/code/", "login_code"),
    ("logout/", "logout"),
    ("organisation/", "organisation:edit"),
    ("organisation/logo/", "organisation:logo"),
    ("privacy/notice.pdf", "lending:privacy_notice"),
    ("privacy/register.<str:fmt>", "lending:processing_register_export"),
    ("privacy/register/", "lending:processing_register"),
    ("programmes/", "lending:programme_list"),
    ("programmes/<int:pk>/", "lending:programme_detail"),
    ("programmes/<int:pk>/edit/", "lending:programme_edit"),
    ("programmes/<int:pk>/workshops/new/", "lending:workshop_create"),
    ("programmes/new/", "lending:programme_create"),
    ("recycling/", "inventory:recycling:list"),
    ("recycling/<int:pk>/", "inventory:recycling:detail"),
    ("recycling/<int:pk>/paperwork/", "inventory:recycling:edit"),
    ("recycling/new/", "inventory:recycling:create"),
    ("reports/", "reports:report"),
    ("reports/close/", "reports:close"),
    ("reports/closed/", "reports:closed_list"),
    ("reports/closed/<str:number>/", "reports:closed_report"),
    ("sales/", "sales:sale_list"),
    ("sales/<int:pk>/", "sales:sale_detail"),
    ("sales/<int:pk>/cancel/", "sales:sale_cancel"),
    ("sales/<int:pk>/invoice/", "sales:invoice_issue"),
    ("sales/<int:pk>/receipt.pdf", "sales:receipt"),
    ("sales/credit-notes/<int:pk>.pdf", "sales:credit_note"),
    ("sales/device/<tag:asset_tag>/", "sales:device_sale"),
    ("sales/invoices/<int:pk>.pdf", "sales:invoice"),
    ("sales/new/", "sales:sale_new"),
    ("sales/prices/", "sales:price_list"),
    ("sales/proofs/", "sales:proof_list"),
    ("sales/proofs/<int:pk>/", "sales:proof_edit"),
    ("sales/till/", "sales:till"),
    ("scan/", "scan:station"),
    ("sims/", "lending:sim_list"),
    ("sims/<int:pk>/edit/", "lending:sim_edit"),
    ("sims/new/", "lending:sim_create"),
    ("sites/", "inventory:site_list"),
    ("structures/", "lending:structure_list"),
    ("structures/<int:pk>/edit/", "lending:structure_edit"),
    ("structures/new/", "lending:structure_create"),
    ("verify/<str:number>/", "public:verify_certificate"),
    ("workshop/checklists/", "refurbishment:checklist_list"),
    ("workshop/checklists/<int:pk>/", "refurbishment:checklist_edit"),
    ("workshop/checklists/new/", "refurbishment:checklist_add"),
    ("workshop/parts/", "refurbishment:part_list"),
    ("workshop/parts/<int:pk>/restock/", "refurbishment:part_restock"),
    ("workshop/systems/", "refurbishment:system_list"),
    ("workshop/systems/<int:pk>/offered/", "refurbishment:system_offered"),
    ("workshop/workstations/", "hardware:workstation_list"),
    ("workshop/workstations/<int:pk>/revoke/", "hardware:workstation_revoke"),
    ("workshops/<int:pk>/", "lending:workshop_detail"),
    ("workshops/<int:pk>/edit/", "lending:workshop_edit"),
]


def _routes(patterns, prefix="", namespace=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                yield route, "admin:"
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, route, inner)
        else:
            yield route, f"{namespace}{pattern.name or '(no name)'}"


def test_the_project_has_exactly_the_urls_written_down():
    found = list(_routes(get_resolver().url_patterns))

    added = sorted(set(found) - set(ROUTES))
    removed = sorted(set(ROUTES) - set(found))
    assert not added and not removed, (
        f"URLs added (not in ROUTES): {added}\nURLs removed (in ROUTES, gone): {removed}"
    )


def test_no_route_is_declared_twice():
    found = list(_routes(get_resolver().url_patterns))

    assert sorted(found) == sorted(set(found))


def test_the_list_is_written_sorted():
    # So that a change to it is one line in the right place, easy to review.
    assert sorted(ROUTES) == ROUTES


# Addresses that live outside the project ---------------------------------------------------


@pytest.mark.parametrize(
    ("path", "view", "kwargs"),
    [
        ("/d/RE-000123/", "public:public_device", {"asset_tag": "RE-000123"}),
        # A tag typed in lower case, or read from an older label, still resolves.
        ("/d/re-000123/", "public:public_device", {"asset_tag": "re-000123"}),
        ("/verify/CE-2026-00042/", "public:verify_certificate", {"number": "CE-2026-00042"}),
        ("/verify/CE-2026-123456/", "public:verify_certificate", {"number": "CE-2026-123456"}),
    ],
)
def test_the_addresses_printed_in_qr_codes_resolve_to_their_views(path, view, kwargs):
    match = resolve(path)

    assert (match.view_name, match.kwargs) == (view, kwargs)


def test_a_device_labels_qr_code_opens_the_public_device_page(settings):
    settings.SITE_URL = "https://reemploi.example.org"

    match = resolve(urlsplit(device_public_url("RE-000123")).path)

    assert (match.view_name, match.kwargs) == ("public:public_device", {"asset_tag": "RE-000123"})


def test_a_certificates_qr_code_opens_its_public_check(settings):
    settings.SITE_URL = "https://reemploi.example.org"
    # The number as issue_certificate makes it: CE-<year>-<five digits or more>.
    number = certificate_number(2026, 42)

    match = resolve(urlsplit(verification_url(number)).path)

    assert number == "CE-2026-00042"
    assert (match.view_name, match.kwargs) == ("public:verify_certificate", {"number": number})


@pytest.mark.django_db
def test_the_link_emailed_to_a_donor_opens_the_shared_summary(settings):
    settings.SITE_URL = "https://reemploi.example.org"

    match = resolve(urlsplit(summary_link(DonationFactory())).path)

    assert match.view_name == "donor_documents:shared_erasure_summary"


@pytest.mark.django_db
def test_the_link_emailed_to_a_donor_opens_the_donation_page(settings):
    settings.SITE_URL = "https://reemploi.example.org"

    match = resolve(urlsplit(donation_page_link(DonationFactory())).path)

    assert match.view_name == "public:donation_page"


@pytest.mark.parametrize(
    ("path", "view"),
    [
        # inventory.urls' devices/<tag>/ would take these if they came after it.
        ("/devices/import-hardware/", "hardware:import"),
        ("/devices/kanban/", "inventory:device_kanban"),
        ("/devices/new/", "inventory:device_create"),
        ("/devices/bulk-transition/", "inventory:device_bulk_transition"),
        ("/devices/RE-000123/", "inventory:device_detail"),
    ],
)
def test_the_device_pages_are_not_taken_for_an_asset_tag(path, view):
    assert resolve(path).view_name == view


def test_favicon_ico_is_the_site_s_icon_for_anyone(client):
    """Browsers ask for it whatever the pages link: no 404 at every visit."""
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"

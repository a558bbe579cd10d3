"""The permission matrix of the inventory pages: every URL of the workshop (devices,
erasure, hardware, refurbishment, scan station, donors and their paperwork, sites, the
organisation) and its public pages × every role, the status each answers, that a
refused POST writes nothing, and that no page shows a personal value to a role that
may not read it.

The roles (columns):
    anon   nobody signed in       → the login page, except on the public pages
    tech   a technician           → the workshop; not the reference data nor valuations
    co     a coordinator          → everything the technician sees, plus reserving,
                                     giving, sites, the workshop's reference data, the
                                     workstations' keys, valuations, the organisation
    sw     a social worker        → no inventory page at all (403)
    super  a superuser            → everything
403 = the role lacks the permission (checked before any look-up, so that a social worker
learns nothing of which tags exist); 404 = no such object, or a public page that finds
nothing; 405 = an action that only takes a POST (answered before any look-up).
Public pages (`/d/<tag>/`, `/verify/<number>/`, the organisation's logo, the link
e-mailed to a donor) answer every role alike, anonymous visitors included.
"Own / other" in the inventory: the donor's link opens its own donation only (a link
re-signed for another donation, or by another part of the site, is unknown), and the
hardware API knows keys, not sessions: a workstation's key acts only as far as its
user's role allows (API_KEYS). No page is scoped to a site: every member of the
workshop sees every site's stock.

Personal values (see `_forbidden`): no inventory page names the household that borrowed
or bought a device, to anyone (the device's history says its code); the donor's contact
shows neither to a social worker nor on a public page; the page behind a label's QR code
shows no serial number, shelf or household code either.

The world is built once for the module (see `world`).
"""

import types
import urllib.parse
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core import mail, signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.roles import Role, sync_roles
from inventory.donors import documents as donor_documents
from inventory.erasure import services as erasure
from inventory.forms import DeviceForm, DonationForm, DonorForm
from inventory.hardware import services as hardware
from inventory.models import (
    Category,
    ChecklistItem,
    CheckResult,
    Comment,
    Device,
    Donation,
    Donor,
    Drive,
    Erasure,
    ErasureCertificate,
    ErasureLog,
    HardwareReport,
    IssuedDocument,
    Location,
    OperatingSystem,
    Organisation,
    OsInstall,
    Part,
    PartUse,
    Sequence,
    Site,
    Status,
    ValuationBasis,
    WorkstationToken,
)
from lending.loans import workflow as loan_workflow
from sales import services as sales_services
from sales.models import PaymentMethod
from tests.factories import (
    DeviceFactory,
    DonationFactory,
    DonorFactory,
    ErasureFactory,
    LocationFactory,
    SiteFactory,
    UserFactory,
)
from tests.inventory.erasure.test_erasure_import import TWO_DRIVES, read
from tests.inventory.hardware.test_hardware_import import lshw_of, smartctl_of
from tests.lending_factories import EnrolmentFactory, HouseholdFactory, LoanFactory
from tests.matrix import cases, form_data, leaks, refusal_mismatches, text_of
from tests.sales_factories import PriceFactory, ready_device

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ROLES = ("anon", "tech", "co", "sw", "super")

# The household that borrows one device and bought another: no inventory page may name
# it to anyone (the workshop knows a household by its code, and only where it must).
PERSON = {
    "first_name": "Zéphyrine",
    "last_name": "Quatremare",
    "phone": "06 98 76 54 32",
    "email": "zephyrine@example.org",
    "notes": "NOTE-CONFIDENTIELLE-DU-FOYER",
}
# The donor's contact: the workshop's business, never a social worker's nor the public's.
DONOR = {
    "name": "Cabinet Vasseur-Delannoy",
    "contact_name": "Hortense Vasseur",
    "email": "hortense.vasseur@example.org",
    "phone": "03 21 44 55 66",
    "address": "7 impasse des Houillères",
    "notes": "NOTE-DU-DONATEUR",
}
# The log imported in the world, and another one (new serials, so another file) to post.
WORLD_LOG = read(TWO_DRIVES)
POSTED_LOG = WORLD_LOG.replace(b"S3YJNX0K123456A", b"PERM0SSD0001").replace(
    b"WD-WCC2EUK1234567", b"PERM0HDD0001"
)

# GET, every page ------------------------------------------------------------------------
# Objects: D a received device (a drive, not erased, at location BRU-A01, of the donation);
# D_ready a ready one; D_lent one lent to the household, D_sold one sold to it; D_erased
# erased but not certified; cert the certificate of another device (log, its nwipe log);
# report a hardware report; key a workstation's key; item, part, system the workshop's
# reference data; donor and donation; link the donor's link to the donation's summary.

# Allowed: the role's POST is not made by the refusal test.
OK = None

# fmt: off
PAGES = [
    # url name                                object                      anon tech  co  sw super
    ("dashboard",                             None,                       302, 200, 200, 200, 200),
    # Devices
    ("inventory:device_list",                 None,                       302, 200, 200, 403, 200),
    ("inventory:device_list",                 "?export=csv",              302, 200, 200, 403, 200),
    ("inventory:device_list",                 "?export=xlsx",             302, 200, 200, 403, 200),
    ("inventory:device_kanban",               None,                       302, 200, 200, 403, 200),
    ("inventory:device_create",               None,                       302, 200, 200, 403, 200),
    ("inventory:device_bulk_transition",      None,                       302, 405, 405, 405, 405),
    ("inventory:device_detail",               "D",                        302, 200, 200, 403, 200),
    ("inventory:device_detail",               "D_lent",                   302, 200, 200, 403, 200),
    ("inventory:device_detail",               "D_sold",                   302, 200, 200, 403, 200),
    ("inventory:device_detail",               "unknown tag",              302, 404, 404, 403, 404),
    ("inventory:device_transition",           "D→wiping",                 302, 405, 405, 405, 405),
    ("inventory:device_comment",              "D",                        302, 405, 405, 405, 405),
    ("inventory:drive_add",                   "D",                        302, 405, 405, 405, 405),
    ("inventory:erasure_add",                 "D",                        302, 405, 405, 405, 405),
    # Erasure: logs, certificates and their public check
    ("erasure:log_import",                    "D",                        302, 405, 405, 405, 405),
    ("erasure:log_download",                  "log",                      302, 200, 200, 403, 200),
    ("erasure:api_log",                       None,                       405, 405, 405, 405, 405),
    ("erasure:api_start",                     None,                       405, 405, 405, 405, 405),
    ("erasure:api_progress",                  None,                       405, 405, 405, 405, 405),
    ("erasure:run_status",                    "D",                        302, 200, 200, 403, 200),
    ("erasure:certificate_issue",             "D_erased",                 302, 405, 405, 405, 405),
    ("erasure:validate",                      "D_erased",                 302, 405, 405, 405, 405),
    ("erasure:certificate_pdf",               "cert",                     302, 200, 200, 403, 200),
    ("erasure:certificate_pdf",               "cert under D",             302, 404, 404, 403, 404),
    ("erasure:donation_summary",              "donation",                 302, 200, 200, 403, 200),
    ("public:verify_certificate",             "number",                   200, 200, 200, 200, 200),
    ("public:verify_certificate",             "unknown number",           404, 404, 404, 404, 404),
    # Hardware reports and the workstations' keys (the API answers JSON, never a login)
    ("hardware:import",                       None,                       302, 200, 200, 403, 200),
    ("hardware:device_import",                "D",                        302, 405, 405, 405, 405),
    ("hardware:report_lshw",                  "report",                   302, 200, 200, 403, 200),
    ("hardware:api_report",                   None,                       405, 405, 405, 405, 405),
    ("hardware:workstation_list",             None,                       302, 403, 200, 403, 200),
    ("hardware:workstation_revoke",           "key",                      302, 405, 405, 405, 405),
    # Refurbishment: the device card's actions and the reference data
    ("refurbishment:check_record",            "D+item",                   302, 405, 405, 405, 405),
    ("refurbishment:api_check_results",       None,                       405, 405, 405, 405, 405),
    ("refurbishment:part_use",                "D",                        302, 405, 405, 405, 405),
    ("refurbishment:system_install",          "D",                        302, 405, 405, 405, 405),
    ("refurbishment:checks_pass_all",         "D",                        302, 405, 405, 405, 405),
    ("refurbishment:device_ready",            "D",                        302, 405, 405, 405, 405),
    ("erasure:factory_reset",                 "D",                        302, 405, 405, 405, 405),
    ("inventory:device_shelve",               "D_ready",                  302, 405, 405, 405, 405),
    ("refurbishment:checklist_list",          None,                       302, 200, 200, 403, 200),
    ("refurbishment:checklist_add",           None,                       302, 403, 200, 403, 200),
    ("refurbishment:checklist_edit",          "item",                     302, 403, 200, 403, 200),
    ("refurbishment:part_list",               None,                       302, 200, 200, 403, 200),
    ("refurbishment:part_list",               "?export=csv",              302, 200, 200, 403, 200),
    ("refurbishment:part_restock",            "part",                     302, 405, 405, 405, 405),
    ("refurbishment:system_list",             None,                       302, 200, 200, 403, 200),
    ("refurbishment:system_offered",          "system",                   302, 405, 405, 405, 405),
    # The scan station, and the page behind a label's QR code (the same for any tag)
    ("scan:station",                          None,                       302, 200, 200, 403, 200),
    ("public:public_device",                  "D",                        200, 200, 200, 200, 200),
    ("public:public_device",                  "D_lent",                   200, 200, 200, 200, 200),
    ("public:public_device",                  "D_sold",                   200, 200, 200, 200, 200),
    ("public:public_device",                  "unknown tag",              200, 200, 200, 200, 200),
    # Donors, donations and their paperwork
    ("inventory:donor_list",                  None,                       302, 200, 200, 403, 200),
    ("inventory:donor_list",                  "?export=csv",              302, 200, 200, 403, 200),
    ("inventory:donor_create",                None,                       302, 200, 200, 403, 200),
    ("inventory:donor_detail",                "donor",                    302, 200, 200, 403, 200),
    ("inventory:donor_edit",                  "donor",                    302, 200, 200, 403, 200),
    ("inventory:donor_comment",               "donor",                    302, 405, 405, 405, 405),
    ("inventory:donation_list",               None,                       302, 200, 200, 403, 200),
    ("inventory:donation_list",               "?export=csv",              302, 200, 200, 403, 200),
    ("inventory:donation_create",             None,                       302, 200, 200, 403, 200),
    ("inventory:donation_detail",             "donation",                 302, 200, 200, 403, 200),
    ("inventory:donation_edit",               "donation",                 302, 200, 200, 403, 200),
    ("inventory:donation_comment",            "donation",                 302, 405, 405, 405, 405),
    ("donor_documents:attestation",           "donation",                 302, 405, 405, 405, 405),
    ("donor_documents:tax_receipt",           "donation",                 302, 405, 405, 405, 405),
    ("donor_documents:send_erasure_summary",  "donation",                 302, 405, 405, 405, 405),
    ("donor_documents:valuation",             "donation",                 302, 403, 200, 403, 200),
    ("donor_documents:tax_receipts",          None,                       302, 403, 200, 403, 200),
    ("donor_documents:tax_receipts",          "?export=csv",              302, 403, 200, 403, 200),
    # The donor's link works without login, for its own donation only, until it expires.
    ("donor_documents:shared_erasure_summary", "link",                    200, 200, 200, 200, 200),
    ("donor_documents:shared_erasure_summary", "link re-signed for another donation",
                                                                          404, 404, 404, 404, 404),
    ("donor_documents:shared_erasure_summary", "link signed for another use",
                                                                          404, 404, 404, 404, 404),
    ("donor_documents:shared_erasure_summary", "link to no donation",     404, 404, 404, 404, 404),
    ("donor_documents:shared_erasure_summary", "expired link",            410, 410, 410, 410, 410),
    # Sites and locations, the organisation
    ("inventory:site_list",                   None,                       302, 200, 200, 403, 200),
    ("inventory:site_list",                   "?export=csv",              302, 200, 200, 403, 200),
    ("inventory:site_list",                   "?export=csv&data=locations",
                                                                          302, 200, 200, 403, 200),
    ("organisation:edit",                     None,                       302, 403, 200, 403, 200),
    # Public, and no logo is saved here.
    ("organisation:logo",                     None,                       404, 404, 404, 404, 404),
]

# POST by the roles that must be refused (OK: allowed, not posted here) -------------------
# Each refusal must write nothing at all (see `written`); the same POST by a superuser
# does write (test_the_posts_of_the_refusals_would_write_if_let_through), except where
# the product refuses it to everyone (REFUSED_TO_EVERYONE).
# Some refusals are a message on the page the user comes back to (302), not a 403:
# a bulk change and the scan station report each device's refusal; a sale and the
# moves of a device held by a loan belong to the sales and lending pages.
POST_REFUSED = [
    # url name                                object or data     anon tech co   sw
    ("inventory:device_detail",               "D",                302, OK,  OK,  403),
    ("inventory:device_create",               None,               302, OK,  OK,  403),
    ("inventory:device_transition",           "D→wiping",         302, OK,  OK,  403),
    ("inventory:device_transition",           "D_ready→given",    302, 403, OK,  403),
    ("inventory:device_transition",           "D_ready→reserved", 302, 403, OK,  403),
    ("inventory:device_transition",           "D_ready→sold",     302, 302, 302, 403),
    ("inventory:device_transition",           "D_lent→returned",  302, 302, 302, 403),
    ("inventory:device_bulk_transition",      "D→wiping",         302, OK,  OK,  403),
    ("inventory:device_bulk_transition",      "D_ready→given",    302, 302, OK,  403),
    ("inventory:device_comment",              "D",                302, OK,  OK,  403),
    ("inventory:drive_add",                   "D",                302, OK,  OK,  403),
    ("inventory:erasure_add",                 "D",                302, OK,  OK,  403),
    ("erasure:log_import",                    "D",                302, OK,  OK,  403),
    ("erasure:certificate_issue",             "D_erased",         302, OK,  OK,  403),
    ("erasure:validate",                      "D_to_validate",    302, 403, OK,  403),
    ("hardware:import",                       None,               302, OK,  OK,  403),
    ("hardware:device_import",                "D",                302, OK,  OK,  403),
    ("hardware:workstation_list",             None,               302, 403, OK,  403),
    ("hardware:workstation_revoke",           "key",              302, 403, OK,  403),
    ("refurbishment:check_record",            "D+item",           302, OK,  OK,  403),
    ("refurbishment:part_use",                "D",                302, OK,  OK,  403),
    ("refurbishment:system_install",          "D",                302, OK,  OK,  403),
    ("refurbishment:checks_pass_all",         "D",                302, OK,  OK,  403),
    ("refurbishment:device_ready",            "D",                302, OK,  OK,  403),
    ("erasure:factory_reset",                 "D",                302, OK,  OK,  403),
    ("inventory:device_shelve",               "D_ready",          302, OK,  OK,  403),
    ("refurbishment:checklist_add",           None,               302, 403, OK,  403),
    ("refurbishment:checklist_edit",          "item",             302, 403, OK,  403),
    ("refurbishment:part_list",               None,               302, 403, OK,  403),
    ("refurbishment:part_restock",            "part",             302, 403, OK,  403),
    ("refurbishment:system_list",             None,               302, 403, OK,  403),
    ("refurbishment:system_offered",          "system",           302, 403, OK,  403),
    ("scan:station",                          "D→wiping",         302, OK,  OK,  403),
    ("scan:station",                          "D_ready→given",    302, 302, OK,  403),
    ("inventory:donor_create",                None,               302, OK,  OK,  403),
    ("inventory:donor_edit",                  "donor",            302, OK,  OK,  403),
    ("inventory:donor_comment",               "donor",            302, OK,  OK,  403),
    ("inventory:donation_create",             None,               302, OK,  OK,  403),
    ("inventory:donation_edit",               "donation",         302, OK,  OK,  403),
    ("inventory:donation_comment",            "donation",         302, OK,  OK,  403),
    ("donor_documents:attestation",           "donation",         302, OK,  OK,  403),
    ("donor_documents:tax_receipt",           "donation",         302, 403, OK,  403),
    ("donor_documents:send_erasure_summary",  "donation",         302, OK,  OK,  403),
    ("donor_documents:valuation",             "donation",         302, 403, OK,  403),
    ("inventory:site_list",                   "new site",         302, 403, OK,  403),
    ("inventory:site_list",                   "new location",     302, 403, OK,  403),
    ("organisation:edit",                     None,               302, 403, OK,  403),
]
POST_ROLES = ("anon", "tech", "co", "sw")
# fmt: on

# Refused to every role, the superuser's included: a sale is made on the sales page, a
# lent device comes back through its loan.
REFUSED_TO_EVERYONE = {
    # D is a laptop just received: not ready to be made ready, nor reset like a phone.
    # Their successes are tested in tests/inventory/panel/.
    ("refurbishment:device_ready", "D"),
    ("erasure:factory_reset", "D"),
    ("inventory:device_transition", "D_ready→sold"),
    ("inventory:device_transition", "D_lent→returned"),
}

# The workstations' API knows keys, not sessions: each role's client, signed in or not,
# gets the same answer for the same key.
# fmt: off
API_KEYS = [
    # key                       anon tech co   sw   super
    ("no key",                  401, 401, 401, 401, 401),
    ("revoked key",             401, 401, 401, 401, 401),
    # Issued to a user who may no longer report (their role changed, or they left).
    ("social worker's key",     403, 403, 403, 403, 403),
    ("former technician's key", 403, 403, 403, 403, 403),
]
# fmt: on

# The namespaces of the inventory's URL confs (config/urls.py).
NAMESPACES = (
    "inventory",
    "erasure",
    "hardware",
    "refurbishment",
    "scan",
    "organisation",
    "donor_documents",
)
PUBLIC = {
    "public:public_device",
    "public:verify_certificate",
    "organisation:logo",
    "donor_documents:shared_erasure_summary",
}


# The world ------------------------------------------------------------------------------


class World:
    """Everything the matrix opens, and one signed-in client per role."""

    def __init__(self):
        if Group.objects.filter(name__in=Role.values).count() != len(Role.values):
            sync_roles()
        # The users of tests/conftest.py's role fixtures.
        technician = UserFactory(username="technician", role=Role.TECHNICIAN)
        coordinator = UserFactory(username="coordinator", role=Role.COORDINATOR)
        social_worker = UserFactory(username="social-worker", role=Role.SOCIAL_WORKER)
        superuser = UserFactory(username="admin", is_superuser=True, is_staff=True)
        self.users = {
            "tech": technician,
            "co": coordinator,
            "sw": social_worker,
            "super": superuser,
        }
        self.site = SiteFactory(code="BRU", name="Ressourcerie de Bruay")
        self.location = LocationFactory(site=self.site, code="BRU-A01")
        # What the donor papers print (they are refused without it).
        Organisation.objects.create(
            name="Ressourcerie de Bruay",
            address="1 rue des Fosses\n62700 Bruay-La-Buissière",
            siret="12345678900011",
            purpose="Réemploi",
            tax_receipt_status="Association d'intérêt général",
        )
        donor = DonorFactory(**DONOR, siren="552120222")
        donation = DonationFactory(
            donor=donor,
            site=self.site,
            valuation=Decimal("30"),
            valuation_basis=ValuationBasis.COST_PRICE,
        )
        other_donation = DonationFactory(site=self.site)
        received = DeviceFactory(
            site=self.site, location=self.location, donation=donation, drives__count=1
        )
        ready = ready_device(site=self.site)
        certified = DeviceFactory(site=self.site, donation=donation, status=Status.WIPING)
        erasure.import_erasure_log(
            data=WORLD_LOG, filename="nwipe.log", by=technician, device=certified
        )
        # The log's drive is a hard disk overwritten in full (Clear is then enough to
        # leave, inventory.erasure.rules), validated by a coordinator.
        certified.drives.update(kind="hdd")
        Erasure.objects.filter(drive__device=certified).update(
            validated_by=technician, validated_at=timezone.now()
        )
        certificate = erasure.issue_certificate(device=certified, by=technician)
        # Erased with the proof a certificate needs (the log above): D_erased validated,
        # D_to_validate waiting for a coordinator.
        erased = DeviceFactory(site=self.site, drives__count=1)
        ErasureFactory(drive=erased.drives.get(), certifiable=True, log=ErasureLog.objects.get())
        to_validate = DeviceFactory(site=self.site, drives__count=1)
        ErasureFactory(
            drive=to_validate.drives.get(),
            certifiable=True,
            log=ErasureLog.objects.get(),
            validated_by=None,
            validated_at=None,
        )
        from_report, _created = hardware.import_hardware_report(
            lshw=lshw_of("PERM0HW0001"),
            smartctl=[smartctl_of()],
            by=technician,
            site=self.site,
            source=HardwareReport.Source.PAGE,
        )
        key, self.key = WorkstationToken.issue(name="Établi 1", site=self.site, user=technician)
        revoked, self.revoked_key = WorkstationToken.issue(
            name="Établi 2", site=self.site, user=technician
        )
        hardware.revoke_workstation_token(token=revoked, by=coordinator)
        # A key issued before its user became a social worker (the API refuses it now).
        _token, self.social_workers_key = WorkstationToken.issue(
            name="Établi 3", site=self.site, user=social_worker
        )
        former = UserFactory(username="former-technician", role=Role.TECHNICIAN)
        _token, self.former_technicians_key = WorkstationToken.issue(
            name="Établi 4", site=self.site, user=former
        )
        former.is_active = False
        former.save(update_fields=["is_active"])
        item = ChecklistItem.objects.create(
            category=Category.LAPTOP, label="Clavier (matrice)", position=50
        )
        part = Part.objects.create(kind=Part.Kind.SSD, name="SSD 256 Go (matrice)", quantity=5)
        system = OperatingSystem.objects.create(name="Linux Mint", version="22 (matrice)")
        self.shelf = Location.objects.create(site=self.site, code="MAT-A01", name="Matrice")
        lent, sold = self._borrowed_and_bought(technician, superuser)
        self.objects = {
            "D": received,
            "D_ready": ready,
            "D_lent": lent,
            "D_sold": sold,
            "D_erased": erased,
            "D_to_validate": to_validate,
            "cert": certificate,
            "log": ErasureLog.objects.get(),
            "report": from_report.hardware_reports.get(),
            "key": key,
            "item": item,
            "part": part,
            "system": system,
            "donor": donor,
            "donation": donation,
            "other donation": other_donation,
            "D_other": DeviceFactory(site=self.site, donation=other_donation),
        }
        tag = received.asset_tag
        self.args = {
            **{name: [obj.asset_tag] for name, obj in self.objects.items() if name[0] == "D"},
            "unknown tag": ["RE-999999"],
            **{
                f"{name}→{target}": [self.objects[name].asset_tag, target]
                for name, target in [
                    ("D", "wiping"),
                    ("D_ready", "given"),
                    ("D_ready", "reserved"),
                    ("D_ready", "sold"),
                    ("D_lent", "returned"),
                ]
            },
            "D+item": [tag, item.pk],
            "cert": [certified.asset_tag, certificate.number],
            "cert under D": [tag, certificate.number],
            "number": [certificate.number],
            "unknown number": [f"CE-{TODAY.year}-99999"],
            **{name: [self.objects[name].pk] for name in ("log", "report", "key", "item")},
            **{name: [self.objects[name].pk] for name in ("part", "system", "donor", "donation")},
            **{name: [token] for name, token in self._links(donation, other_donation).items()},
        }
        # Signed in now, so that their sessions outlive each test's rollback.
        self.clients = {"anon": Client()}
        for role, user in self.users.items():
            self.clients[role] = Client()
            self.clients[role].force_login(user)
        self._pages = {}

    def _borrowed_and_bought(self, technician, superuser):
        """A device lent to the household and one sold to it (a programme not `co`'s)."""
        enrolment = EnrolmentFactory(household=HouseholdFactory(**PERSON))
        self.household = enrolment.household
        lent = ready_device(site=self.site)
        loan = LoanFactory(enrolment=enrolment)
        loan_workflow.approve_loan(
            loan=loan,
            by=enrolment.programme.coordinators.get(),
            devices=[lent],
            starts_on=TODAY,
        )
        loan_workflow.hand_over_loan(
            loan=loan, by=technician, signed_on=TODAY, accessories=["charger"]
        )
        sold = ready_device(site=self.site)
        PriceFactory(category=sold.category, grade=sold.grade)
        sales_services.record_sale(
            by=superuser,
            site=self.site,
            devices=[sold],
            payment_method=PaymentMethod.CASH,
            household=self.household,
        )
        lent.refresh_from_db()
        sold.refresh_from_db()
        return lent, sold

    def _links(self, donation, other):
        salt = donor_documents.SUMMARY_LINK_SALT
        link = donor_documents.summary_link(donation)
        token = resolve(urllib.parse.urlsplit(link).path).kwargs["token"]
        other_token = signing.dumps({"donation": other.pk}, salt=salt)
        # The other donation's payload under this link's timestamp and signature.
        forged = ":".join([other_token.split(":")[0], *token.split(":")[1:]])
        past = timezone.now().timestamp() - (61 * 24 * 3600)
        with mock.patch.object(signing, "time", types.SimpleNamespace(time=lambda: past)):
            expired = signing.dumps({"donation": donation.pk}, salt=salt)
        return {
            "link": token,
            "link re-signed for another donation": forged,
            "link signed for another use": signing.dumps({"donation": donation.pk}),
            "link to no donation": signing.dumps({"donation": other.pk + 1000}, salt=salt),
            "expired link": expired,
        }

    def client(self, role):
        return self.clients[role]

    def page(self, role, url):
        """(status, text, headers) of GET `url` as `role`, once per module."""
        if (role, url) not in self._pages:
            response = self.clients[role].get(url)
            self._pages[role, url] = (response.status_code, text_of(response), response)
        return self._pages[role, url]

    def url(self, name, key):
        # On an address without arguments, the key says what is posted (the devices of a
        # bulk change or of the scan station, a site or a location).
        if key is None or key.startswith("?") or not _takes_arguments(name):
            return reverse(name) + (key if key and key.startswith("?") else "")
        return reverse(name, args=self.args[key])


def _takes_arguments(name):
    try:
        reverse(name)
    except NoReverseMatch:
        return True
    return False


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction rolled back at its end; each test
    runs in a savepoint of it (pytest-django's `db`), so what a test writes goes away."""
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        ),
    ):
        yield World()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    # The public pages' rate limit counts anonymous views in the cache, which other
    # modules fill too.
    cache.clear()
    yield
    cache.clear()


def _forbidden(world, name, role):
    """The values `role` must not read on page `name`."""
    values = list(PERSON.values())
    # The donor's link is the donor's: whoever holds it reads what it was sent for.
    if name != "donor_documents:shared_erasure_summary" and (role == "sw" or name in PUBLIC):
        values += DONOR.values()
    if name == "public:public_device":
        # Nothing about anyone, nor where the device sits: no serial, shelf or household.
        devices = [world.objects[key] for key in ("D", "D_lent", "D_sold")]
        values += [device.serial_number for device in devices]
        values += [world.location.code, world.household.code]
    return values


def written():
    """What a refused POST must leave as it was: every row the inventory's pages write."""
    models = [
        Site,
        Location,
        Donor,
        Donation,
        Device,
        Drive,
        Erasure,
        ErasureLog,
        ErasureCertificate,
        Comment,
        ChecklistItem,
        CheckResult,
        Part,
        PartUse,
        OperatingSystem,
        OsInstall,
        HardwareReport,
        Organisation,
        Sequence,
        IssuedDocument,
    ]
    rows = {model.__name__: list(model.objects.order_by("pk").values_list()) for model in models}
    # A key's last use is recorded when it is shown, even by a user who may not report.
    rows["WorkstationToken"] = list(
        WorkstationToken.objects.order_by("pk").values_list("pk", "name", "revoked_at")
    )
    rows["history"] = [model.history.count() for model in models if hasattr(model, "history")]
    rows["mails"] = len(getattr(mail, "outbox", []))
    return rows


# The matrix -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "key", "expected"), cases(PAGES, ROLES))
def test_each_role_gets_the_status_of_the_matrix(world, name, key, expected):
    url = world.url(name, key)
    got = {role: world.page(role, url)[0] for role in ROLES}

    mismatches = {role: f"expected {expected[role]}, got {got[role]}" for role in ROLES}
    mismatches = {role: text for role, text in mismatches.items() if got[role] != expected[role]}
    assert not mismatches, f"GET {url}: {mismatches}"


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [case for case in cases(PAGES, ROLES) if case.values[2]["anon"] == 302],
)
def test_anonymous_visitors_are_sent_to_the_login_page(world, name, key, expected):
    url = world.url(name, key)
    _status, _text, response = world.page("anon", url)

    target = urllib.parse.urlsplit(response["Location"])
    assert target.path == reverse("login")
    assert urllib.parse.parse_qs(target.query) == {"next": [url]}


@pytest.mark.parametrize(("name", "key", "expected"), cases(PAGES, ROLES))
def test_no_page_shows_a_personal_value_to_a_role_not_allowed_to_read_it(
    world, name, key, expected
):
    url = world.url(name, key)
    shown = {}
    for role in ROLES:
        status, text, _response = world.page(role, url)
        found = leaks(text, _forbidden(world, name, role)) if status < 400 else []
        if found:
            shown[role] = found
    assert not shown, f"GET {url} shows: {shown}"


def _upload(name, content):
    return SimpleUploadedFile(name, content)


def _post(world, role, name, key):
    """POST as `role` what an allowed user would send for this row (files made afresh)."""
    fields = _post_fields(world, world.objects, name, key)
    return world.client(role).post(world.url(name, key), fields)


def _report(world, role, key, endpoint="hardware:api_report"):
    """A workstation's report (or nwipe log) sent with `key` (one of API_KEYS) by `role`'s
    client."""
    keys = {
        "no key": None,
        "revoked key": world.revoked_key,
        "social worker's key": world.social_workers_key,
        "former technician's key": world.former_technicians_key,
        "technician's key": world.key,
    }
    headers = {"Authorization": f"Token {keys[key]}"} if keys[key] else {}
    fields = {"lshw": _upload("lshw.json", lshw_of("PERM0HW0002"))}
    if endpoint == "erasure:api_log":
        fields = {"log": _upload("nwipe.log", POSTED_LOG), "device": world.objects["D"].asset_tag}
    if endpoint == "erasure:api_start":
        drives = '[{"path": "/dev/sda", "method": "overwrite"}]'
        fields = {"device": world.objects["D"].asset_tag, "drives": drives}
    if endpoint == "refurbishment:api_check_results":
        results = [{"check": "ram", "outcome": "pass", "note": "8 Gio"}]
        body = {"device": world.objects["D"].asset_tag, "results": results}
        return world.client(role).post(
            reverse(endpoint), body, content_type="application/json", headers=headers
        )
    return world.client(role).post(reverse(endpoint), fields, headers=headers)


def _post_fields(world, o, name, key):
    site = world.site.pk
    if name == "inventory:device_detail":
        return form_data(DeviceForm(instance=o["D"]), notes="Changé par la matrice")
    if name == "inventory:donor_edit":
        return form_data(DonorForm(instance=o["donor"]), notes="Changé")
    if name == "inventory:donation_edit":
        return form_data(DonationForm(instance=o["donation"]), notes="Changé")
    if name in ("inventory:device_bulk_transition", "scan:station"):
        device, target = key.split("→")
        tag = o[device].asset_tag
        if name == "scan:station":
            return {"tag": tag, "do": target}
        return {"tags": [tag], "target": target}
    if name == "erasure:log_import":
        return {"log": _upload("nwipe.log", POSTED_LOG)}
    if name == "hardware:import":
        return {"lshw": _upload("lshw.json", lshw_of("PERM0HW0003")), "site": site}
    if name == "hardware:device_import":
        return {"lshw": _upload("lshw.json", lshw_of(o["D"].serial_number))}
    return {
        "inventory:device_create": {"category": Category.LAPTOP, "site": site},
        "inventory:device_transition": {"seen_status": ""},
        "inventory:device_comment": {"body": "Un commentaire"},
        "inventory:drive_add": {"kind": "ssd", "serial_number": "PERM0NEW01", "capacity_gb": 128},
        "inventory:erasure_add": {
            "drive": o["D"].drives.get().pk,
            "method": Erasure.Method.OVERWRITE,
            "passes": "1",
            "result": Erasure.Result.PASSED,
        },
        "erasure:certificate_issue": {},
        "erasure:validate": {},
        "hardware:workstation_list": {
            "name": "Établi 9",
            "site": site,
            "user": world.users["tech"].pk,
        },
        "hardware:workstation_revoke": {},
        "refurbishment:check_record": {"outcome": CheckResult.Outcome.PASS},
        "refurbishment:part_use": {"fit-part": o["part"].pk, "fit-quantity": "1"},
        "refurbishment:system_install": {"install-system": o["system"].pk},
        "refurbishment:checks_pass_all": {},
        "refurbishment:device_ready": {"ready-grade": "B", "ready-system": o["system"].pk},
        "erasure:factory_reset": {"encrypted": "on"},
        "inventory:device_shelve": {"location": world.shelf.pk},
        "refurbishment:checklist_add": {
            "category": Category.LAPTOP,
            "label": "Nouveau test",
            "position": "60",
            "mandatory": "on",
            "active": "on",
        },
        "refurbishment:checklist_edit": {
            "label": "Clavier (changé)",
            "position": "50",
            "mandatory": "on",
            "active": "on",
        },
        "refurbishment:part_list": {"kind": Part.Kind.RAM, "name": "RAM 8 Go", "quantity": "2"},
        "refurbishment:part_restock": {"quantity": "3"},
        "refurbishment:system_list": {"name": "PrimTux", "version": "matrice", "active": "on"},
        "refurbishment:system_offered": {"offered": ""},
        "inventory:donor_create": {"name": "Mairie de Houdain", "kind": Donor.Kind.PUBLIC_BODY},
        "inventory:donor_comment": {"body": "Un commentaire"},
        "inventory:donation_create": {
            "donor": o["donor"].pk,
            "received_on": TODAY.isoformat(),
            "site": site,
            "reference": "LOT-MATRICE",
        },
        "inventory:donation_comment": {"body": "Un commentaire"},
        "donor_documents:attestation": {},
        "donor_documents:tax_receipt": {},
        "donor_documents:send_erasure_summary": {},
        "donor_documents:valuation": {
            "gift_description": "Ordinateurs portables d'occasion",
            "valuation": "120.00",
            "valuation_basis": "cost_price",
            "valued_on": TODAY.isoformat(),
        },
        "inventory:site_list": (
            {"site-code": "NEW", "site-name": "Nouveau site", "site-kind": Site.Kind.RESSOURCERIE}
            if key == "new site"
            else {"location-site": site, "location-code": "BRU-Z99", "location-name": "Étagère Z"}
        ),
        "organisation:edit": {
            "name": "Ressourcerie du Bruaysis",
            "address": "12 rue des Ateliers\n62700 Bruay-La-Buissière",
            "siret": "12345678900012",
            "vat_mention": "TVA non applicable, article 293 B du CGI",
            "phone": "03 21 61 00 00",
            "email": "contact@ressourcerie-bruaysis.example",
            "website": "https://ressourcerie-bruaysis.example",
            "opening_hours": "Du mardi au samedi, de 9 h à 17 h",
        },
    }[name]


@pytest.mark.parametrize(("name", "key", "expected"), cases(POST_REFUSED, POST_ROLES))
def test_a_refused_post_answers_as_the_matrix_says_and_writes_nothing(world, name, key, expected):
    url = world.url(name, key)

    mismatches = refusal_mismatches(expected, lambda role: _post(world, role, name, key), written)

    assert not mismatches, f"POST {url} ({key}): {mismatches}"


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [
        case
        for case in cases(POST_REFUSED, POST_ROLES)
        if tuple(case.values[:2]) not in REFUSED_TO_EVERYONE
    ],
)
def test_the_posts_of_the_refusals_would_write_if_let_through(world, name, key, expected):
    # Else a refusal could pass only because the data posted was wrong.
    before = written()
    response = _post(world, "super", name, key)

    assert response.status_code in (200, 201, 302)
    assert written() != before, response.context and response.context.get("form")


@pytest.mark.parametrize(
    "endpoint",
    [
        "hardware:api_report",
        "erasure:api_log",
        "erasure:api_start",
        "refurbishment:api_check_results",
    ],
)
@pytest.mark.parametrize(("key", "expected"), cases(API_KEYS, ROLES, columns=1))
def test_the_workstations_api_answers_the_key_whoever_sends_it_and_writes_nothing(
    world, key, expected, endpoint
):
    before = written()
    got = {role: _report(world, role, key, endpoint).status_code for role in ROLES}

    assert got == expected
    assert written() == before


def test_every_inventory_url_is_in_the_matrix():
    resolver = get_resolver()
    names = {
        f"{namespace}:{name}"
        for namespace in NAMESPACES
        for name in resolver.namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }

    assert names - {name for name, *_ in PAGES} == set()


# Own and other ----------------------------------------------------------------------------


def test_the_donors_link_opens_its_own_donations_summary_and_no_other(world):
    url = world.url("donor_documents:shared_erasure_summary", "link")
    _status, text, _response = world.page("anon", url)

    assert world.objects["D"].asset_tag in text
    assert world.objects["D_other"].asset_tag not in text


def test_a_workstation_key_reports_in_its_users_name(world):
    before = written()
    response = _report(world, "anon", "technician's key")

    assert response.status_code == 201
    assert written() != before
    device = Device.objects.get(asset_tag=response.json()["asset_tag"])
    assert device.hardware_reports.get().received_by == world.users["tech"]


def test_the_public_page_gives_staff_a_link_and_nobody_else(world):
    url = world.url("public:public_device", "D")
    device_url = world.objects["D"].get_absolute_url()

    shown = {role: f'href="{device_url}"' in world.page(role, url)[1] for role in ROLES}

    assert shown == {"anon": False, "tech": True, "co": True, "sw": False, "super": True}


def test_the_technician_sees_the_borrowing_household_by_its_code_only(world):
    # The other side of the absence checks: the device page does name the loan's household.
    _status, text, _response = world.page("tech", world.url("inventory:device_detail", "D_lent"))

    assert world.household.code in text
    assert leaks(text, PERSON.values()) == []

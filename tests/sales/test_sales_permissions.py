"""The permission matrix of the shop: every sales URL (the counter, a sale, its receipt
and its cancellation by a credit note, the credit note, the till, the sales list and
its export, the price list, the proofs of eligibility) × every role, the status each
answers, that a refused POST writes nothing, and that the shop names a household by its
code only.

The roles (columns):
    anon   nobody signed in                      → the login page, everywhere
    tech   a technician                          → sells, reprints, reads the price list
                                                   and the proofs; cancels nothing
    sw_a   the social worker of hA's structure   → no shop page at all (403), hA's
                                                   purchases included
    co_p   the coordinator of programme P (hA's) → the technician's pages, plus
                                                   cancelling, the price list and the
                                                   proofs; sells to P's households
    co_q   a coordinator of programme Q only     → the same pages; hA is not theirs
    super  a superuser                           → everything
403 = the role lacks the permission (checked before any look-up); 404 = no such sale or
credit note; 405 = an action that only takes a POST (answered before any look-up).

A sale's pages are the same for every seller (a receipt is never site- or seller-scoped);
what differs is the household: every shop page and document names it by its code
(`F-0007`), never by a personal value, and only a seller who may read its file (co_p, the
superuser) gets a link to it. A seller who does not follow a household cannot sell to it.

The world is built once for the module (see `world`).
"""

import urllib.parse

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client, override_settings
from django.urls import get_resolver, reverse
from django.utils import timezone

from accounts.roles import Role, sync_roles
from inventory.models import Device, Grade, Sequence, Status
from sales import invoicing, selectors, services
from sales.forms import PriceListForm
from sales.models import (
    CreditNote,
    EligibilityProof,
    Invoice,
    PaymentMethod,
    Price,
    Sale,
    SaleItem,
)
from tests.factories import DeviceFactory, SiteFactory, UserFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    ProgrammeFactory,
    StructureFactory,
)
from tests.matrix import cases, form_data, leaks, refusal_mismatches, text_of
from tests.sales_factories import EligibilityProofFactory, PriceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ROLES = ("anon", "tech", "sw_a", "co_p", "co_q", "super")

# hA's file: the shop may name hA by its code, never by one of these.
PERSON_A = {
    "first_name": "Zéphyrine",
    "last_name": "Quatremare",
    "phone": "06 98 76 54 32",
    "email": "zephyrine@example.org",
    "commune": "Bully-les-Mines",
    "postcode": "62160",
    "notes": "NOTE-CONFIDENTIELLE",
}
INVOICE_DATA = {
    "buyer_name": "Association Trait d'Union",
    "buyer_address": "3 rue des Écoles\n62700 Bruay-la-Buissière",
    "buyer_siren": "732829320",
}
# Allowed: the role's POST is not made by the refusal test.
OK = None

# GET, every page ------------------------------------------------------------------------
# Objects: S a sale by the technician to a passer-by (a postcode); S_h a sale to hA (a
# household of A's structure enrolled in P) by P's coordinator; S_c a cancelled sale and
# N its credit note; proof a proof of eligibility.

# fmt: off
PAGES = [
    # url name              object           anon tech sw_a co_p co_q super
    ("sale_list",           None,            302, 200, 403, 200, 200, 200),
    ("sale_list",           "?export=csv",   302, 200, 403, 200, 200, 200),
    ("sale_list",           "?export=xlsx",  302, 200, 403, 200, 200, 200),
    ("sale_list",           "?export=ods",   302, 200, 403, 200, 200, 200),
    ("sale_new",            None,            302, 200, 403, 200, 200, 200),
    ("till",                None,            302, 200, 403, 200, 200, 200),
    ("sale_detail",         "S",             302, 200, 403, 200, 200, 200),
    ("sale_detail",         "S_h",           302, 200, 403, 200, 200, 200),
    ("sale_detail",         "S_c",           302, 200, 403, 200, 200, 200),
    ("sale_detail",         "no sale",       302, 404, 403, 404, 404, 404),
    ("receipt",             "S",             302, 200, 403, 200, 200, 200),
    ("receipt",             "S_h",           302, 200, 403, 200, 200, 200),
    ("receipt",             "S_c",           302, 200, 403, 200, 200, 200),
    ("receipt",             "no sale",       302, 404, 403, 404, 404, 404),
    ("sale_cancel",         "S",             302, 405, 405, 405, 405, 405),
    # Redirects to the sale of a sold device; a device not sold has none.
    ("device_sale",         "tag of S_h",    302, 302, 403, 302, 302, 302),
    ("device_sale",         "tag not sold",  302, 404, 403, 404, 404, 404),
    ("credit_note",         "N",             302, 200, 403, 200, 200, 200),
    ("credit_note",         "no note",       302, 404, 403, 404, 404, 404),
    # An invoice to a business or an association: issued and read by every seller.
    ("invoice",             "I",             302, 200, 403, 200, 200, 200),
    ("invoice",             "no invoice",    302, 404, 403, 404, 404, 404),
    ("invoice_issue",       "S",             302, 405, 405, 405, 405, 405),
    # Read by every seller; edited by coordinators only.
    ("price_list",          None,            302, 200, 403, 200, 200, 200),
    ("proof_list",          None,            302, 200, 403, 200, 200, 200),
    ("proof_edit",          "proof",         302, 405, 405, 405, 405, 405),
]

# POST by the roles that must be refused (OK: allowed, not posted here) -----------------
# Each refusal must write nothing at all (see `written`); the same POST by a superuser
# does write (test_the_posts_of_the_refusals_would_write_if_let_through), except the
# cancellation of a cancelled sale, refused to everyone.
# sale_new "to hA": co_q does not follow hA, so the counter refuses the code (200, the
# form's error); a technician is not offered the field, so the code is ignored (see
# test_a_technicians_sale_records_no_household_whatever_is_posted).
POST_REFUSED = [
    # url name              object or buyer  anon tech sw_a co_p co_q
    ("sale_new",            "to nobody",     302, OK,  403, OK,  OK),
    ("sale_new",            "to hA",         302, OK,  403, OK,  200),
    ("sale_cancel",         "S",             302, 403, 403, OK,  OK),
    ("sale_cancel",         "S_h",           302, 403, 403, OK,  OK),
    ("sale_cancel",         "S_c",           302, 403, 403, 302, 302),
    ("invoice_issue",       "S_b",           302, OK,  403, OK,  OK),
    # A household gets a receipt, a cancelled sale nothing more: refused to everyone.
    ("invoice_issue",       "S_h",           302, 302, 403, 302, 302),
    ("invoice_issue",       "S_c",           302, 302, 403, 302, 302),
    ("price_list",          None,            302, 403, 403, OK,  OK),
    ("proof_list",          None,            302, 403, 403, OK,  OK),
    ("proof_edit",          "proof",         302, 403, 403, OK,  OK),
]
POST_ROLES = ("anon", "tech", "sw_a", "co_p", "co_q")
# fmt: on

REFUSED_TO_EVERYONE = {
    ("sale_cancel", "S_c"),
    ("invoice_issue", "S_h"),
    ("invoice_issue", "S_c"),
}


# The world ------------------------------------------------------------------------------


class World:
    """Everything the matrix opens, and one signed-in client per role."""

    def __init__(self):
        if Group.objects.filter(name__in=Role.values).count() != len(Role.values):
            sync_roles()
        # The users of tests/conftest.py's role fixtures, and one more coordinator.
        technician = UserFactory(username="technician", role=Role.TECHNICIAN)
        social_worker = UserFactory(username="social-worker", role=Role.SOCIAL_WORKER)
        coordinator = UserFactory(username="coordinator", role=Role.COORDINATOR)
        other_coordinator = UserFactory(username="other-coordinator", role=Role.COORDINATOR)
        superuser = UserFactory(username="admin", is_superuser=True, is_staff=True)
        self.users = {
            "tech": technician,
            "sw_a": social_worker,
            "co_p": coordinator,
            "co_q": other_coordinator,
            "super": superuser,
        }
        structure = StructureFactory(members=[social_worker])
        p = ProgrammeFactory(coordinators=[coordinator], structures=[structure])
        ProgrammeFactory(coordinators=[other_coordinator], structures=[structure])
        self.household = HouseholdFactory(
            structure=structure, social_worker=social_worker, **PERSON_A
        )
        EnrolmentFactory(household=self.household, programme=p)
        self.site = SiteFactory(code="BRU", name="Bruay")
        PriceFactory()
        self.proof = EligibilityProofFactory(name="RSA (matrice)")
        to_passer_by = self.sell(technician, buyer_postcode="62700")
        to_household = self.sell(coordinator, household=self.household)
        cancelled = self.sell(technician)
        note = services.cancel_sale(
            sale=cancelled,
            refund_method=cancelled.payment_method,
            by=coordinator,
            reason="Erreur de caisse",
        )
        to_business = self.sell(technician, buyer_name="Association Trait d'Union")
        invoice = invoicing.issue_invoice(
            sale=to_passer_by, by=technician, **INVOICE_DATA, order_reference=""
        )
        # The device the counter's POSTs sell.
        self.device = self.ready()
        self.objects = {
            "S": to_passer_by,
            "S_h": to_household,
            "S_c": cancelled,
            "S_b": to_business,
            "N": note,
            "I": invoice,
            "proof": self.proof,
        }
        self.args = {
            **{key: [obj.pk] for key, obj in self.objects.items()},
            "no sale": [Sale.objects.order_by("pk").last().pk + 1000],
            "no note": [note.pk + 1000],
            "no invoice": [invoice.pk + 1000],
            # The device page's link to the receipt of a sold device, by its asset tag.
            "tag of S_h": [to_household.items.get().device.asset_tag],
            "tag not sold": [self.device.asset_tag],
        }
        # Signed in now, so that their sessions outlive each test's rollback.
        self.clients = {"anon": Client()}
        for role, user in self.users.items():
            self.clients[role] = Client()
            self.clients[role].force_login(user)
        self._pages = {}

    def ready(self):
        return DeviceFactory(status=Status.READY, site=self.site, grade=Grade.B)

    def sell(self, seller, **buyer):
        return services.record_sale(
            by=seller,
            site=self.site,
            devices=[self.ready()],
            payment_method=PaymentMethod.CASH,
            **buyer,
        )

    def client(self, role):
        return self.clients[role]

    def page(self, role, url):
        """(status, text, response) of GET `url` as `role`, once per module."""
        if (role, url) not in self._pages:
            response = self.clients[role].get(url)
            self._pages[role, url] = (response.status_code, text_of(response), response)
        return self._pages[role, url]

    def url(self, name, key):
        if key is None or key.startswith("?"):
            return reverse(f"sales:{name}") + (key or "")
        if name == "sale_new":
            # The key says who buys.
            return reverse("sales:sale_new")
        return reverse(f"sales:{name}", args=self.args[key])


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at its end; each test
    runs in a savepoint of it (pytest-django's `db`), so what a test writes goes away."""
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        yield World()
        transaction.set_rollback(True)


def written():
    """What a refused POST must leave as it was."""
    return {
        "sales": list(Sale.objects.order_by("pk").values_list()),
        "items": list(SaleItem.objects.order_by("pk").values_list()),
        "credit notes": list(CreditNote.objects.order_by("pk").values_list()),
        "invoices": list(Invoice.objects.order_by("pk").values_list()),
        "prices": list(Price.objects.order_by("pk").values_list()),
        "proofs": list(EligibilityProof.objects.order_by("pk").values_list()),
        "devices": list(Device.objects.order_by("pk").values_list("pk", "status")),
        "numbers": list(Sequence.objects.order_by("pk").values_list()),
        "history": [model.history.count() for model in (Sale, Price, Device)],
    }


# The matrix -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "key", "expected"), cases(PAGES, ROLES))
def test_each_role_gets_the_status_of_the_matrix(world, name, key, expected):
    url = world.url(name, key)
    got = {role: world.page(role, url)[0] for role in ROLES}

    mismatches = {role: f"expected {expected[role]}, got {got[role]}" for role in ROLES}
    mismatches = {role: text for role, text in mismatches.items() if got[role] != expected[role]}
    assert not mismatches, f"GET {url}: {mismatches}"


@pytest.mark.parametrize(("name", "key", "expected"), cases(PAGES, ROLES))
def test_anonymous_visitors_are_sent_to_the_login_page(world, name, key, expected):
    url = world.url(name, key)
    _status, _text, response = world.page("anon", url)

    target = urllib.parse.urlsplit(response["Location"])
    assert target.path == reverse("login")
    assert urllib.parse.parse_qs(target.query) == {"next": [url]}


@pytest.mark.parametrize(("name", "key", "expected"), cases(PAGES, ROLES))
def test_no_shop_page_or_document_names_a_household_by_a_personal_value(world, name, key, expected):
    # Not even to those who may read hA's file (co_p, the superuser): the shop shows the
    # code, the household's page the rest.
    url = world.url(name, key)
    shown = {}
    for role in ROLES:
        status, text, _response = world.page(role, url)
        found = leaks(text, PERSON_A.values()) if status < 400 else []
        if found:
            shown[role] = found
    assert not shown, f"GET {url} shows: {shown}"


def _post_data(world, name, key):
    """A POST that writes something when a user allowed to send it does."""
    proof = world.proof
    if name == "sale_new":
        devices = [world.device]
        check = selectors.check_sale(
            site=world.site, devices=devices, solidarity=False, proofs=[], discounts={}
        )
        buyer = {"household": world.household.code} if key == "to hA" else {}
        return {
            "site": world.site.pk,
            "tags": world.device.asset_tag,
            "payment_method": PaymentMethod.CASH,
            "record": "1",
            "checked": check.signature,
            **buyer,
        }
    if name == "price_list":
        form = PriceListForm(prices=selectors.price_grid())
        return form_data(form, **{"laptop-B-price": "60", "laptop-B-solidarity": "25"})
    return {
        "sale_cancel": {"reason": "Rendu en magasin", "refund_method": "cash"},
        "invoice_issue": INVOICE_DATA,
        "proof_list": {"new-name": "Carte CMI (matrice)", "new-order": "9"},
        "proof_edit": {
            f"p{proof.pk}-name": "RSA (renommé)",
            f"p{proof.pk}-order": "1",
            f"p{proof.pk}-active": "on",
        },
    }[name]


@pytest.mark.parametrize(("name", "key", "expected"), cases(POST_REFUSED, POST_ROLES))
def test_a_refused_post_answers_as_the_matrix_says_and_writes_nothing(world, name, key, expected):
    url = world.url(name, key)
    data = _post_data(world, name, key)

    mismatches = refusal_mismatches(
        expected, lambda role: world.client(role).post(url, data), written
    )

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
    response = world.client("super").post(world.url(name, key), _post_data(world, name, key))

    assert response.status_code == 302, response.context and response.context.get("form")
    assert written() != before


def test_every_sales_url_is_in_the_matrix():
    resolver = get_resolver()
    names = {
        name for name in resolver.namespace_dict["sales"][1].reverse_dict if isinstance(name, str)
    }

    assert names - {name for name, *_ in PAGES} == set()


# The household of a sale ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["tech", "co_p", "co_q", "super"])
@pytest.mark.parametrize(
    ("name", "key"), [("sale_list", None), ("sale_detail", "S_h"), ("receipt", "S_h")]
)
def test_every_seller_reads_the_household_of_a_sale_as_its_code(world, role, name, key):
    # The other side of the absence checks: the household is there, as its code.
    _status, text, _response = world.page(role, world.url(name, key))

    assert world.household.code in text


@pytest.mark.parametrize(
    ("role", "linked"),
    [("tech", False), ("co_p", True), ("co_q", False), ("super", True)],
)
def test_only_a_seller_who_may_read_the_households_file_gets_a_link_to_it(world, role, linked):
    _status, text, _response = world.page(role, world.url("sale_detail", "S_h"))

    assert (f'href="{world.household.get_absolute_url()}"' in text) is linked


def test_a_technician_is_not_offered_the_household_field(world):
    _status, text, response = world.page("tech", world.url("sale_new", None))

    assert "household" not in response.context["form"].fields
    assert 'name="household"' not in text


def test_a_technicians_sale_records_no_household_whatever_is_posted(world):
    data = _post_data(world, "sale_new", "to hA")

    response = world.client("tech").post(world.url("sale_new", "to hA"), data)

    assert response.status_code == 302
    sale = Sale.objects.get(items__device=world.device)
    assert sale.household is None
    assert (sale.buyer_name, sale.buyer_postcode) == ("", "")


def test_a_coordinator_sells_to_a_household_of_their_programme(world):
    data = _post_data(world, "sale_new", "to hA")

    response = world.client("co_p").post(world.url("sale_new", "to hA"), data)

    assert response.status_code == 302
    assert Sale.objects.get(items__device=world.device).household == world.household


def test_a_coordinator_cannot_sell_to_a_household_of_another_programme(world):
    data = _post_data(world, "sale_new", "to hA")

    response = world.client("co_q").post(world.url("sale_new", "to hA"), data)

    assert response.context["form"].errors["household"] == [
        f"No household you follow has the code {world.household.code}."
    ]


def test_the_social_worker_of_the_household_does_not_see_its_purchase(world):
    # sw_a follows hA, yet the shop is not theirs: hA's sale answers 403 like any other.
    assert world.page("sw_a", world.url("sale_detail", "S_h"))[0] == 403
    assert world.page("sw_a", world.url("receipt", "S_h"))[0] == 403


def test_the_export_gives_a_buyers_postcode_and_no_household(world):
    _status, text, _response = world.page("co_p", world.url("sale_list", "?export=csv"))

    assert "62700" in text
    assert world.household.code not in text
    assert timezone.localdate().strftime("%d/%m/%Y") in text

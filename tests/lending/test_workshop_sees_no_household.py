"""The role crawl: signed in as a technician, GET every URL pattern of the project, with
its arguments filled from the demo's objects, plus every export and PDF the pages link
to, and find no household's name, phone, e-mail, notes, nor any comment written for the
social team.

The workshop sees loans (it hands devices over and takes them back) but a household is
only its code there (lending.access). A new URL pattern whose arguments this crawl does
not know how to fill fails `test_every_url_pattern_is_crawled`: add its source below.
"""

import re
from urllib.parse import urljoin

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import Role
from exchange import engine
from exchange.models import ImportJob
from exchange.registry import resource_names
from lending.comments import add_lending_comment
from lending.households.resources import HouseholdResource
from lending.models import Enrolment, Household, Loan
from spreadsheets.exporting import export_dataset
from tests.matrix import text_of, variants

pytestmark = pytest.mark.django_db

FAST_HASHER = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}
# What the social team writes about a family; the workshop must never read it.
SOCIAL_NOTES = {
    "household": "Mme a appelé depuis le 06 71 72 73 74 : dettes de loyer, suivi FSL",
    "enrolment": "Orientée par l'assistante sociale du secteur, situation de handicap (AAH)",
    "loan": "Le fils a appelé depuis le 06 81 82 83 84, la mère est hospitalisée",
}
# Never GET: it would end the session.
SKIPPED = {"logout"}

# The model whose primary key fills `<int:pk>` (or `<uuid:pk>`), by the URL's start.
PK_MODELS = {
    "labels/queue/": "labels.LabelRequest",
    "labels/layouts/": "labels.LabelLayout",
    "labels/batches/": "labels.LabelBatch",
    "imports/": "exchange.ImportJob",
    "sales/proofs/": "sales.EligibilityProof",
    "sales/credit-notes/": "sales.CreditNote",
    "sales/": "sales.Sale",
    "enrolments/": "lending.Enrolment",
    "programmes/": "lending.Programme",
    "workshops/": "lending.Workshop",
    "structures/": "lending.Structure",
    "funders/": "lending.Funder",
    "criteria/": "lending.Criterion",
    "loans/": "lending.Loan",
    "consents/": "lending.Consent",
    "sims/": "lending.SimCard",
    "donations/": "inventory.Donation",
    "donors/": "inventory.Donor",
    "erasure-logs/": "inventory.ErasureLog",
    "workshop/checklists/": "inventory.ChecklistItem",
    "workshop/parts/": "inventory.Part",
    "workshop/systems/": "inventory.OperatingSystem",
    "workshop/workstations/": "inventory.WorkstationToken",
    "hardware-reports/": "inventory.HardwareReport",
    "recycling/": "inventory.RecyclingShipment",
}


# The demo, and what the social team wrote in it ------------------------------------------


class Demo:
    def __init__(self):
        call_command("load_demo_data", devices=10)
        users = get_user_model().objects
        self.technician = users.filter(groups__name=Role.TECHNICIAN).first()
        social_worker = users.filter(groups__name=Role.SOCIAL_WORKER).first()
        for number, household in enumerate(Household.objects.order_by("pk"), start=1):
            # The demo's households have no e-mail: give them one, through a save (so
            # that the history holds it too).
            household.email = f"{household.last_name.lower()}.{number}@famille.example"
            household.save()
            add_lending_comment(
                subject=household, by=household.social_worker, body=SOCIAL_NOTES["household"]
            )
        for enrolment in Enrolment.objects.select_related("household__social_worker"):
            add_lending_comment(
                subject=enrolment,
                by=enrolment.household.social_worker,
                body=SOCIAL_NOTES["enrolment"],
            )
        for loan in Loan.objects.select_related("household__social_worker"):
            add_lending_comment(
                subject=loan, by=loan.household.social_worker, body=SOCIAL_NOTES["loan"]
            )
        assert social_worker is not None and self.technician is not None
        self._household_import(social_worker)
        self.secrets = self._secrets()
        self.client = Client()
        self.client.force_login(self.technician)
        self.responses = {}

    def _household_import(self, social_worker):
        """A social worker's import of households, analysed: its rows name a family."""
        queryset = HouseholdResource.export_queryset(social_worker)
        content = export_dataset(HouseholdResource, queryset, "csv", social_worker)
        job = ImportJob.objects.create(
            resource="households",
            filename="foyers.csv",
            content=content,
            created_by=social_worker,
            options={},
        )
        engine.analyse(job)

    def _secrets(self):
        """(label, pattern) of every personal value of the households, and of every
        comment written for the social team."""
        found = []
        for household in Household.objects.all():
            found.append((f"{household.code} name", household.full_name))
            found.append((f"{household.code} last name", household.last_name))
            found.append((f"{household.code} first name", household.first_name))
            found.append((f"{household.code} phone", household.phone))
            found.append((f"{household.code} phone", household.phone.replace(" ", "")))
            found.append((f"{household.code} e-mail", household.email))
            if household.notes:
                found.append((f"{household.code} notes", household.notes))
        Comment = apps.get_model("inventory", "Comment")
        for body in Comment.objects.filter(audience=Comment.Audience.SOCIAL).values_list(
            "body", flat=True
        ):
            found.append(("social comment", body))
        # What the social team typed about a family on its loans: the request, and the
        # reasons given with an approval, a cancellation, an extension.
        for loan in Loan.objects.all():
            found.append((f"loan {loan.pk} request", loan.request_note))
            for record in loan.history.exclude(history_change_reason=None):
                if record.history_user and self.technician != record.history_user:
                    found.append((f"loan {loan.pk} reason", record.history_change_reason))
        return [(label, value) for label, value in found if value]

    def get(self, url):
        if url not in self.responses:
            self.responses[url] = self.client.get(url)
        return self.responses[url]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(**FAST_HASHER),
    ):
        yield Demo()
        transaction.set_rollback(True)


# Every URL pattern ---------------------------------------------------------------------


def url_patterns(patterns=None, prefix="", namespace=None):
    """(route, name, pattern) of every pattern of config.urls, namespaces included."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name, pattern


def _arguments(pattern):
    return list(pattern.pattern.regex.groupindex)


def _pks(label, limit=3):
    model = apps.get_model(label)
    if model is Loan:
        # One loan of each status: requested, approved, running, overdue, returned…
        seen, pks = set(), []
        for pk, status in Loan.objects.order_by("pk").values_list("pk", "status"):
            if status not in seen:
                seen.add(status)
                pks.append(pk)
        return pks
    return list(model.objects.order_by("pk").values_list("pk", flat=True)[:limit])


def _lent_devices():
    Device = apps.get_model("inventory", "Device")
    tags = []
    for loan_pk in _pks("lending.Loan"):
        tags += Device.objects.filter(loan_items__loan=loan_pk).values_list("asset_tag", flat=True)
    # And one device the workshop is working on.
    tags += Device.objects.exclude(asset_tag__in=tags).values_list("asset_tag", flat=True)[:1]
    return list(dict.fromkeys(tags))


def _values(route, name, argument, pattern):
    """The values `argument` of `route` is filled with, or [] when unknown."""
    model_admin = getattr(pattern.callback, "model_admin", None)
    if argument == "object_id" and model_admin is not None:
        return [str(pk) for pk in model_admin.model.objects.values_list("pk", flat=True)[:2]]
    if argument == "asset_tag":
        return _lent_devices()
    if argument == "code":
        return list(Household.objects.values_list("code", flat=True)[:2])
    if argument == "pk":
        label = next((PK_MODELS[start] for start in PK_MODELS if route.startswith(start)), None)
        return _pks(label) if label else []
    if argument == "number":
        Certificate = apps.get_model("inventory", "ErasureCertificate")
        return list(Certificate.objects.values_list("number", flat=True)[:2]) or ["C-2026-0001"]
    if argument == "item_pk":
        return list(
            apps.get_model("inventory", "ChecklistItem").objects.values_list("pk", flat=True)[:1]
        )
    if argument == "kind":
        return ["devices", "locations", "actions"]
    if argument == "resource":
        return resource_names()
    if argument == "fmt":
        return ["csv", "xlsx"]
    if argument == "target":
        return ["ready"]
    if argument == "token":
        return ["not-a-token"]
    if argument == "app_label":
        return ["lending", "inventory", "sales"]
    if argument == "url":
        return ["nowhere/"]
    if argument in ("content_type_id",):
        return ["1"]
    return []


def _admin_history_urls(route, name):
    """simple-history's admin page of one version: (object id, version id), unnamed."""
    app_label, model_name = route.split("/")[1:3]
    model = apps.get_model(app_label, model_name)
    record = model.history.order_by("history_id").first()
    if record is None:
        # None in the demo (an invoice): the admin sends the technician to its login
        # whatever the ids, as for the other admin pages.
        return [reverse(name, args=["1", "1"])]
    return [reverse(name, args=[record.id, record.history_id])]


def urls_of(route, name, pattern):
    """Every URL made from `route` with its arguments' values; None if one has none."""
    regex = pattern.pattern.regex
    if name and regex.groups > len(regex.groupindex):
        return _admin_history_urls(route, name)
    arguments = _arguments(pattern)
    if not arguments:
        return [reverse(name)] if name else ["/" + route.lstrip("^").rstrip("$")]
    choices = [_values(route, name, argument, pattern) for argument in arguments]
    if route.startswith("admin/"):
        # The admin is for staff: the technician is sent to its login whatever the id.
        choices = [values or ["1"] for values in choices]
    if not all(choices):
        return None
    combinations = [{}]
    for argument, values in zip(arguments, choices, strict=True):
        combinations = [{**done, argument: value} for done in combinations for value in values]
    if name:
        return [reverse(name, kwargs=kwargs) for kwargs in combinations]
    # An unnamed pattern (the admin's redirects): its arguments written into the route.
    return [
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m, k=kwargs: str(k[m[1]]), route)
        for kwargs in combinations
    ]


def crawl(demo):
    """{url: response} of every pattern, then of every export and PDF the pages link to."""
    unfilled = []
    for route, name, pattern in url_patterns():
        if name in SKIPPED:
            continue
        urls = urls_of(route, name, pattern)
        if urls is None:
            unfilled.append(route)
            continue
        for url in urls:
            demo.get(url)
    linked = set()
    for page, response in list(demo.responses.items()):
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="([^"#]+)"', response.content.decode()):
            href = urljoin(page, href.replace("&amp;", "&"))
            if href.startswith("/") and ("export=" in href or ".pdf" in href):
                linked.add(href)
    for url in sorted(linked):
        demo.get(url)
    pages = [
        url
        for url, response in demo.responses.items()
        if response.status_code == 200 and "text/html" in response.get("Content-Type", "")
    ]
    for url in pages:
        # What htmx asks for (a panel, a list's rows) may be another template.
        demo.responses[f"htmx {url}"] = demo.client.get(url, HTTP_HX_REQUEST="true")
    for tag in _lent_devices():
        # The scan station's panel of a lent device, as the scanner shows it.
        panel = demo.client.post("/scan/", {"code": tag}, HTTP_HX_REQUEST="true")
        demo.responses[f"scan {tag}"] = panel
        demo.responses[f"scan page {tag}"] = demo.client.get("/scan/")
    return unfilled


@pytest.fixture(scope="module")
def crawled(demo):
    return {"unfilled": crawl(demo), "responses": demo.responses}


# The tests ------------------------------------------------------------------------------


def _shown(text, value):
    """Is `value` in `text` as a word (a first name inside another word does not count)?"""
    return any(re.search(rf"(?<!\w){re.escape(form)}(?!\w)", text) for form in variants(value))


def _nothing_to_open(route):
    """Does `route` name objects of which the demo has none (no erasure log, no label
    batch…)? Then there is nothing to read there either."""
    label = next((PK_MODELS[start] for start in PK_MODELS if route.startswith(start)), None)
    return label is not None and not apps.get_model(label).objects.exists()


def test_every_url_pattern_is_crawled(crawled):
    unfilled = [route for route in crawled["unfilled"] if not _nothing_to_open(route)]
    assert unfilled == []


def test_the_crawl_reads_pages_exports_and_pdfs(crawled):
    responses = crawled["responses"]
    opened = {url: r for url, r in responses.items() if r.status_code == 200}
    types = {r.get("Content-Type", "").split(";")[0] for r in opened.values()}
    assert len(opened) > 60
    assert {"text/html", "application/pdf", "text/csv"} <= types
    assert any("/loans/" in url and "export=xlsx" in url for url in opened)
    assert any(re.fullmatch(r"/loans/\d+/", url) for url in opened)
    assert any(url.startswith("htmx /loans/") for url in opened)
    scanned = [r for url, r in opened.items() if url.startswith("scan ")]
    assert scanned and all(b"RE-" in r.content for r in scanned)


def test_the_crawl_would_see_a_household_on_a_page_it_opens(demo, crawled):
    """The check is not blind: the social worker's loan page holds what the crawl looks for."""
    loan = Loan.objects.filter(status=Loan.Status.ACTIVE).select_related("household").first()
    client = Client()
    client.force_login(loan.household.social_worker)
    text = text_of(client.get(f"/loans/{loan.pk}/"))
    assert _shown(text, loan.household.full_name)
    assert _shown(text, SOCIAL_NOTES["loan"])


def test_a_technician_sees_no_household_name_phone_email_notes_or_social_comment(demo, crawled):
    leaks = {}
    for url, response in crawled["responses"].items():
        if response.status_code != 200:
            continue
        text = text_of(response)
        found = sorted({label for label, value in demo.secrets if _shown(text, value)})
        if found:
            leaks[url] = found
    assert leaks == {}

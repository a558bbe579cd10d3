"""The refurbishment card of the device page and the workshop pages: what they show, who
may post, and what a refused post leaves behind (nothing)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import constants
from django.utils import timezone
from django.utils.html import escape

from inventory import workflow
from inventory.models import (
    Category,
    ChecklistItem,
    CheckResult,
    Device,
    Grade,
    OperatingSystem,
    OsInstall,
    Part,
    PartUse,
    Status,
)
from inventory.refurbishment import services as refurbishment
from inventory.refurbishment.views import GRADE_CRITERIA, device_refurbishment_context
from tests.factories import DeviceFactory, UserFactory
from tests.messages import messages_of

pytestmark = pytest.mark.django_db

CARD_START = '<section class="card" id="refurbishment"'


@pytest.fixture
def checklist():
    """A laptop checklist of our own: the seeded one may or may not be in the database."""
    ChecklistItem.objects.all().delete()
    return [
        ChecklistItem.objects.create(
            category=Category.LAPTOP, label="Écran", criterion="Aucun pixel mort", position=0
        ),
        ChecklistItem.objects.create(category=Category.LAPTOP, label="Clavier", position=1),
    ]


@pytest.fixture
def tablet_test(checklist):
    return ChecklistItem.objects.create(category=Category.TABLET, label="Écran tactile")


@pytest.fixture
def mint():
    return OperatingSystem.objects.create(name="Linux Mint", version="22.1")


@pytest.fixture
def ssd():
    return Part.objects.create(kind=Part.Kind.SSD, name="SSD 240 Go", quantity=3)


@pytest.fixture
def device():
    return DeviceFactory(status=Status.REFURBISHING, category=Category.LAPTOP)


def check_url(device, item):
    return f"/devices/{device.asset_tag}/checks/{item.pk}/"


def part_url(device):
    return f"/devices/{device.asset_tag}/parts/"


def system_url(device):
    return f"/devices/{device.asset_tag}/system/"


# The card on the device page -----------------------------------------------------------


def test_the_card_shows_each_test_with_its_criterion_and_result(
    checklist, device, technician, technician_client
):
    refurbishment.record_check(
        device=device, item=checklist[0], outcome="fail", by=technician, note="Pixel mort"
    )

    response = technician_client.get(device.get_absolute_url())

    assert CARD_START in response.text
    lines = response.context["refurbishment"]["lines"]
    assert [line.item for line in lines] == checklist
    assert (lines[0].result.outcome, lines[0].result.checked_by) == ("fail", technician)
    assert lines[1].result is None
    for text in ("Écran", "Aucun pixel mort", "Pixel mort", "Clavier"):
        assert text in response.text


def test_a_check_from_before_the_return_is_shown_as_not_done(
    checklist, device, technician, technician_client
):
    CheckResult.objects.create(
        device=device,
        item=checklist[0],
        outcome="pass",
        checked_by=technician,
        checked_at=timezone.now() - datetime.timedelta(days=30),
    )
    device.cycle_started_at = timezone.now() - datetime.timedelta(days=1)
    device.save(update_fields=["cycle_started_at"])

    response = technician_client.get(device.get_absolute_url())

    line = response.context["refurbishment"]["lines"][0]
    assert line.result is None
    assert line.previous.outcome == "pass"
    assert response.context["refurbishment"]["mandatory_done"] == 0


def test_the_card_shows_parts_systems_and_the_grade_criteria(
    device, ssd, mint, technician, technician_client
):
    refurbishment.use_part(device=device, part=ssd, by=technician, note="remplace le HDD")
    refurbishment.install_system(device=device, system=mint, by=technician)
    device.grade = Grade.C
    device.save(update_fields=["grade"])

    response = technician_client.get(device.get_absolute_url())

    for text in ("SSD 240 Go", "remplace le HDD", "Linux Mint 22.1"):
        assert text in response.text
    for criteria in GRADE_CRITERIA.values():
        assert escape(str(criteria)) in response.text
    current = re.escape(escape(str(GRADE_CRITERIA[Grade.C])))
    assert re.search(
        rf'<span class="badge strong ok">[^<]*</span></dt><dd>{current}', response.text
    )


def test_the_card_offers_the_forms_to_a_technician(device, technician_client):
    response = technician_client.get(device.get_absolute_url())

    card = response.context["refurbishment"]
    assert card["may_check"]
    assert "part_form" in card
    assert "system_form" in card


def test_the_card_is_hidden_from_a_user_who_may_not_see_checks(device, client):
    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(codename="view_device", content_type__app_label="inventory")
    )
    client.force_login(user)

    response = client.get(device.get_absolute_url())

    assert response.status_code == 200
    assert "refurbishment" not in response.context
    assert CARD_START not in response.text


# Checks -------------------------------------------------------------------------------


def test_a_technician_records_a_check(checklist, device, technician, technician_client):
    response = technician_client.post(
        check_url(device, checklist[1]), {"outcome": "fail", "note": " Touche Q "}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{device.get_absolute_url()}#refurbishment"
    result = CheckResult.objects.get(device=device)
    assert (result.item, result.outcome, result.note, result.checked_by) == (
        checklist[1],
        "fail",
        "Touche Q",
        technician,
    )


def test_a_second_check_replaces_the_first(checklist, device, technician_client):
    technician_client.post(check_url(device, checklist[0]), {"outcome": "fail"})
    technician_client.post(check_url(device, checklist[0]), {"outcome": "na"})

    assert list(CheckResult.objects.values_list("outcome", flat=True)) == ["na"]


def test_a_check_posted_with_htmx_returns_only_the_card(checklist, device, technician_client):
    response = technician_client.post(
        check_url(device, checklist[0]), {"outcome": "pass"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith(CARD_START)
    assert "<html" not in response.text
    assert 'class="msg success"' in response.text
    assert response.context["refurbishment"]["lines"][0].result.outcome == "pass"


def test_a_test_of_another_category_is_refused_with_a_message(
    tablet_test, device, technician_client
):
    response = technician_client.post(
        check_url(device, tablet_test), {"outcome": "pass"}, follow=True
    )

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    assert not CheckResult.objects.exists()


@pytest.mark.parametrize("outcome", ["", "maybe"])
def test_a_check_without_a_valid_outcome_is_refused(outcome, checklist, device, technician_client):
    response = technician_client.post(
        check_url(device, checklist[0]), {"outcome": outcome}, follow=True
    )

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    assert not CheckResult.objects.exists()


def test_a_test_no_longer_in_use_cannot_be_checked(checklist, device, technician_client):
    ChecklistItem.objects.filter(pk=checklist[0].pk).update(active=False)

    response = technician_client.post(check_url(device, checklist[0]), {"outcome": "pass"})

    assert response.status_code == 404
    assert not CheckResult.objects.exists()


# Parts and systems --------------------------------------------------------------------


def test_a_technician_fits_a_part(device, ssd, technician, technician_client):
    response = technician_client.post(
        part_url(device), {"fit-part": ssd.pk, "fit-quantity": "2", "fit-note": "NVMe"}, follow=True
    )

    assert [level for level, _ in messages_of(response)] == [constants.SUCCESS]
    ssd.refresh_from_db()
    assert ssd.quantity == 1
    use = PartUse.objects.get()
    assert (use.device, use.quantity, use.note, use.used_by) == (device, 2, "NVMe", technician)


def test_a_part_out_of_stock_is_refused_with_a_message(device, ssd, technician_client):
    response = technician_client.post(
        part_url(device), {"fit-part": ssd.pk, "fit-quantity": "4"}, follow=True
    )

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    ssd.refresh_from_db()
    assert ssd.quantity == 3
    assert not PartUse.objects.exists()


def test_a_refused_part_with_htmx_says_why_in_the_card(device, ssd, technician_client):
    Part.objects.filter(pk=ssd.pk).update(quantity=0)

    response = technician_client.post(
        part_url(device), {"fit-part": ssd.pk, "fit-quantity": "1"}, HTTP_HX_REQUEST="true"
    )

    assert response.text.lstrip().startswith(CARD_START)
    assert 'class="msg error"' in response.text
    assert "SSD 240 Go" in response.text
    assert not PartUse.objects.exists()


def test_a_technician_records_a_system(device, mint, technician, technician_client):
    response = technician_client.post(
        system_url(device), {"install-system": mint.pk, "install-note": "Clé USB v3"}
    )

    assert response.status_code == 302
    install = OsInstall.objects.get()
    assert (install.device, install.system, install.installed_by, install.note) == (
        device,
        mint,
        technician,
        "Clé USB v3",
    )


def test_a_system_no_longer_offered_is_not_a_choice(device, mint, technician_client):
    OperatingSystem.objects.filter(pk=mint.pk).update(active=False)

    response = technician_client.post(system_url(device), {"install-system": mint.pk}, follow=True)

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    assert not OsInstall.objects.exists()


# Who may post on the card -------------------------------------------------------------


def _card_posts(device, checklist, ssd, mint):
    return [
        (check_url(device, checklist[0]), {"outcome": "pass"}),
        (part_url(device), {"fit-part": ssd.pk, "fit-quantity": "1"}),
        (system_url(device), {"install-system": mint.pk}),
    ]


@pytest.mark.parametrize("action", [0, 1, 2], ids=["check", "part", "system"])
@pytest.mark.parametrize(
    ("role", "expected"),
    [("technician", 302), ("coordinator", 302), ("social_worker", 403), ("anonymous", 302)],
)
def test_each_role_may_or_may_not_post_on_the_card(
    role, expected, action, checklist, device, ssd, mint, client_for
):
    url, data = _card_posts(device, checklist, ssd, mint)[action]

    response = client_for(role).post(url, data)

    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith("/login/?next=")


def test_a_social_worker_changes_nothing_on_the_card(
    checklist, device, ssd, mint, social_worker_client
):
    for url, data in _card_posts(device, checklist, ssd, mint):
        assert social_worker_client.post(url, data).status_code == 403

    ssd.refresh_from_db()
    assert ssd.quantity == 3
    assert not CheckResult.objects.exists()
    assert not PartUse.objects.exists()
    assert not OsInstall.objects.exists()


@pytest.mark.parametrize("url", ["checks/{item}/", "parts/", "system/"])
def test_card_actions_are_post_only(url, checklist, device, technician_client):
    response = technician_client.get(
        f"/devices/{device.asset_tag}/" + url.format(item=checklist[0].pk)
    )

    assert response.status_code == 405


# Workshop pages -----------------------------------------------------------------------

WORKSHOP_PAGES = [
    ("/workshop/checklists/", {"technician": 200, "coordinator": 200, "social_worker": 403}),
    ("/workshop/checklists/new/", {"technician": 403, "coordinator": 200, "social_worker": 403}),
    ("/workshop/checklists/{item}/", {"technician": 403, "coordinator": 200, "social_worker": 403}),
    ("/workshop/parts/", {"technician": 200, "coordinator": 200, "social_worker": 403}),
    ("/workshop/systems/", {"technician": 200, "coordinator": 200, "social_worker": 403}),
]


@pytest.mark.parametrize(
    ("role", "url", "expected"),
    [(role, url, status) for url, by_role in WORKSHOP_PAGES for role, status in by_role.items()]
    + [("anonymous", url, 302) for url, _ in WORKSHOP_PAGES],
)
def test_each_role_gets_the_workshop_pages_it_may_open(role, url, expected, checklist, client_for):
    response = client_for(role).get(url.format(item=checklist[0].pk))

    assert response.status_code == expected


def test_the_checklists_page_lists_the_tests_by_category(
    checklist, tablet_test, coordinator_client
):
    response = coordinator_client.get("/workshop/checklists/")

    sections = {section["category"]: section for section in response.context["sections"]}
    assert sections[Category.LAPTOP]["items"] == checklist
    assert sections[Category.TABLET]["items"] == [tablet_test]
    assert sections[Category.SCREEN]["items"] == []
    # The form for a new laptop test puts it after the last one.
    assert sections[Category.LAPTOP]["form"].initial == {"category": "laptop", "position": 2}


def test_a_technician_sees_the_checklists_without_the_forms(checklist, technician_client):
    response = technician_client.get("/workshop/checklists/")

    assert all(section["form"] is None for section in response.context["sections"])
    assert "/workshop/checklists/new/" not in response.text


def test_a_coordinator_adds_a_test(checklist, coordinator, coordinator_client):
    response = coordinator_client.post(
        "/workshop/checklists/new/",
        {
            "category": "laptop",
            "label": "Charnières",
            "criterion": "Tiennent l'écran à 90°",
            "mandatory": "on",
            "position": "5",
            "active": "on",
        },
    )

    assert response["Location"] == "/workshop/checklists/#checklist-laptop"
    item = ChecklistItem.objects.get(label="Charnières")
    assert (item.category, item.criterion, item.mandatory, item.position, item.active) == (
        "laptop",
        "Tiennent l'écran à 90°",
        True,
        5,
        True,
    )
    assert item.history.latest().history_user == coordinator


def test_a_coordinator_edits_a_test_but_not_its_category(checklist, coordinator_client):
    item = checklist[0]

    coordinator_client.post(
        f"/workshop/checklists/{item.pk}/",
        {"category": "tablet", "label": "Écran et charnières", "criterion": "", "position": "3"},
    )

    item.refresh_from_db()
    assert (item.category, item.label, item.criterion, item.mandatory, item.position) == (
        "laptop",
        "Écran et charnières",
        "",
        False,
        3,
    )
    assert not item.active


def test_a_second_test_with_the_same_label_is_refused(checklist, coordinator_client):
    response = coordinator_client.post(
        f"/workshop/checklists/{checklist[1].pk}/",
        {"label": "Écran", "position": "1", "mandatory": "on", "active": "on"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    checklist[1].refresh_from_db()
    assert checklist[1].label == "Clavier"


def test_a_technician_cannot_change_the_checklist(checklist, technician_client):
    item = checklist[0]

    edited = technician_client.post(
        f"/workshop/checklists/{item.pk}/", {"label": "Autre", "position": "0"}
    )
    added = technician_client.post(
        "/workshop/checklists/new/", {"category": "laptop", "label": "Autre", "position": "0"}
    )

    assert (edited.status_code, added.status_code) == (403, 403)
    item.refresh_from_db()
    assert item.label == "Écran"
    assert ChecklistItem.objects.count() == len(checklist)


def test_the_parts_page_highlights_low_stock(technician_client):
    low = Part.objects.create(kind=Part.Kind.RAM, name="DDR4 8 Go", quantity=2)
    enough = Part.objects.create(kind=Part.Kind.RAM, name="DDR4 4 Go", quantity=3)

    response = technician_client.get("/workshop/parts/")

    rows = dict(re.findall(r'<tr id="part-(\d+)">(.*?)</tr>', response.text, re.S))
    assert "low-stock" in rows[str(low.pk)]
    assert "low-stock" not in rows[str(enough.pk)]
    assert response.context["form"] is None
    assert "/restock/" not in response.text


def test_a_coordinator_adds_a_part(coordinator, coordinator_client):
    response = coordinator_client.post(
        "/workshop/parts/", {"kind": "charger", "name": "Chargeur Lenovo 65 W", "quantity": "4"}
    )

    assert response["Location"] == "/workshop/parts/"
    part = Part.objects.get()
    assert (part.kind, part.name, part.quantity) == ("charger", "Chargeur Lenovo 65 W", 4)
    assert part.history.latest().history_user == coordinator


def test_a_coordinator_restocks_a_part(ssd, coordinator, coordinator_client):
    response = coordinator_client.post(
        f"/workshop/parts/{ssd.pk}/restock/", {"quantity": "10", "note": "Don Leroy"}, follow=True
    )

    assert [level for level, _ in messages_of(response)] == [constants.SUCCESS]
    ssd.refresh_from_db()
    assert ssd.quantity == 13
    assert ssd.history.latest().history_change_reason == "Don Leroy"


@pytest.mark.parametrize("quantity", ["0", "-3", "many"])
def test_restocking_without_a_positive_quantity_is_refused(quantity, ssd, coordinator_client):
    response = coordinator_client.post(
        f"/workshop/parts/{ssd.pk}/restock/", {"quantity": quantity}, follow=True
    )

    assert [level for level, _ in messages_of(response)] == [constants.ERROR]
    ssd.refresh_from_db()
    assert ssd.quantity == 3


def test_a_technician_cannot_add_or_restock_parts(ssd, technician_client):
    restocked = technician_client.post(f"/workshop/parts/{ssd.pk}/restock/", {"quantity": "5"})
    added = technician_client.post("/workshop/parts/", {"kind": "ram", "name": "X", "quantity": 1})

    assert (restocked.status_code, added.status_code) == (403, 403)
    ssd.refresh_from_db()
    assert ssd.quantity == 3
    assert Part.objects.count() == 1


def test_a_coordinator_adds_a_system(coordinator_client):
    OperatingSystem.objects.all().delete()

    coordinator_client.post(
        "/workshop/systems/", {"name": "PrimTux", "version": "8", "active": "on"}
    )

    system = OperatingSystem.objects.get()
    assert (system.name, system.version, system.active) == ("PrimTux", "8", True)


def test_a_coordinator_withdraws_a_system_and_offers_it_again(mint, coordinator_client):
    coordinator_client.post(f"/workshop/systems/{mint.pk}/offered/", {"offered": ""})
    mint.refresh_from_db()
    assert not mint.active

    coordinator_client.post(f"/workshop/systems/{mint.pk}/offered/", {"offered": "1"})
    mint.refresh_from_db()
    assert mint.active


def test_a_technician_cannot_withdraw_a_system(mint, technician_client):
    response = technician_client.post(f"/workshop/systems/{mint.pk}/offered/", {"offered": ""})

    assert response.status_code == 403
    mint.refresh_from_db()
    assert mint.active


# Queries ------------------------------------------------------------------------------

# Measured on SQLite: the whole device page, 19 shared with the other cards and the card's
# own 3: the checklist (1 fewer once the page hands over the one it has read), the parts
# and the systems offered in the two forms; and the ready panel's shelves of the site and
# the usual shelf of ready devices of the category.
MAX_DEVICE_PAGE_QUERIES = 24


@pytest.mark.parametrize("size", [2, 40])
def test_the_device_page_queries_do_not_grow_with_the_checklist_or_parts(
    size, device, technician, technician_client, django_assert_max_num_queries
):
    ChecklistItem.objects.all().delete()
    items = ChecklistItem.objects.bulk_create(
        ChecklistItem(category=Category.LAPTOP, label=f"Test {i}", position=i) for i in range(size)
    )
    others = [technician, UserFactory()]
    now = timezone.now()
    CheckResult.objects.bulk_create(
        CheckResult(
            device=device, item=item, outcome="pass", checked_by=others[i % 2], checked_at=now
        )
        for i, item in enumerate(items)
    )
    parts = Part.objects.bulk_create(
        Part(kind=Part.Kind.OTHER, name=f"Pièce {i}", quantity=5) for i in range(size)
    )
    PartUse.objects.bulk_create(
        PartUse(device=device, part=part, used_by=others[i % 2]) for i, part in enumerate(parts)
    )
    systems = OperatingSystem.objects.bulk_create(
        OperatingSystem(name=f"Système {i}", version="1") for i in range(size)
    )
    OsInstall.objects.bulk_create(
        OsInstall(device=device, system=system, installed_at=now, installed_by=others[i % 2])
        for i, system in enumerate(systems)
    )

    with django_assert_max_num_queries(MAX_DEVICE_PAGE_QUERIES):
        response = technician_client.get(device.get_absolute_url())

    assert len(response.context["refurbishment"]["lines"]) == size
    assert len(response.context["refurbishment"]["part_uses"]) == size


def test_the_card_reads_nothing_more_when_handed_the_checklist(
    checklist, device, technician, rf, django_assert_num_queries
):
    request = rf.get(device.get_absolute_url())
    request.user = technician
    technician.has_perm("inventory.view_checkresult")  # loads the permissions once
    device = Device.objects.prefetch_related("check_results", "os_installs", "part_uses").get(
        pk=device.pk
    )
    items = workflow.checklist_for(device)

    with django_assert_num_queries(0):
        context = device_refurbishment_context(request, device, checklist=items)

    assert [line.item for line in context["refurbishment"]["lines"]] == checklist

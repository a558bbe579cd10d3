"""The workbench program's check results (POST /api/check-results/, workstation key).

A result lands on the checklist test of the device's category that carries its
`workbench_check` code; the request is taken whole or not at all.
"""

import importlib
import json

import pytest
from django.apps import apps
from django.test import Client

from accounts.roles import Role
from inventory.models import Category, ChecklistItem, CheckResult, Status, WorkstationToken
from inventory.refurbishment import services
from tests.factories import DeviceFactory, SiteFactory, UserFactory, bench_site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/api/check-results/"


@pytest.fixture
def checklist():
    """Our own laptop and desktop checklists: the seeded ones may be edited elsewhere."""
    ChecklistItem.objects.all().delete()
    laptop = {
        code: ChecklistItem.objects.create(
            category=Category.LAPTOP, label=label, position=n, workbench_check=code
        )
        for n, (code, label) in enumerate(
            [("ram", "Mémoire"), ("battery", "Batterie"), ("keyboard", "Clavier")]
        )
    }
    laptop["cleaning"] = ChecklistItem.objects.create(
        category=Category.LAPTOP, label="Nettoyage", position=9
    )
    ChecklistItem.objects.create(category=Category.DESKTOP, label="USB", workbench_check="usb")
    return laptop


@pytest.fixture
def workstation(technician):
    return WorkstationToken.issue(name="Établi 3", site=bench_site(), user=technician)


@pytest.fixture
def laptop():
    return DeviceFactory(site=bench_site(), category=Category.LAPTOP, status=Status.REFURBISHING)


def post(workstation, body, *, raw=None):
    _token, key = workstation
    data = raw if raw is not None else json.dumps(body)
    return Client(enforce_csrf_checks=True).post(
        URL, data, content_type="application/json", headers={"Authorization": f"Token {key}"}
    )


def results(device):
    return {
        r.item.workbench_check or r.item.label: (r.outcome, r.note)
        for r in CheckResult.objects.filter(device=device).select_related("item")
    }


RAM_AND_BATTERY = [
    {"check": "ram", "outcome": "pass", "note": "7,6 Gio"},
    {"check": "battery", "outcome": "fail", "note": "santé 42 % (seuil 60 %)"},
]


# Recording ------------------------------------------------------------------------------


@pytest.mark.usefixtures("checklist")
def test_results_land_on_the_tests_of_their_code_in_the_keys_name(workstation, laptop, technician):
    response = post(workstation, {"device": laptop.asset_tag.lower(), "results": RAM_AND_BATTERY})

    assert response.status_code == 201
    answer = response.json()
    assert answer["recorded"] == ["ram", "battery"]
    assert results(laptop) == {
        "ram": ("pass", "7,6 Gio (workstation “Établi 3”)"),
        "battery": ("fail", "santé 42 % (seuil 60 %) (workstation “Établi 3”)"),
    }
    result = CheckResult.objects.get(device=laptop, item__workbench_check="ram")
    assert result.checked_by == technician
    entry = result.history.get()
    assert entry.history_user == technician
    assert entry.history_change_reason == "Checked by the workstation “Établi 3”"


@pytest.mark.usefixtures("checklist")
def test_the_answer_says_what_is_still_missing_before_ready(workstation, laptop):
    answer = post(workstation, {"device": laptop.asset_tag, "results": RAM_AND_BATTERY}).json()

    missing = " ".join(answer["missing"])
    # The failed battery, the untested keyboard and the person's test are still missing;
    # the passed memory is not.
    assert "Checklist tests not passed: Batterie, Clavier, Nettoyage." in missing
    assert "No grade set." in missing
    assert answer["checks"] == {"ram": "Mémoire", "battery": "Batterie", "keyboard": "Clavier"}


@pytest.mark.usefixtures("checklist")
def test_an_empty_list_only_asks_which_checks_the_device_takes(workstation, laptop):
    response = post(workstation, {"device": laptop.asset_tag, "results": []})

    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"ram", "battery", "keyboard"}
    assert results(laptop) == {}


@pytest.mark.usefixtures("checklist")
def test_a_replay_writes_nothing_new(workstation, laptop):
    post(workstation, {"device": laptop.asset_tag, "results": RAM_AND_BATTERY})
    history = CheckResult.history.count()

    response = post(workstation, {"device": laptop.asset_tag, "results": RAM_AND_BATTERY})

    assert response.status_code == 200
    assert response.json()["recorded"] == []
    assert response.json()["unchanged"] == ["ram", "battery"]
    assert CheckResult.history.count() == history


@pytest.mark.usefixtures("checklist")
def test_a_new_outcome_replaces_the_previous_one(workstation, laptop):
    post(workstation, {"device": laptop.asset_tag, "results": RAM_AND_BATTERY})

    again = [{"check": "battery", "outcome": "pass", "note": "batterie changée"}]
    response = post(workstation, {"device": laptop.asset_tag, "results": again})

    assert response.json()["recorded"] == ["battery"]
    assert results(laptop)["battery"][0] == "pass"


@pytest.mark.usefixtures("checklist")
def test_a_skipped_check_records_nothing_and_keeps_a_persons_result(
    workstation, laptop, technician
):
    keyboard = ChecklistItem.objects.get(workbench_check="keyboard")
    services.record_check(device=laptop, item=keyboard, outcome="pass", by=technician)

    skipped = [{"check": "keyboard", "outcome": "skip", "note": "--no-guided"}]
    response = post(workstation, {"device": laptop.asset_tag, "results": skipped})

    assert response.json()["skipped"] == ["keyboard"]
    assert results(laptop) == {"keyboard": ("pass", "")}


# Refusals: nothing written ----------------------------------------------------------------


def _refused(workstation, laptop, entries):
    response = post(workstation, {"device": laptop.asset_tag, "results": entries})
    assert results(laptop) == {}, "a refused request must write nothing"
    return response.status_code, response.json()["error"]


BAD_SECOND_RESULTS = [
    (
        {"check": "bluetooth", "outcome": "pass"},
        "Result 2 (bluetooth): “bluetooth” is not a workbench check (known: smart, battery,",
    ),
    (
        {"check": "usb", "outcome": "pass"},
        "Result 2 (usb): the checklist of a laptop has no test filled by this check.",
    ),
    (
        {"check": "keyboard", "outcome": "ok"},
        "Result 2 (keyboard): “ok” is not an outcome (pass, fail, na or skip).",
    ),
    (
        {"check": "keyboard", "outcome": "pass", "note": "x" * 201},
        "Result 2 (keyboard): the note must be a text of at most 200 characters.",
    ),
    ({"check": "ram", "outcome": "pass"}, "Result 2 (ram): this check is already result 1."),
    ("ram", "Result 2 is not an object with “check”, “outcome” and “note”."),
]


@pytest.mark.usefixtures("checklist")
@pytest.mark.parametrize(("second", "message"), BAD_SECOND_RESULTS)
def test_one_wrong_result_refuses_the_whole_request_saying_which(
    workstation, laptop, second, message
):
    status, error = _refused(workstation, laptop, [RAM_AND_BATTERY[0], second])

    assert status == 400
    assert error.startswith(message)
    assert error.endswith("Nothing was saved.")


@pytest.mark.usefixtures("checklist")
def test_a_device_away_from_the_workshop_answers_409(workstation):
    lent = DeviceFactory(site=bench_site(), category=Category.LAPTOP, status=Status.LENT)

    status, error = _refused(workstation, lent, RAM_AND_BATTERY)

    assert status == 409
    assert "it is not in the workshop" in error


@pytest.mark.usefixtures("checklist")
def test_an_unknown_device_answers_404(workstation):
    response = post(workstation, {"device": "RE-999999", "results": RAM_AND_BATTERY})

    assert response.status_code == 404
    assert response.json()["error"] == "No device has the asset tag RE-999999."
    assert not CheckResult.objects.exists()


@pytest.mark.usefixtures("checklist")
@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"device": "X", "results": [{"check": "ram", "outc', "or it is cut short (line 1"),
        (b"\xff\xfe", "The body is not UTF-8 text."),
        ('["ram"]', "The body must be a JSON object with “device”"),
        ('{"device": "X"}', "The body must be a JSON object with “device”"),
    ],
    ids=["truncated", "not utf-8", "a list", "no results"],
)
def test_a_body_that_is_not_the_expected_json_answers_400(workstation, laptop, raw, message):
    if isinstance(raw, str):
        raw = raw.replace("X", laptop.asset_tag)
    response = post(workstation, None, raw=raw)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not CheckResult.objects.exists()


@pytest.mark.usefixtures("checklist")
def test_a_results_field_that_is_not_a_list_answers_400(workstation, laptop):
    status, error = _refused(workstation, laptop, {"check": "ram"})

    assert (status, error) == (400, "“results” must be a list. Nothing was saved.")


@pytest.mark.usefixtures("checklist")
def test_a_key_whose_user_may_not_process_devices_answers_403(laptop, roles):
    social_worker = UserFactory(username="sw-key", role=Role.SOCIAL_WORKER)
    workstation = WorkstationToken.issue(name="Établi 4", site=bench_site(), user=social_worker)

    response = post(workstation, {"device": laptop.asset_tag, "results": RAM_AND_BATTERY})

    assert response.status_code == 403
    assert not CheckResult.objects.exists()


# The default checklist's codes (migration 0009) ----------------------------------------------


def test_the_default_checklist_gets_its_codes_and_the_computers_three_automatic_tests():
    seed = importlib.import_module("inventory.migrations.0004_default_checklist_and_systems")
    codes = importlib.import_module("inventory.migrations.0012_wb_checks_default_codes")
    ChecklistItem.objects.all().delete()
    seed.seed(apps, None)

    codes.add_codes(apps, None)
    codes.add_codes(apps, None)  # run twice: still one test a code

    laptop = dict(
        ChecklistItem.objects.filter(category=Category.LAPTOP)
        .exclude(workbench_check="")
        .values_list("workbench_check", "label")
    )
    assert laptop["keyboard"] == "Clavier (toutes les touches)"
    assert laptop["battery"] == "Batterie"
    assert set(laptop) == {
        "screen", "keyboard", "touchpad", "battery", "wifi", "camera", "sound", "usb",
        "smart", "ram", "storage",
    }  # fmt: skip
    added = ChecklistItem.objects.get(category=Category.DESKTOP, workbench_check="smart")
    assert not added.mandatory
    assert not ChecklistItem.objects.filter(category=Category.SMARTPHONE).exclude(
        workbench_check=""
    )


def test_results_about_a_device_of_another_site_are_refused(laptop, technician):
    other = WorkstationToken.issue(name="Établi de Lens", site=SiteFactory(), user=technician)

    response = post(other, {"device": laptop.asset_tag, "results": RAM_AND_BATTERY})

    assert response.status_code == 403
    assert "and the workstation “Établi de Lens” at" in response.json()["error"]
    assert results(laptop) == {}

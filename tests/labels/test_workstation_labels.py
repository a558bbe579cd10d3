"""The workbench's printer: GET /api/labels/<tag>.pdf with the workstation key, in the
label stock chosen for that workstation, and the page where that stock is chosen."""

import pytest
from django.test import Client

from inventory.models import Status, WorkstationToken
from labels.models import LabelLayout, LabelRequest, WorkstationPrinter
from labels.queue import queue_label
from tests.factories import DeviceFactory, SiteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def workstation(technician):
    return WorkstationToken.issue(name="Établi 2", site=SiteFactory(code="BRU"), user=technician)


@pytest.fixture
def api():
    return Client(enforce_csrf_checks=True)


def get_label(api, key, tag):
    return api.get(f"/api/labels/{tag}.pdf", headers={"Authorization": f"Token {key}"})


def test_the_workstation_gets_the_label_as_a_pdf_and_the_queue_forgets_it(
    api, workstation, technician
):
    _token, key = workstation
    device = DeviceFactory()
    queue_label(device=device, reason=LabelRequest.Reason.REGISTERED)

    response = get_label(api, key, device.asset_tag)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    request = LabelRequest.objects.get()
    assert request.printed_at is not None
    assert request.history.latest().history_user == technician


def test_the_label_is_in_the_workstations_stock(api, workstation, monkeypatch):
    from labels import queue

    token, key = workstation
    brother = LabelLayout.objects.get(kind=LabelLayout.Kind.ROLL, printer_dpi=300)
    WorkstationPrinter.objects.create(workstation=token, layout=brother)
    used = []
    real = queue.build_pdf
    monkeypatch.setattr(
        queue, "build_pdf", lambda layout, *a, **k: used.append(layout) or real(layout, *a, **k)
    )

    assert get_label(api, key, DeviceFactory().asset_tag).status_code == 200
    assert used == [brother]


def test_without_a_chosen_stock_the_first_in_use_is_used(workstation):
    from labels import queue

    token, _key = workstation

    assert queue.layout_for(token) == LabelLayout.objects.filter(active=True).first()


def test_an_unknown_tag_answers_404_with_a_sentence(api, workstation, english):
    _token, key = workstation

    response = get_label(api, key, "RE-999999")

    assert response.status_code == 404
    assert response.json() == {"error": "No device has the asset tag RE-999999."}


def test_a_missing_or_revoked_key_is_refused(api, workstation):
    token, key = workstation
    device = DeviceFactory()
    assert get_label(api, "not-a-key", device.asset_tag).status_code == 401
    token.revoked_at = token.created_at
    token.save()

    assert get_label(api, key, device.asset_tag).status_code == 401


def test_only_get_is_allowed(api, workstation):
    _token, key = workstation
    tag = DeviceFactory().asset_tag

    response = api.post(f"/api/labels/{tag}.pdf", headers={"Authorization": f"Token {key}"})

    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_a_device_of_another_site_or_away_from_the_workshop_still_gets_its_label(api, workstation):
    # A label only says what the device is: printing one changes nothing recorded.
    _token, key = workstation
    lent = DeviceFactory(status=Status.LENT, site=SiteFactory(code="LIE"))

    response = get_label(api, key, lent.asset_tag)

    assert response.status_code == 200
    lent.refresh_from_db()
    assert lent.status == Status.LENT


def test_a_key_whose_person_may_not_print_is_refused(api, social_worker):
    _token, key = WorkstationToken.issue(name="Prêt", site=SiteFactory(), user=social_worker)

    assert get_label(api, key, DeviceFactory().asset_tag).status_code == 403


# The page where each workstation's stock is chosen ------------------------------------


def test_a_coordinator_chooses_the_stock_of_a_workstation(coordinator_client, workstation):
    token, _key = workstation
    brother = LabelLayout.objects.get(kind=LabelLayout.Kind.ROLL, printer_dpi=300)

    response = coordinator_client.post(
        "/labels/workstations/", {"workstation": token.pk, "layout": brother.pk}
    )

    assert response.status_code == 302
    assert WorkstationPrinter.objects.get(workstation=token).layout == brother
    page = coordinator_client.get("/labels/workstations/").content.decode()
    assert f'value="{brother.pk}" selected' in page


def test_a_revoked_workstation_cannot_be_given_a_stock(coordinator_client, workstation, english):
    token, _key = workstation
    token.revoked_at = token.created_at
    token.save()
    layout = LabelLayout.objects.first()

    response = coordinator_client.post(
        "/labels/workstations/", {"workstation": token.pk, "layout": layout.pk}, follow=True
    )

    assert "This workstation does not exist or its key was revoked." in response.content.decode()
    assert not WorkstationPrinter.objects.exists()


def test_a_technician_cannot_change_the_stocks(technician_client):
    assert technician_client.get("/labels/workstations/").status_code == 403


def test_the_workstations_page_links_to_the_stocks(coordinator_client):
    page = coordinator_client.get("/workshop/workstations/").content.decode()

    assert 'id="workstation-printers-link"' in page

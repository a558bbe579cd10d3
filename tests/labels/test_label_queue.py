"""The queue of labels to print: filled when a workstation registers a device and when a
device becomes ready, emptied by « Imprimer la file », one entry removable."""

import pytest
from django.test import Client

from inventory import workflow
from inventory.models import Status, WorkstationToken
from labels.models import LabelBatch, LabelLayout, LabelRequest
from tests.factories import DeviceFactory, SiteFactory
from tests.inventory.hardware.test_hardware_api import send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

INDEX = "/labels/"
PRINT = "/labels/queue/print/"


@pytest.fixture
def roll():
    return LabelLayout.objects.get(kind=LabelLayout.Kind.ROLL, printer_dpi=203)


def refurbished(**fields):
    return DeviceFactory(status=Status.REFURBISHING, refurbished=True, **fields)


def make_ready(device, user):
    return workflow.transition_device(device=device, target=Status.READY, by=user)


def pending_tags():
    return sorted(
        LabelRequest.objects.filter(printed_at__isnull=True).values_list(
            "device__asset_tag", flat=True
        )
    )


# Filling the queue ----------------------------------------------------------------------


def test_a_device_made_ready_gets_its_label_queued(technician):
    device = refurbished()

    make_ready(device, technician)

    request = LabelRequest.objects.get()
    assert (request.device, request.reason, request.requested_by) == (
        device,
        LabelRequest.Reason.READY,
        technician,
    )
    assert request.history.get().history_user == technician


def test_a_device_back_from_a_reservation_gets_no_new_label(coordinator):
    device = DeviceFactory(status=Status.RESERVED)

    workflow.transition_device(device=device, target=Status.READY, by=coordinator)

    assert not LabelRequest.objects.exists()


def test_a_refused_move_queues_nothing(technician):
    device = DeviceFactory(status=Status.REFURBISHING)  # nothing tested nor graded

    with pytest.raises(workflow.GuardFailed):
        make_ready(device, technician)

    assert not LabelRequest.objects.exists()


def test_a_label_waits_once_per_device(technician):
    device = refurbished()
    make_ready(device, technician)
    workflow.transition_device(device=device, target=Status.REFURBISHING, by=technician)

    make_ready(device, technician)

    assert LabelRequest.objects.count() == 1


def test_a_printed_label_is_queued_again_when_the_device_is_ready_again(technician, roll):
    from labels import queue

    device = refurbished()
    make_ready(device, technician)
    queue.print_queue(by=technician, layout=roll)
    workflow.transition_device(device=device, target=Status.REFURBISHING, by=technician)

    make_ready(device, technician)

    assert LabelRequest.objects.count() == 2
    assert pending_tags() == [device.asset_tag]


def test_a_workstation_registering_a_new_machine_queues_its_label(technician):
    token, key = WorkstationToken.issue(name="Établi 2", site=SiteFactory(), user=technician)

    assert send(Client(enforce_csrf_checks=True), key).status_code == 201
    assert send(Client(enforce_csrf_checks=True), key).status_code == 200  # sent again

    request = LabelRequest.objects.get()
    assert (request.reason, request.workstation, request.requested_by) == (
        LabelRequest.Reason.REGISTERED,
        token,
        technician,
    )


# The page and « Imprimer la file » ---------------------------------------------------


def test_the_labels_page_lists_what_waits(technician_client, technician):
    device = refurbished()
    make_ready(device, technician)

    response = technician_client.get(INDEX)

    assert [label.device for label in response.context["queue"]] == [device]
    assert device.asset_tag in response.content.decode()


def test_the_labels_page_shows_what_waits_in_french(technician_client, technician):
    make_ready(refurbished(), technician)

    page = technician_client.get(INDEX).content.decode()

    assert "À imprimer (1)" in page
    assert "Imprimer la file" in page


def test_the_queue_list_costs_the_same_for_many_labels(
    technician_client, technician, django_assert_max_num_queries
):
    for _ in range(2):
        make_ready(refurbished(), technician)
    with django_assert_max_num_queries(13) as few:
        technician_client.get(INDEX)
    for _ in range(8):
        make_ready(refurbished(), technician)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = technician_client.get(INDEX)

    assert len(response.context["queue"]) == 10


def test_a_long_queue_lists_the_oldest_and_says_how_many_wait(
    technician_client, technician, monkeypatch
):
    monkeypatch.setattr("labels.views.QUEUE_SHOWN", 3)
    devices = [refurbished() for _ in range(5)]
    for device in devices:
        make_ready(device, technician)

    response = technician_client.get(INDEX)

    assert [r.device for r in response.context["queue"]] == devices[:3]
    html = response.content.decode()
    assert "À imprimer (5)" in html
    assert "Les 3 plus anciennes sont listées ; la file en compte 5" in html


def test_the_queue_of_one_site(technician_client, technician):
    here, there = SiteFactory(), SiteFactory()
    mine = refurbished(site=here)
    make_ready(mine, technician)
    make_ready(refurbished(site=there), technician)

    response = technician_client.get(INDEX, {"site": here.pk})

    assert [label.device for label in response.context["queue"]] == [mine]


def test_print_the_queue_builds_one_batch_and_empties_it(technician_client, technician, roll):
    devices = [refurbished() for _ in range(3)]
    for device in devices:
        make_ready(device, technician)

    response = technician_client.post(PRINT, {"layout": roll.pk})

    batch = LabelBatch.objects.get()
    assert response.status_code == 302
    assert response.url == f"/labels/batches/{batch.pk}/"
    assert batch.state == LabelBatch.State.DONE
    assert batch.params["tags"] == sorted(d.asset_tag for d in devices)
    assert pending_tags() == []
    assert set(LabelRequest.objects.values_list("printed_in", flat=True)) == {batch.pk}


def test_print_the_queue_of_one_site_leaves_the_others(technician_client, technician, roll):
    here, there = SiteFactory(), SiteFactory()
    make_ready(refurbished(site=here), technician)
    other = refurbished(site=there)
    make_ready(other, technician)

    technician_client.post(PRINT, {"layout": roll.pk, "site": here.pk})

    assert pending_tags() == [other.asset_tag]


def test_print_an_empty_queue_says_so(technician_client, roll, english):
    response = technician_client.post(PRINT, {"layout": roll.pk}, follow=True)

    assert "No label is waiting to be printed." in response.content.decode()
    assert not LabelBatch.objects.exists()


def test_print_the_queue_on_an_unknown_stock_says_so(technician_client, technician, english):
    make_ready(refurbished(), technician)

    response = technician_client.post(PRINT, {"layout": 999999}, follow=True)

    assert "This label stock does not exist or is not in use." in response.content.decode()
    assert len(pending_tags()) == 1


def test_a_batch_that_fails_puts_its_labels_back_in_the_queue(technician, roll, monkeypatch):
    from labels import building, queue

    def broken(*args, **kwargs):
        raise ValueError("the printer caught fire")

    monkeypatch.setattr(building, "build_pdf", broken)
    device = refurbished()
    make_ready(device, technician)

    batch = queue.print_queue(by=technician, layout=roll)

    assert batch.state == LabelBatch.State.FAILED
    assert pending_tags() == [device.asset_tag]


def test_a_large_queue_built_later_that_fails_waits_again(technician, roll, settings):
    from labels import building, queue

    settings.LABEL_INLINE_LIMIT = 0
    device = refurbished()
    make_ready(device, technician)
    batch = queue.print_queue(by=technician, layout=roll)
    assert pending_tags() == []
    LabelBatch.objects.filter(pk=batch.pk).update(params={})  # nothing to print any more

    building.build_batch(LabelBatch.objects.get(pk=batch.pk))

    assert pending_tags() == [device.asset_tag]


def test_a_social_worker_cannot_print_the_queue(social_worker_client, roll):
    assert social_worker_client.post(PRINT, {"layout": roll.pk}).status_code == 403


# Removing an entry ----------------------------------------------------------------------


def test_a_technician_removes_a_label_from_the_queue(technician_client, technician):
    make_ready(refurbished(), technician)
    request = LabelRequest.objects.get()

    response = technician_client.post(f"/labels/queue/{request.pk}/remove/")

    assert response.status_code == 302
    assert not LabelRequest.objects.exists()
    assert request.history.latest().history_type == "-"
    assert request.history.latest().history_user == technician


def test_removing_needs_a_post(technician_client, technician):
    make_ready(refurbished(), technician)
    request = LabelRequest.objects.get()

    assert technician_client.get(f"/labels/queue/{request.pk}/remove/").status_code == 405
    assert LabelRequest.objects.exists()


def test_removing_a_printed_label_is_refused(technician_client, technician, roll, english):
    make_ready(refurbished(), technician)
    technician_client.post(PRINT, {"layout": roll.pk})
    request = LabelRequest.objects.get()

    response = technician_client.post(f"/labels/queue/{request.pk}/remove/", follow=True)

    assert "This label was printed already" in response.content.decode()
    assert LabelRequest.objects.exists()

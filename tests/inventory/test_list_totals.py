"""The device list's total comes from the kept counts when its filters allow, else from
a count that stops at a cap; a search finds its few hits first, then pages among them."""

import pytest

from inventory import counts, querysets, views
from inventory.models import Category, Status
from tests.factories import DeviceFactory, LocationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_total_is_exact_under_the_filters_the_counts_follow(technician_client):
    DeviceFactory.create_batch(3, status=Status.READY, category=Category.LAPTOP)
    DeviceFactory(status=Status.READY, category=Category.DESKTOP)
    DeviceFactory(status=Status.RECEIVED, category=Category.LAPTOP)

    response = technician_client.get("/devices/?status=ready&category=laptop")

    assert response.context["page"].paginator.known_total == 3
    assert "3 devices" in response.content.decode()


def test_past_the_cap_the_list_says_more_than_and_pages_no_further(technician_client, monkeypatch):
    monkeypatch.setattr(counts, "LIST_CAP", 2)
    monkeypatch.setattr(views, "LIST_CAP", 2)
    DeviceFactory.create_batch(5, grade="A")

    response = technician_client.get("/devices/?grade=A")

    page = response.context["page"]
    assert page.paginator.known_total is None
    assert page.paginator.num_pages == 1
    assert "more than 2 devices" in response.content.decode()
    assert "Only the first 2 devices are paged" in response.content.decode()


def test_a_search_with_few_hits_lists_them_newest_first(technician_client):
    DeviceFactory.create_batch(3, model="Latitude 5490")
    hits = DeviceFactory.create_batch(2, model="ThinkPad X270")

    response = technician_client.get("/devices/?q=x270")

    assert list(response.context["page"]) == hits[::-1]
    assert response.context["page"].paginator.known_total == 2


def test_a_search_with_many_hits_lists_them_all_the_same(technician_client, monkeypatch):
    monkeypatch.setattr(querysets, "SEARCH_CANDIDATES", 2)
    monkeypatch.setattr(views, "SEARCH_CANDIDATES", 2)
    DeviceFactory(model="Latitude 5490")
    hits = DeviceFactory.create_batch(4, model="ThinkPad X270")

    response = technician_client.get("/devices/?q=x270")

    assert list(response.context["page"]) == hits[::-1][:2]
    assert response.context["page"].paginator.known_total is None


def test_a_kanban_column_under_a_search_is_counted_up_to_its_cap(technician_client, monkeypatch):
    monkeypatch.setattr(views, "KANBAN_CARDS", 2)
    monkeypatch.setattr(views, "KANBAN_COUNT_CAP", 3)
    DeviceFactory.create_batch(5, model="ThinkPad X270")

    response = technician_client.get("/devices/kanban/?q=x270")

    received = response.context["columns"][0]
    assert (received["count"], len(received["cards"]), received["more"]) == ("3+", 2, True)


def test_the_total_under_a_site_and_a_shelf_comes_from_the_kept_counts(technician_client):
    shelf = LocationFactory(code="BRU-A03")
    DeviceFactory.create_batch(2, site=shelf.site, location=shelf)
    DeviceFactory(site=shelf.site)
    DeviceFactory()

    response = technician_client.get(f"/devices/?site={shelf.site.pk}&location=bru-a03")

    assert response.context["page"].paginator.total == 2
    assert list(response.context["page"]) == list(shelf.devices.order_by("-pk"))

"""The recycling pages: list with the register's files, new shipment, detail, paperwork."""

import datetime

import pytest
from django.urls import reverse

from inventory.models import RecyclingShipment, Status
from inventory.recycling.services import ship_for_recycling
from spreadsheets.reading import read_csv, read_xlsx
from tests.factories import DeviceFactory
from tests.inventory.recycling.conftest import CARRIER_SIRET, paperwork, reload

pytestmark = pytest.mark.usefixtures("english")

LIST = reverse("inventory:recycling:list")
NEW = reverse("inventory:recycling:create")


def form_data(site, **overrides):
    data = {
        key: value for key, value in paperwork(site).items() if key not in ("site", "contains_pop")
    }
    data.update(site=site.pk, shipped_on="2026-03-12", quantity_kg="125.50")
    data.update(overrides)
    return data


def _ship(user, site, count, day):
    devices = [
        DeviceFactory(site=site, status=Status.PARTS, drives__count=1, drives__erased=True)
        for _ in range(count)
    ]
    return ship_for_recycling(
        devices=devices, by=user, **paperwork(site, shipped_on=datetime.date(2026, 3, day))
    )


@pytest.mark.parametrize("count", [1, 4])
def test_the_list_costs_the_same_queries_whatever_the_shipments(
    technician, technician_client, site, count, django_assert_max_num_queries
):
    for day in range(1, count + 1):
        _ship(technician, site, 2, day)

    with django_assert_max_num_queries(12):
        response = technician_client.get(LIST, {"start": "2026-01-01", "end": "2026-12-31"})

    assert response.status_code == 200
    assert len(response.context["shipments"]) == count
    assert b"export=xlsx" in response.content


def test_the_period_filter_and_the_export_links(technician, technician_client, site, organisation):
    march = _ship(technician, site, 1, 5)
    query = {"start": "2026-03-01", "end": "2026-03-31"}

    page = technician_client.get(LIST, query)
    assert march.number in page.content.decode()
    assert (
        march.number
        not in technician_client.get(
            LIST, {"start": "2026-04-01", "end": "2026-04-30"}
        ).content.decode()
    )

    csv = technician_client.get(LIST, {**query, "export": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "registre-dechets-sortants-20260301-20260331.csv" in csv["Content-Disposition"]
    assert len(list(read_csv(csv.content).rows)) == 1
    xlsx = technician_client.get(LIST, {**query, "export": "xlsx"})
    assert len(list(read_xlsx(xlsx.content).rows)) == 1
    assert technician_client.get(LIST, {**query, "export": "pdf"}).status_code == 404


def test_a_period_that_ends_before_it_starts_is_said(technician_client, site):
    response = technician_client.get(LIST, {"start": "2026-05-01", "end": "2026-04-01"})
    assert "The period ends before it starts." in response.content.decode()


def test_social_workers_see_no_recycling_page(social_worker_client, site):
    assert social_worker_client.get(LIST).status_code == 403
    assert social_worker_client.get(NEW, {"site": site.pk}).status_code == 403


def test_the_menu_links_the_recycling_page(technician_client):
    assert LIST in technician_client.get(reverse("inventory:device_list")).content.decode()


def test_the_form_lists_only_the_sites_eligible_devices(technician_client, site, erased):
    lent = DeviceFactory(site=site, status=Status.LENT)
    other_site = DeviceFactory(status=Status.PARTS)

    response = technician_client.get(NEW, {"site": site.pk})

    choices = {d.pk for d in response.context["form"].fields["devices"].queryset}
    assert choices == {d.pk for d in erased}
    assert lent.pk not in choices and other_site.pk not in choices


def test_shipping_by_checkboxes(technician_client, site, erased):
    response = technician_client.post(
        NEW, form_data(site, devices=[d.pk for d in erased]), follow=True
    )

    shipment = RecyclingShipment.objects.get()
    assert response.redirect_chain[-1][0] == shipment.get_absolute_url()
    assert "Shipment DEEE-2026-0001 recorded: 2 devices recycled." in response.content.decode()
    assert all(d.status == Status.RECYCLED for d in reload(erased))


def test_shipping_by_scanned_tags_with_the_weights_proposed(technician_client, site, erased):
    tags = "\n".join(d.asset_tag.lower() for d in erased)
    technician_client.post(
        NEW, form_data(site, tags=tags, quantity_kg="", carrier_siret="732 829 320 00074")
    )

    shipment = RecyclingShipment.objects.get()
    assert shipment.quantity_kg == sum(d.weight_kg for d in erased)
    assert shipment.carrier_siret == CARRIER_SIRET
    assert shipment.devices.count() == 2


def test_an_unknown_tag_is_named(technician_client, site, erased):
    response = technician_client.post(NEW, form_data(site, tags=f"{erased[0].asset_tag} ZZZ-999"))

    assert "ZZZ-999" in response.context["form"].errors["tags"][0]
    assert not RecyclingShipment.objects.exists()


def test_a_bad_siret_is_said_beside_its_field(technician_client, site, erased):
    response = technician_client.post(
        NEW, form_data(site, devices=[erased[0].pk], recipient_siret="443 061 841 00048")
    )

    assert "check digit is wrong" in response.context["form"].errors["recipient_siret"][0]
    assert not RecyclingShipment.objects.exists()


def test_no_device_chosen_is_said(technician_client, site, erased):
    response = technician_client.post(NEW, form_data(site))
    assert response.context["form"].errors["devices"] == [
        "Choose at least one device for the shipment."
    ]


def test_an_unerased_device_is_refused_on_the_form(technician_client, site, erased, unerased):
    response = technician_client.post(NEW, form_data(site, devices=[erased[0].pk, unerased.pk]))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was changed" in text and unerased.asset_tag in text
    assert not RecyclingShipment.objects.exists()
    assert reload([erased[0]])[0].status == Status.PARTS


def test_the_detail_lists_the_devices_and_the_paperwork_is_edited(
    technician, coordinator_client, site
):
    shipment = _ship(technician, site, 2, 3)
    detail = coordinator_client.get(shipment.get_absolute_url())
    for device in shipment.devices.all():
        assert device.asset_tag in detail.content.decode()

    edit = reverse("inventory:recycling:edit", args=[shipment.pk])
    data = {
        "quantity_kg": "140",
        "consignment_note": "TD-26-XYZ",
        "carrier_receipt_number": "62-2024-0042",
        "treatment_code": "R4",
        "treatment_mode": "recycling",
        "notes": "",
        "note": "Ticket de pesée",
    }
    coordinator_client.post(edit, data)

    shipment.refresh_from_db()
    assert shipment.consignment_note == "TD-26-XYZ"
    assert "Ticket de pesée" in coordinator_client.get(shipment.get_absolute_url()).content.decode()

    bad = coordinator_client.post(edit, {**data, "treatment_mode": "disposal"})
    assert "With code R4" in str(bad.context["form"].errors["treatment_mode"])


def test_a_recycled_devices_page_links_its_shipment(technician, technician_client, site):
    shipment = _ship(technician, site, 1, 4)
    device = shipment.devices.get()

    page = technician_client.get(device.get_absolute_url())

    assert shipment.get_absolute_url() in page.content.decode()

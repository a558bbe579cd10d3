"""Shipping devices for recycling: they move to "recycled" together, or nothing is written."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.refusals import PermissionRefused, Refused
from inventory.models import Device, RecyclingShipment, Sequence, Status
from inventory.recycling.services import ship_for_recycling, update_shipment
from tests.factories import DeviceFactory, SiteFactory
from tests.inventory.recycling.conftest import paperwork, reload

pytestmark = pytest.mark.usefixtures("english")


def test_shipping_moves_every_device_to_recycled_with_its_history(technician, site, erased):
    shipment = ship_for_recycling(devices=erased, by=technician, **paperwork(site))

    assert shipment.number == "DEEE-2026-0001"
    assert shipment.created_by == technician
    for device in reload(erased):
        assert device.status == Status.RECYCLED
        assert device.recycling_shipment == shipment
        last = device.history.order_by("-history_id").first()
        assert last.status == Status.RECYCLED
        assert last.recycling_shipment_id == shipment.pk
        assert last.history_user == technician
        assert last.history_change_reason == "Shipped for recycling: DEEE-2026-0001"
    assert shipment.history.count() == 1
    assert list(shipment.devices.order_by("pk")) == reload(erased)


def test_numbers_follow_each_other_within_a_year(technician, site, erased):
    first = ship_for_recycling(devices=erased[:1], by=technician, **paperwork(site))
    second = ship_for_recycling(devices=erased[1:], by=technician, **paperwork(site))

    assert (first.number, second.number) == ("DEEE-2026-0001", "DEEE-2026-0002")


def test_a_device_with_an_unerased_drive_refuses_the_whole_shipment(
    technician, site, erased, unerased
):
    with pytest.raises(Refused) as refusal:
        ship_for_recycling(devices=[*erased, unerased], by=technician, **paperwork(site))

    assert "Nothing was changed" in refusal.value.message
    assert unerased.asset_tag in refusal.value.message
    assert "Data erasure is missing" in refusal.value.message
    assert not RecyclingShipment.objects.exists()
    assert RecyclingShipment.history.count() == 0
    assert not Sequence.objects.filter(name="recycling-2026", last_value__gt=0).exists()
    for device in reload([*erased, unerased]):
        assert device.status != Status.RECYCLED
        assert device.recycling_shipment is None


def test_a_device_of_another_site_is_refused(technician, site, erased):
    elsewhere = DeviceFactory(site=SiteFactory(), status=Status.PARTS)

    with pytest.raises(Refused, match="A shipment leaves from one site"):
        ship_for_recycling(devices=[*erased, elsewhere], by=technician, **paperwork(site))

    assert not RecyclingShipment.objects.exists()


def test_a_lent_device_cannot_leave(technician, site, erased):
    lent = DeviceFactory(site=site, status=Status.LENT, drives__count=1, drives__erased=True)

    with pytest.raises(Refused, match="cannot become"):
        ship_for_recycling(devices=[lent], by=technician, **paperwork(site))

    assert Device.objects.get(pk=lent.pk).status == Status.LENT


def test_no_device_is_refused(technician, site):
    with pytest.raises(Refused, match="at least one device"):
        ship_for_recycling(devices=[], by=technician, **paperwork(site))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("recipient_siret", "44306184100048", "check digit is wrong"),
        ("carrier_siret", "1234", "A SIRET number has 14 digits."),
        ("eco_organisation_siren", "512345678", "check digit is wrong"),
        ("quantity_kg", Decimal("0"), "greater than or equal to 0.01"),
        ("waste_code", "99 99 99", "is not a valid choice"),
        ("treatment_mode", "disposal", "With code R4 the final treatment is one of"),
    ],
)
def test_bad_paperwork_names_the_field(technician, site, erased, field, value, message):
    with pytest.raises(ValidationError) as error:
        ship_for_recycling(devices=erased, by=technician, **paperwork(site, **{field: value}))

    assert message in " ".join(error.value.message_dict[field])
    assert not RecyclingShipment.objects.exists()
    assert all(d.status != Status.RECYCLED for d in reload(erased))


def test_a_storage_code_takes_no_final_treatment(technician, site, erased):
    with pytest.raises(ValidationError) as error:
        ship_for_recycling(devices=erased, by=technician, **paperwork(site, treatment_code="R13"))
    assert "leave the final treatment empty" in str(error.value)

    shipment = ship_for_recycling(
        devices=erased, by=technician, **paperwork(site, treatment_code="R13", treatment_mode="")
    )
    assert shipment.treatment_mode == ""


def test_a_code_with_one_final_treatment_fills_it(technician, site, erased):
    shipment = ship_for_recycling(
        devices=erased, by=technician, **paperwork(site, treatment_code="R1", treatment_mode="")
    )
    assert shipment.treatment_mode == "energy"


def test_social_workers_may_not_ship(social_worker, site, erased):
    with pytest.raises(PermissionRefused):
        ship_for_recycling(devices=erased, by=social_worker, **paperwork(site))
    assert not RecyclingShipment.objects.exists()


def test_the_paperwork_that_comes_back_is_recorded_with_history(
    technician, coordinator, site, erased
):
    shipment = ship_for_recycling(
        devices=erased, by=technician, **paperwork(site, consignment_note="")
    )

    update_shipment(
        shipment=shipment,
        by=coordinator,
        note="Weighbridge ticket 884",
        consignment_note="TD-26-AAA00123",
        quantity_kg=Decimal("131.00"),
    )

    shipment.refresh_from_db()
    assert shipment.consignment_note == "TD-26-AAA00123"
    assert shipment.quantity_kg == Decimal("131.00")
    last = shipment.history.order_by("-history_id").first()
    assert last.history_user == coordinator
    assert last.history_change_reason == "Weighbridge ticket 884"
    assert last.prev_record.quantity_kg == Decimal("125.50")


def test_what_left_cannot_change_afterwards(coordinator, technician, site, erased):
    shipment = ship_for_recycling(devices=erased, by=technician, **paperwork(site))

    with pytest.raises(Refused, match="recipient_name"):
        update_shipment(shipment=shipment, by=coordinator, recipient_name="Someone else")


def test_bad_paperwork_later_is_refused_and_nothing_changes(coordinator, technician, site, erased):
    shipment = ship_for_recycling(devices=erased, by=technician, **paperwork(site))

    with pytest.raises(ValidationError):
        update_shipment(shipment=shipment, by=coordinator, quantity_kg=Decimal("-1"))

    shipment.refresh_from_db()
    assert shipment.quantity_kg == Decimal("125.50")
    assert shipment.history.count() == 1


def test_social_workers_may_not_change_the_paperwork(social_worker, technician, site, erased):
    shipment = ship_for_recycling(devices=erased, by=technician, **paperwork(site))

    with pytest.raises(PermissionRefused):
        update_shipment(shipment=shipment, by=social_worker, consignment_note="X")

"""SIM card pages: the list and its filters, registering and editing a card, who may."""

import datetime

import pytest
from django.utils import timezone

from accounts.refusals import PermissionRefused
from lending.loans import workflow as loan_workflow
from lending.models import SimCard
from lending.sims.services import add_sim_card
from tests.factories import DeviceFactory
from tests.lending_factories import LoanFactory, ProgrammeFactory, SimCardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


TODAY = timezone.localdate()
ICCID = "8933150319000012345"


def form_data(**changes):
    data = {
        "iccid": ICCID,
        "phone_number": "07 11 22 33 44",
        "operator": "Bouygues Telecom",
        "data_plan_gb": "100",
        "monthly_cost": "9.99",
        "activated_on": TODAY.isoformat(),
        "ends_on": (TODAY + datetime.timedelta(days=365)).isoformat(),
        "notes": "",
    }
    data.update(changes)
    return data


def field_errors(response, name):
    return " ".join(response.context["form"].errors.get(name, []))


def test_a_coordinator_registers_a_sim_card_in_stock(coordinator_client, coordinator):
    response = coordinator_client.post("/sims/new/", form_data())

    assert response.status_code == 302
    sim = SimCard.objects.get()
    assert sim.status == SimCard.Status.STOCK
    assert sim.history.get().history_user == coordinator


def test_the_iccid_may_be_typed_with_spaces(coordinator_client):
    coordinator_client.post("/sims/new/", form_data(iccid="8933 1503 1900 0012 345"))

    assert SimCard.objects.get().iccid == ICCID


def test_an_iccid_that_is_not_one_is_an_error_on_its_field(coordinator_client):
    response = coordinator_client.post("/sims/new/", form_data(iccid="12345"))

    assert response.status_code == 200
    assert "19 or 20 digits" in field_errors(response, "iccid")
    assert not SimCard.objects.exists()


def test_a_duplicate_iccid_is_an_error_on_its_field(coordinator_client):
    SimCardFactory(iccid=ICCID)

    response = coordinator_client.post("/sims/new/", form_data())

    assert "already registered" in field_errors(response, "iccid")
    assert SimCard.objects.count() == 1


def test_a_plan_ending_before_its_activation_is_an_error_on_the_end_date(coordinator_client):
    yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()

    response = coordinator_client.post("/sims/new/", form_data(ends_on=yesterday))

    assert "cannot end before" in field_errors(response, "ends_on")
    assert not SimCard.objects.exists()


def test_editing_a_card_keeps_who_changed_what(coordinator_client, coordinator):
    sim = SimCardFactory(data_plan_gb=50)

    response = coordinator_client.post(
        f"/sims/{sim.pk}/edit/", form_data(iccid=sim.iccid, data_plan_gb="200")
    )

    assert response.status_code == 302
    sim.refresh_from_db()
    assert sim.data_plan_gb == 200
    assert sim.history.latest().history_user == coordinator


def test_editing_a_card_to_another_cards_iccid_is_refused(coordinator_client):
    SimCardFactory(iccid=ICCID)
    sim = SimCardFactory()
    before = sim.iccid

    response = coordinator_client.post(f"/sims/{sim.pk}/edit/", form_data())

    assert "already registered" in field_errors(response, "iccid")
    sim.refresh_from_db()
    assert sim.iccid == before


def test_the_service_refuses_a_role_that_may_not_add_cards(technician):
    with pytest.raises(PermissionRefused):
        add_sim_card(by=technician, iccid=ICCID, operator="Orange", data_plan_gb=10)
    assert not SimCard.objects.exists()


@pytest.mark.parametrize(
    ("role", "url", "expected"),
    [
        ("technician", "/sims/", 200),
        ("technician", "/sims/new/", 403),
        ("technician", "/sims/{sim}/edit/", 403),
        ("social_worker", "/sims/", 403),
        ("coordinator", "/sims/new/", 200),
        ("coordinator", "/sims/{sim}/edit/", 200),
    ],
)
def test_who_may_open_the_sim_pages(client_for, role, url, expected):
    sim = SimCardFactory()

    assert client_for(role).get(url.format(sim=sim.pk)).status_code == expected


def test_the_list_filters_the_plans_ending_soon(technician_client, settings):
    settings.SIM_REMINDER_DAYS = 30
    soon = SimCardFactory(ends_on=TODAY + datetime.timedelta(days=10))
    SimCardFactory(ends_on=TODAY + datetime.timedelta(days=90))
    SimCardFactory(ends_on=TODAY + datetime.timedelta(days=10), status=SimCard.Status.TERMINATED)

    response = technician_client.get("/sims/", {"ending": "on"})

    assert [sim.pk for sim in response.context["page"]] == [soon.pk]


def test_the_list_filters_by_status(technician_client):
    lost = SimCardFactory(status=SimCard.Status.LOST)
    SimCardFactory()

    response = technician_client.get("/sims/", {"status": "lost"})

    assert [sim.pk for sim in response.context["page"]] == [lost.pk]


def test_the_list_shows_the_loan_a_card_is_in(technician_client, coordinator):
    programme = ProgrammeFactory(coordinators=[coordinator])
    loan = LoanFactory(enrolment__programme=programme)
    sim = SimCardFactory()
    loan_workflow.approve_loan(
        loan=loan,
        by=coordinator,
        devices=[DeviceFactory(status="ready")],
        starts_on=TODAY,
        sim=sim,
    )

    response = technician_client.get("/sims/")

    assert f'href="/loans/{loan.pk}/"' in response.content.decode()


@pytest.mark.parametrize("size", [10, 200])
def test_the_sim_list_runs_a_fixed_number_of_queries(
    size, technician_client, coordinator, django_assert_max_num_queries
):
    programme = ProgrammeFactory(coordinators=[coordinator])
    sims = SimCardFactory.create_batch(size)
    for sim in sims[:5]:
        loan_workflow.approve_loan(
            loan=LoanFactory(enrolment__programme=programme),
            by=coordinator,
            devices=[DeviceFactory(status="ready")],
            starts_on=TODAY,
            sim=sim,
        )

    with django_assert_max_num_queries(10):
        response = technician_client.get("/sims/")

    assert len(response.context["page"]) == min(size, 50)

"""Loan pages: the whole loan through its pages, each refusal writing nothing, what a
technician may (not) read of a household, other structures' 404s, constant queries."""

import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from inventory.models import Category, Device, Status
from lending.models import Loan, LoanDevice, Return, SimCard
from tests.factories import DeviceFactory, LocationFactory, SiteFactory, UserFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
    SimCardFactory,
    StructureFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


TODAY = timezone.localdate()
# Distinctive values: if one of them shows on a technician's page, it leaked.
PERSON = {
    "first_name": "Zéphirine",
    "last_name": "Quatremare",
    "phone": "06 98 76 54 32",
    "postcode": "62199",
    "commune": "Gosnay-sur-Lawe",
    "notes": "Séparation récente, hébergée chez sa sœur",
}


@pytest.fixture
def programme(coordinator, structure):
    return ProgrammeFactory(coordinators=[coordinator], structures=[structure])


@pytest.fixture
def household(structure, social_worker):
    return HouseholdFactory(structure=structure, social_worker=social_worker, **PERSON)


@pytest.fixture
def enrolment(household, programme):
    return EnrolmentFactory(household=household, programme=programme)


@pytest.fixture
def loan(enrolment):
    return LoanFactory(enrolment=enrolment, request_note="Un portable pour les devoirs")


@pytest.fixture
def site():
    return SiteFactory(code="BRUAY")


def ready_device(site, **fields):
    return DeviceFactory(status=Status.READY, site=site, **fields)


def approve_url(loan):
    return f"/loans/{loan.pk}/approve/"


def approve(client, loan, devices=(), **data):
    post = {"starts_on": TODAY.isoformat(), "due_on": "", "note": "", "tags": ""}
    post.update(data)
    post["devices"] = [d.pk for d in devices]
    return client.post(approve_url(loan), post)


def approved_loan(loan, coordinator, devices, sim=None):
    from lending.loans import workflow as loan_workflow

    return loan_workflow.approve_loan(
        loan=loan, by=coordinator, devices=devices, starts_on=TODAY, sim=sim
    )


def active_loan(loan, coordinator, technician, devices, sim=None):
    from lending.loans import workflow as loan_workflow

    approved_loan(loan, coordinator, devices, sim)
    return loan_workflow.hand_over_loan(
        loan=loan, by=technician, signed_on=TODAY, accessories=["charger"]
    )


def error_text(response):
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


def assert_nothing_written(loan, devices, history_rows):
    loan.refresh_from_db()
    assert loan.status == Loan.Status.REQUESTED
    assert loan.starts_on is None
    assert not LoanDevice.objects.filter(loan=loan).exists()
    assert loan.history.count() == history_rows
    for device in devices:
        before = device.status
        device.refresh_from_db()
        assert device.status == before


# The whole loan ---------------------------------------------------------------------


def test_a_loan_goes_from_the_request_to_the_workshop_through_its_pages(
    social_worker_client, coordinator_client, technician_client, enrolment, site
):
    laptop, router = ready_device(site), ready_device(site, category=Category.ROUTER_4G)
    sim = SimCardFactory()

    response = social_worker_client.post(
        f"/enrolments/{enrolment.pk}/request-loan/", {"note": "Ordinateur et 4G"}
    )
    loan = Loan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/loans/{loan.pk}/"
    assert loan.status == Loan.Status.REQUESTED

    response = approve(coordinator_client, loan, [laptop], tags=router.asset_tag, sim=sim.pk)
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.status == Loan.Status.APPROVED
    assert loan.due_on == TODAY + datetime.timedelta(days=enrolment.programme.default_loan_days)
    assert set(Device.objects.values_list("status", flat=True)) == {Status.RESERVED}
    assert SimCard.objects.get().status == SimCard.Status.LENT

    response = technician_client.post(
        f"/loans/{loan.pk}/hand-over/",
        {"signed_on": TODAY.isoformat(), "accessories": ["charger", "sim"], "note": ""},
    )
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE
    assert loan.agreement_signed_on == TODAY
    assert set(Device.objects.values_list("status", flat=True)) == {Status.LENT}

    response = technician_client.post(
        f"/loans/{loan.pk}/return/",
        {
            f"condition_{laptop.pk}": "good",
            f"note_{laptop.pk}": "",
            f"condition_{router.pk}": "worn",
            f"note_{router.pk}": "Rayures",
            "accessories_back": ["charger"],
            "sim_back": "on",
            "notes": "",
        },
    )
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.status == Loan.Status.RETURNED
    assert set(Device.objects.values_list("status", flat=True)) == {Status.RETURNED}

    response = coordinator_client.post(
        f"/loans/{loan.pk}/review/",
        {f"decision_{laptop.pk}": "erasure", f"decision_{router.pk}": "repair", "note": ""},
    )
    assert response.status_code == 302
    assert set(Device.objects.values_list("status", flat=True)) == {Status.WIPING}
    assert Return.objects.get().reviewed_at is not None
    assert not LoanDevice.objects.filter(active=True).exists()
    assert SimCard.objects.get().status == SimCard.Status.STOCK


def test_the_approval_page_lists_ready_devices_of_the_lent_categories_only(
    coordinator_client, loan, site
):
    laptop = ready_device(site, location=LocationFactory(site=site, code="ETG-3"))
    desktop = ready_device(site, category=Category.DESKTOP)
    wiping = DeviceFactory(status=Status.WIPING, site=site)

    response = coordinator_client.get(approve_url(loan))

    html = response.content.decode()
    assert response.status_code == 200
    assert laptop.asset_tag in html and "ETG-3" in html
    assert desktop.asset_tag not in html
    assert wiping.asset_tag not in html


def test_the_approval_page_finds_a_ready_device_by_its_serial_number(
    coordinator_client, loan, site
):
    wanted = ready_device(site, serial_number="PF-ZZ9XW")

    response = coordinator_client.get(approve_url(loan), {"q": "zz9x"})

    assert wanted.asset_tag in response.content.decode()


def test_scanned_tags_are_read_whatever_their_case_and_separators(coordinator_client, loan, site):
    first, second = ready_device(site), ready_device(site)

    approve(coordinator_client, loan, tags=f"  {first.asset_tag.lower()}\n{second.asset_tag},")

    assert set(loan.items.values_list("device", flat=True)) == {first.pk, second.pk}


def test_an_unknown_scanned_tag_is_named_on_the_form_and_nothing_is_written(
    coordinator_client, loan, site
):
    known = ready_device(site)
    history = loan.history.count()

    response = approve(coordinator_client, loan, tags=f"{known.asset_tag} RE-123456")

    assert response.status_code == 200
    assert "RE-123456" in " ".join(response.context["form"].errors["tags"])
    assert_nothing_written(loan, [known], history)


# Refusals write nothing -------------------------------------------------------------


def test_approving_a_device_that_is_not_ready_writes_nothing(coordinator_client, loan, site):
    ready = ready_device(site)
    refurbishing = DeviceFactory(status=Status.REFURBISHING, site=site)
    history = loan.history.count()

    response = approve(coordinator_client, loan, [ready, refurbishing])

    assert response.status_code == 200
    assert refurbishing.asset_tag in error_text(response)
    assert "not ready" in error_text(response)
    assert_nothing_written(loan, [ready, refurbishing], history)


def test_approving_a_device_already_in_another_loan_writes_nothing(
    coordinator_client, coordinator, loan, programme, site
):
    device = ready_device(site)
    other = LoanFactory(enrolment=EnrolmentFactory(programme=programme))
    approved_loan(other, coordinator, [device])
    history = loan.history.count()

    response = approve(coordinator_client, loan, [device])

    assert response.status_code == 200
    assert device.asset_tag in error_text(response)
    assert_nothing_written(loan, [], history)
    assert LoanDevice.objects.get(device=device).loan == other


def test_approving_with_a_due_date_before_the_start_writes_nothing(coordinator_client, loan, site):
    device = ready_device(site)
    history = loan.history.count()

    response = approve(
        coordinator_client, loan, [device], due_on=(TODAY - datetime.timedelta(days=1)).isoformat()
    )

    assert response.status_code == 200
    assert "must come after the start date" in error_text(response)
    assert_nothing_written(loan, [device], history)


def test_approving_a_device_of_a_category_the_programme_does_not_lend_writes_nothing(
    coordinator_client, loan, site
):
    tablet = ready_device(site, category=Category.TABLET)
    history = loan.history.count()

    response = approve(coordinator_client, loan, tags=tablet.asset_tag)

    assert response.status_code == 200
    assert "does not lend those" in error_text(response)
    assert_nothing_written(loan, [tablet], history)


def test_approving_without_any_device_says_to_choose_one(coordinator_client, loan):
    history = loan.history.count()

    response = approve(coordinator_client, loan)

    assert "Choose at least one device" in error_text(response)
    assert_nothing_written(loan, [], history)


def test_handing_over_without_the_signature_date_writes_nothing(
    technician_client, coordinator, loan, site
):
    device = ready_device(site)
    approved_loan(loan, coordinator, [device])
    history = loan.history.count()

    response = technician_client.post(
        f"/loans/{loan.pk}/hand-over/", {"signed_on": "", "accessories": ["charger"]}
    )

    assert response.status_code == 200
    assert "Record the date the loan agreement was signed." in str(
        response.context["form"].errors["signed_on"]
    )
    loan.refresh_from_db()
    device.refresh_from_db()
    assert loan.status == Loan.Status.APPROVED and loan.agreement_signed_on is None
    assert device.status == Status.RESERVED
    assert loan.history.count() == history


def test_a_return_without_the_condition_of_each_device_writes_nothing(
    technician_client, coordinator, technician, loan, site
):
    device = ready_device(site)
    active_loan(loan, coordinator, technician, [device])

    response = technician_client.post(f"/loans/{loan.pk}/return/", {"notes": "vu"})

    assert response.status_code == 200
    assert response.context["form"].errors[f"condition_{device.pk}"]
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE
    assert not Return.objects.exists()


def test_a_device_that_did_not_come_back_can_only_be_reviewed_as_lost(
    technician_client, coordinator_client, coordinator, technician, loan, site
):
    device = ready_device(site)
    active_loan(loan, coordinator, technician, [device])
    technician_client.post(
        f"/loans/{loan.pk}/return/", {f"condition_{device.pk}": "missing", "notes": ""}
    )

    page = coordinator_client.get(f"/loans/{loan.pk}/review/")
    field = page.context["form"].fields[f"decision_{device.pk}"]
    coordinator_client.post(f"/loans/{loan.pk}/review/", {f"decision_{device.pk}": "lost"})

    assert [value for value, _label in field.choices] == ["lost"]
    device.refresh_from_db()
    loan.refresh_from_db()
    assert device.status == Status.LOST
    assert loan.status == Loan.Status.LOST


def test_extending_to_a_date_before_the_current_one_is_refused_on_the_form(
    coordinator_client, coordinator, technician, loan, site
):
    active_loan(loan, coordinator, technician, [ready_device(site)])
    due = loan.due_on

    response = coordinator_client.post(
        f"/loans/{loan.pk}/extend/", {"due_on": TODAY.isoformat(), "reason": "Stage"}
    )

    assert "must come after the current one" in error_text(response)
    loan.refresh_from_db()
    assert loan.due_on == due
    assert not loan.extensions.exists()


def test_declaring_a_loan_lost_needs_a_note(
    coordinator_client, coordinator, technician, loan, site
):
    device = ready_device(site)
    active_loan(loan, coordinator, technician, [device])

    response = coordinator_client.post(f"/loans/{loan.pk}/lost/", {"note": "  "})

    assert response.status_code == 200
    loan.refresh_from_db()
    device.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE
    assert device.status == Status.LENT


def test_a_loan_converted_to_a_gift_gives_its_devices(
    coordinator_client, coordinator, technician, loan, site
):
    device = ready_device(site)
    active_loan(loan, coordinator, technician, [device])

    response = coordinator_client.post(f"/loans/{loan.pk}/gift/", {"note": "Fin du programme"})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.status == Status.GIVEN


def test_the_social_worker_who_asked_may_cancel_their_request(social_worker_client, loan):
    response = social_worker_client.post(f"/loans/{loan.pk}/cancel/", {"note": "Déménagement"})

    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CANCELLED


def test_a_social_worker_cannot_cancel_an_approved_loan(
    social_worker_client, coordinator, loan, site
):
    device = ready_device(site)
    approved_loan(loan, coordinator, [device])

    response = social_worker_client.post(f"/loans/{loan.pk}/cancel/", {"note": "Déménagement"})

    assert response.status_code == 200
    assert error_text(response)
    loan.refresh_from_db()
    device.refresh_from_db()
    assert loan.status == Loan.Status.APPROVED
    assert device.status == Status.RESERVED


def test_an_action_the_status_no_longer_allows_sends_back_to_the_loan(coordinator_client, loan):
    response = coordinator_client.get(f"/loans/{loan.pk}/gift/")

    assert response.status_code == 302
    assert response["Location"] == f"/loans/{loan.pk}/"


def test_a_comment_on_a_loan_comes_back_as_the_history_panel(technician_client, loan):
    response = technician_client.post(
        f"/loans/{loan.pk}/comment/", {"body": "Chargeur à prévoir"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "Chargeur à prévoir" in response.content.decode()
    assert loan.comments.get().author.username == "technician"


def test_an_empty_comment_is_refused(technician_client, loan):
    response = technician_client.post(f"/loans/{loan.pk}/comment/", {"body": "  "})

    assert response.status_code == 302
    assert not loan.comments.exists()


# Who sees what ----------------------------------------------------------------------


def technician_pages(loan):
    return [f"/loans/{loan.pk}/", "/loans/", f"/loans/{loan.pk}/return/"]


def test_a_technician_sees_the_household_code_but_nothing_of_the_person(
    technician_client, coordinator, technician, loan, site
):
    active_loan(loan, coordinator, technician, [ready_device(site)])

    for url in technician_pages(loan):
        response = technician_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert loan.household.code in html, url
        for value in PERSON.values():
            assert value not in html, (url, value)


def test_the_coordinator_sees_the_reference_person_on_the_loan_page(coordinator_client, loan):
    html = coordinator_client.get(f"/loans/{loan.pk}/").content.decode()

    assert "Zéphirine Quatremare" in html
    assert PERSON["phone"] in html
    # Requested: no agreement before the devices are chosen (see test_agreement.py).
    assert f"/loans/{loan.pk}/agreement.pdf" not in html


def test_the_technician_is_offered_no_agreement(
    technician_client, social_worker_client, loan, coordinator, site
):
    # An approved loan, whose agreement its social worker prints: the workshop may not.
    approved_loan(loan, coordinator, [ready_device(site)])

    assert "agreement.pdf" in social_worker_client.get(f"/loans/{loan.pk}/").content.decode()
    assert "agreement.pdf" not in technician_client.get(f"/loans/{loan.pk}/").content.decode()


def test_only_the_programmes_coordinator_is_offered_to_approve(
    coordinator_client, technician_client, social_worker_client, loan
):
    url = approve_url(loan)

    assert url in coordinator_client.get(f"/loans/{loan.pk}/").content.decode()
    assert url not in technician_client.get(f"/loans/{loan.pk}/").content.decode()
    assert url not in social_worker_client.get(f"/loans/{loan.pk}/").content.decode()


@pytest.fixture
def other_social_worker_client(client, roles):
    other = UserFactory(username="other-social-worker", role=Role.SOCIAL_WORKER)
    StructureFactory(members=[other])
    client.force_login(other)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/loans/{loan}/",
        "/loans/{loan}/agreement.pdf",
        "/enrolments/{enrolment}/request-loan/",
        "/loans/{loan}/cancel/",
    ],
)
def test_another_structures_social_worker_gets_404(other_social_worker_client, loan, url):
    response = other_social_worker_client.get(url.format(loan=loan.pk, enrolment=loan.enrolment_id))

    assert response.status_code == 404


def test_another_structures_social_worker_does_not_see_the_loan_in_the_list(
    other_social_worker_client, loan
):
    response = other_social_worker_client.get("/loans/")

    assert loan.household.code not in response.content.decode()


def test_a_coordinator_of_another_programme_gets_404(client, roles, loan):
    other = UserFactory(username="other-coordinator", role=Role.COORDINATOR)
    ProgrammeFactory(coordinators=[other])
    client.force_login(other)

    assert client.get(f"/loans/{loan.pk}/").status_code == 404
    assert client.post(approve_url(loan), {}).status_code == 404


@pytest.mark.parametrize(
    ("role", "url", "expected"),
    [
        ("technician", "/loans/{loan}/approve/", 403),
        ("technician", "/enrolments/{enrolment}/request-loan/", 403),
        ("social_worker", "/loans/{loan}/hand-over/", 403),
        ("social_worker", "/loans/{loan}/return/", 403),
        ("social_worker", "/loans/{loan}/approve/", 403),
        ("anonymous", "/loans/", 302),
        ("social_worker", "/enrolments/{enrolment}/request-loan/", 200),
        ("coordinator", "/loans/{loan}/approve/", 200),
    ],
)
def test_the_role_level_rules_of_the_loan_pages(client_for, loan, role, url, expected):
    response = client_for(role).get(url.format(loan=loan.pk, enrolment=loan.enrolment_id))

    assert response.status_code == expected


def test_the_request_form_warns_that_the_workshop_reads_the_note(social_worker_client, enrolment):
    html = social_worker_client.get(f"/enrolments/{enrolment.pk}/request-loan/").content.decode()

    assert "workshop preparing the devices reads this note" in html


def test_a_request_for_a_household_not_enrolled_is_refused_with_the_reason(
    social_worker_client, household, programme
):
    applied = EnrolmentFactory(household=household, programme=programme, status="applied")

    response = social_worker_client.post(
        f"/enrolments/{applied.pk}/request-loan/", {"note": "Ordinateur"}
    )

    assert response.status_code == 200
    assert "is not enrolled" in error_text(response)
    assert not Loan.objects.exists()


# The list ---------------------------------------------------------------------------


def test_the_list_flags_an_overdue_loan_with_its_days_late(
    coordinator_client, coordinator, technician, loan, site
):
    active_loan(loan, coordinator, technician, [ready_device(site)])
    Loan.objects.filter(pk=loan.pk).update(
        starts_on=TODAY - datetime.timedelta(days=60), due_on=TODAY - datetime.timedelta(days=4)
    )

    response = coordinator_client.get("/loans/", {"status": "overdue"})

    assert [row.pk for row in response.context["page"]] == [loan.pk]
    assert "4 days late" in response.content.decode()


def test_the_due_soon_filter_keeps_the_loans_due_within_the_reminder_days(
    coordinator_client, coordinator, technician, programme, site, settings
):
    settings.LOAN_REMINDER_DAYS = 7
    soon, later = (LoanFactory(enrolment=EnrolmentFactory(programme=programme)) for _ in "ab")
    for loan, days in ((soon, 5), (later, 20)):
        active_loan(loan, coordinator, technician, [ready_device(site)])
        Loan.objects.filter(pk=loan.pk).update(due_on=TODAY + datetime.timedelta(days=days))

    response = coordinator_client.get("/loans/", {"status": "due_soon"})

    assert [row.pk for row in response.context["page"]] == [soon.pk]


def test_the_list_filters_by_programme(coordinator_client, coordinator, loan):
    other = LoanFactory(
        enrolment=EnrolmentFactory(programme=ProgrammeFactory(coordinators=[coordinator]))
    )

    response = coordinator_client.get("/loans/", {"programme": other.programme_id})

    assert [row.pk for row in response.context["page"]] == [other.pk]


@pytest.fixture
def many_loans(coordinator, programme, structure, site):
    def make(count):
        sims = iter(SimCardFactory.create_batch(count))
        for index in range(count):
            loan = LoanFactory(
                enrolment=EnrolmentFactory(
                    programme=programme, household=HouseholdFactory(structure=structure)
                )
            )
            devices = [ready_device(site), ready_device(site, category=Category.ROUTER_4G)]
            approved_loan(loan, coordinator, devices, sim=next(sims) if index % 2 else None)

    return make


@pytest.mark.parametrize("size", [10, 200])
@pytest.mark.parametrize("role", ["coordinator", "technician"])
def test_the_loan_list_runs_a_fixed_number_of_queries(
    size, role, client_for, many_loans, django_assert_max_num_queries
):
    many_loans(size)
    client = client_for(role)

    with django_assert_max_num_queries(10):
        response = client.get("/loans/")

    assert len(response.context["page"]) == min(size, 50)


@pytest.mark.parametrize("size", [10, 200])
def test_the_approval_page_runs_a_fixed_number_of_queries(
    size, coordinator_client, loan, site, django_assert_max_num_queries
):
    for _ in range(size):
        ready_device(site)
    SimCardFactory.create_batch(3)

    with django_assert_max_num_queries(12):
        response = coordinator_client.get(approve_url(loan), {"q": "RE-"})

    assert response.status_code == 200


def test_a_device_id_no_database_holds_is_an_error_on_the_form_not_a_crash(
    coordinator_client, loan
):
    history = loan.history.count()

    response = coordinator_client.post(
        approve_url(loan), {"starts_on": TODAY.isoformat(), "devices": ["9" * 30]}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["devices"]
    assert_nothing_written(loan, [], history)

"""The access log: who opened which household's file, written by the pages that show it,
read by the coordinators of the household's programmes and superusers."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from inventory.models import Status
from lending.loans import workflow as loan_workflow
from lending.models import Household, HouseholdAccess
from lending.privacy.access_log import forget_old_accesses, record_access
from tests.factories import DeviceFactory, UserFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

What = HouseholdAccess.What


@pytest.fixture
def programme(structure, coordinator):
    return ProgrammeFactory(structures=[structure], coordinators=[coordinator])


@pytest.fixture
def household(structure, social_worker, programme):
    household = HouseholdFactory(structure=structure, social_worker=social_worker)
    EnrolmentFactory(household=household, programme=programme)
    return household


def _entries():
    return list(HouseholdAccess.objects.order_by("pk").values_list("household", "user", "what"))


def test_opening_a_households_page_is_logged(social_worker_client, social_worker, household):
    social_worker_client.get(f"/households/{household.code}/")

    assert _entries() == [(household.pk, social_worker.pk, What.VIEWED)]


def test_printing_a_loan_agreement_is_logged_with_the_loans_number(
    coordinator_client, coordinator, household
):
    loan = LoanFactory(enrolment=household.enrolments.get())
    # The agreement is printed once the loan is approved with its devices.
    loan.programme.coordinators.add(coordinator)
    device = DeviceFactory(status=Status.READY, category=loan.programme.lent_categories[0])
    loan_workflow.approve_loan(
        loan=loan, by=coordinator, devices=[device], starts_on=timezone.localdate()
    )
    HouseholdAccess.objects.all().delete()

    response = coordinator_client.get(f"/loans/{loan.pk}/agreement.pdf")

    assert response.status_code == 200
    entry = HouseholdAccess.objects.get()
    assert (entry.household, entry.user, entry.what) == (household, coordinator, What.AGREEMENT)
    assert entry.detail == f"#{loan.pk}"


def _export(client, count, structure, social_worker):
    HouseholdFactory.create_batch(count, structure=structure, social_worker=social_worker)
    HouseholdAccess.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/households/?export=csv")
    assert response.status_code == 200
    return len(queries)


def test_a_list_export_logs_each_exported_household_in_a_fixed_number_of_queries(
    social_worker_client, social_worker, structure
):
    few = _export(social_worker_client, 2, structure, social_worker)
    many = _export(social_worker_client, 30, structure, social_worker)

    assert many == few
    exported = set(Household.objects.values_list("pk", flat=True))
    assert {h for h, _u, _w in _entries()} == exported
    assert {(u, w) for _h, u, w in _entries()} == {(social_worker.pk, What.EXPORTED)}
    assert len(_entries()) == len(exported)


def test_a_filtered_export_logs_only_the_households_it_holds(
    social_worker_client, social_worker, structure
):
    kept = HouseholdFactory(structure=structure, social_worker=social_worker, commune="Houdain")
    HouseholdFactory(structure=structure, social_worker=social_worker, commune="Marles")

    social_worker_client.get("/households/?export=xlsx&q=Houdain")

    assert _entries() == [(kept.pk, social_worker.pk, What.EXPORTED)]
    assert HouseholdAccess.objects.get().detail == "xlsx"


def test_a_queryset_is_logged_in_one_query(social_worker, structure, django_assert_num_queries):
    HouseholdFactory.create_batch(5, structure=structure, social_worker=social_worker)

    with django_assert_num_queries(1):
        written = record_access(social_worker, Household.objects.all(), What.EXPORTED)

    assert written == 5
    assert HouseholdAccess.objects.count() == 5


# Reading the log ---------------------------------------------------------------------------


def test_a_coordinator_reads_the_log_of_their_programmes_households_only(
    coordinator_client, social_worker, household
):
    stranger = HouseholdFactory(code="F-8888")
    record_access(social_worker, household, What.VIEWED)
    record_access(social_worker, stranger, What.VIEWED)

    page = coordinator_client.get("/access-log/")
    own = coordinator_client.get(f"/households/{household.code}/access-log/")
    other = coordinator_client.get(f"/households/{stranger.code}/access-log/")

    assert [e.household for e in page.context["page"]] == [household]
    assert [e.household for e in own.context["page"]] == [household]
    assert other.status_code == 404


def test_the_household_page_shows_its_log_to_a_coordinator_not_to_a_social_worker(
    coordinator_client, social_worker_client, household
):
    seen_by_coordinator = coordinator_client.get(f"/households/{household.code}/")
    seen_by_social_worker = social_worker_client.get(f"/households/{household.code}/")

    assert [e.what for e in seen_by_coordinator.context["access_log"]] == [What.VIEWED]
    assert 'id="access-log"' in seen_by_coordinator.content.decode()
    assert seen_by_social_worker.context["access_log"] is None
    assert 'id="access-log"' not in seen_by_social_worker.content.decode()
    # The social worker still downloads the household's copy, which holds the log.
    assert "Export their data (right of access)" in seen_by_social_worker.content.decode()


@pytest.mark.parametrize("role", ["social_worker", "technician"])
def test_the_log_is_refused_to_who_does_not_coordinate(client_for, household, role):
    assert client_for(role).get("/access-log/").status_code == 403
    assert client_for(role).get(f"/households/{household.code}/access-log/").status_code == 403


def test_a_superuser_reads_the_whole_log(superuser_client, social_worker, household):
    record_access(social_worker, [household, HouseholdFactory()], What.VIEWED)

    page = superuser_client.get("/access-log/")

    assert page.context["page"].paginator.count == 2


def test_the_log_can_be_filtered_by_household_code(superuser_client, social_worker, household):
    record_access(social_worker, [household, HouseholdFactory()], What.VIEWED)

    page = superuser_client.get(f"/access-log/?household={household.code.lower()}")

    assert [e.household for e in page.context["page"]] == [household]


def _log_queries(client, count, households):
    readers = [UserFactory(role=Role.SOCIAL_WORKER) for _ in range(count)]
    for reader, household in zip(readers, households * count, strict=False):
        record_access(reader, household, What.VIEWED)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/access-log/")
    assert response.status_code == 200
    return len(queries), response


def test_the_log_page_costs_the_same_queries_whatever_its_length(
    coordinator_client, programme, household
):
    others = [EnrolmentFactory(programme=programme).household for _ in range(3)]

    few, _response = _log_queries(coordinator_client, 2, [household])
    many, response = _log_queries(coordinator_client, 40, [household, *others])

    assert many == few
    assert len(response.context["page"]) == 42


def test_entries_older_than_a_year_are_forgotten_once(social_worker, household):
    record_access(social_worker, household, What.VIEWED)
    old = HouseholdAccess.objects.create(household=household, user=social_worker, what=What.VIEWED)
    HouseholdAccess.objects.filter(pk=old.pk).update(
        at=timezone.now() - datetime.timedelta(days=366)
    )

    assert forget_old_accesses() == 1
    assert forget_old_accesses() == 0
    assert HouseholdAccess.objects.count() == 1


def test_the_nightly_task_forgets_after_the_configured_days(settings, social_worker, household):
    from lending.tasks import forget_old_household_accesses

    settings.ACCESS_LOG_RETENTION_DAYS = 30
    old = HouseholdAccess.objects.create(household=household, user=social_worker, what=What.VIEWED)
    HouseholdAccess.objects.filter(pk=old.pk).update(
        at=timezone.now() - datetime.timedelta(days=31)
    )
    record_access(social_worker, household, What.VIEWED)

    assert forget_old_household_accesses() == 1
    assert HouseholdAccess.objects.count() == 1
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "lending.tasks.forget_old_household_accesses" in tasks

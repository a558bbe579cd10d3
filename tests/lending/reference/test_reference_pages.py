"""The reference data pages (structures, funders, eligibility criteria): who keeps them,
and what a refused form leaves behind (nothing)."""

import pytest
from django.contrib.messages import constants

from lending.models import Criterion, Funder, Structure
from tests.factories import UserFactory
from tests.lending_factories import HouseholdFactory, StructureFactory

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [(m.level, str(m)) for m in response.context["messages"]]


@pytest.fixture
def structure(social_worker):
    return StructureFactory(members=[social_worker])


@pytest.mark.parametrize(
    ("role", "url", "expected"),
    [
        ("coordinator", "/structures/", 200),
        ("coordinator", "/structures/new/", 200),
        ("coordinator", "/funders/", 200),
        ("coordinator", "/funders/new/", 200),
        ("coordinator", "/criteria/", 200),
        ("coordinator", "/criteria/new/", 200),
        ("social_worker", "/structures/", 200),
        ("social_worker", "/structures/new/", 403),
        ("social_worker", "/funders/", 403),
        ("social_worker", "/criteria/new/", 403),
        ("technician", "/structures/", 403),
        ("technician", "/funders/", 403),
        ("technician", "/criteria/", 403),
    ],
)
def test_reference_data_is_kept_by_coordinators(role, url, expected, client_for):
    assert client_for(role).get(url).status_code == expected


def test_a_coordinator_adds_a_structure_with_its_social_workers(social_worker, coordinator_client):
    response = coordinator_client.post(
        "/structures/new/",
        {"name": "CCAS de Houdain", "kind": "ccas", "members": [social_worker.pk]},
    )

    assert response.status_code == 302
    assert list(Structure.objects.get(name="CCAS de Houdain").members.all()) == [social_worker]


def test_only_social_workers_are_offered_as_structure_members(
    social_worker, technician, coordinator_client
):
    response = coordinator_client.get("/structures/new/")

    assert list(response.context["form"].fields["members"].queryset) == [social_worker]


def test_a_social_worker_following_households_cannot_be_removed(
    structure, social_worker, coordinator_client
):
    HouseholdFactory(structure=structure, social_worker=social_worker)

    response = coordinator_client.post(
        f"/structures/{structure.pk}/edit/", {"name": structure.name, "kind": structure.kind}
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["members"]
    assert list(structure.members.all()) == [social_worker]


def test_the_structure_list_runs_a_fixed_number_of_queries(
    social_worker, coordinator_client, django_assert_max_num_queries
):
    for _ in range(30):
        StructureFactory(members=[social_worker, UserFactory()])

    with django_assert_max_num_queries(8):
        response = coordinator_client.get("/structures/")

    assert len(response.context["structures"]) == 30


def test_a_coordinator_adds_and_renames_a_funder(coordinator_client):
    coordinator_client.post("/funders/new/", {"name": "CAF", "kind": "caf"})
    funder = Funder.objects.get()

    response = coordinator_client.post(
        f"/funders/{funder.pk}/edit/", {"name": "CAF du Pas-de-Calais", "kind": "caf"}
    )

    assert response.status_code == 302
    assert Funder.objects.get().name == "CAF du Pas-de-Calais"


def test_a_coordinator_adds_a_sensitive_criterion(coordinator_client):
    response = coordinator_client.post(
        "/criteria/new/", {"name": "Critère maison", "sensitive": "on", "active": "on", "order": 3}
    )

    assert response.status_code == 302
    assert Criterion.objects.filter(name="Critère maison", sensitive=True, active=True).exists()
    assert [level for level, _ in messages_of(coordinator_client.get("/criteria/"))] == [
        constants.SUCCESS
    ]


def test_a_social_worker_cannot_add_a_criterion(social_worker_client):
    response = social_worker_client.post("/criteria/new/", {"name": "Critère maison", "order": 3})

    assert response.status_code == 403
    assert not Criterion.objects.filter(name="Critère maison").exists()

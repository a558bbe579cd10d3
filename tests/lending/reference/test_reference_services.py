"""lending.reference.services: the reference data coordinators keep (structures and
their social workers, funders, eligibility criteria)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.refusals import PermissionRefused
from lending.models import Funder, Structure
from lending.reference import services as reference
from tests.lending_factories import HouseholdFactory, StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def structure(social_worker):
    return StructureFactory(members=[social_worker])


def test_a_coordinator_adds_a_structure_with_its_social_workers(coordinator, social_worker):
    structure = Structure(name="CCAS de Houdain", commune="Houdain")

    reference.save_structure(structure=structure, by=coordinator, members=[social_worker])

    assert list(Structure.objects.get(name="CCAS de Houdain").members.all()) == [social_worker]


def test_only_social_workers_are_members_of_a_structure(coordinator, technician):
    structure = Structure(name="CCAS de Houdain")

    with pytest.raises(ValidationError) as refused:
        reference.save_structure(structure=structure, by=coordinator, members=[technician])

    assert list(refused.value.message_dict) == ["members"]
    assert not Structure.objects.exists()


def test_a_social_worker_who_follows_households_stays_in_the_structure(
    structure, social_worker, coordinator
):
    HouseholdFactory(structure=structure, social_worker=social_worker)

    with pytest.raises(ValidationError) as refused:
        reference.save_structure(structure=structure, by=coordinator, members=[])

    assert "social-worker still follow households" in refused.value.message_dict["members"][0]
    assert list(structure.members.all()) == [social_worker]


def test_a_social_worker_cannot_add_a_funder(social_worker):
    with pytest.raises(PermissionRefused):
        reference.save_funder(funder=Funder(name="CAF du Pas-de-Calais"), by=social_worker)

    assert not Funder.objects.exists()


def test_a_coordinator_renames_a_funder(coordinator):
    funder = reference.save_funder(funder=Funder(name="CAF"), by=coordinator)
    funder.name = "CAF du Pas-de-Calais"

    reference.save_funder(funder=funder, by=coordinator)

    assert Funder.objects.get().name == "CAF du Pas-de-Calais"


def test_two_funders_cannot_share_a_name(coordinator):
    reference.save_funder(funder=Funder(name="CAF"), by=coordinator)

    with pytest.raises(ValidationError) as refused:
        reference.save_funder(funder=Funder(name="CAF"), by=coordinator)

    assert list(refused.value.message_dict) == ["name"]
    assert Funder.objects.count() == 1

"""Registering and editing households: codes from a counter, consent, own structure only."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.refusals import PermissionRefused
from accounts.roles import Role
from lending.households.services import register_household, update_household
from lending.models import ConsentPurpose, Household
from lending.models.structures import Criterion
from lending.states import LendingError
from tests.factories import UserFactory
from tests.lending_factories import HouseholdFactory, StructureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def details(structure, **fields):
    return {
        "first_name": "Samira",
        "last_name": "Benali",
        "phone": "06 11 22 33 44",
        "postcode": "62700",
        "commune": "Bruay-La-Buissière",
        "size": 4,
        "school_age_children": 2,
        "needs": ["school"],
        "structure": structure,
        **fields,
    }


def test_registering_a_household_gives_it_the_next_code(social_worker, structure):
    rsa = Criterion.objects.create(name="RSA")

    first = register_household(
        by=social_worker, situations=[rsa], consents=[ConsentPurpose.SMS], **details(structure)
    )
    second = register_household(by=social_worker, **details(structure, last_name="Martin"))

    assert (first.code, second.code) == ("F-0001", "F-0002")
    first.refresh_from_db()
    assert first.social_worker == social_worker
    consent = first.consents.get()
    assert (consent.purpose, consent.given_on) == (ConsentPurpose.SMS, timezone.localdate())
    assert consent.recorded_by == social_worker
    assert list(first.situations.all()) == [rsa]
    assert first.history.get().history_user == social_worker


def test_a_refused_registration_does_not_use_up_a_code(social_worker, structure):
    with pytest.raises(ValidationError) as refused:
        register_household(by=social_worker, **details(structure, postcode="6270"))

    assert "postcode" in refused.value.message_dict
    assert not Household.objects.exists()
    assert register_household(by=social_worker, **details(structure)).code == "F-0001"


def test_a_household_of_a_structure_the_user_is_not_a_member_of_is_refused(social_worker):
    with pytest.raises(LendingError, match="your own structure"):
        register_household(by=social_worker, **details(StructureFactory()))

    assert not Household.objects.exists()


def test_registering_without_a_structure_says_which_field_is_missing(social_worker):
    with pytest.raises(ValidationError) as refused:
        register_household(by=social_worker, **details(None))

    assert "structure" in refused.value.message_dict
    assert not Household.objects.exists()


def test_a_household_is_registered_with_no_consent_at_all(social_worker, structure):
    household = register_household(by=social_worker, **details(structure))

    assert not household.consents.exists()
    assert not household.accepts_sms


@pytest.mark.parametrize(("size", "children"), [(2, 3), (3, 3)])
def test_as_many_school_age_children_as_people_is_refused(size, children, social_worker, structure):
    with pytest.raises(ValidationError) as refused:
        register_household(
            by=social_worker, **details(structure, size=size, school_age_children=children)
        )

    assert f"{children} school-age children in a household of {size} people" in str(
        refused.value.message_dict["school_age_children"]
    )
    assert not Household.objects.exists()


def test_a_technician_cannot_register_a_household(technician, structure):
    structure.members.add(technician)

    with pytest.raises(PermissionRefused, match="Your role may not"):
        register_household(by=technician, **details(structure))

    assert not Household.objects.exists()


@pytest.fixture
def household(social_worker, structure):
    return HouseholdFactory(structure=structure, social_worker=social_worker)


def test_editing_a_household_records_who_changed_what_and_why(social_worker, household):
    qpv = Criterion.objects.create(name="QPV resident")
    household.commune = "Houdain"
    household.postcode = "62150"

    update_household(
        household=household, by=social_worker, situations=[qpv], note=" Moved in March "
    )

    household.refresh_from_db()
    assert household.commune == "Houdain"
    assert list(household.situations.all()) == [qpv]
    record = household.history.first()
    assert (record.history_user, record.history_change_reason) == (social_worker, "Moved in March")
    assert record.prev_record.commune == "Bruay-La-Buissière"


def test_a_social_worker_cannot_edit_another_structures_household(social_worker):
    stranger = HouseholdFactory()
    stranger.commune = "Houdain"

    with pytest.raises(LendingError, match="your own structure"):
        update_household(household=stranger, by=social_worker)

    assert Household.objects.get(pk=stranger.pk).commune == "Bruay-La-Buissière"
    assert stranger.history.count() == 1


def test_a_household_cannot_be_moved_to_a_structure_the_user_is_not_a_member_of(
    social_worker, household
):
    household.structure = StructureFactory()

    with pytest.raises(LendingError, match="one of your own structures"):
        update_household(household=household, by=social_worker)

    household.refresh_from_db()
    assert household.structure.members.filter(pk=social_worker.pk).exists()
    assert household.history.count() == 1


def test_an_edit_with_more_children_than_people_is_refused(social_worker, household):
    household.school_age_children = 5

    with pytest.raises(ValidationError):
        update_household(household=household, by=social_worker)

    household.refresh_from_db()
    assert household.school_age_children == 1
    assert household.history.count() == 1


def test_a_consent_given_at_an_edit_is_recorded_by_whoever_makes_the_edit(social_worker):
    structure = StructureFactory(members=[social_worker])
    household = HouseholdFactory(structure=structure, social_worker=social_worker, consents=[])
    colleague = UserFactory(role=Role.SOCIAL_WORKER)
    structure.members.add(colleague)

    update_household(household=household, by=colleague, consents=[ConsentPurpose.SMS])

    consent = household.consents.get()
    assert consent.recorded_by == colleague
    assert consent.history.get().history_user == colleague


def test_an_edit_that_gives_a_consent_again_records_it_once(social_worker):
    structure = StructureFactory(members=[social_worker])
    household = HouseholdFactory(structure=structure, social_worker=social_worker)

    update_household(household=household, by=social_worker, consents=[ConsentPurpose.SMS])

    assert household.consents.count() == 1

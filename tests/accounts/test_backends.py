"""Roles and permissions read in one query, with the answers Django's own backend gives."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from accounts.backends import RolesAndPermissionsBackend
from accounts.roles import Role, roles_of

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as the next request loads it: no cache on the object."""
    return get_user_model().objects.get(pk=user.pk)


def test_roles_and_permissions_are_one_query(technician, django_assert_num_queries):
    user = fresh(technician)

    with django_assert_num_queries(1):
        assert roles_of(user) == {Role.TECHNICIAN}
        assert user.has_perm("inventory.change_device")
        assert not user.has_perm("lending.view_household")


def test_the_signed_in_user_comes_with_roles_and_permissions(technician, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = RolesAndPermissionsBackend().get_user(technician.pk)
        assert roles_of(user) == {Role.TECHNICIAN}
        assert user.has_perm("inventory.change_device")


def test_the_permissions_are_those_django_computes(technician, coordinator):
    own = Permission.objects.get(codename="view_household")
    technician.user_permissions.add(own)
    for user in (technician, coordinator):
        ours, django = fresh(user), fresh(user)

        assert ours.get_all_permissions() == ModelBackend().get_all_permissions(django)
        assert ours.get_group_permissions() == ModelBackend().get_group_permissions(django)
    assert fresh(technician).get_user_permissions() == {"lending.view_household"}


def test_a_role_given_applies_on_the_next_request(technician):
    assert not fresh(technician).has_perm("lending.view_household")

    technician.groups.add(Group.objects.get(name=Role.SOCIAL_WORKER))

    user = fresh(technician)
    assert roles_of(user) == {Role.TECHNICIAN, Role.SOCIAL_WORKER}
    assert user.has_perm("lending.view_household")


def test_a_group_without_permissions_is_still_a_role(technician):
    technician.groups.add(Group.objects.create(name="visitor"))

    assert "visitor" in roles_of(fresh(technician))


def test_an_inactive_user_has_no_permission(technician):
    get_user_model().objects.filter(pk=technician.pk).update(is_active=False)

    assert not fresh(technician).has_perm("inventory.view_device")

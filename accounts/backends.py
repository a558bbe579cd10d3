"""A user's roles and permissions, read with the user: one query per request.

Django's ModelBackend reads the signed-in user, then their own permissions and their
groups' permissions (two queries), and the menus read the group names, the roles (a
third). Every page paid the four; on the scan station they were most of a scan's SQL.
`RolesAndPermissionsBackend.get_user` reads the user row with two JSON arrays beside it
(their groups with each group's permissions, their own permissions), and `load` fills
from them the caches ModelBackend already keeps on the user object for the request, so
`has_perm` and `roles_of` read memory afterwards. Nothing outlives the request: a role
granted or taken applies on the next page. A user object from elsewhere (a form, a
test) gets the same arrays in one query on its first check.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import JSONField
from django.db.models.expressions import RawSQL

# The aggregate and the array builder of each database's JSON functions.
_JSON = {
    "postgresql": ("COALESCE(JSONB_AGG({}), '[]')", "JSONB_BUILD_ARRAY"),
    "sqlite": ("JSON_GROUP_ARRAY({})", "JSON_ARRAY"),
}


@cache
def _sql(vendor):
    """Two correlated subqueries of the user row: [[group, app label, codename], …] of
    their groups (codename null for a group without permissions), and [[app label,
    codename], …] of their own permissions. Plain SQL: the ORM took longer to build
    them than the database to answer."""
    aggregate, array = _JSON[vendor]
    user_model = get_user_model()
    user = f"{user_model._meta.db_table}.{user_model._meta.pk.column}"
    memberships = user_model.groups.through._meta.db_table
    own = user_model.user_permissions.through._meta.db_table
    granted = Group.permissions.through._meta.db_table
    groups, permissions = Group._meta.db_table, Permission._meta.db_table
    types = ContentType._meta.db_table
    grouped = (
        f"SELECT {aggregate.format(f'{array}(g.name, t.app_label, p.codename)')} "
        f"FROM {memberships} m JOIN {groups} g ON g.id = m.group_id "
        f"LEFT JOIN {granted} gp ON gp.group_id = g.id "
        f"LEFT JOIN {permissions} p ON p.id = gp.permission_id "
        f"LEFT JOIN {types} t ON t.id = p.content_type_id WHERE m.user_id = {user}"
    )
    owned = (
        f"SELECT {aggregate.format(f'{array}(t.app_label, p.codename)')} "
        f"FROM {own} o JOIN {permissions} p ON p.id = o.permission_id "
        f"JOIN {types} t ON t.id = p.content_type_id WHERE o.user_id = {user}"
    )
    return grouped, owned


def with_roles(users):
    """A user queryset whose rows carry their roles and permissions (see `load`)."""
    grouped, owned = _sql(connection.vendor)
    return users.annotate(
        auth_groups=RawSQL(grouped, (), output_field=JSONField()),
        auth_own=RawSQL(owned, (), output_field=JSONField()),
    )


def load(user):
    """Fill `user`'s role and permission caches, once per request (a user object)."""
    if hasattr(user, "_role_names"):
        return
    if not hasattr(user, "auth_groups"):
        fetched = with_roles(get_user_model()._base_manager).get(pk=user.pk)
        user.auth_groups, user.auth_own = fetched.auth_groups, fetched.auth_own
    user._role_names = {group for group, _app, _codename in user.auth_groups}
    if user.is_active and not user.is_superuser:
        # The caches ModelBackend reads (a superuser's hold every permission: it
        # keeps computing those itself).
        user._user_perm_cache = {f"{app}.{codename}" for app, codename in user.auth_own}
        user._group_perm_cache = {
            f"{app}.{codename}" for _group, app, codename in user.auth_groups if codename
        }
        user._perm_cache = user._user_perm_cache | user._group_perm_cache


class RolesAndPermissionsBackend(ModelBackend):
    """ModelBackend reading the signed-in user with their roles and permissions."""

    def get_user(self, user_id):
        users = with_roles(get_user_model()._default_manager)
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if user_obj.is_active and not user_obj.is_anonymous and obj is None:
            load(user_obj)
        return super().get_all_permissions(user_obj, obj)

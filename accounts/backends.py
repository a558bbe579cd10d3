"""A user's roles and permissions, read in one query per request.

Django's ModelBackend reads a user's own permissions and their groups' permissions in
two queries, and the menus read the group names (the roles) in a third. Every page
pays them; on the scan station they were a quarter of a scan's queries. `load` reads
all three in one UNION and fills the caches ModelBackend already keeps on the user
object for the request, so `has_perm` and `roles_of` read memory afterwards.
Nothing outlives the request: a role granted or taken applies on the next page.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router


@cache
def _sql():
    """The UNION: (group, app label, codename) of the groups, then of the user's own
    permissions (group NULL). Plain SQL: the ORM took longer to build it than the
    database to answer."""
    user_model = get_user_model()
    memberships = user_model.groups.through._meta.db_table
    own = user_model.user_permissions.through._meta.db_table
    granted = Group.permissions.through._meta.db_table
    groups, permissions = Group._meta.db_table, Permission._meta.db_table
    types = ContentType._meta.db_table
    return (
        f"SELECT g.name, t.app_label, p.codename FROM {memberships} m "
        f"JOIN {groups} g ON g.id = m.group_id "
        f"LEFT JOIN {granted} gp ON gp.group_id = g.id "
        f"LEFT JOIN {permissions} p ON p.id = gp.permission_id "
        f"LEFT JOIN {types} t ON t.id = p.content_type_id WHERE m.user_id = %s "
        "UNION ALL "
        f"SELECT NULL, t.app_label, p.codename FROM {own} o "
        f"JOIN {permissions} p ON p.id = o.permission_id "
        f"JOIN {types} t ON t.id = p.content_type_id WHERE o.user_id = %s"
    )


def load(user):
    """Fill `user`'s role and permission caches, once per request (a user object)."""
    if hasattr(user, "_role_names"):
        return
    with connections[router.db_for_read(Group)].cursor() as cursor:
        cursor.execute(_sql(), [user.pk, user.pk])
        rows = cursor.fetchall()
    names, own_perms, group_perms = set(), set(), set()
    for group, app_label, codename in rows:
        if group is not None:
            names.add(group)
        if codename is None:  # a group with no permission
            continue
        (own_perms if group is None else group_perms).add(f"{app_label}.{codename}")
    user._role_names = names
    if user.is_active and not user.is_superuser:
        # The caches ModelBackend reads (a superuser's hold every permission: it
        # keeps computing those itself).
        user._user_perm_cache = own_perms
        user._group_perm_cache = group_perms
        user._perm_cache = own_perms | group_perms


class RolesAndPermissionsBackend(ModelBackend):
    """ModelBackend whose permission checks start with `load`'s single query."""

    def get_all_permissions(self, user_obj, obj=None):
        if user_obj.is_active and not user_obj.is_anonymous and obj is None:
            load(user_obj)
        return super().get_all_permissions(user_obj, obj)

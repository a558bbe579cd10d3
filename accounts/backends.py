"""A user's roles and permissions, read in one query per request.

Django's ModelBackend reads a user's own permissions and their groups' permissions in
two queries, and the menus read the group names (the roles) in a third. Every page
pays them; on the scan station they were a quarter of a scan's queries. `load` reads
all three in one UNION and fills the caches ModelBackend already keeps on the user
object for the request, so `has_perm` and `roles_of` read memory afterwards.
Nothing outlives the request: a role granted or taken applies on the next page.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, Value


def load(user):
    """Fill `user`'s role and permission caches, once per request (a user object)."""
    if hasattr(user, "_role_names"):
        return
    own = (
        Permission.objects.filter(user=user)
        .order_by()
        .annotate(group_name=Value(None, output_field=CharField()))
        .values_list("group_name", "content_type__app_label", "codename")
    )
    grouped = (
        Group.objects.filter(user=user)
        .order_by()
        .values_list("name", "permissions__content_type__app_label", "permissions__codename")
    )
    names, own_perms, group_perms = set(), set(), set()
    for group, app_label, codename in grouped.union(own, all=True):
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

from django.contrib.auth import get_user_model
from django.core.management import CommandError
from django.utils.translation import gettext as _


def acting_user(username):
    """The user a command records its changes under: --user, else the first superuser."""
    users = get_user_model().objects.filter(is_active=True)
    if username:
        found = users.filter(username=username).first()
        if found is None:
            raise CommandError(_("No active user is named %(name)s.") % {"name": username})
        return found
    found = users.filter(is_superuser=True).order_by("pk").first()
    if found is None:
        raise CommandError(_("There is no superuser: name the user with --user."))
    return found

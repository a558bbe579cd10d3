from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def person(user):
    """How a user is named on a page: full name, else username; changes made by
    scripts and imports have no user and read as "System"."""
    if user is None:
        return _("System")
    return user.get_full_name() or user.get_username()

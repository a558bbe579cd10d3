from django import template

from exchange import services

register = template.Library()


@register.filter
def may_import_something(user):
    """Whether the "Imports" menu entry is shown: `user` may import at least one kind."""
    return user.is_authenticated and bool(services.importable_resources(user))

"""The shop, as the device page shows it: the sale a sold device is in."""

from django import template

from sales import selectors

register = template.Library()


@register.simple_tag
def sale_of(device):
    """`{% sale_of device as sale %}`: its sale when it is sold (one query), else None."""
    return selectors.sale_of(device)

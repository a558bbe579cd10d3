from django import template

from reports import charts
from reports.formatting import display

register = template.Library()


@register.simple_tag
def chart_svg(chart, identifier):
    """The chart as inline SVG (reports.charts.svg)."""
    return charts.svg(chart, identifier)


@register.filter
def figure(value):
    """A table cell as reports.formatting.display writes it."""
    return display(value)

from django import template

from reports import charts

register = template.Library()


@register.simple_tag
def chart_svg(chart, identifier):
    """The chart as inline SVG (reports.charts.svg)."""
    return charts.svg(chart, identifier)

"""Charts drawn on the server, twice from one description: as inline SVG for the page
(no script, no CDN; a <title> and <desc> for screen readers and a table of the same
figures beside it) and as a reportlab Drawing for the PDF (embedded DejaVu, never
Helvetica: see inventory.pdf).

A Chart is labels along the x axis and one or more series of numbers, drawn as grouped
bars or as lines. Numbers are written the French way through Django's number_format.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from inventory import pdf

BAR, LINE = "bar", "line"
# Colour-blind-safe (Okabe–Ito), dark enough on white for the 3:1 of WCAG 1.4.11.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8a6d00", "#56B4E9", "#3b3b3b"]

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 52


@dataclass(frozen=True)
class Series:
    name: str
    values: list


@dataclass(frozen=True)
class Chart:
    title: str
    labels: list
    series: list = field(default_factory=list)
    kind: str = BAR
    unit: str = ""
    decimals: int = 0

    def formatted(self, value):
        if value is None:
            return "—"
        # number_format cuts the digits beyond decimal_pos: round half up first.
        value = Decimal(str(value)).quantize(
            Decimal(1).scaleb(-self.decimals), rounding=ROUND_HALF_UP
        )
        text = number_format(value, decimal_pos=self.decimals, use_l10n=True, force_grouping=True)
        return f"{text} {self.unit}".strip()

    @property
    def highest(self):
        values = [float(v) for s in self.series for v in s.values if v is not None]
        return max(values, default=0)

    def rows(self):
        """The table alternative: one row per label, one formatted cell per series."""
        return [
            [label, *[self.formatted(s.values[i]) for s in self.series]]
            for i, label in enumerate(self.labels)
        ]

    @property
    def is_empty(self):
        return not self.labels or not self.series


def _scale_top(highest, whole=False):
    """A round number at or above `highest`, for the y axis's top (four steps up to it);
    for counts (`whole`), a multiple of 4 so that every step is a whole number."""
    if highest <= 0:
        return 4 if whole else 1
    step = 10 ** (len(str(int(highest))) - 1)
    top = 10 * step
    for multiple in (1, 2, 2.5, 5, 10):
        if highest <= multiple * step:
            top = multiple * step
            break
    if whole:
        return 4 * _whole_step(highest / 4)
    return top


def _whole_step(least):
    """The smallest round whole number (1, 2, 3, 5, 10, 15, 20, 25, 30, 50…) ≥ `least`."""
    power = 1
    while True:
        for multiple in (1, 1.5, 2, 2.5, 3, 5):
            step = multiple * power
            if step == int(step) and step >= least:
                return int(step)
        power *= 10


def _tick(value):
    decimals = 0 if value == int(value) else 1
    return number_format(
        Decimal(str(value)), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )


# SVG for the page --------------------------------------------------------------------------


def svg(chart, identifier):
    """The chart as inline SVG markup (safe to insert in a template)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _scale_top(chart.highest, whole=chart.decimals == 0)
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
            'xmlns="http://www.w3.org/2000/svg">'
            '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>',
            WIDTH,
            HEIGHT,
            identifier,
            identifier,
            identifier,
            chart.title,
            identifier,
            _description(chart),
        )
    ]
    parts.extend(_axes(chart, top, plot_w, plot_h))
    n = max(len(chart.labels), 1)
    slot = plot_w / n
    if chart.kind == LINE:
        parts.extend(_lines(chart, top, slot, plot_h))
    else:
        parts.extend(_bars(chart, top, slot, plot_h))
    for i, label in enumerate(chart.labels):
        if n > 16 and i % (n // 12 + 1):
            continue
        x = LEFT + slot * (i + 0.5)
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" class="axis">{}</text>',
                _n(x),
                HEIGHT - BOTTOM + 14,
                label,
            )
        )
    parts.extend(_svg_legend(chart))
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def _n(value):
    # SVG coordinates use a dot whatever the language.
    return f"{value:.1f}"


def _description(chart):
    pieces = []
    for series in chart.series:
        figures = ", ".join(
            f"{label} : {chart.formatted(value)}"
            for label, value in zip(chart.labels, series.values, strict=False)
        )
        pieces.append(f"{series.name} — {figures}")
    return " ; ".join(pieces)


def _axes(chart, top, plot_w, plot_h):
    yield format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="axis-line" stroke="#4a5563"/>',
        LEFT,
        TOP + plot_h,
        LEFT + plot_w,
        TOP + plot_h,
    )
    for step in range(5):
        value = top * step / 4
        y = TOP + plot_h - plot_h * step / 4
        yield format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#c5ccd3" stroke-width="0.5"/>'
            '<text x="{}" y="{}" text-anchor="end" class="axis">{}</text>',
            LEFT,
            _n(y),
            LEFT + plot_w,
            _n(y),
            LEFT - 4,
            _n(y + 4),
            _tick(value),
        )


def _bars(chart, top, slot, plot_h):
    count = len(chart.series)
    width = slot * 0.8 / count
    for s, series in enumerate(chart.series):
        colour = PALETTE[s % len(PALETTE)]
        for i, value in enumerate(series.values):
            height = plot_h * float(value or 0) / top
            x = LEFT + slot * i + slot * 0.1 + width * s
            yield format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                "<title>{} — {} : {}</title></rect>",
                _n(x),
                _n(TOP + plot_h - height),
                _n(width),
                _n(height),
                colour,
                series.name,
                chart.labels[i],
                chart.formatted(value),
            )


def _lines(chart, top, slot, plot_h):
    for s, series in enumerate(chart.series):
        colour = PALETTE[s % len(PALETTE)]
        points = [
            (LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * float(value or 0) / top)
            for i, value in enumerate(series.values)
        ]
        yield format_html(
            '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>',
            colour,
            " ".join(f"{_n(x)},{_n(y)}" for x, y in points),
        )
        for (x, y), label, value in zip(points, chart.labels, series.values, strict=False):
            yield format_html(
                '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{} — {} : {}</title></circle>',
                _n(x),
                _n(y),
                colour,
                series.name,
                label,
                chart.formatted(value),
            )


def _svg_legend(chart):
    x = LEFT
    y = HEIGHT - 14
    for s, series in enumerate(chart.series):
        colour = PALETTE[s % len(PALETTE)]
        yield format_html(
            '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
            '<text x="{}" y="{}" class="legend">{}</text>',
            _n(x),
            y - 9,
            colour,
            _n(x + 14),
            y,
            series.name,
        )
        x += 30 + 7 * len(series.name)


# The same chart for the PDF ----------------------------------------------------------------


def drawing(chart, width=480, height=200):
    """The chart as a reportlab Drawing, every string in the embedded font."""
    regular, bold = pdf.fonts()
    picture = Drawing(width, height, initialFontName=regular)
    plot = HorizontalLineChart() if chart.kind == LINE else VerticalBarChart()
    plot.x, plot.y = 40, 45
    plot.width, plot.height = width - 50, height - 75
    plot.data = [tuple(float(v or 0) for v in s.values) for s in chart.series] or [(0,)]
    plot.categoryAxis.categoryNames = [str(label) for label in chart.labels] or [""]
    plot.categoryAxis.labels.fontName = regular
    plot.categoryAxis.labels.fontSize = 6
    plot.categoryAxis.labels.angle = 30 if len(chart.labels) > 8 else 0
    plot.categoryAxis.labels.boxAnchor = "ne" if len(chart.labels) > 8 else "n"
    plot.valueAxis.labels.fontName = regular
    plot.valueAxis.labels.fontSize = 6
    plot.valueAxis.valueMin = 0
    plot.valueAxis.valueMax = _scale_top(chart.highest, whole=chart.decimals == 0)
    plot.valueAxis.valueStep = plot.valueAxis.valueMax / 4
    plot.valueAxis.labelTextFormat = _tick
    for s in range(len(plot.data)):
        colour = colors.HexColor(PALETTE[s % len(PALETTE)])
        if chart.kind == LINE:
            plot.lines[s].strokeColor = colour
            plot.lines[s].strokeWidth = 1.5
        else:
            plot.bars[s].fillColor = colour
            plot.bars[s].strokeColor = None
    picture.add(plot)
    picture.add(String(0, height - 12, chart.title, fontName=bold, fontSize=9))
    if chart.series:
        legend = Legend()
        legend.fontName = regular
        legend.fontSize = 6
        legend.x, legend.y = 40, 8
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = 90
        legend.colorNamePairs = [
            (colors.HexColor(PALETTE[s % len(PALETTE)]), series.name)
            for s, series in enumerate(chart.series)
        ]
        picture.add(legend)
    return picture

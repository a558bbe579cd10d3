"""Charts drawn on the server, twice from one description: as inline SVG for the page
(no script, no CDN; a <title> and <desc> for screen readers and a table of the same
figures beside it) and as a reportlab Drawing for the PDF (embedded DejaVu, never
Helvetica: see inventory.pdf).

A Chart is labels along the x axis and one or more series of numbers, drawn as grouped
bars, stacked bars or lines. Long labels wrap on two lines, or slant when they still do
not fit; the legend wraps too, and the picture grows to hold them. Numbers are written
the French way through Django's number_format.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from inventory import pdf
from reports.formatting import rounded

BAR, LINE, STACKED = "bar", "line", "stacked"
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
        return f"{rounded(value, self.decimals)} {self.unit}".strip()

    @property
    def highest(self):
        if self.kind == STACKED:
            totals = [
                sum(float(s.values[i] or 0) for s in self.series) for i in range(len(self.labels))
            ]
            return max(totals, default=0)
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


def _label_lines(label, slot):
    """[(dy, text)]: the label on one line, or on two when it is wider than its slot
    (about 6 units a character at 11px), cut at the space nearest its middle."""
    if len(label) * 6 <= slot or " " not in label:
        return [(0, label)]
    middle = len(label) / 2
    cut = min((i for i, c in enumerate(label) if c == " "), key=lambda i: abs(i - middle))
    return [(0, label[:cut]), (12, label[cut + 1 :])]


# SVG for the page --------------------------------------------------------------------------


# Text widths are guessed: about 6 units a character at 11px, 7 in the legend.
CHAR, LEGEND_CHAR, LINE_HEIGHT, SLANT = 6, 7, 12, 35


def _shown_labels(chart):
    """(index, label) of the labels written under the axis: all, or about twelve."""
    n = len(chart.labels)
    return [
        (i, str(label)) for i, label in enumerate(chart.labels) if n <= 16 or not i % (n // 12 + 1)
    ]


def _label_layout(chart, slot):
    """(lines per label {index: [(dy, text)]}, slanted, height below the axis)."""
    shown = _shown_labels(chart)
    room = slot * (len(chart.labels) / max(len(shown), 1))
    lines = {i: _label_lines(label, room) for i, label in shown}
    widest = max((len(text) * CHAR for parts in lines.values() for _dy, text in parts), default=0)
    if widest <= room:
        rows = max((len(parts) for parts in lines.values()), default=1)
        return lines, False, 14 + LINE_HEIGHT * (rows - 1) + 6
    longest = max((len(label) for _i, label in shown), default=0)
    lines = {i: [(0, label)] for i, label in shown}
    return lines, True, 14 + int(longest * CHAR * 0.58) + 6  # sin 35° ≈ 0.57


def _legend_layout(chart):
    """[(x, row)] of each series' legend entry, wrapping at the picture's width."""
    places, x, row = [], LEFT, 0
    for series in chart.series:
        width = 30 + LEGEND_CHAR * len(series.name)
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, row = LEFT, row + 1
        places.append((x, row))
        x += width
    return places


def svg(chart, identifier):
    """The chart as inline SVG markup (safe to insert in a template)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(chart.labels), 1)
    slot = plot_w / n
    lines, slanted, below = _label_layout(chart, slot)
    legend = _legend_layout(chart)
    rows = max((row for _x, row in legend), default=0) + 1 if legend else 0
    height = TOP + plot_h + below + 16 * rows + 4
    top = _scale_top(chart.highest, whole=chart.decimals == 0)
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
            'xmlns="http://www.w3.org/2000/svg">'
            '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>',
            WIDTH,
            height,
            identifier,
            identifier,
            identifier,
            chart.title,
            identifier,
            _description(chart),
        )
    ]
    parts.extend(_axes(chart, top, plot_w, plot_h))
    if chart.kind == LINE:
        parts.extend(_lines(chart, top, slot, plot_h))
    elif chart.kind == STACKED:
        parts.extend(_stacked(chart, top, slot, plot_h))
    else:
        parts.extend(_bars(chart, top, slot, plot_h))
    baseline = TOP + plot_h + 14
    for i, parts_of_label in lines.items():
        x = LEFT + slot * (i + 0.5)
        if slanted:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="end" class="axis" '
                    'transform="rotate(-{} {} {})">{}</text>',
                    _n(x + 4),
                    baseline,
                    SLANT,
                    _n(x + 4),
                    baseline,
                    parts_of_label[0][1],
                )
            )
            continue
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" class="axis">{}</text>',
                _n(x),
                baseline,
                format_html_join(
                    "",
                    '<tspan x="{}" dy="{}">{}</tspan>',
                    ((_n(x), dy, text) for dy, text in parts_of_label),
                ),
            )
        )
    parts.extend(_svg_legend(chart, legend, TOP + plot_h + below + 12))
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
            yield _bar(x, TOP + plot_h - height, width, height, colour, chart, series, i, value)


def _bar(x, y, width, height, colour, chart, series, i, value):
    """One SVG bar, its tooltip naming the series, the label and the value."""
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} — {} : {}</title></rect>',
        _n(x),
        _n(y),
        _n(width),
        _n(height),
        colour,
        series.name,
        chart.labels[i],
        chart.formatted(value),
    )


def _stacked(chart, top, slot, plot_h):
    """One bar per label, the series piled up in order."""
    width = slot * 0.7
    base = [0.0] * len(chart.labels)
    for s, series in enumerate(chart.series):
        colour = PALETTE[s % len(PALETTE)]
        for i, value in enumerate(series.values):
            if not value:
                continue
            height = plot_h * float(value) / top
            base[i] += height
            x = LEFT + slot * i + slot * 0.15
            yield _bar(x, TOP + plot_h - base[i], width, height, colour, chart, series, i, value)


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


def _svg_legend(chart, places, first_row):
    for s, (series, (x, row)) in enumerate(zip(chart.series, places, strict=True)):
        colour = PALETTE[s % len(PALETTE)]
        y = first_row + 16 * row
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


# The same chart for the PDF ----------------------------------------------------------------


def drawing(chart, width=480, height=200):
    """The chart as a reportlab Drawing, every string in the embedded font."""
    regular, bold = pdf.fonts()
    picture = Drawing(width, height, initialFontName=regular)
    plot = HorizontalLineChart() if chart.kind == LINE else VerticalBarChart()
    if chart.kind == STACKED:
        plot.categoryAxis.style = "stacked"
    slanted = len(chart.labels) > 8
    longest = max((len(str(label)) for label in chart.labels), default=0)
    # Slanted labels hang below the axis: leave them room above the legend.
    plot.x, plot.y = 40, max(45, 25 + int(longest * 1.8)) if slanted else 45
    plot.width, plot.height = width - 50, height - plot.y - 30
    plot.data = [tuple(float(v or 0) for v in s.values) for s in chart.series] or [(0,)]
    plot.categoryAxis.categoryNames = [str(label) for label in chart.labels] or [""]
    plot.categoryAxis.labels.fontName = regular
    plot.categoryAxis.labels.fontSize = 6
    plot.categoryAxis.labels.angle = 30 if slanted else 0
    plot.categoryAxis.labels.boxAnchor = "ne" if slanted else "n"
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

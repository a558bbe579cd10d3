"""Code128 and QR codes drawn as vector rectangles on the printer's grid of dots.

python-barcode turns a value into Code128 modules; qrcode encodes a text for a QR code
and labels.qr lays out its matrix; the drawing is ours. A thermal or laser printer can
only print whole dots: a bar 1.6 dots wide comes out 1 or 2 dots wide depending on where
it falls, and the code stops scanning (0 reads out of 1,000 for 0.2 mm bars at 203 dpi).
So every module here is a whole number of the layout's printer dots, and every symbol
starts on a dot.

Positions are millimetres from the page's top-left corner, the corner from which
printers lay down their dots; `draw_symbol` turns them into PDF points.
"""

import math
from dataclasses import dataclass
from functools import lru_cache

from barcode import Code128
from barcode.errors import BarcodeError
from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from labels import qr

MM_PER_INCH = 25.4
# 0.25 mm bars decode every time in our measurements, 0.2 mm bars at 203 dpi never.
MIN_MODULE_MM = 0.25
# "About 0.5 mm": 4 dots at 203 dpi (0.5005 mm) and 12 dots at 600 dpi (0.508 mm) pass.
MAX_BAR_MODULE_MM = 0.51
# Phone cameras read QR modules of a third of a millimetre at arm's length.
PREFERRED_QR_MODULE_MM = 0.33
CODE128_QUIET_MODULES = 10
QR_QUIET_MODULES = 4
# Float division of millimetres by dot sizes lands a hair off whole numbers.
_EPSILON = 1e-6


def dot_mm(dpi):
    """The width of one printer dot, in millimetres."""
    return MM_PER_INCH / dpi


def snap_up(value_mm, dpi):
    """The first dot boundary at or after `value_mm`."""
    dot = dot_mm(dpi)
    return math.ceil(value_mm / dot - _EPSILON) * dot


def snap_down(value_mm, dpi):
    """The last dot boundary at or before `value_mm`."""
    dot = dot_mm(dpi)
    return math.floor(value_mm / dot + _EPSILON) * dot


@lru_cache(maxsize=4096)
def code128_modules(value):
    """The Code128 symbol of `value` as a string of "1" (bar) and "0" (space) modules.

    Start code, data, check symbol and stop pattern; no quiet zone.
    """
    if not value or not value.isascii() or not value.isprintable():
        raise ValueError(_("Only printable ASCII characters can be put in a barcode."))
    try:
        return Code128(value).build()[0]
    except BarcodeError as error:
        raise ValueError(str(error)) from error


# Copies of a label follow each other: the cache spares recomputing their QR codes,
# still the slowest part of a label (qrcode's Reed-Solomon codewords, in pure Python).
@lru_cache(maxsize=64)
def qr_matrix(text):
    """The QR symbol of `text` (error correction M, no quiet zone): rows of booleans.

    The very matrix qrcode makes, its mask chosen faster (labels.qr).
    """
    return qr.qr_matrix(text)


@lru_cache(maxsize=64)
def qr_rects(text):
    """The dark modules of the QR symbol of `text` merged into rectangles.

    Cached like qr_matrix: a label may try two sizes of QR code, copies follow each
    other, and merging costs about a fifth of what the matrix now does.
    """
    return merged_rects(qr_matrix(text))


def module_dots(modules, available_mm, dpi, *, minimum_mm=MIN_MODULE_MM, maximum_mm=None):
    """The widest module, in whole dots, that puts `modules` modules in `available_mm`.

    None when even the narrowest module of at least `minimum_mm` does not fit.
    """
    dot = dot_mm(dpi)
    smallest = math.ceil(minimum_mm / dot - _EPSILON)
    widest = math.floor(available_mm / (modules * dot) + _EPSILON)
    if maximum_mm is not None:
        widest = min(widest, math.floor(maximum_mm / dot + _EPSILON))
    return widest if widest >= smallest else None


def bar_module_dots(modules, available_mm, dpi):
    """Module width of a Code128 symbol of `modules` modules, quiet zones included."""
    return module_dots(modules, available_mm, dpi, maximum_mm=MAX_BAR_MODULE_MM)


def qr_module_dots(modules, available_mm, dpi):
    """Module of a QR symbol: 0.33 mm or more when it fits, else down to 0.25 mm."""
    preferred = module_dots(modules, available_mm, dpi, minimum_mm=PREFERRED_QR_MODULE_MM)
    return preferred or module_dots(modules, available_mm, dpi)


def smallest_module_mm(dpi):
    """The narrowest module allowed: the fewest whole dots reaching 0.25 mm."""
    dot = dot_mm(dpi)
    return math.ceil(MIN_MODULE_MM / dot - _EPSILON) * dot


@dataclass(frozen=True)
class Box:
    """A rectangle in millimetres from the page's top-left corner."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self):
        return self.x + self.width

    @property
    def bottom(self):
        return self.y + self.height

    def contains(self, other, tolerance=_EPSILON):
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.bottom <= self.bottom + tolerance
        )

    def overlaps(self, other, tolerance=_EPSILON):
        return (
            other.x < self.right - tolerance
            and self.x < other.right - tolerance
            and other.y < self.bottom - tolerance
            and self.y < other.bottom - tolerance
        )


@dataclass(frozen=True)
class Symbol:
    """A barcode placed on the page: its dark modules and the blank zone around them.

    `runs` are (column, row, width, height) in modules from the symbol's top-left
    corner; a Code128 symbol has a single row, stretched to `symbol.height`.
    """

    kind: str  # "code128" or "qr"
    value: str
    dpi: int
    module_dots: int
    symbol: Box  # the modules, without the quiet zone
    quiet_modules: int
    runs: tuple

    @property
    def module_mm(self):
        return self.module_dots * dot_mm(self.dpi)

    @property
    def outer(self):
        """The symbol with its quiet zone: nothing else may be drawn there."""
        quiet = self.quiet_modules * self.module_mm
        vertical = quiet if self.kind == "qr" else 0
        return Box(
            self.symbol.x - quiet,
            self.symbol.y - vertical,
            self.symbol.width + 2 * quiet,
            self.symbol.height + 2 * vertical,
        )

    @property
    def quiet_zones(self):
        """The blank bands left and right of the bars (and above and below a QR code)."""
        outer, inner = self.outer, self.symbol
        zones = [
            Box(outer.x, outer.y, inner.x - outer.x, outer.height),
            Box(inner.right, outer.y, outer.right - inner.right, outer.height),
        ]
        if self.kind == "qr":
            zones.append(Box(inner.x, outer.y, inner.width, inner.y - outer.y))
            zones.append(Box(inner.x, inner.bottom, inner.width, outer.bottom - inner.bottom))
        return zones

    def dark_boxes(self):
        """The dark rectangles in millimetres (for checks; drawing uses `runs`)."""
        unit_x = self.module_mm
        unit_y = self.symbol.height if self.kind == "code128" else self.module_mm
        return [
            Box(
                self.symbol.x + column * unit_x,
                self.symbol.y + row * unit_y,
                width * unit_x,
                height * unit_y,
            )
            for column, row, width, height in self.runs
        ]


def dark_runs(bits):
    """(start, length) of each run of dark modules in a row."""
    runs, start = [], None
    for index, dark in enumerate(bits):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    if start is not None:
        runs.append((start, len(bits) - start))
    return runs


def merged_rects(matrix):
    """Dark modules of a matrix merged into rectangles: runs along each row, then the
    same run repeated on the rows below folded into one taller rectangle."""
    done, open_rects = [], {}
    for row_index, row in enumerate(matrix):
        still_open = {}
        for start, length in dark_runs(row):
            key = (start, length)
            column, top, width, height = open_rects.pop(key, (start, row_index, length, 0))
            still_open[key] = (column, top, width, height + 1)
        done.extend(open_rects.values())
        open_rects = still_open
    done.extend(open_rects.values())
    return tuple(done)


def place_code128(value, area, dpi):
    """Centre the Code128 symbol of `value` and its quiet zones across `area`.

    The bars take the full height of `area` (snapped to dots). None when the symbol does
    not fit at the narrowest scannable module.
    """
    modules = code128_modules(value)
    total = len(modules) + 2 * CODE128_QUIET_MODULES
    # One dot to spare: snapping the left edge to a dot may move it by up to one dot.
    dots = bar_module_dots(total, area.width - dot_mm(dpi), dpi)
    if dots is None:
        return None
    module = dots * dot_mm(dpi)
    left = snap_up(area.x + (area.width - total * module) / 2, dpi)
    top = snap_up(area.y, dpi)
    height = snap_down(area.bottom - top, dpi)
    bars = dark_runs([module == "1" for module in modules])
    runs = tuple((start, 0, length, 1) for start, length in bars)
    symbol = Box(left + CODE128_QUIET_MODULES * module, top, len(modules) * module, height)
    return Symbol("code128", value, dpi, dots, symbol, CODE128_QUIET_MODULES, runs)


def place_qr(text, area, dpi):
    """Put the QR symbol of `text`, quiet zone included, in the top-right corner of `area`.

    As large as `area` allows; None when it does not fit at the narrowest module.
    """
    matrix = qr_matrix(text)
    size = len(matrix)
    total = size + 2 * QR_QUIET_MODULES
    dot = dot_mm(dpi)
    dots = qr_module_dots(total, min(area.width, area.height) - dot, dpi)
    if dots is None:
        return None
    module = dots * dot
    outer_left = snap_down(area.right - total * module, dpi)
    outer_top = snap_up(area.y, dpi)
    quiet = QR_QUIET_MODULES * module
    symbol = Box(outer_left + quiet, outer_top + quiet, size * module, size * module)
    return Symbol("qr", text, dpi, dots, symbol, QR_QUIET_MODULES, qr_rects(text))


def draw_symbol(canvas, placed, page_height_mm):
    """Fill the dark modules of `placed` on a reportlab canvas, as one path."""
    fill_path(canvas, symbol_path(placed, page_height_mm))


def symbol_path(placed, page_height_mm):
    """What draw_symbol fills, worked out beforehand: (x, y, unit_x, unit_y, operators),
    the origin and module size in points and the rectangles as PDF operators.

    The path is written in module units under a scaling transform: the rectangles are
    small integers, which keeps the PDF small and lands every edge exactly on a dot.
    Plain numbers and a string, so that a chunk of a large batch can work it out in
    another process (labels.chunks).
    """
    unit_x = placed.module_mm * mm
    unit_y = (placed.symbol.height if placed.kind == "code128" else placed.module_mm) * mm
    # Whole numbers need none of the float formatting that path.rect() does for every
    # number, a fifth of the time of a label with a QR code.
    rects = " ".join(
        f"{column} {row} {width} {height} re" for column, row, width, height in placed.runs
    )
    x, y = placed.symbol.x * mm, (page_height_mm - placed.symbol.y) * mm
    return (x, y, unit_x, unit_y, f"n {rects} f")


def fill_path(canvas, path):
    """Fill a path of symbol_path on a reportlab canvas."""
    x, y, unit_x, unit_y, operators = path
    canvas.saveState()
    canvas.translate(x, y)
    # Rows go down the page, PDF y goes up.
    canvas.scale(unit_x, -unit_y)
    canvas.addLiteral(operators)
    canvas.restoreState()

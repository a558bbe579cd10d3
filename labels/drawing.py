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
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import compress
from operator import add

from barcode import Code128
from barcode.errors import BarcodeError
from django.utils.translation import gettext as _
from reportlab.lib.rl_accel import fp_str
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


# Copies of a label follow each other, and a label may try two sizes of QR code: the
# cache spares recomputing their QR codes, still the slowest part of a label (qrcode's
# Reed-Solomon codewords, in pure Python).
@lru_cache(maxsize=64)
def qr_symbol(text):
    """(size, operators): the QR symbol of `text` (error correction M, no quiet zone),
    the very matrix qrcode makes (labels.qr), and its dark modules as rectangles
    (rect_operators)."""
    size, dark = qr.qr_dark(text)
    return size, rect_operators(size, size, dark)


@lru_cache(maxsize=4096)
def bar_operators(value):
    """The bars of the Code128 symbol of `value` as `re` operators, one module high."""
    return " ".join(
        f"{match.start()} 0 {match.end() - match.start()} 1 re"
        for match in _DARK_RUN.finditer(code128_modules(value))
    )


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

    `operators` fill its dark rectangles, (column, row, width, height) in modules from
    the symbol's top-left corner; a Code128 symbol has a single row, stretched to
    `symbol.height`.
    """

    kind: str  # "code128" or "qr"
    value: str
    dpi: int
    module_dots: int
    symbol: Box  # the modules, without the quiet zone
    quiet_modules: int
    operators: str  # the dark rectangles, "column row width height re" in modules

    @property
    def runs(self):
        """The dark rectangles as (column, row, width, height) tuples (for checks)."""
        return operator_rects(self.operators)

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
        """The dark rectangles in millimetres (for checks; drawing uses `operators`)."""
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


# The matrix as rectangles ----------------------------------------------------------------
#
# A QR code is ~170 rectangles: a Python step for each (a loop over runs, a tuple, a
# formatted string) was a third of a label's own time. Here integer operations find the
# rectangles, and the strings are put together by C loops (re, itertools, str.join).
# The matrix integer is labels.qr's: cell (row, column) is character row * stride +
# column of its binary string, stride = columns + 1, the extra column light. Bit p's left
# neighbour is bit p + 1, its right neighbour bit p - 1, the module above bit p + stride.

_DARK_RUN = re.compile("1+")
# A hex digit holds the height of a rectangle: 1 + height, up to "f".
MAX_HEIGHT = 14
_TOP_RUN = re.compile("[2-9a-f]1*")
_IS_TOP = bytes(1 if chr(code) in "23456789abcdef" else 0 for code in range(256))


class _RectSizes(dict):
    """A top run's text (its height digit, then a "1" a module) -> "width height re"."""

    def __missing__(self, run):
        self[run] = sizes = f"{len(run)} {int(run[0], 16) - 1} re"
        return sizes


_SIZES = _RectSizes()


@cache
def _cell_origins(columns, rows):
    """ "column row " of every cell of the matrix string, for joining to its sizes."""
    stride = columns + 1
    return tuple(f"{cell % stride} {cell // stride} " for cell in range(rows * stride))


def rect_operators(columns, rows, dark):
    """The dark modules of matrix integer `dark` as `re` operators: each run of dark
    modules along a row, merged with the same run (same start, same end) on the rows
    below into one rectangle; "column row width height re", row by row, left to right."""
    text = _heights(columns, rows, dark)
    origins = compress(_cell_origins(columns, rows), text.encode("ascii").translate(_IS_TOP))
    return " ".join(map(add, origins, map(_SIZES.__getitem__, _TOP_RUN.findall(text))))


def _heights(columns, rows, dark):
    """The matrix as hex digits, one a cell: 0 light, 1 dark, and on the first module
    of a rectangle's top run 1 + its height in rows."""
    stride = columns + 1
    as_bits, as_digits = f"0{rows * stride}b", f"0{rows * stride}x"
    starts, continued = _continued_runs(dark, stride)
    while True:
        # Rectangles of at least 1, 2, ... rows: each level adds 1 to their top digit.
        total, level = int(format(dark, as_bits), 16), starts & ~continued
        for height in range(1, MAX_HEIGHT + 1):
            if not level:
                return format(total, as_digits)
            total += int(format(level, as_bits), 16)
            level &= continued << height * stride
        if not level:
            return format(total, as_digits)
        # Taller than a digit counts (never seen in a QR code): the 15th row starts a
        # new rectangle.
        continued &= ~(level >> MAX_HEIGHT * stride)


def _continued_runs(dark, stride):
    """(starts, continued): the first module of every run of dark modules, and of those
    runs that the row above has too, with the same start and the same end."""
    starts = dark & ~(dark >> 1)
    ends = dark & ~(dark << 1)
    # 1 added at a run's right end carries through its modules to the light one on its
    # left only when every module of the run has a dark one above; it is added only
    # where the row above ends a run too.
    carried = (dark & dark >> stride) + (ends & ends >> stride)
    return starts, starts & starts >> stride & (carried & ~dark) >> 1


def operator_rects(operators):
    """(column, row, width, height) of each rectangle of rect_operators' text."""
    numbers = iter(map(int, operators.replace(" re", "").split()))
    return tuple(zip(numbers, numbers, numbers, numbers, strict=True))


def merged_rects(matrix):
    """Dark modules of a matrix (rows of booleans) merged into rectangles, as
    rect_operators merges them."""
    if not matrix:
        return ()
    columns = len(matrix[0])
    bits = "".join("".join("1" if dark else "0" for dark in row) + "0" for row in matrix)
    return operator_rects(rect_operators(columns, len(matrix), int(bits, 2)))


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
    symbol = Box(left + CODE128_QUIET_MODULES * module, top, len(modules) * module, height)
    bars = bar_operators(value)
    return Symbol("code128", value, dpi, dots, symbol, CODE128_QUIET_MODULES, bars)


def place_qr(text, area, dpi):
    """Put the QR symbol of `text`, quiet zone included, in the top-right corner of `area`.

    As large as `area` allows; None when it does not fit at the narrowest module.
    """
    size, operators = qr_symbol(text)
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
    return Symbol("qr", text, dpi, dots, symbol, QR_QUIET_MODULES, operators)


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
    x, y = placed.symbol.x * mm, (page_height_mm - placed.symbol.y) * mm
    return (x, y, unit_x, unit_y, f"n {placed.operators} f")


def fill_path(canvas, path):
    """Fill a path of symbol_path on a reportlab canvas."""
    canvas.addLiteral(path_operators(path))


def path_operators(path):
    """The PDF operators that fill a path of symbol_path: what saveState(), translate(),
    scale(), addLiteral() and restoreState() write (translate and scale folded into one
    "cm", as reportlab folds them), in one string instead of five canvas calls."""
    x, y, unit_x, unit_y, operators = path
    # Rows go down the page, PDF y goes up.
    return f"q\n{fp_str(unit_x, 0, 0, -unit_y, x, y)} cm\n{operators}\nQ"

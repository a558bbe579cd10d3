"""Label PDFs: where each label goes on the page, what goes where on the label.

A label is planned first (`plan_label`: boxes in millimetres from the page's top-left
corner, which tests can check), then drawn (`draw_label`). From top to bottom a label
holds its lines of text (with the QR code on their right, if any), the bars, and the
barcode's value in words. Nothing is drawn in the padding along the label's edges, so
that a sheet fed slightly askew still prints every bar on its own label.
"""

import io
import math
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

from inventory import pdf
from labels.drawing import (
    CODE128_QUIET_MODULES,
    PREFERRED_QR_MODULE_MM,
    Box,
    bar_module_dots,
    code128_modules,
    dot_mm,
    path_operators,
    place_code128,
    place_qr,
    smallest_module_mm,
    symbol_path,
)
from labels.models import LabelLayout

# The fonts every Réemploi PDF embeds (inventory.pdf), so that labels print the same
# from any viewer or printer driver.
FONT, BOLD = pdf.fonts()
PT_PER_MM = 72 / 25.4
LEADING = 1.2
# From the top of a line to its baseline, in ems: room for the accent of a capital É.
BASELINE = 0.96
PADDING_MM = {"sheet": 1.5, "roll": 1.0}
GAP_MM = 0.8
MIN_BARS_MM = 5.0
LINE_PT = (5.5, 10)  # smallest and largest size of the lines above the bars
HUMAN_PT = (6, 9)  # the value under the bars of a label with a QR code
BIG_HUMAN_PT = (7, 14)  # the value under the bars of location and action labels
PROGRESS_EVERY = 25


class LabelDoesNotFit(ValueError):
    """The layout's labels are too small for a code at the narrowest scannable module."""


@dataclass(frozen=True)
class Text:
    box: Box
    text: str
    font: str
    size: float  # points

    @property
    def baseline(self):
        return self.box.y + BASELINE * self.size / PT_PER_MM


@dataclass(frozen=True)
class LabelPlan:
    box: Box  # the whole label, calibration offsets included
    barcode: object  # drawing.Symbol
    qr: object  # drawing.Symbol or None
    texts: list


def labels_count(labels, copies=1):
    return len(labels) * copies


def pages_count(layout, count, start=1):
    """How many pages `count` labels take, starting at label `start` of the first sheet."""
    if layout.kind == layout.Kind.ROLL:
        return count
    return math.ceil((start - 1 + count) / layout.per_page)


def label_boxes(layout, start=1):
    """(page index, label box) of each label position from `start` on, without end."""
    return boxes_from(layout, first_position(layout, start))


def first_position(layout, start=1):
    """The position of label `start` of the first page, counted from 0: a roll, one label
    a page, always starts on its first."""
    return start - 1 if layout.kind != layout.Kind.ROLL and layout.per_page > 1 else 0


def boxes_from(layout, position):
    """(page index, label box) of each label position from `position` on (0 = the first
    label of the first page), without end."""
    offset_x, offset_y = float(layout.offset_x_mm), float(layout.offset_y_mm)
    width, height = float(layout.label_width_mm), float(layout.label_height_mm)
    step_x = width + float(layout.gap_x_mm)
    step_y = height + float(layout.gap_y_mm)
    left = float(layout.margin_left_mm) + offset_x
    top = float(layout.margin_top_mm) + offset_y
    per_page = 1 if layout.kind == layout.Kind.ROLL else layout.per_page
    while True:
        page, index = divmod(position, per_page)
        row, column = divmod(index, layout.columns)
        yield page, Box(left + column * step_x, top + row * step_y, width, height)
        position += 1


# Text ----------------------------------------------------------------------------------


def printable(text):
    """`text` in the characters the label fonts have: other letters lose their accent
    (a letter outside DejaVu with a covered base letter) or become "?"."""
    covered = _covered()
    if all(char in covered for char in text):
        return text
    return "".join(_printable_char(char, covered) for char in text)


@cache
def _covered():
    # Both fonts, since the first line and the barcode's value are bold.
    regular, bold = (set(getFont(name).face.charToGlyph) for name in (FONT, BOLD))
    return {chr(code) for code in regular & bold}


def _printable_char(char, covered):
    if char in covered:
        return char
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if c in covered)
    return base or "?"


def text_width(text, font, size):
    return stringWidth(text, font, size) / PT_PER_MM


def line_height(size):
    return size * LEADING / PT_PER_MM


def truncated(text, font, size, width):
    """`text`, cut and ended with "…" if it is wider than `width` mm."""
    if text_width(text, font, size) <= width:
        return text
    shortest, longest = 0, len(text)
    while shortest < longest:
        middle = (shortest + longest + 1) // 2
        if text_width(text[:middle].rstrip() + "…", font, size) <= width:
            shortest = middle
        else:
            longest = middle - 1
    cut = text[:shortest].rstrip() + "…"
    return cut if text_width(cut, font, size) <= width else ""


def fitted_line(text, font, width, largest, smallest):
    """(text, size): the largest size up to `largest` at which `text` fits in `width`
    mm, by half points; at `smallest` the text is cut instead."""
    per_point = text_width(text, font, 1)
    if per_point * largest <= width:
        return text, largest
    size = math.floor(2 * width / per_point) / 2 if per_point else largest
    if size >= smallest:
        return text, size
    return truncated(text, font, smallest, width), smallest


def wrapped(text, font, width, largest, smallest, max_lines):
    """(lines, size): `text` on up to `max_lines` lines of `width` mm, as large as fits."""
    if max_lines == 1:
        line, size = fitted_line(text, font, width, largest, smallest)
        return [line], size
    size = largest
    while size >= smallest:
        lines = simpleSplit(text, font, size, width * mm)
        if len(lines) <= max_lines and all(text_width(line, font, size) <= width for line in lines):
            return lines, size
        size -= 0.5
    lines = simpleSplit(text, font, smallest, width * mm)
    kept = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    return [truncated(line, font, smallest, width) for line in kept], smallest


def text_lines(lines, area):
    """The lines above the bars, left-aligned from the top of `area`, first one bold;
    smaller to fit, and the last ones left out when even the smallest size is too big."""
    count = len(lines)
    while count:
        size = min(LINE_PT[1], math.floor(2 * area.height / (count * line_height(1))) / 2)
        if size >= LINE_PT[0]:
            break
        count -= 1
    placed = []
    for number, line in enumerate(lines[:count]):
        font = BOLD if number == 0 else FONT
        text, line_size, width = _fitted_line_of(line, font, area.width, size)
        top = area.y + number * line_height(size)
        placed.append(Text(Box(area.x, top, width, line_height(line_size)), text, font, line_size))
    return placed


# The lines repeat from label to label (a category, a few models, the organisation's
# name) and fitting one measures it once or more (its width, then that of each cut).
@lru_cache(maxsize=1024)
def _fitted_line_of(line, font, width, largest):
    """(text, size, width in mm) of a line above the bars, as text_lines prints it."""
    text, size = fitted_line(printable(line), font, width, largest, LINE_PT[0])
    return text, size, text_width(text, font, size)


def centred_lines(lines, size, font, area):
    placed = []
    for number, line in enumerate(lines):
        width = text_width(line, font, size)
        box = Box(
            area.x + (area.width - width) / 2,
            area.y + number * line_height(size),
            width,
            line_height(size),
        )
        placed.append(Text(box, line, font, size))
    return placed


# Planning ------------------------------------------------------------------------------


def _number(value):
    return formats.number_format(round(value, 1), 1)


def bars_fit(layout, value):
    """True when the Code128 of `value` fits this layout's labels at a scannable module."""
    dpi = layout.printer_dpi
    area = _padded(layout, Box(0, 0, float(layout.label_width_mm), float(layout.label_height_mm)))
    modules = len(code128_modules(value)) + 2 * CODE128_QUIET_MODULES
    return bar_module_dots(modules, area.width - dot_mm(dpi), dpi) is not None


def layouts_fitting(value):
    """The names of the active layouts whose labels fit the Code128 of `value`."""
    return [
        layout.name for layout in LabelLayout.objects.filter(active=True) if bars_fit(layout, value)
    ]


def _barcode_does_not_fit(layout, value, available):
    needed = (len(code128_modules(value)) + 2 * CODE128_QUIET_MODULES) * smallest_module_mm(
        layout.printer_dpi
    )
    message = _(
        "The barcode “%(value)s” needs %(needed)s mm with its margins at the smallest "
        "bar width that scans, but the labels of the layout “%(layout)s” leave "
        "%(available)s mm."
    ) % {
        "value": value,
        "needed": _number(needed + dot_mm(layout.printer_dpi)),
        "layout": layout.name,
        "available": _number(available),
    }
    fitting = layouts_fitting(value)
    if fitting:
        choice = _("Choose a layout whose labels fit it: %(layouts)s.") % {
            "layouts": ", ".join(_("“%(layout)s”") % {"layout": name} for name in fitting)
        }
    else:
        choice = _("Choose wider labels.")
    return LabelDoesNotFit(f"{message} {choice}")


def _qr_does_not_fit(layout):
    return LabelDoesNotFit(
        _(
            "The labels of the layout “%(layout)s” are too small for a QR code that "
            "scans. Choose larger labels."
        )
        % {"layout": layout.name}
    )


def _padded(layout, box):
    padding = PADDING_MM.get(layout.kind, PADDING_MM["sheet"])
    return Box(box.x + padding, box.y + padding, box.width - 2 * padding, box.height - 2 * padding)


def plan_label(layout, content, box):
    """Where each part of `content` goes on the label `box` of `layout`.

    Raises LabelDoesNotFit when the bars or the QR code would have to be drawn smaller
    than what scans.
    """
    dpi = layout.printer_dpi
    area = _padded(layout, box)
    # The bars first: without them the label is useless, whatever else fits.
    modules = len(code128_modules(content.barcode)) + 2 * CODE128_QUIET_MODULES
    if bar_module_dots(modules, area.width - dot_mm(dpi), dpi) is None:
        if content.qr:
            # A device label's QR code holds its public page, not its asset tag.
            raise _barcode_does_not_fit(layout, content.barcode, area.width)
        return _plan_qr_only(layout, content, box, area)
    big = not content.qr
    smallest, largest = BIG_HUMAN_PT if big else HUMAN_PT
    max_lines = 2 if big and not content.lines else 1
    human, human_pt = wrapped(
        printable(content.human), BOLD, area.width, largest, smallest, max_lines
    )
    human_height = len(human) * line_height(human_pt)
    below_top = area.height - human_height - GAP_MM  # bars and everything above them

    qr = None
    if content.qr:
        bars = min(max(0.3 * area.height, MIN_BARS_MM), 12)
        qr = _place_qr(layout, content.qr, area, below_top - bars - GAP_MM)
        if qr is None or qr.module_mm < PREFERRED_QR_MODULE_MM:
            # Shorter bars still scan; a QR code of smaller modules may not, on a phone.
            taller = _place_qr(layout, content.qr, area, below_top - MIN_BARS_MM - GAP_MM)
            if taller is not None and (qr is None or taller.module_dots > qr.module_dots):
                qr, bars = taller, MIN_BARS_MM
        if qr is None:
            raise _qr_does_not_fit(layout)
        bars_top = area.y + below_top - bars
    elif content.lines:
        bars = min(max(0.4 * area.height, MIN_BARS_MM), 15)
        bars_top = area.y + below_top - bars
    else:
        # Action labels: bars and words only, the pair centred on the label.
        bars = min(below_top, 15)
        bars_top = area.y + (below_top - bars) / 2

    barcode = place_code128(content.barcode, Box(area.x, bars_top, area.width, bars), dpi)
    if barcode is None:
        raise _barcode_does_not_fit(layout, content.barcode, area.width)
    human_area = Box(area.x, barcode.symbol.bottom + GAP_MM, area.width, human_height)
    texts = centred_lines(human, human_pt, BOLD, human_area)
    if content.lines:
        right = qr.outer.x if qr else area.right
        top_height = barcode.symbol.y - GAP_MM - area.y
        texts += text_lines(content.lines, Box(area.x, area.y, right - area.x, top_height))
    return LabelPlan(box=box, barcode=barcode, qr=qr, texts=texts)


def _plan_qr_only(layout, content, box, area):
    """A code too long for bars on these labels (a long location code on a narrow roll)
    is printed as a QR code of the same text, which a 2D scanner types the same way:
    the QR code top right, the lines on its left, the code in words underneath."""
    max_lines = 1 if content.lines else 2
    smallest, largest = BIG_HUMAN_PT
    human, human_pt = wrapped(
        printable(content.human), BOLD, area.width, largest, smallest, max_lines
    )
    human_height = len(human) * line_height(human_pt)
    above = area.height - human_height - GAP_MM
    qr = _place_qr(layout, content.barcode, area, above, share=0.45 if content.lines else 1)
    if qr is None:
        raise _barcode_does_not_fit(layout, content.barcode, area.width)
    human_top = area.y + above + GAP_MM
    texts = centred_lines(human, human_pt, BOLD, Box(area.x, human_top, area.width, human_height))
    if content.lines:
        lines_area = Box(area.x, area.y, qr.outer.x - area.x, human_top - GAP_MM - area.y)
        texts += text_lines(content.lines, lines_area)
    return LabelPlan(box=box, barcode=qr, qr=None, texts=texts)


def _place_qr(layout, text, area, height, share=0.45):
    # The QR code takes at most 45 % of the label's width, the rest is for the lines.
    width = share * area.width
    if height <= 0:
        return None
    return place_qr(text, Box(area.right - width, area.y, width, height), layout.printer_dpi)


# Drawing -------------------------------------------------------------------------------


def draw_label(canvas, plan, page_height_mm):
    LabelWriter(canvas).fill(label_strokes(plan, page_height_mm))


def label_strokes(plan, page_height_mm):
    """What draw_label puts on the page, worked out beforehand in PDF points: the
    symbols' paths (drawing.symbol_path) and each line of text as (font, size, x, y,
    text). Plain lists of numbers and strings, so that they can be stored as JSON."""
    symbols = [plan.barcode] if plan.qr is None else [plan.barcode, plan.qr]
    paths = [list(symbol_path(symbol, page_height_mm)) for symbol in symbols]
    texts = [
        [text.font, text.size, text.box.x * mm, (page_height_mm - text.baseline) * mm, text.text]
        for text in plan.texts
    ]
    return [paths, texts]


class LabelWriter:
    """Fills planned labels (label_strokes) on one canvas.

    It writes the very operators that fill_path and, for each line, setFont() and
    drawString() would, but as one string a label: a label's thirty canvas calls
    (a text object a line, reportlab's font subset looked up character by character)
    were a fifth of the time of a label. A line is encoded once per document: the lines
    of a batch repeat (a category, a few models, the organisation), and a string's
    encoding in the document's font subsets no longer changes once its characters have
    been given their codes.
    """

    def __init__(self, canvas):
        self.canvas = canvas
        self._shown = {}  # (font, size, text) -> the operators that show it

    def fill(self, strokes):
        paths, texts = strokes
        parts = [path_operators(path) for path in paths]
        parts += [self._line(*text) for text in texts]
        self.canvas.addLiteral("\n".join(parts))

    def _line(self, font, size, x, y, text):
        shown = self._shown.get((font, size, text))
        if shown is None:
            shown = self._shown[font, size, text] = self._encoded(font, size, text)
        return f"BT 1 0 0 1 {fp_str(x, y)} Tm {shown} T* ET"

    def _encoded(self, font_name, size, text):
        """What reportlab's text object writes for `text` in a TrueType font (every
        label font is one, inventory.pdf.fonts): a font subset selected at the start and
        wherever the subset changes, each piece escaped."""
        font, doc = getFont(font_name), self.canvas._doc
        # setFont's default leading.
        selected = f"{fp_str(size)} Tf {fp_str(size * 1.2)} TL"
        parts, current = [], -1
        for subset, piece in font.splitString(text, doc):
            if subset != current:
                parts.append(f"{font.getSubsetInternalName(subset, doc)} {selected}")
                current = subset
            parts.append(f"({escapePDF(piece)}) Tj")
        return " ".join(parts)


def planned_labels(layout, labels, *, position=0):
    """(page index, label strokes) of each of `labels` (LabelContent, copies already
    repeated), placed from `position` on (0 = the first label of the first page).

    Raises LabelDoesNotFit as plan_label does.
    """
    page_height = float(layout.page_height_mm)
    for content, (page, box) in zip(labels, boxes_from(layout, position), strict=False):
        yield page, label_strokes(plan_label(layout, content, box), page_height)


def check_request(layout, count, start, copies):
    """Raise ValueError with a translated message when the request cannot be printed."""
    if count == 0:
        raise ValueError(_("There is nothing to print."))
    if copies < 1:
        raise ValueError(_("The number of copies must be at least 1."))
    if layout.kind == layout.Kind.ROLL:
        if start != 1:
            raise ValueError(_("A roll has no partly used sheet: printing starts at label 1."))
    elif not 1 <= start <= layout.per_page:
        raise ValueError(
            _("The first free label must be a number from 1 to %(count)s.")
            % {"count": layout.per_page}
        )


def build_pdf(layout, labels, *, start=1, copies=1, on_progress=None):
    """A PDF of `labels` (LabelContent) on `layout`, each repeated `copies` times.

    On a sheet, the first label goes to position `start` (1 = top left, along the rows),
    so that a partly used sheet can be finished. `on_progress(done, total)` is called
    every 25 labels and after the last one. Raises ValueError (LabelDoesNotFit when a
    code is too large for the labels) with a translated message.
    """
    labels = list(labels)
    check_request(layout, len(labels), start, copies)
    repeated = (content for content in labels for _copy in range(copies))
    placed = planned_labels(layout, repeated, position=first_position(layout, start))
    return draw_pdf(layout, placed, total=labels_count(labels, copies), on_progress=on_progress)


def draw_pdf(layout, placed, *, total, on_progress=None):
    """The PDF of `placed`: (page index, label strokes) of each label, in page order.

    `on_progress(done, total)` is called every 25 labels and after the last one.
    """
    page_height = float(layout.page_height_mm)
    buffer = io.BytesIO()
    # invariant: no creation date or random id, so the same labels give the same bytes.
    canvas = pdf.canvas(
        buffer,
        title=_("Labels"),
        subject=_("Labels to stick on devices, shelves or the workshop's benches"),
        pagesize=(float(layout.page_width_mm) * mm, page_height * mm),
        invariant=True,
        pageCompression=1,
    )
    writer = LabelWriter(canvas)
    page = None
    for done, (page_index, strokes) in enumerate(placed, start=1):
        if page is not None and page_index != page:
            canvas.showPage()
        page = page_index
        writer.fill(strokes)
        if on_progress and (done % PROGRESS_EVERY == 0 or done == total):
            on_progress(done, total)
    canvas.save()
    return buffer.getvalue()

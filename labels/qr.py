"""QR matrices identical to qrcode's, with the mask chosen on integer bitsets.

qrcode picks the mask by placing the data eight times and scoring each matrix cell by
cell in Python: three quarters of the time of a sheet of labels. Here the data are
placed once, each mask is one XOR on an integer that holds the whole matrix, and the
four penalty rules are counted with shifts, ANDs and bit counts.

The result must be the very matrix qrcode makes (error correction M, smallest version,
its choice of mask, ties going to the lowest mask): that is what the labels already
stuck on devices carry, and what scanners have been reading. So qrcode still encodes the
text, computes the error correction codewords and lays out the function patterns and the
format information; we only move bits. tests/labels/test_qr_identity.py compares both on
thousands of texts.

The matrix integer: cell (row, column) is character `row * stride + column` of its
binary string, most significant bit first, with stride = size + 1. The extra column of
each row stays 0, in the dark layer and in the light layer, so that no run or pattern
counted along a row continues onto the next one. Every rule is symmetric under a mirror
image, so the direction in which the shifts walk does not matter.
"""

from dataclasses import dataclass
from functools import cache
from operator import itemgetter

from qrcode import QRCode, util
from qrcode.constants import ERROR_CORRECT_M

# What the matrix builder of qrcode scores, read in qrcode 8.2's util.lost_point:
# 3 + (length - 5) per run of five or more modules of one colour, 3 per 2×2 block of
# one colour, 40 per 1:1:3:1:1 finder-like pattern with four light modules on one side
# (only within the symbol: no quiet zone is assumed), 10 per 5 % of imbalance.
FINDER_LIKE = ("10111010000", "00001011101")
_BITS = {"0": False, "1": True}


@dataclass(frozen=True)
class _Layout:
    """What every symbol of one version shares, as integers in the layout above."""

    size: int
    stride: int
    data_count: int  # modules that carry codewords (remainder bits included)
    cells: itemgetter  # picks, from the data bits, the character of every cell
    valid: int  # every module of the symbol
    function_scored: int  # dark function modules as qrcode scores them: format left light
    masks: tuple  # per mask pattern, the data modules it darkens
    function_final: tuple  # per mask pattern, dark function modules with format info


def qr_matrix(text):
    """The QR symbol of `text` as qrcode makes it: error correction M, the smallest
    version that holds it, the mask of lowest penalty; rows of booleans, no quiet zone."""
    return rows(*qr_dark(text))


def qr_dark(text):
    """The same symbol as (size, integer): its dark modules in the layout above, which
    labels.drawing merges into rectangles without a Python step per module."""
    code = QRCode(border=0, error_correction=ERROR_CORRECT_M)
    code.add_data(text)
    version = code.version  # the smallest that fits, as make(fit=True) finds it
    codewords = util.create_data(version, code.error_correction, code.data_list)
    layout = _layout(version)
    bits = format(int.from_bytes(codewords, "big"), f"0{8 * len(codewords)}b")
    # Remainder modules, and the cells that are not data, read the "0" past the end.
    placed = int("".join(layout.cells(bits.ljust(layout.data_count + 1, "0"))), 2)
    best, best_penalty = 0, None
    for pattern, mask in enumerate(layout.masks):
        penalty = _penalty((placed ^ mask) | layout.function_scored, layout)
        if best_penalty is None or penalty < best_penalty:
            best, best_penalty = pattern, penalty
    return layout.size, (placed ^ layout.masks[best]) | layout.function_final[best]


def _penalty(dark, layout):
    stride = layout.stride
    light = layout.valid ^ dark
    points = 0
    for layer in (dark, light):
        for step in (1, stride):
            # Runs of five or more: one window of five per module past the fourth, plus
            # two for each run (its first window is the one without a predecessor).
            fives = layer & layer >> step & layer >> 2 * step & layer >> 3 * step
            fives &= layer >> 4 * step
            points += fives.bit_count() + 2 * (fives & ~(fives >> step)).bit_count()
        blocks = layer & layer >> 1 & layer >> stride & layer >> stride + 1
        points += 3 * blocks.bit_count()
    for step in (1, stride):
        found = 0
        for pattern in FINDER_LIKE:
            match = -1
            for offset, module in enumerate(pattern):
                match &= (dark if module == "1" else light) >> offset * step
            found |= match
        points += 40 * found.bit_count()
    # The same float arithmetic as qrcode, so that a boundary case rounds the same way.
    percent = float(dark.bit_count()) / (layout.size**2)
    return points + int(abs(percent * 100 - 50) / 5) * 10


def rows(size, matrix):
    """A matrix integer of the layout above as rows of booleans."""
    stride = size + 1
    text = format(matrix, f"0{size * stride}b")
    return tuple(
        tuple(map(_BITS.__getitem__, text[start : start + size]))
        for start in range(0, size * stride, stride)
    )


@cache
def _layout(version):
    """The layout of a version, read from symbols qrcode builds with constant data."""
    size = version * 4 + 17
    stride = size + 1
    code = QRCode(version=version, error_correction=ERROR_CORRECT_M, border=0)
    # More bytes than any version holds: every data module, remainder included, gets one.
    spare = size * size // 8 + 1

    def built(test, pattern, byte):
        code.data_cache = bytes([byte]) * spare
        code.makeImpl(test, pattern)
        return [list(row) for row in code.modules]

    zeros = built(True, 0, 0x00)
    ones = built(True, 0, 0xFF)
    is_data = [
        [a != b for a, b in zip(*rows, strict=True)] for rows in zip(zeros, ones, strict=True)
    ]
    order = {cell: index for index, cell in enumerate(_placement_order(size, is_data))}

    def as_int(value):
        """An integer of the layout above, `value(row, column)` giving each module."""
        return int(
            "".join(
                ("1" if value(row, column) else "0") if column < size else "0"
                for row in range(size)
                for column in range(stride)
            ),
            2,
        )

    def function_cells(modules):
        return as_int(lambda row, column: not is_data[row][column] and modules[row][column])

    def data_cells(modules):
        return as_int(lambda row, column: is_data[row][column] and modules[row][column])

    masks, function_final = [], []
    for pattern in range(8):
        # With all-zero data, a data module is dark exactly where the mask flips it.
        final = built(False, pattern, 0x00)
        masks.append(data_cells(final))
        function_final.append(function_cells(final))
    data_count = len(order)
    cells = itemgetter(
        *(order.get((row, column), data_count) for row in range(size) for column in range(stride))
    )
    return _Layout(
        size=size,
        stride=stride,
        data_count=data_count,
        cells=cells,
        valid=as_int(lambda row, column: True),
        function_scored=function_cells(zeros),
        masks=tuple(masks),
        function_final=tuple(function_final),
    )


def _placement_order(size, is_data):
    """The data modules in the order the codewords' bits fill them (ISO/IEC 18004,
    7.7.3): pairs of columns from the right, upwards then downwards, right module first,
    the vertical timing pattern's column skipped."""
    order = []
    upwards = True
    right = size - 1
    while right > 0:
        if right == 6:
            right = 5
        rows = range(size - 1, -1, -1) if upwards else range(size)
        for row in rows:
            for column in (right, right - 1):
                if is_data[row][column]:
                    order.append((row, column))
        upwards = not upwards
        right -= 2
    return order

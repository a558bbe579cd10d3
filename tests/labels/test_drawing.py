"""The barcode geometry: modules in whole printer dots, quiet zones, merged rectangles."""

import io
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reportlab.pdfgen.canvas import Canvas

from labels.drawing import (
    CODE128_QUIET_MODULES,
    MAX_HEIGHT,
    MIN_MODULE_MM,
    QR_QUIET_MODULES,
    Box,
    bar_module_dots,
    bar_operators,
    code128_modules,
    dot_mm,
    draw_symbol,
    merged_rects,
    operator_rects,
    place_code128,
    place_qr,
    qr_module_dots,
    qr_symbol,
)
from labels.qr import qr_matrix

START_CODES = {"11010000100", "11010010000", "11010011100"}
STOP = "1100011101011"


def on_grid(value_mm, dpi):
    dots = value_mm / dot_mm(dpi)
    return math.isclose(dots, round(dots), abs_tol=1e-6)


def test_code128_modules_are_start_data_check_and_stop():
    modules = code128_modules("RE-000123")
    assert set(modules) == {"0", "1"}
    assert modules[:11] in START_CODES
    assert modules.endswith(STOP)
    assert (len(modules) - len(STOP)) % 11 == 0


def test_code128_packs_digit_pairs():
    # Charset C puts two digits in one symbol: six digits cost three symbols, not six.
    assert len(code128_modules("RE-000123")) < len(code128_modules("RE-ABCDEF"))


@pytest.mark.parametrize("value", ["", "RÉ-1", "RE\n1"])
def test_code128_refuses_what_a_scanner_cannot_type(value):
    with pytest.raises(ValueError):
        code128_modules(value)


def test_qr_matrix_is_square_without_quiet_zone():
    matrix = qr_matrix("http://127.0.0.1:8000/d/RE-000123/")
    assert len(matrix) == 29  # version 3
    assert all(len(row) == 29 for row in matrix)
    # The finder pattern's dark corner: no border around the symbol.
    assert matrix[0][0] and matrix[0][6] and matrix[6][0]


@pytest.mark.parametrize(
    ("dpi", "expected_dots"),
    [(203, 3), (300, 5), (600, 10)],
)
def test_it_picks_the_widest_whole_dot_module_that_fits(dpi, expected_dots):
    # 132 modules (RE-000123 and its quiet zones) in 60 mm.
    dots = bar_module_dots(132, 60, dpi)
    assert dots == expected_dots
    assert dots * dot_mm(dpi) >= MIN_MODULE_MM
    assert 132 * dots * dot_mm(dpi) <= 60


@pytest.mark.parametrize(("dpi", "cap_dots"), [(203, 4), (300, 6), (600, 12)])
def test_bars_stay_about_half_a_millimetre_when_there_is_room(dpi, cap_dots):
    assert bar_module_dots(132, 500, dpi) == cap_dots


@pytest.mark.parametrize("dpi", [203, 300, 600])
def test_no_module_when_even_a_quarter_millimetre_does_not_fit(dpi):
    assert bar_module_dots(132, 132 * 0.25 - 0.1, dpi) is None


def test_qr_modules_prefer_a_third_of_a_millimetre_then_accept_a_quarter():
    assert qr_module_dots(37, 37 * 0.34, 300) * dot_mm(300) >= 0.33
    assert qr_module_dots(37, 37 * 0.30, 203) == 2  # 0.25 mm: the room there is
    assert qr_module_dots(37, 37 * 0.24, 203) is None


def test_bars_are_the_dark_runs_of_the_modules():
    modules = code128_modules("RE-000123")
    rects = operator_rects(bar_operators("RE-000123"))
    assert rects[:2] == ((0, 0, 2, 1), (3, 0, 1, 1))  # the start code 11010000100
    assert all(row == 0 and height == 1 for _column, row, _width, height in rects)
    rebuilt = ["0"] * len(modules)
    for column, _row, width, _height in rects:
        rebuilt[column : column + width] = "1" * width
    assert "".join(rebuilt) == modules


def reference_rects(matrix):
    """The merging as it was first written, a loop over runs: each run along a row,
    folded into the rectangle above when that one ends on the row above with the same
    start and length."""
    done, open_rects = [], {}
    for row_index, row in enumerate(matrix):
        still_open = {}
        bits = "".join("1" if dark else "0" for dark in row)
        for start, end in (match.span() for match in re.finditer("1+", bits)):
            column, top, width, height = open_rects.pop(
                (start, end - start), (start, row_index, end - start, 0)
            )
            still_open[(start, end - start)] = (column, top, width, height + 1)
        done.extend(open_rects.values())
        open_rects = still_open
    return sorted(done + list(open_rects.values()))


@given(st.lists(st.lists(st.booleans(), min_size=6, max_size=6), min_size=1, max_size=6))
def test_merged_rectangles_cover_exactly_the_dark_modules(matrix):
    covered = set()
    for column, row, width, height in merged_rects(matrix):
        cells = {(row + r, column + c) for r in range(height) for c in range(width)}
        assert not cells & covered  # no module painted twice
        covered |= cells
    dark = {(r, c) for r, row in enumerate(matrix) for c, value in enumerate(row) if value}
    assert covered == dark


@given(
    st.integers(1, 9).flatmap(
        lambda width: st.lists(
            st.lists(st.booleans(), min_size=width, max_size=width), min_size=1, max_size=12
        )
    )
)
def test_the_integer_merging_finds_the_rectangles_of_the_loop_over_runs(matrix):
    assert sorted(merged_rects(matrix)) == reference_rects(matrix)


@pytest.mark.parametrize("text", ["http://127.0.0.1:8000/d/RE-000123/", "é" * 120, "RE-1"])
def test_a_qr_code_is_filled_with_the_rectangles_of_the_loop_over_runs(text):
    size, operators = qr_symbol(text)
    assert size == len(qr_matrix(text))
    assert sorted(operator_rects(operators)) == reference_rects(qr_matrix(text))


def test_a_rectangle_taller_than_its_height_digit_is_cut():
    # A run repeated on 40 rows: 14 + 14 + 12 rows, covering every module once.
    matrix = [[False, True, True, False]] * 40
    assert merged_rects(matrix) == ((1, 0, 2, MAX_HEIGHT), (1, 14, 2, MAX_HEIGHT), (1, 28, 2, 12))


def test_merging_saves_most_rectangles_of_a_qr_code():
    matrix = qr_matrix("http://127.0.0.1:8000/d/RE-000123/")
    dark = sum(map(sum, matrix))
    assert len(merged_rects(matrix)) < dark / 2


@pytest.mark.parametrize("dpi", [203, 300, 600])
def test_code128_sits_on_the_dot_grid_with_its_quiet_zones_inside_the_area(dpi):
    area = Box(7.3, 20.1, 60.5, 9.7)
    placed = place_code128("RE-000123", area, dpi)
    assert on_grid(placed.symbol.x, dpi)
    assert on_grid(placed.symbol.y, dpi)
    assert on_grid(placed.module_mm, dpi)
    assert placed.module_mm >= MIN_MODULE_MM
    assert area.contains(placed.outer)
    left, right = placed.quiet_zones
    assert math.isclose(left.width, CODE128_QUIET_MODULES * placed.module_mm)
    assert math.isclose(right.width, CODE128_QUIET_MODULES * placed.module_mm)
    bars = placed.dark_boxes()
    assert math.isclose(bars[0].x, placed.symbol.x)
    assert math.isclose(bars[-1].right, placed.symbol.right)
    assert all(on_grid(bar.x, dpi) and on_grid(bar.width, dpi) for bar in bars)


def test_code128_that_does_not_fit_is_not_placed():
    assert place_code128("ACTION:REFURBISHING", Box(0, 0, 60, 10), 300) is None


def test_qr_sits_in_the_top_right_corner_on_the_dot_grid():
    area = Box(30.2, 10.1, 25, 18)
    placed = place_qr("http://127.0.0.1:8000/d/RE-000123/", area, 300)
    assert area.contains(placed.outer)
    assert on_grid(placed.symbol.x, 300) and on_grid(placed.symbol.y, 300)
    assert placed.module_mm >= 0.33
    assert math.isclose(placed.symbol.x - placed.outer.x, QR_QUIET_MODULES * placed.module_mm)
    assert placed.outer.right > area.right - dot_mm(300)


def test_a_symbol_is_drawn_as_one_filled_path():
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=0, invariant=True)
    placed = place_code128("RE-000123", Box(10, 10, 60, 10), 600)
    draw_symbol(canvas, placed, 297)
    canvas.save()
    pdf = buffer.getvalue()
    assert pdf.count(b" re") == len(placed.runs)
    assert b"\nf" in pdf or b" f\n" in pdf

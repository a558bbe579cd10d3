"""XLSX and ODS read as LibreOffice and Excel write them (calamine): equal neighbouring
cells, cells on several lines, numbers stored whatever the locale that showed them."""

import io

import openpyxl
import pytest

from spreadsheets.reading import UnreadableFile, read_sheet
from tests.spreadsheets.ods import cell, ods

pytestmark = pytest.mark.usefixtures("english")


def rows_of(name, content):
    sheet = read_sheet(name, content)
    return sheet.headers, list(sheet.rows)


def test_equal_neighbouring_cells_stay_in_their_columns():
    # LibreOffice writes "2;2" as one cell repeated twice.
    content = ods([["Size", "School-age children", "Phone"], [cell(2, repeated=2), "0612"]])

    headers, rows = rows_of("households.ods", content)

    assert headers == ["Size", "School-age children", "Phone"]
    assert rows == [(2, [2, 2, "0612"])]


def test_repeated_empty_cells_keep_the_next_value_in_its_column():
    content = ods([["A", "B", "C", "D"], ["x", cell("", repeated=2), "y"]])

    assert rows_of("f.ods", content)[1] == [(2, ["x", None, None, "y"])]


def test_a_cell_on_several_lines_keeps_every_line():
    content = ods([["Name", "Address"], ["Mairie", "1 place de la Mairie\n62700 Bruay"]])

    assert rows_of("donors.ods", content)[1] == [
        (2, ["Mairie", "1 place de la Mairie\n62700 Bruay"])
    ]


def test_a_decimal_is_read_as_its_stored_number():
    content = ods([["Monthly cost (€)", "ICCID"], [0.2, "89330126100000000123"]])

    assert rows_of("sims.ods", content)[1] == [(2, [0.2, "89330126100000000123"])]


def test_a_whole_number_cell_reads_as_an_integer_not_a_float():
    content = ods([["Postcode"], [62700]])

    assert rows_of("f.ods", content)[1] == [(2, [62700])]


def test_a_stored_number_that_is_no_number_is_refused_in_french_with_its_line_and_column(
    settings,
):
    content = ods([["A", "B", "Cost"], ["x", "y", ("float", "0,2")]])

    from django.utils import translation

    with translation.override("fr"), pytest.raises(UnreadableFile) as refusal:
        read_sheet("sims.ods", content)

    message = str(refusal.value)
    assert "Ligne 2" in message and "colonne C" in message and "0,2" in message
    assert "float" not in message


def test_a_damaged_ods_is_refused_with_a_sentence():
    content = ods([["A"], ["x"]])[:300] + b"\x00" * 50

    with pytest.raises(UnreadableFile, match="ODS"):
        read_sheet("f.ods", content)


def test_xlsx_cells_on_several_lines_and_equal_neighbours():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Size", "Children", "Address"])
    sheet.append([2, 2, "l1\nl2"])
    out = io.BytesIO()
    book.save(out)

    assert rows_of("f.xlsx", out.getvalue())[1] == [(2, [2, 2, "l1\nl2"])]

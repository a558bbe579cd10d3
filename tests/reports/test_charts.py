"""Charts drawn on the server: accessible SVG, the same figures as a table, French
numbers, and reportlab drawings in the embedded font."""

import datetime
from decimal import Decimal

from django.utils import translation
from reportlab.graphics.shapes import String

from reports.charts import LINE, STACKED, Chart, Series, drawing, svg
from reports.formatting import Month, display

CHART = Chart(
    "Poids reçu par mois (kg)",
    ["janvier", "février"],
    [Series("Reçu", [Decimal("1234.5"), Decimal("12")])],
    unit="kg",
    decimals=1,
)


def test_the_svg_names_itself_and_describes_its_figures():
    with translation.override("fr"):
        markup = svg(CHART, "flows-1")

    assert 'role="img"' in markup
    assert 'aria-labelledby="flows-1-t flows-1-d"' in markup
    assert '<title id="flows-1-t">Poids reçu par mois (kg)</title>' in markup
    assert "janvier : 1\xa0234,5 kg" in markup
    assert "<script" not in markup


def test_text_in_the_svg_is_escaped():
    chart = Chart("<b>x</b>", ["<i>"], [Series("a&b", [1])])

    markup = svg(chart, "x")

    assert "<b>" not in markup and "<i>" not in markup
    assert "a&amp;b" in markup


def test_the_table_alternative_has_the_same_figures_in_french():
    with translation.override("fr"):
        assert CHART.rows() == [
            ["janvier", "1\xa0234,5 kg"],
            ["février", "12,0 kg"],
        ]


def test_a_line_chart_draws_a_polyline():
    chart = Chart("Stock", ["a", "b", "c"], [Series("kg", [1, 2, 3])], kind=LINE)

    assert "<polyline" in svg(chart, "s")


def test_the_pdf_drawing_uses_the_embedded_font_only():
    fonts = set()

    def walk(node):
        if isinstance(node, String):
            fonts.add(node.fontName)
        for child in getattr(node, "contents", []):
            walk(child)

    walk(drawing(CHART).expandUserNodes())

    assert fonts
    assert all(font.startswith("Reemploi") for font in fonts), fonts


def test_cells_are_written_the_french_way():
    with translation.override("fr"):
        assert display(Decimal("810.00000")) == "810"
        assert display(Decimal("24.600")) == "24,6"
        assert display(12345) == "12\xa0345"
        assert display(datetime.date(2026, 3, 2)) == "02/03/2026"
        assert display(Month(2026, 12, 1)) == "décembre 2026"
        assert display(None) == "—"


def test_a_stacked_chart_piles_its_series_and_scales_to_their_sum():
    chart = Chart(
        "Semaine", ["06/04", "13/04"], [Series("a", [3, 1]), Series("b", [5, 0])], kind=STACKED
    )

    markup = svg(chart, "w")

    assert chart.highest == 8
    # One rectangle per non-zero value, the second piled on the first.
    assert markup.count("<rect") == 3 + 2  # and the two legend squares
    assert drawing(chart).contents  # the PDF draws it too


def test_labels_too_wide_for_their_slot_wrap_then_slant_and_the_picture_grows():
    short = Chart("x", ["Vendu", "Donné"], [Series("kg", [1, 2])])
    channels = ["Vendu", "Donné", "Prêt transformé en don", "Pièces", "Recyclé", "Perdu"]
    wrapped = Chart("x", channels, [Series("kg", [1, 2, 3, 4, 5, 6])])
    statuses = ["En reconditionnement"] * 12
    slanted = Chart("x", statuses, [Series("n", list(range(12)))])

    def height(chart):
        return float(svg(chart, "h").split('viewBox="0 0 640 ')[1].split('"')[0])

    assert "<tspan" in svg(wrapped, "w") and 'dy="12"' in svg(wrapped, "w")
    assert "rotate(-35" in svg(slanted, "s") and "rotate(" not in svg(short, "t")
    assert height(short) < height(wrapped) < height(slanted)


def test_a_long_legend_wraps_on_several_rows():
    series = [Series(f"Série numéro {n} assez longue", [n]) for n in range(6)]
    one = Chart("x", ["a"], series[:1])
    six = Chart("x", ["a"], series)

    rows = {
        line.split('y="')[1].split('"')[0] for line in svg(six, "l").split('class="legend"')[:-1]
    }

    assert len(rows) > 1
    assert svg(six, "l").count('class="legend"') == 6
    assert svg(one, "o") != svg(six, "l")

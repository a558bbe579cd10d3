"""LabelWriter writes each label as one string: the very bytes reportlab's canvas calls
write (saveState/translate/scale for the codes, setFont/drawString for each line), and
the lines where the plan puts them."""

import io

import pypdfium2 as pdfium
import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels.content import LabelContent
from labels.sheets import BOLD, FONT, LabelWriter, build_pdf, label_boxes, plan_label
from tests.labels.test_label_pdfs import A4_3X7, ROLL_57, SHIPPED, layout_named

# More than 256 distinct letters: reportlab's font subsets hold 256 codes each, so the
# later lines switch subsets, some in mid-line.
MANY_LETTERS = "".join(map(chr, range(0x100, 0x17F))) + "".join(map(chr, range(0x391, 0x3C9)))


def labels():
    return [
        LabelContent(
            f"RE-{number:06d}",
            f"RE-{number:06d}",
            f"https://reemploi.example.org/d/RE-{number:06d}/",
            [
                "Ordinateur portable",
                "Hewlett-Packard EliteBook 840 G5 « Édition spéciale » (reconditionné)",
                "i5-8350U · 8 Go · 256 Go SSD",
                "Grade B",
                # Parentheses and a backslash are escaped in PDF strings.
                r"Réemploi (Saint-Étienne) \ Loire",
                MANY_LETTERS[number * 40 : number * 40 + 60],
            ],
        )
        for number in range(8)
    ]


def through_canvas_calls(self, strokes):
    """How labels were filled before LabelWriter: a canvas call for each thing."""
    paths, texts = strokes
    for x, y, unit_x, unit_y, operators in paths:
        self.canvas.saveState()
        self.canvas.translate(x, y)
        self.canvas.scale(unit_x, -unit_y)
        self.canvas.addLiteral(operators)
        self.canvas.restoreState()
    for font, size, x, y, text in texts:
        self.canvas.setFont(font, size)
        self.canvas.drawString(x, y, text)


@pytest.mark.parametrize("name", SHIPPED)
def test_the_writer_writes_the_bytes_of_the_canvas_calls(db, monkeypatch, name):
    layout = layout_named(name)
    written = build_pdf(layout, labels(), copies=2)
    monkeypatch.setattr(LabelWriter, "fill", through_canvas_calls)
    assert written == build_pdf(layout, labels(), copies=2)


def test_lines_switching_font_subsets_are_written_as_drawstring_writes_them():
    def written(fill):
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pageCompression=0, invariant=True)
        lines = [
            [FONT, 7, 10, 20, MANY_LETTERS],
            [BOLD, 6.5, 10, 30, "(a) \\ b"],
            [FONT, 7, 10.5, 40, MANY_LETTERS],
        ]
        fill(LabelWriter(canvas), [[], lines])
        canvas.save()
        return buffer.getvalue()

    pdf = written(LabelWriter.fill)
    assert b"+1 7 Tf" in pdf  # the second subset, selected in mid-line
    assert pdf == written(through_canvas_calls)


@pytest.mark.parametrize("name", [A4_3X7, ROLL_57])
def test_each_line_is_printed_where_the_plan_puts_it(db, name):
    layout = layout_named(name)
    content = labels()[0]
    _page, box = next(label_boxes(layout))
    plan = plan_label(layout, content, box)
    page = pdfium.PdfDocument(build_pdf(layout, [content]))[0]
    text_page = page.get_textpage()
    page_height = float(layout.page_height_mm)
    for text in plan.texts:
        found = text_page.search(text.text, match_case=True).get_next()
        assert found is not None, text.text
        left, bottom, _right, top = text_page.get_charbox(found[0])
        # The first letter's box starts at the plan's left edge (give or take the
        # glyph's side bearing) and straddles the plan's baseline (its descent).
        assert abs(left / mm - text.box.x) < 0.5, text.text
        assert bottom / mm - 0.5 <= page_height - text.baseline <= top / mm, text.text

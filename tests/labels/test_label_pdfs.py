"""Label PDFs, checked the way a scanner would: render the pages, then decode them.

Every shipped layout is rendered at 203 and 300 dpi (pypdfium2) and decoded (zxing-cpp).
A perfect image decodes even without quiet zones, so their geometry is checked too:
on the plan, and on the pixels of a page rendered at the printer's own resolution.
"""

import importlib
import math
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.utils import translation

from inventory.models import Grade, Location
from inventory.scan.codes import ACTIONS, device_public_url
from labels.content import (
    LabelContent,
    NothingToPrint,
    action_labels,
    device_labels,
    devices_for,
    location_labels,
)
from labels.drawing import MIN_MODULE_MM, code128_modules, dot_mm
from labels.models import LabelLayout
from labels.sheets import LabelDoesNotFit, build_pdf, label_boxes, plan_label, printable
from tests.factories import DeviceFactory, DonationFactory, LocationFactory, SiteFactory

SHIPPED = [
    fields["name"]
    for fields in importlib.import_module("labels.migrations.0002_shipped_layouts").SHIPPED
]
A4_3X7, A4_2X7, ROLL_62, ROLL_57 = SHIPPED
MM_PER_INCH = 25.4


def layout_named(name):
    return LabelLayout.objects.get(name=name)


def render(pdf, dpi):
    return [page.render(scale=dpi / 72).to_pil() for page in pdfium.PdfDocument(pdf)]


def decoded(pdf, dpi):
    """Every (format, text) zxing reads on any page."""
    return {
        (result.format.name, result.text)
        for image in render(pdf, dpi)
        for result in zxingcpp.read_barcodes(image)
    }


def decoded_labels(pdf, layout, count, dpi=203, start=1):
    """The Code128 texts read on each of `count` label positions, in order."""
    images = render(pdf, dpi)
    found = []
    for (page, box), _position in zip(label_boxes(layout, start), range(count), strict=False):
        crop = images[page].crop(
            tuple(round(v * dpi / MM_PER_INCH) for v in (box.x, box.y, box.right, box.bottom))
        )
        codes = [r.text for r in zxingcpp.read_barcodes(crop) if r.format.name == "Code128"]
        found.append(codes)
    return found


@pytest.fixture
def devices(db):
    site = SiteFactory(name="Ressourcerie de Saint-Étienne")
    return [
        DeviceFactory(
            site=site,
            manufacturer="Hewlett-Packard Développement",
            model="EliteBook 840 G5 « Édition spéciale » très, très longue, œuvre complète",
            cpu="Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz",
            ram_mb=8192,
            storage_summary="256 GB SSD",
            grade=Grade.B,
        ),
        DeviceFactory(site=site, manufacturer="Dell", model="Latitude 5490", grade=Grade.PARTS),
        DeviceFactory(site=site, manufacturer="", model="", category="screen"),
    ]


@pytest.fixture
def locations(db):
    site = SiteFactory(name="Entrepôt de Montreuil-sous-Bois")
    return [
        LocationFactory(site=site, code="MTR-A01", name="Étagère du fond, à gauche"),
        LocationFactory(site=site, code="MTR-BANC-2", name="Établi de réparation n° 2"),
    ]


def assert_plan_is_clean(layout, plan):
    """Inside the label's padding, whole-dot modules, nothing inside a quiet zone."""
    dpi = layout.printer_dpi
    symbols = [plan.barcode] + ([plan.qr] if plan.qr else [])
    for symbol in symbols:
        dots = symbol.module_mm / dot_mm(dpi)
        assert symbol.module_mm >= MIN_MODULE_MM
        assert math.isclose(dots, round(dots))
        assert plan.box.contains(symbol.outer)
        for other in symbols:
            assert other is symbol or not other.outer.overlaps(symbol.outer)
    for text in plan.texts:
        assert plan.box.contains(text.box), text
        for symbol in symbols:
            assert not text.box.overlaps(symbol.outer), (text, symbol.value)


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("dpi", [203, 300])
def test_every_device_label_scans(devices, name, dpi):
    layout = layout_named(name)
    pdf = build_pdf(layout, device_labels(devices))
    found = decoded(pdf, dpi)
    for device in devices:
        assert ("Code128", device.asset_tag) in found
        assert ("QRCode", device_public_url(device.asset_tag)) in found


@pytest.mark.parametrize("name", SHIPPED)
def test_device_labels_keep_quiet_zones_and_whole_dot_modules(devices, name):
    layout = layout_named(name)
    for content, (_page, box) in zip(device_labels(devices), label_boxes(layout), strict=False):
        assert_plan_is_clean(layout, plan_label(layout, content, box))


@pytest.mark.parametrize(
    ("name", "bar_dots", "qr_dots"),
    [(A4_3X7, 10, 12), (A4_2X7, 12, 12), (ROLL_62, 5, 4), (ROLL_57, 3, 3)],
)
def test_module_widths_of_the_shipped_layouts(devices, name, bar_dots, qr_dots):
    layout = layout_named(name)
    _page, box = next(label_boxes(layout))
    plan = plan_label(layout, device_labels(devices[:1])[0], box)
    assert plan.barcode.module_dots == bar_dots
    assert plan.qr.module_dots == qr_dots


@pytest.mark.parametrize("name", SHIPPED)
def test_bars_print_as_whole_dots_with_blank_quiet_zones(devices, name):
    # Rendered at the printer's resolution without anti-aliasing, as a printer lays
    # down dots, the bars' row is exactly the Code128 modules, each `module_dots` pixels
    # wide (a module of 1.6 dots would come out 1 or 2 pixels wide), and the columns
    # beside the bars are white over their whole height.
    layout = layout_named(name)
    dpi = layout.printer_dpi
    content = device_labels(devices[:1])[0]
    _page, box = next(label_boxes(layout))
    plan = plan_label(layout, content, box)
    pdf = build_pdf(layout, [content])
    image = render_area(pdf, plan.barcode.outer, dpi)
    pixels = image.convert("L").load()
    origin_x, origin_y = dots(plan.barcode.outer.x, dpi), dots(plan.barcode.outer.y, dpi)

    def columns(zone):
        return range(dots(zone.x, dpi) - origin_x, dots(zone.right, dpi) - origin_x)

    bars = plan.barcode.symbol
    rows = range(dots(bars.y, dpi) - origin_y, dots(bars.bottom, dpi) - origin_y)
    middle = (rows.start + rows.stop) // 2
    printed = "".join("1" if pixels[x, middle] < 128 else "0" for x in columns(bars))
    modules = code128_modules(content.barcode)
    assert printed == "".join(module * plan.barcode.module_dots for module in modules)
    for zone in plan.barcode.quiet_zones:
        assert all(pixels[x, y] == 255 for x in columns(zone) for y in rows), zone
    # Anti-aliased, a bar edge between two dots would come out grey.
    smooth = render_area(pdf, plan.barcode.outer, dpi, smooth=True).convert("L").load()
    assert all(smooth[x, middle] <= 8 or smooth[x, middle] >= 247 for x in columns(bars))


def dots(value_mm, dpi):
    """A position on the dot grid, in dots from the page's corner."""
    return round(value_mm * dpi / MM_PER_INCH)


def render_area(pdf, box, dpi, *, smooth=False):
    """The pixels of `box` (inside page 1, on the dot grid) at `dpi`.

    pypdfium2 stretches a page to a whole number of pixels (A4 at 300 dpi is 2480.3
    pixels wide, drawn on 2481), which shifts far edges by a fraction of a pixel; a crop
    box a whole number of pixels wide, counted from the page's top-left corner, does not.
    """
    page = pdfium.PdfDocument(pdf)[0]
    height = page.get_height()
    pixel = 72 / dpi
    left, top = dots(box.x, dpi) * pixel, dots(box.y, dpi) * pixel
    # A hair less than whole pixels (pdfium keeps boxes in single precision), so that
    # rounding the size up does not add a pixel.
    width = (dots(box.right, dpi) - dots(box.x, dpi) - 0.01) * pixel
    tall = (dots(box.bottom, dpi) - dots(box.y, dpi) - 0.01) * pixel
    page.set_cropbox(left, height - top - tall, left + width, height - top)
    return page.render(scale=dpi / 72, no_smoothpath=not smooth).to_pil()


@pytest.mark.parametrize("name", [A4_3X7, ROLL_62])
@pytest.mark.parametrize("dpi", [203, 300])
def test_location_labels_scan(locations, name, dpi):
    layout = layout_named(name)
    pdf = build_pdf(layout, location_labels(locations))
    found = decoded(pdf, dpi)
    for location in locations:
        assert ("Code128", location.code) in found
    for content, (_page, box) in zip(location_labels(locations), label_boxes(layout), strict=False):
        assert_plan_is_clean(layout, plan_label(layout, content, box))


def test_location_labels_print_name_and_site(locations):
    location = Location.objects.select_related("site").get(code="MTR-A01")
    [content] = location_labels([location])
    assert content.human == "MTR-A01"
    assert content.qr is None
    assert content.lines == ["Étagère du fond, à gauche", "Entrepôt de Montreuil-sous-Bois"]


@pytest.mark.parametrize("dpi", [203, 300])
def test_the_action_sheet_scans_on_a4_2x7(db, dpi):
    layout = layout_named(A4_2X7)
    with translation.override("fr"):
        pdf = build_pdf(layout, action_labels())
    found = decoded(pdf, dpi)
    for action in ACTIONS:
        assert ("Code128", action.code) in found


@pytest.mark.parametrize("dpi", [300, 600])
def test_action_labels_scan_on_the_62_mm_roll(db, dpi):
    # Rendered at the printer's own 300 dpi and finer. At 203 dpi, coarser than the
    # printer's dots, the 3-dot bars (0.254 mm) of ACTION:RECYCLE alias and zxing misses
    # them: a resampling artefact, not what the Brother prints.
    layout = layout_named(ROLL_62)
    pdf = build_pdf(layout, action_labels())
    found = decoded(pdf, dpi)
    for action in ACTIONS:
        assert ("Code128", action.code) in found
    for content, (_page, box) in zip(action_labels(), label_boxes(layout), strict=False):
        assert_plan_is_clean(layout, plan_label(layout, content, box))


def long_tag_label(tag):
    return LabelContent(barcode=tag, human=tag, qr=device_public_url(tag), lines=["Écran"])


def test_a_code_too_long_for_the_labels_is_refused_offering_the_layouts_that_fit(db):
    # 15 letters: 14 at most fit the 57 mm roll as bars at 0.25 mm (digits pack two a bar).
    layout = layout_named(ROLL_57)
    with translation.override("en"), pytest.raises(LabelDoesNotFit) as refused:
        build_pdf(layout, [long_tag_label("RE-ABCDEFGHIJKL")])
    message = str(refused.value)
    assert "RE-ABCDEFGHIJKL" in message
    assert f"layout “{ROLL_57}”" in message
    assert "Choose a layout whose labels fit it" in message
    for other in (A4_3X7, A4_2X7, ROLL_62):
        assert f"“{other}”" in message
    assert message.count(f"“{ROLL_57}”") == 1  # the layout refused, not among the choices


def test_a_code_too_long_for_every_layout_asks_for_wider_labels(db):
    tag = "RE-" + "X" * 40
    with translation.override("en"), pytest.raises(LabelDoesNotFit) as refused:
        build_pdf(layout_named(A4_2X7), [long_tag_label(tag)])
    assert "Choose wider labels." in str(refused.value)


def test_labels_too_narrow_for_a_device_are_refused(devices):
    layout = LabelLayout.objects.create(
        name="Minuscule 30 × 20",
        kind=LabelLayout.Kind.ROLL,
        printer_dpi=203,
        page_width_mm=Decimal(30),
        page_height_mm=Decimal(20),
        label_width_mm=Decimal(30),
        label_height_mm=Decimal(20),
    )
    with translation.override("en"), pytest.raises(LabelDoesNotFit) as refused:
        build_pdf(layout, device_labels(devices[:1]))
    assert "Minuscule 30 × 20" in str(refused.value)
    assert devices[0].asset_tag in str(refused.value)


def test_labels_too_short_for_a_qr_code_are_refused(devices):
    layout = LabelLayout(
        name="Bandeau 90 × 16",
        kind=LabelLayout.Kind.ROLL,
        printer_dpi=300,
        page_width_mm=Decimal(90),
        page_height_mm=Decimal(16),
        label_width_mm=Decimal(90),
        label_height_mm=Decimal(16),
    )
    with translation.override("en"), pytest.raises(LabelDoesNotFit, match="Bandeau 90 × 16"):
        build_pdf(layout, device_labels(devices[:1]))


def test_printing_starts_at_the_first_free_label_of_the_sheet(devices):
    layout = layout_named(A4_3X7)
    pdf = build_pdf(layout, device_labels(devices), start=5)
    assert len(pdfium.PdfDocument(pdf)) == 1
    found = decoded_labels(pdf, layout, 8)
    assert found[:4] == [[], [], [], []]
    assert [codes[0] for codes in found[4:7]] == [device.asset_tag for device in devices]
    assert found[7] == []


def test_labels_past_the_end_of_the_sheet_go_to_a_new_page(devices):
    layout = layout_named(A4_3X7)
    pdf = build_pdf(layout, device_labels(devices), start=20)
    assert len(pdfium.PdfDocument(pdf)) == 2
    found = decoded_labels(pdf, layout, 3, start=20)
    assert [codes[0] for codes in found] == [device.asset_tag for device in devices]


def test_copies_follow_each_other(devices):
    layout = layout_named(A4_2X7)
    pdf = build_pdf(layout, device_labels(devices[:2]), copies=3)
    found = decoded_labels(pdf, layout, 7)
    first, second = (device.asset_tag for device in devices[:2])
    assert [codes[0] if codes else None for codes in found] == [first] * 3 + [second] * 3 + [None]


def test_each_label_of_a_roll_is_a_page_of_the_label_size(devices):
    layout = layout_named(ROLL_57)
    pdf = build_pdf(layout, device_labels(devices), copies=2)
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 6
    width, height = document[0].get_size()
    assert (round(width / 72 * MM_PER_INCH), round(height / 72 * MM_PER_INCH)) == (57, 32)


def test_calibration_offsets_move_the_drawing(devices):
    layout = layout_named(ROLL_62)
    content = device_labels(devices[:1])[0]
    before = plan_label(layout, content, next(label_boxes(layout))[1])
    layout.offset_x_mm, layout.offset_y_mm = Decimal("1.5"), Decimal("-0.8")
    after = plan_label(layout, content, next(label_boxes(layout))[1])
    dot = dot_mm(layout.printer_dpi)
    assert abs(after.barcode.symbol.x - before.barcode.symbol.x - 1.5) <= dot
    assert abs(after.barcode.symbol.y - before.barcode.symbol.y + 0.8) <= dot
    assert abs(after.qr.symbol.x - before.qr.symbol.x - 1.5) <= dot
    assert after.texts[0].box.x == pytest.approx(before.texts[0].box.x + 1.5)
    # Still on the printer's dots, counted from the page's corner.
    dots = after.barcode.symbol.x / dot
    assert math.isclose(dots, round(dots))
    assert ("Code128", devices[0].asset_tag) in decoded(build_pdf(layout, [content]), 300)


@pytest.mark.parametrize("start", [0, 22, -1])
def test_a_start_outside_the_sheet_is_refused(db, start):
    layout = layout_named(A4_3X7)
    with translation.override("en"), pytest.raises(ValueError, match="from 1 to 21"):
        build_pdf(layout, action_labels(ACTIONS[:1]), start=start)


def test_a_roll_starts_at_label_1(db):
    with translation.override("en"), pytest.raises(ValueError, match="roll"):
        build_pdf(layout_named(ROLL_62), action_labels(ACTIONS[:1]), start=2)


def test_zero_copies_and_no_labels_are_refused(db):
    layout = layout_named(A4_2X7)
    with translation.override("en"), pytest.raises(ValueError, match="copies"):
        build_pdf(layout, action_labels(ACTIONS[:1]), copies=0)
    with translation.override("en"), pytest.raises(ValueError, match="nothing to print"):
        build_pdf(layout, [])


def test_progress_is_reported_every_25_labels_and_at_the_end(db):
    calls = []
    labels = [LabelContent(f"MTR-{n}", f"MTR-{n}", None, ["Étagère"]) for n in range(30)]
    build_pdf(layout_named(A4_3X7), labels, copies=2, on_progress=lambda *a: calls.append(a))
    assert calls == [(25, 60), (50, 60), (60, 60)]


def test_device_label_lines(devices):
    with translation.override("en"):
        first, second, screen = device_labels(devices)
    assert first.barcode == first.human == devices[0].asset_tag
    assert first.lines[0] == "Laptop"
    assert first.lines[1].startswith("Hewlett-Packard Développement EliteBook")
    assert first.lines[2] == "i5-8350U · 8 GB · 256 GB SSD"
    assert first.lines[3] == "Grade B"
    assert second.lines[2] == "For parts"
    assert screen.lines[0] == "Screen"


def test_long_lines_are_shortened_to_fit_the_label(devices):
    layout = layout_named(ROLL_57)
    _page, box = next(label_boxes(layout))
    plan = plan_label(layout, device_labels(devices[:1])[0], box)
    assert any(text.text.endswith("…") for text in plan.texts)
    assert_plan_is_clean(layout, plan)


def test_every_letter_the_embedded_font_has_is_kept_and_the_others_made_printable():
    assert printable("Étagère œuvre « à » – 10 €") == "Étagère œuvre « à » – 10 €"
    # Polish, Greek and Cyrillic names print as written (DejaVu has them); a character
    # DejaVu Sans lacks becomes "?" rather than an empty box.
    assert printable("Łódź Αθήνα Київ ✓") == "Łódź Αθήνα Київ ✓"
    assert printable("東京 Łódź") == "?? Łódź"


def test_the_same_labels_give_the_same_pdf(devices):
    layout = layout_named(A4_3X7)
    assert build_pdf(layout, device_labels(devices)) == build_pdf(layout, device_labels(devices))


def test_the_pdf_is_vector_only(devices):
    pdf = build_pdf(layout_named(A4_3X7), device_labels(devices))
    page = pdfium.PdfDocument(pdf)[0]
    kinds = {obj.type for obj in page.get_objects()}
    assert pdfium.raw.FPDF_PAGEOBJ_IMAGE not in kinds


def test_devices_for_tags_come_in_asset_tag_order_in_constant_queries(
    db, django_assert_num_queries
):
    devices = DeviceFactory.create_batch(12)
    tags = [device.asset_tag for device in reversed(devices)]
    with django_assert_num_queries(3):  # the check of the tags, the devices, the organisation
        labels = device_labels(devices_for(tags=tags))
    assert [label.barcode for label in labels] == sorted(tags)


def test_devices_for_a_donation(db, django_assert_num_queries):
    donation = DonationFactory()
    devices = DeviceFactory.create_batch(3, donation=donation)
    DeviceFactory()
    with django_assert_num_queries(2):
        found = list(devices_for(donation=donation))
    assert found == sorted(devices, key=lambda device: device.asset_tag)


def test_devices_for_names_every_unknown_tag(db):
    device = DeviceFactory()
    with translation.override("en"), pytest.raises(NothingToPrint) as refused:
        devices_for(tags=[device.asset_tag, "re-000001", "RE-000002"])
    assert str(refused.value) == "No device has these asset tags: RE-000001, RE-000002."


def test_devices_for_refuses_an_unknown_donation(db):
    with translation.override("en"), pytest.raises(NothingToPrint, match="no donation #999"):
        devices_for(donation=999)


@pytest.mark.parametrize("name", SHIPPED)
def test_a_long_site_address_still_gets_a_third_of_a_millimetre_qr(devices, settings, name):
    # A 78-character URL needs a version 5 QR code (37 modules): the bars give way.
    settings.SITE_URL = "https://parc.ressourcerie-numerique-solidaire-de-saint-etienne.fr"
    layout = layout_named(name)
    [content] = device_labels(devices[:1])
    plan = plan_label(layout, content, next(label_boxes(layout))[1])
    assert plan.qr.module_mm >= 0.33
    assert_plan_is_clean(layout, plan)
    assert ("QRCode", content.qr) in decoded(build_pdf(layout, [content]), 203)

"""Every kind of label prints on every shipped layout, and every code on it scans.

Each kind is built the way a batch builds it (content.selected_labels), on each layout
of the data migration, rendered (pypdfium2) and decoded (zxing-cpp). A location code too
long for bars on a narrow roll comes out as a QR code of the same text.
"""

import pytest
import zxingcpp
from django.utils import translation

from inventory.models import Grade
from inventory.scan.codes import ACTIONS, device_public_url
from labels.content import selected_labels
from labels.models import LabelBatch
from labels.sheets import bars_fit, build_pdf, label_boxes, plan_label
from tests.factories import DeviceFactory, LocationFactory, SiteFactory
from tests.labels.test_label_pdfs import SHIPPED, assert_plan_is_clean, layout_named, render

Kind = LabelBatch.Kind
# The longest location code the model allows (20 characters).
LONGEST_LOCATION = "MTR-ENTREPOT-NORD-12"


@pytest.fixture
def selections(db):
    """(params, expected decoded values) for every kind of label."""
    site = SiteFactory(name="Entrepôt de Montreuil-sous-Bois")
    devices = [
        DeviceFactory(
            site=site,
            manufacturer="Hewlett-Packard",
            model="EliteBook 840 G5 « Édition spéciale » très longue",
            cpu="Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz",
            ram_mb=8192,
            storage_summary="256 GB SSD",
            grade=Grade.B,
        ),
        DeviceFactory(site=site, manufacturer="", model="", category="screen"),
    ]
    locations = [
        LocationFactory(site=site, code="MTR-A01", name="Étagère du fond, à gauche"),
        LocationFactory(site=site, code=LONGEST_LOCATION, name="Réserve nord, étagère 12"),
    ]
    return {
        Kind.DEVICE: (
            {"tags": [device.asset_tag for device in devices]},
            [device.asset_tag for device in devices]
            + [device_public_url(device.asset_tag) for device in devices],
        ),
        Kind.LOCATION: (
            {"locations": [location.pk for location in locations]},
            [location.code for location in locations],
        ),
        Kind.ACTION: ({}, [action.code for action in ACTIONS]),
    }


def test_every_kind_of_batch_is_covered(selections):
    assert set(selections) == set(Kind.values)


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("kind", Kind.values)
def test_every_kind_prints_and_scans_on_every_shipped_layout(selections, kind, name):
    layout = layout_named(name)
    params, expected = selections[kind]
    with translation.override("fr"):
        labels = selected_labels(kind, params)
        pdf = build_pdf(layout, labels)
    for content, (_page, box) in zip(labels, label_boxes(layout), strict=False):
        assert_plan_is_clean(layout, plan_label(layout, content, box))
    # A4 at 600 dpi is 35 million pixels a page: 300 dpi is plenty for a 6-dot module.
    dpi = min(layout.printer_dpi, 300)
    found = {result.text for image in render(pdf, dpi) for result in zxingcpp.read_barcodes(image)}
    missing = [value for value in expected if value not in found]
    assert not missing, f"not decoded on {name}: {missing}"


@pytest.mark.parametrize("name", SHIPPED)
def test_action_codes_are_bars_on_every_shipped_layout(db, name):
    # Bars, not a QR code: the cheapest USB scanners only read bars.
    layout = layout_named(name)
    assert all(bars_fit(layout, action.code) for action in ACTIONS)


def test_a_location_code_too_long_for_bars_becomes_a_qr_code(selections):
    layout = layout_named(SHIPPED[3])  # the 57 mm roll at 203 dpi
    params, _expected = selections[Kind.LOCATION]
    labels = selected_labels(Kind.LOCATION, params)
    short, longest = labels
    assert longest.barcode == LONGEST_LOCATION
    _page, box = next(label_boxes(layout))
    assert plan_label(layout, short, box).barcode.kind == "code128"
    plan = plan_label(layout, longest, box)
    assert plan.barcode.kind == "qr"
    assert plan.barcode.value == LONGEST_LOCATION
    # The code is still printed in words under it, the name beside it.
    texts = [text.text for text in plan.texts]
    assert LONGEST_LOCATION in texts
    assert "Réserve nord, étagère 12" in texts

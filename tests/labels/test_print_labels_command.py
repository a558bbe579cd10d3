"""manage.py print_labels: the same PDFs as the label pages, from a terminal."""

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core.management import CommandError, call_command

from inventory.scan.codes import ACTIONS
from labels.models import LabelLayout
from tests.factories import DeviceFactory, DonationFactory, LocationFactory

pytestmark = pytest.mark.usefixtures("english")


def read_pdf(path):
    """(page count, every text of a Code128 on any page), rendered at 203 dpi."""
    document = pdfium.PdfDocument(path.read_bytes())
    codes = {
        result.text
        for page in document
        for result in zxingcpp.read_barcodes(page.render(scale=203 / 72).to_pil())
        if result.format.name == "Code128"
    }
    return len(document), codes


def run(*args):
    call_command("print_labels", *args)


def test_it_prints_devices_by_asset_tag_on_a_layout_named_by_part(db, tmp_path):
    devices = DeviceFactory.create_batch(2)
    output = tmp_path / "labels.pdf"
    run(
        "--layout",
        "62",
        "--tags",
        devices[1].asset_tag.lower(),
        devices[0].asset_tag,
        "--copies",
        "2",
        "-o",
        str(output),
    )
    pages, codes = read_pdf(output)
    assert pages == 4  # a roll: one page per label
    assert codes == {device.asset_tag for device in devices}


def test_it_prints_every_device_of_a_donation(db, tmp_path):
    donation = DonationFactory()
    devices = DeviceFactory.create_batch(3, donation=donation)
    DeviceFactory()  # another donation's
    output = tmp_path / "donation.pdf"
    run("--layout", "L7160", "--donation", str(donation.pk), "--start", "20", "-o", str(output))
    pages, codes = read_pdf(output)
    assert pages == 2
    assert codes == {device.asset_tag for device in devices}


def test_it_prints_locations(db, tmp_path):
    LocationFactory(code="BRU-A01")
    LocationFactory(code="BRU-A02")
    output = tmp_path / "shelves.pdf"
    run("--layout", "l7163", "--locations", "BRU-A01", "bru-a02", "-o", str(output))
    assert read_pdf(output) == (1, {"BRU-A01", "BRU-A02"})


def test_it_prints_the_action_sheet(db, tmp_path):
    output = tmp_path / "actions.pdf"
    run("--layout", "A4 2×7 · 99,1 × 38,1 mm (Avery L7163)", "--actions", "-o", str(output))
    assert read_pdf(output) == (1, {action.code for action in ACTIONS})


def test_it_names_the_unknown_asset_tags(db, tmp_path):
    device = DeviceFactory()
    output = tmp_path / "labels.pdf"
    with pytest.raises(CommandError, match="RE-999998, RE-999999"):
        run(
            "--layout",
            "62",
            "--tags",
            device.asset_tag,
            "RE-999998",
            "RE-999999",
            "-o",
            str(output),
        )
    assert not output.exists()


def test_it_refuses_an_unknown_donation(db, tmp_path):
    with pytest.raises(CommandError, match="no donation #424242"):
        run("--layout", "62", "--donation", "424242", "-o", str(tmp_path / "x.pdf"))


def test_it_names_the_unknown_location_codes(db, tmp_path):
    with pytest.raises(CommandError, match="NOWHERE-1"):
        run("--layout", "62", "--locations", "NOWHERE-1", "-o", str(tmp_path / "x.pdf"))


@pytest.mark.parametrize("name", ["A4", "Dymo"])
def test_an_ambiguous_or_unknown_layout_lists_the_layouts(db, tmp_path, name):
    with pytest.raises(CommandError) as refused:
        run("--layout", name, "--actions", "-o", str(tmp_path / "x.pdf"))
    assert f"“{name}”" in str(refused.value)
    assert "Rouleau 57 × 32 mm (thermique 203 dpi)" in str(refused.value)


def test_a_start_outside_the_sheet_is_refused(db, tmp_path):
    device = DeviceFactory()
    with pytest.raises(CommandError, match="from 1 to 21"):
        run(
            "--layout",
            "L7160",
            "--tags",
            device.asset_tag,
            "--start",
            "22",
            "-o",
            str(tmp_path / "x.pdf"),
        )


def test_the_action_sheet_prints_on_the_narrowest_roll(db, tmp_path):
    output = tmp_path / "actions.pdf"
    run("--layout", "57", "--actions", "-o", str(output))
    pages, codes = read_pdf(output)
    assert pages == len(ACTIONS)
    assert codes >= {action.code for action in ACTIONS}


def test_codes_too_wide_for_the_labels_are_refused(db, tmp_path):
    LabelLayout.objects.create(
        name="Minuscule 30 × 20",
        kind=LabelLayout.Kind.ROLL,
        printer_dpi=203,
        page_width_mm=30,
        page_height_mm=20,
        label_width_mm=30,
        label_height_mm=20,
    )
    device = DeviceFactory()
    with pytest.raises(CommandError, match=device.asset_tag):
        run("--layout", "Minuscule", "--tags", device.asset_tag, "-o", str(tmp_path / "x.pdf"))


def test_it_needs_one_thing_to_print(db, tmp_path):
    with pytest.raises(CommandError, match="one of the arguments"):
        call_command("print_labels", "--layout", "62", "-o", str(tmp_path / "x.pdf"))

"""The label pages: layouts, and printing devices, locations and the action sheet."""

import io
from decimal import Decimal

import pypdfium2
import pytest

from inventory.scan.codes import ACTIONS
from labels.models import LabelBatch, LabelLayout
from tests.factories import DeviceFactory, DonationFactory, LocationFactory, SiteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

PRINT_DEVICES = "/labels/print/devices/"


@pytest.fixture
def sheet():
    """The shipped A4 sheet of 3 × 7 labels."""
    return LabelLayout.objects.get(kind=LabelLayout.Kind.SHEET, columns=3, rows=7)


@pytest.fixture
def roll():
    """The shipped roll of 57 × 32 mm labels, for 203 dpi thermal printers."""
    return LabelLayout.objects.get(kind=LabelLayout.Kind.ROLL, printer_dpi=203)


@pytest.fixture
def brother_roll():
    """The shipped roll of 62 × 29 mm labels, for 300 dpi Brother QL printers."""
    return LabelLayout.objects.get(kind=LabelLayout.Kind.ROLL, printer_dpi=300)


def pages(pdf_bytes):
    return len(pypdfium2.PdfDocument(io.BytesIO(pdf_bytes)))


def batch_pages(batch):
    with batch.file.open("rb") as handle:
        return pages(handle.read())


def print_form(layout, action="print", **overrides):
    return {"layout": layout.pk, "start": 1, "copies": 1, "action": action, **overrides}


def layout_data(**overrides):
    data = {
        "name": "A4 4×10 · 48,5 × 25,4 mm",
        "kind": "sheet",
        "printer_dpi": 600,
        "page_width_mm": "210",
        "page_height_mm": "297",
        "label_width_mm": "48.5",
        "label_height_mm": "25.4",
        "columns": 4,
        "rows": 10,
        "margin_left_mm": "8",
        "margin_top_mm": "21.5",
        "gap_x_mm": "0",
        "gap_y_mm": "0",
        "offset_x_mm": "0",
        "offset_y_mm": "0",
        "active": "on",
        "notes": "",
    }
    return {**data, **overrides}


# Who may do what --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url", "expected"),
    [
        ("technician", "/labels/", 200),
        ("coordinator", "/labels/", 200),
        ("social_worker", "/labels/", 403),
        ("anonymous", "/labels/", 302),
        ("technician", "/labels/layouts/new/", 403),
        ("coordinator", "/labels/layouts/new/", 200),
        ("social_worker", "/labels/layouts/new/", 403),
        ("technician", "/labels/layouts/{layout}/edit/", 403),
        ("coordinator", "/labels/layouts/{layout}/edit/", 200),
        ("technician", "/labels/print/actions/", 200),
        ("coordinator", "/labels/print/actions/", 200),
        ("social_worker", "/labels/print/actions/", 403),
        ("social_worker", "/labels/print/devices/?tags={tag}", 403),
        ("social_worker", "/labels/print/locations/?site={site}", 403),
        ("social_worker", "/labels/print/device/preview.pdf?tags={tag}&layout={layout}", 403),
        ("anonymous", "/labels/print/devices/?tags={tag}", 302),
    ],
)
def test_who_may_open_which_label_page(role, url, expected, client_for, sheet):
    device = DeviceFactory()
    url = url.format(layout=sheet.pk, tag=device.asset_tag, site=device.site_id)

    response = client_for(role).get(url)

    assert response.status_code == expected


def test_the_menu_shows_labels_to_technicians_only_among_the_staff_and_workers(
    technician_client, social_worker_client
):
    assert 'href="/labels/"' in technician_client.get("/").text
    assert 'href="/labels/"' not in social_worker_client.get("/").text


# Layouts ----------------------------------------------------------------------------


def test_the_layouts_page_lists_the_stocks_with_their_size_and_capacity(technician_client):
    response = technician_client.get("/labels/")

    assert "Avery L7160" in response.text
    assert "63,5 × 38,1 mm" in response.text
    assert ">21 <small" in response.text
    # A technician sees the stocks but cannot change them.
    assert "/labels/layouts/new/" not in response.text
    assert "/edit/" not in response.text


def test_a_coordinator_adds_a_layout(coordinator_client):
    response = coordinator_client.post("/labels/layouts/new/", layout_data())

    assert response.status_code == 302
    layout = LabelLayout.objects.get(name="A4 4×10 · 48,5 × 25,4 mm")
    assert layout.per_page == 40
    assert layout.label_width_mm == Decimal("48.5")


def test_a_technician_cannot_add_a_layout(technician_client):
    before = LabelLayout.objects.count()

    response = technician_client.post("/labels/layouts/new/", layout_data())

    assert response.status_code == 403
    assert LabelLayout.objects.count() == before


def test_a_coordinator_edits_a_layout_to_calibrate_the_printer(coordinator_client, sheet):
    data = layout_data(name=sheet.name, columns=3, rows=7, offset_x_mm="0.5")
    data.update(label_width_mm="63.5", label_height_mm="38.1", margin_left_mm="7.25")

    response = coordinator_client.post(f"/labels/layouts/{sheet.pk}/edit/", data)

    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.offset_x_mm == Decimal("0.5")


def test_a_layout_wider_than_its_page_is_refused_saying_by_how_much(coordinator_client):
    response = coordinator_client.post("/labels/layouts/new/", layout_data(columns=5))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["columns"]
    # 8 mm of margin + 5 × 48.5 mm = 250.5 mm, on a page of 210 mm.
    assert "250" in errors["columns"][0] and "210" in errors["columns"][0]
    assert errors["columns"][0] in response.text
    assert not LabelLayout.objects.filter(name__startswith="A4 4×10").exists()


def test_a_layout_taller_than_its_page_is_refused(coordinator_client):
    response = coordinator_client.post("/labels/layouts/new/", layout_data(rows=12))

    assert list(response.context["form"].errors) == ["rows"]


# Device labels ----------------------------------------------------------------------


def test_the_device_list_posts_its_selection_to_the_print_page(technician_client):
    first, second = DeviceFactory.create_batch(2)
    page = technician_client.get("/devices/")
    assert f'formaction="{PRINT_DEVICES}"' in page.text

    # What the device list's bulk form sends when "Print labels" is pressed.
    response = technician_client.post(
        PRINT_DEVICES,
        {"tags": [first.asset_tag, second.asset_tag], "target": "", "note": "", "next": "/"},
    )

    assert response.status_code == 200
    assert response.context["selection"].cleaned_data["count"] == 2
    assert f'name="tags" value="{first.asset_tag}"' in response.text
    assert not LabelBatch.objects.exists()


def test_printing_a_selection_gives_one_pdf_of_as_many_sheets_as_needed(
    technician_client, technician, sheet
):
    devices = DeviceFactory.create_batch(22)
    tags = [device.asset_tag for device in devices]

    response = technician_client.post(PRINT_DEVICES, {"tags": tags, **print_form(sheet)})

    batch = LabelBatch.objects.get()
    assert response.status_code == 302
    assert response.url == f"/labels/batches/{batch.pk}/"
    assert batch.state == LabelBatch.State.DONE
    assert batch.created_by == technician
    assert (batch.total, batch.done, batch.percent) == (22, 22, 100)
    # 22 labels on sheets of 21.
    assert batch_pages(batch) == 2


def test_printing_a_donation_labels_its_devices_only(technician_client, roll):
    donation = DonationFactory()
    DeviceFactory.create_batch(4, donation=donation)
    DeviceFactory()

    arrival = technician_client.get(PRINT_DEVICES, {"donation": donation.pk})
    response = technician_client.post(
        PRINT_DEVICES, {"donation": donation.pk, **print_form(roll, copies=2)}
    )

    assert str(donation) in arrival.context["selection"].summary()
    assert response.status_code == 302
    batch = LabelBatch.objects.get()
    assert batch.params["donation"] == donation.pk
    # A roll has one label per page: 4 devices × 2 copies.
    assert batch_pages(batch) == 8


def test_the_start_position_leaves_the_used_labels_of_a_sheet_empty(technician_client, sheet):
    tags = [device.asset_tag for device in DeviceFactory.create_batch(2)]

    technician_client.post(PRINT_DEVICES, {"tags": tags, **print_form(sheet, start=21)})

    batch = LabelBatch.objects.get()
    assert batch.params["start"] == 21
    # Position 21 is the last of the first sheet: the second label goes on a new one.
    assert batch_pages(batch) == 2


@pytest.mark.parametrize("start", [0, 22, -3])
def test_a_start_position_outside_the_sheet_is_refused(technician_client, sheet, start):
    tag = DeviceFactory().asset_tag

    response = technician_client.post(
        PRINT_DEVICES, {"tags": [tag], **print_form(sheet, start=start)}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["start"]
    message = errors["start"][0]
    if start > 0:
        assert "21" in message
    assert message in response.text
    assert not LabelBatch.objects.exists()


def test_a_roll_ignores_the_start_position(technician_client, roll):
    tag = DeviceFactory().asset_tag

    technician_client.post(PRINT_DEVICES, {"tags": [tag], **print_form(roll, start=5)})

    assert LabelBatch.objects.get().params["start"] == 1


@pytest.mark.parametrize("copies", [0, 11, 1000, "", "many"])
def test_a_wrong_number_of_copies_is_refused(technician_client, sheet, copies):
    tag = DeviceFactory().asset_tag

    response = technician_client.post(
        PRINT_DEVICES, {"tags": [tag], **print_form(sheet, copies=copies)}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["copies"]
    assert errors["copies"][0] in response.text.replace("&#x27;", "'")
    assert not LabelBatch.objects.exists()


def test_unknown_tags_are_named_and_nothing_is_printed(technician_client, sheet):
    known = DeviceFactory().asset_tag

    response = technician_client.post(
        PRINT_DEVICES, {"tags": [known, "RE-999998", "re-999999"], **print_form(sheet)}
    )

    assert response.status_code == 200
    [message] = response.context["selection"].non_field_errors()
    assert "RE-999998, RE-999999" in message
    assert message in response.text.replace("&#x27;", "'")
    assert 'id="print-form"' not in response.text
    assert not LabelBatch.objects.exists()


def test_an_empty_selection_says_to_tick_devices(technician_client):
    # "Print labels" pressed in the device list with nothing ticked.
    response = technician_client.post(PRINT_DEVICES, {"target": "", "note": "", "next": "/"})

    assert response.status_code == 200
    [message] = response.context["selection"].non_field_errors()
    assert message in response.text.replace("&#x27;", "'")
    assert 'id="print-form"' not in response.text


@pytest.mark.parametrize("donation", ["999999", "abc", "9" * 40, "-1"])
def test_an_unknown_donation_is_said_so(technician_client, donation):
    response = technician_client.get(PRINT_DEVICES, {"donation": donation})

    assert response.status_code == 200
    assert response.context["selection"].errors
    assert 'id="print-form"' not in response.text


def test_a_donation_without_devices_has_nothing_to_print(technician_client):
    donation = DonationFactory()

    response = technician_client.get(PRINT_DEVICES, {"donation": donation.pk})

    assert response.context["selection"].non_field_errors()


@pytest.mark.parametrize(
    "query",
    [
        {"tags": "\x00"},
        {"tags": "RE-\x00001"},
        {"tags": "' OR 1=1 --"},
        {"tags": "😀" * 300},
        {"tags": "", "donation": ""},
        {"layout": "abc", "start": "x", "copies": "1e9", "action": "print", "tags": "RE-1"},
        {"layout": "999999", "action": "preview", "tags": "RE-1"},
    ],
)
def test_nasty_input_never_breaks_the_print_page(technician_client, query):
    assert technician_client.get(PRINT_DEVICES, query).status_code == 200
    assert technician_client.post(PRINT_DEVICES, query).status_code == 200


@pytest.mark.parametrize("nasty", ["9" * 40, "abc", "-1", "\x00", "1.5"])
def test_nasty_ids_never_break_the_location_page_nor_its_preview(technician_client, nasty):
    location = LocationFactory()
    data = {"site": location.site_id, "locations": [nasty], "layout": nasty, "copies": 1}

    page = technician_client.post("/labels/print/locations/", {**data, "action": "print"})
    preview = technician_client.get("/labels/print/location/preview.pdf", data)

    assert page.status_code == 200
    assert preview.status_code == 400
    assert not LabelBatch.objects.exists()


def test_a_layout_no_longer_in_use_cannot_be_chosen(technician_client, sheet):
    tag = DeviceFactory().asset_tag
    LabelLayout.objects.filter(pk=sheet.pk).update(active=False)

    response = technician_client.post(PRINT_DEVICES, {"tags": [tag], **print_form(sheet)})

    assert list(response.context["form"].errors) == ["layout"]


def test_the_print_page_offers_the_stock_used_last_time(technician_client, technician, sheet):
    tag = DeviceFactory().asset_tag
    technician_client.post(PRINT_DEVICES, {"tags": [tag], **print_form(sheet)})

    response = technician_client.get(PRINT_DEVICES, {"tags": tag})

    assert response.context["form"]["layout"].value() == sheet.pk


# Preview ----------------------------------------------------------------------------


def test_the_preview_shows_the_pdf_inline_and_records_nothing(technician_client, sheet):
    tags = [device.asset_tag for device in DeviceFactory.create_batch(3)]

    page = technician_client.post(PRINT_DEVICES, {"tags": tags, **print_form(sheet, "preview")})
    preview = page.context["preview"]
    response = technician_client.get(preview["url"])

    assert f'<iframe src="{preview["url"].replace("&", "&amp;")}"' in page.text
    assert not preview["first_page"]
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    # The page shows it in an <iframe>: the default DENY would leave the frame blank.
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert pages(response.content) == 1
    assert not LabelBatch.objects.exists()


def test_the_preview_of_a_big_set_is_its_first_page_only(technician_client, sheet):
    donation = DonationFactory()
    DeviceFactory.create_batch(70, donation=donation)

    page = technician_client.post(
        PRINT_DEVICES, {"donation": donation.pk, **print_form(sheet, "preview", start=5)}
    )
    preview = page.context["preview"]
    response = technician_client.get(preview["url"])

    assert preview["first_page"]
    assert "70" in page.text
    assert pages(response.content) == 1


def test_the_preview_of_a_big_tag_selection_keeps_its_address_short(technician_client, roll):
    tags = [device.asset_tag for device in DeviceFactory.create_batch(80)]

    page = technician_client.post(PRINT_DEVICES, {"tags": tags, **print_form(roll, "preview")})
    url = page.context["preview"]["url"]
    response = technician_client.get(url)

    assert url.count("tags=") == 1
    assert pages(response.content) == 1


def test_a_preview_address_asking_for_everything_still_draws_three_sheets_at_most(
    technician_client, sheet
):
    donation = DonationFactory()
    DeviceFactory.create_batch(70, donation=donation)

    response = technician_client.get(
        "/labels/print/device/preview.pdf",
        {"donation": donation.pk, "layout": sheet.pk, "start": 1, "copies": 10, "limit": 9999},
    )

    # 63 labels at most, 6 devices × 10 copies here: three sheets of 21.
    assert pages(response.content) == 3


def test_a_preview_with_bad_options_answers_400_with_the_reason(technician_client, sheet):
    tag = DeviceFactory().asset_tag

    response = technician_client.get(
        "/labels/print/device/preview.pdf",
        {"tags": tag, "layout": sheet.pk, "start": 30, "copies": 1},
    )

    assert response.status_code == 400
    assert "21" in response.text


def test_an_unknown_kind_of_preview_is_not_found(technician_client):
    assert technician_client.get("/labels/print/nothing/preview.pdf").status_code == 404


# Locations and actions --------------------------------------------------------------


def test_a_site_opens_its_location_labels_all_ticked(technician_client, roll):
    site = SiteFactory()
    shelves = [LocationFactory(site=site, code=f"BRU-A0{n}") for n in range(1, 4)]
    LocationFactory()  # another site's

    page = technician_client.get("/sites/")
    arrival = technician_client.get("/labels/print/locations/", {"site": site.pk})
    response = technician_client.post(
        "/labels/print/locations/",
        {"site": site.pk, "locations": [shelves[0].pk, shelves[2].pk], **print_form(roll)},
    )

    assert response.status_code == 302
    assert f"/labels/print/locations/?site={site.pk}" in page.text
    assert arrival.context["selection"].cleaned_data["count"] == 3
    assert arrival.text.count('type="checkbox" name="locations"') == 3
    assert arrival.text.count("checked") == 3
    batch = LabelBatch.objects.get()
    assert batch.kind == LabelBatch.Kind.LOCATION
    assert batch_pages(batch) == 2


def test_unticking_every_location_is_refused_on_the_same_form(technician_client, roll):
    site = SiteFactory()
    LocationFactory(site=site)

    response = technician_client.post(
        "/labels/print/locations/", {"site": site.pk, **print_form(roll)}
    )

    assert response.context["selection"].errors["locations"]
    assert 'id="print-form"' in response.text
    assert not LabelBatch.objects.exists()


def test_another_sites_location_cannot_be_slipped_in(technician_client, roll):
    site = SiteFactory()
    LocationFactory(site=site)
    elsewhere = LocationFactory()

    technician_client.post(
        "/labels/print/locations/",
        {"site": site.pk, "locations": [elsewhere.pk], **print_form(roll)},
    )

    assert not LabelBatch.objects.exists()


@pytest.mark.parametrize("site", ["", "999999", "abc", "9" * 40])
def test_location_labels_without_a_known_site_offer_the_sites(technician_client, site):
    known = SiteFactory()

    response = technician_client.get("/labels/print/locations/", {"site": site})

    assert response.status_code == 200
    assert f"?site={known.pk}" in response.text
    assert 'id="print-form"' not in response.text


def test_the_action_sheet_offers_the_widest_labels_first(technician_client):
    response = technician_client.get("/labels/print/actions/")

    widest = LabelLayout.objects.order_by("-label_width_mm").first()
    assert response.context["form"]["layout"].value() == widest.pk


def test_the_action_sheet_has_one_label_per_action(technician_client, brother_roll):
    # A roll of 100 × 50 mm labels: one page per action.
    brother_roll.page_width_mm = brother_roll.label_width_mm = 100
    brother_roll.page_height_mm = brother_roll.label_height_mm = 50
    brother_roll.save()

    response = technician_client.post("/labels/print/actions/", print_form(brother_roll))

    batch = LabelBatch.objects.get()
    assert response.status_code == 302
    assert batch.kind == LabelBatch.Kind.ACTION
    assert batch_pages(batch) == len(ACTIONS)


def test_labels_too_small_for_a_code_fail_saying_so(technician_client, roll):
    roll.label_width_mm = roll.page_width_mm = 30
    roll.save()

    device = DeviceFactory()

    response = technician_client.post(
        PRINT_DEVICES, {"tags": [device.asset_tag], **print_form(roll)}
    )
    page = technician_client.get(response.url)

    batch = LabelBatch.objects.get()
    assert batch.state == LabelBatch.State.FAILED
    assert roll.name in batch.error
    assert batch.error in page.text.replace("&#x27;", "'")
    assert not batch.file


# Links from the inventory -----------------------------------------------------------


def test_the_inventory_pages_link_to_their_labels(technician_client):
    device = DeviceFactory(donation=DonationFactory())

    detail = technician_client.get(device.get_absolute_url())
    donation = technician_client.get(device.donation.get_absolute_url())

    assert f"/labels/print/devices/?tags={device.asset_tag}" in detail.text
    assert f"/labels/print/devices/?donation={device.donation.pk}" in donation.text

"""The scan station in a real browser: a USB scanner (the keyboard only), then a phone camera.

The camera tests launch their own Chromium with a fake camera that films a picture of a
label (a YUV4MPEG2 file made here from a QR code or a Code128 barcode), so the whole path
runs: getUserMedia, the decoder, the scan form, the server, the device card.
"""

import re

import pytest
from django.utils import translation

from inventory.models import Device, Status
from inventory.scan.codes import device_public_url, from_azerty
from tests.browser.conftest import ARGS, CHROMIUM
from tests.factories import DeviceFactory, LocationFactory, SiteFactory

pytestmark = pytest.mark.django_db(transaction=True)

# What an AZERTY computer receives when a US-layout scanner types these characters
# (digits are shifted on AZERTY, so the scanner's unshifted key presses give symbols).
_US_TO_AZERTY = dict(zip("1234567890-:/.aAqQzZwWmM", "&é\"'(-è_çà)M!:qQaAwWzZ,?", strict=True))


def azerty(text):
    """The inverse of `inventory.scan.codes.from_azerty`, for the characters we print."""
    return "".join(_US_TO_AZERTY.get(char, char) for char in text)


def french(text):
    with translation.override("fr"):
        return str(translation.gettext(text))


def status_label(status):
    with translation.override("fr"):
        return str(Status(status).label)


def scan(page, code):
    """Type `code` then Enter, as a USB scanner does; wait for the answer's log entry.

    Returns the newest entry of the log.
    """
    from playwright.sync_api import expect

    entries = page.locator("#scan-log li.scan-entry")
    before = entries.count()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(entries).to_have_count(before + 1)
    # The focus never leaves the field, ready for the next scan.
    expect(page.locator("#scan-input")).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "scan-input"
    assert page.input_value("#scan-input") == ""
    return entries.first


# -- a USB scanner: the keyboard only ---------------------------------------------------


@pytest.fixture
def bench(db):
    site = SiteFactory(code="BRU", name="Ressourcerie de Bruay")
    return {
        "first": DeviceFactory(site=site, status=Status.RECEIVED, serial_number="PF1AAA11"),
        "second": DeviceFactory(site=site, status=Status.RECEIVED, serial_number="PF1BBB22"),
        "third": DeviceFactory(site=site, status=Status.RECEIVED, serial_number="PF1CCC33"),
        "shelf": LocationFactory(site=site, code="BRU-A03", name="Étagère A3"),
    }


def test_the_azerty_helper_of_this_file_undoes_what_the_station_decodes():
    assert azerty("RE-900001") == "RE)çàààà&"
    for text in ("RE-900001", "ACTION:WIPING", "BRU-A03", "http://127.0.0.1:8000/d/RE-000042/"):
        assert from_azerty(azerty(text)) == text


def test_a_technician_works_the_scan_station_with_the_keyboard_only(
    login, live_server, technician, bench
):
    from playwright.sync_api import expect

    first, second, third, shelf = bench["first"], bench["second"], bench["third"], bench["shelf"]
    page = login(technician)  # the login form is clicked; nothing after this is
    page.goto(f"{live_server.url}/scan/")
    page.evaluate(
        """() => {
            window.__pointerEvents = 0;
            for (const type of ["mousedown", "pointerdown", "click", "touchstart"]) {
                document.addEventListener(type, (event) => {
                    if (event.isTrusted && event.detail !== 0) window.__pointerEvents++;
                }, true);
            }
        }"""
    )
    expect(page.locator("#scan-input")).to_be_focused()
    expect(page.locator("#scan-mode")).to_have_attribute("data-mode", "lookup")
    card = page.locator("#scan-card")

    # An asset tag: the device's card, with its status.
    entry = scan(page, first.asset_tag)
    assert entry.get_attribute("data-outcome") == "ok"
    expect(card).to_have_attribute("data-tag", first.asset_tag)
    expect(page.locator("#scan-card-status")).to_have_text(status_label(Status.RECEIVED))

    # The same tag from a US-layout scanner on an AZERTY computer: the same device.
    garbled = azerty(second.asset_tag)
    assert garbled != second.asset_tag
    entry = scan(page, garbled)
    assert entry.get_attribute("data-outcome") == "ok"
    expect(card).to_have_attribute("data-tag", second.asset_tag)

    # A code nobody knows.
    entry = scan(page, "ZZ-404404")
    assert entry.get_attribute("data-outcome") == "not-found"
    expect(entry).to_contain_text("ZZ-404404")

    # An action code, then a device received: its erasure starts.
    entry = scan(page, "ACTION:WIPING")
    assert entry.get_attribute("data-outcome") == "info"
    expect(page.locator("#scan-mode")).to_have_attribute("data-mode", "act")
    entry = scan(page, first.asset_tag)
    assert entry.get_attribute("data-outcome") == "ok"
    expect(card).to_have_attribute("data-tag", first.asset_tag)
    expect(page.locator("#scan-card-status")).to_have_text(status_label(Status.WIPING))
    first.refresh_from_db()
    assert first.status == Status.WIPING

    # A location code, then a device: it is moved there.
    assert second.location_id is None
    entry = scan(page, shelf.code)
    assert entry.get_attribute("data-outcome") == "info"
    expect(page.locator("#scan-mode")).to_have_attribute("data-mode", "move")
    entry = scan(page, second.asset_tag)
    assert entry.get_attribute("data-outcome") == "ok"
    expect(page.locator("#scan-card-location")).to_contain_text(shelf.code)
    second.refresh_from_db()
    assert second.location == shelf
    assert second.status == Status.RECEIVED  # moving changes nothing else

    # Back to look-up, then the card's first action by its number, the field being empty.
    scan(page, "ACTION:LOOKUP")
    expect(page.locator("#scan-mode")).to_have_attribute("data-mode", "lookup")
    scan(page, third.asset_tag)
    expect(card).to_have_attribute("data-tag", third.asset_tag)
    first_action = page.locator('#scan-card button[data-shortcut="1"]')
    expect(first_action).to_be_visible()
    target = first_action.get_attribute("value")
    assert target == Status.WIPING  # a received device: "Start erasure" comes first
    entry = scan(page, "1")
    assert entry.get_attribute("data-outcome") == "ok"
    expect(page.locator("#scan-card-status")).to_have_text(status_label(target))
    third.refresh_from_db()
    assert third.status == target

    assert page.evaluate("window.__pointerEvents") == 0
    assert Device.objects.filter(status=Status.WIPING).count() == 2


def test_the_log_keeps_the_last_fifteen_scans_as_the_server_does(login, live_server, technician):
    """An answer carries only its own line; the page keeps the others, as the cookie does."""
    from playwright.sync_api import expect

    devices = DeviceFactory.create_batch(17, status=Status.RECEIVED)
    page = login(technician)
    page.goto(f"{live_server.url}/scan/")
    lines = page.locator("#scan-log li")
    expect(lines).to_have_text([french("Nothing scanned yet.")])

    for device in devices:  # as fast as a scanner types: the queue keeps the order
        page.keyboard.type(device.asset_tag)
        page.keyboard.press("Enter")
    newest_first = [device.asset_tag for device in reversed(devices)][:15]
    expect(page.locator("#scan-log li.scan-entry code")).to_have_text(newest_first)
    expect(lines).to_have_count(15)

    page.reload()
    expect(page.locator("#scan-log li.scan-entry code")).to_have_text(newest_first)

    page.get_by_role("button", name=french("Clear the session")).click()
    expect(lines).to_have_text([french("Nothing scanned yet.")])


# -- a phone's camera -------------------------------------------------------------------

VIDEO_SIZE = (640, 480)


def _centred(image):
    from PIL import Image

    frame = Image.new("RGB", VIDEO_SIZE, "white")
    frame.paste(image, ((VIDEO_SIZE[0] - image.width) // 2, (VIDEO_SIZE[1] - image.height) // 2))
    return frame


def qr_frame(text):
    import qrcode

    code = qrcode.QRCode(border=4, box_size=8)
    code.add_data(text)
    code.make(fit=True)
    return _centred(code.make_image(fill_color="black", back_color="white").convert("RGB"))


def code128_frame(text, module=3, height=140, quiet=10):
    """A Code128 barcode drawn module by module (no font needed for a caption)."""
    from barcode import Code128
    from PIL import Image, ImageDraw

    bars = Code128(text).build()[0]
    image = Image.new("RGB", ((len(bars) + 2 * quiet) * module, height), "white")
    draw = ImageDraw.Draw(image)
    for index, bit in enumerate(bars):
        if bit == "1":
            left = (quiet + index) * module
            draw.rectangle([left, 0, left + module - 1, height - 1], fill="black")
    return _centred(image)


def write_y4m(image, path, frames=4):
    """A YUV4MPEG2 file (4:2:0, full-range BT.601) that shows `image` for a few frames."""
    luma, blue, red = image.convert("YCbCr").split()
    half = (image.width // 2, image.height // 2)
    planes = luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{image.width} H{image.height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + planes)
    return path


@pytest.fixture
def camera_browser(browser, tmp_path):
    """Launches a Chromium of its own whose camera films an image; closed after the test.

    Playwright allows one driver per thread: the session's (tests/browser/conftest.py,
    which also skips where Chromium or Playwright is missing) launches this one too.
    """
    browsers = []

    def launch(image, fake_ui=True):
        video = write_y4m(image, tmp_path / f"camera-{len(browsers)}.y4m")
        args = [
            *ARGS,
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ]
        if fake_ui:
            args.append("--use-fake-ui-for-media-stream")  # no permission prompt
        camera = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
        browsers.append(camera)
        return camera

    yield launch
    for camera in browsers:
        camera.close()


def open_station(browser, live_server, user, grant_camera=True, init_script=None):
    context = browser.new_context(
        locale="fr-FR",
        viewport={"width": 412, "height": 860},  # a phone
        permissions=["camera"] if grant_camera else [],
    )
    page = context.new_page()
    if init_script:
        page.add_init_script(init_script)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-password")
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))
    decoder_requests = []
    page.on("request", lambda r: "vendor/zxing" in r.url and decoder_requests.append(r.url))
    page.goto(f"{live_server.url}/scan/")
    return page, decoder_requests


def expected_decoder(page):
    """Where this Chromium has a BarcodeDetector for both formats "native", else "zxing"."""
    native = page.evaluate(
        """async () => {
            if (!("BarcodeDetector" in window)) return false;
            try {
                const formats = await BarcodeDetector.getSupportedFormats();
                return formats.includes("qr_code") && formats.includes("code_128");
            } catch (error) { return false; }
        }"""
    )
    return "native" if native else "zxing"


def scan_with_the_camera(page, tag):
    from playwright.sync_api import expect

    button = page.locator("#scan-camera-button")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("#scan-card")).to_have_attribute("data-tag", tag, timeout=20_000)
    # The camera is closed again, the field has the focus back.
    expect(page.locator("#scan-camera")).to_be_hidden()
    assert page.evaluate("document.querySelector('#scan-camera-video').srcObject") is None
    expect(page.locator("#scan-input")).to_be_focused()
    return page.evaluate("document.documentElement.dataset.scanDecoder")


def test_the_camera_reads_the_qr_code_of_a_label(camera_browser, live_server, technician):
    device = DeviceFactory(status=Status.RECEIVED)
    browser = camera_browser(qr_frame(device_public_url(device.asset_tag)))
    page, decoder_requests = open_station(browser, live_server, technician)
    assert decoder_requests == []  # the decoder is only loaded when the camera opens
    expected = expected_decoder(page)

    assert scan_with_the_camera(page, device.asset_tag) == expected
    assert page.locator("#scan-log li.scan-entry").first.get_attribute("data-outcome") == "ok"
    assert bool(decoder_requests) == (expected == "zxing")


def test_the_camera_reads_the_code128_of_an_asset_tag(camera_browser, live_server, technician):
    device = DeviceFactory(status=Status.RECEIVED)
    browser = camera_browser(code128_frame(device.asset_tag))
    page, _requests = open_station(browser, live_server, technician)
    expected = expected_decoder(page)

    assert scan_with_the_camera(page, device.asset_tag) == expected


# A BarcodeDetector that reads the code given, as Chrome on Android would.
FAKE_DETECTOR = """
window.BarcodeDetector = class {
    static async getSupportedFormats() { return ["code_128", "qr_code", "ean_13"]; }
    constructor(options) { window.__detectorFormats = options.formats; }
    async detect(source) {
        return source.videoWidth ? [{ rawValue: %r, format: "code_128" }] : [];
    }
};
"""


def test_the_browser_s_own_barcode_detector_is_preferred(camera_browser, live_server, technician):
    device = DeviceFactory(status=Status.RECEIVED)
    browser = camera_browser(qr_frame("nothing to read here"))
    page, decoder_requests = open_station(
        browser, live_server, technician, init_script=FAKE_DETECTOR % device.asset_tag
    )

    assert scan_with_the_camera(page, device.asset_tag) == "native"
    assert sorted(page.evaluate("window.__detectorFormats")) == ["code_128", "qr_code"]
    assert decoder_requests == []  # the vendored decoder was never downloaded


def test_a_refused_camera_says_so_and_gives_the_field_back(camera_browser, live_server, technician):
    from playwright.sync_api import expect

    browser = camera_browser(qr_frame("RE-000001"), fake_ui=False)
    page, _requests = open_station(browser, live_server, technician, grant_camera=False)
    page.click("#scan-camera-button")
    status = page.locator("#scan-camera-status")
    expect(status).to_have_class(re.compile(r"\bscan-camera-error\b"))
    expect(status).to_have_text(
        french(
            "The camera was refused. Allow the camera for this site in the browser settings, "
            "or type the code."
        )
    )
    page.keyboard.press("Escape")
    expect(page.locator("#scan-camera")).to_be_hidden()
    expect(page.locator("#scan-input")).to_be_focused()


def test_without_a_camera_api_there_is_no_camera_button(login, live_server, technician):
    from playwright.sync_api import expect

    page = login(technician)
    page.goto(f"{live_server.url}/scan/")
    expect(page.locator("#scan-camera-button")).to_be_visible()

    # As on a plain http address, where browsers hide navigator.mediaDevices.
    page.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'mediaDevices', {get: () => undefined});"
    )
    page.reload()
    expect(page.locator("#scan-input")).to_be_focused()
    assert page.evaluate("navigator.mediaDevices") is None
    expect(page.locator("#scan-camera-button")).to_be_hidden()

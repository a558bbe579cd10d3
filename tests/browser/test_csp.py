"""The Content-Security-Policy: every page carries it, and the pages work under it.

A real Chromium loads the main pages of the demo as each demo role and records every
violation (the securitypolicyviolation events and the console's "Refused to…" errors):
there must be none. The camera scanner opens under the policy and reads a label.
"""

import pytest
from django.core.management import call_command
from django.test import override_settings

from inventory.models import Device, Status
from inventory.scan.codes import device_public_url
from lending.models import Household
from tests.browser import test_scan_station
from tests.browser.test_scan_station import open_station, qr_frame, scan_with_the_camera
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The scan station's Chromium with a fake camera filming a label.
camera_browser = test_scan_station.camera_browser

# Recorded before any script of the page runs.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI + " "
    + event.sourceFile + ":" + event.lineNumber);
});
"""


def violations_on(page, url):
    refused = []
    listener = lambda message: (  # noqa: E731
        "Content Security Policy" in message.text and refused.append(message.text)
    )
    page.on("console", listener)
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    found = page.evaluate("window.__cspViolations")
    page.remove_listener("console", listener)
    assert response.status == 200, url
    assert "content-security-policy" in response.headers, url
    return found + refused


@pytest.fixture
def demo(db):
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("load_demo_data", devices=40)


def pages_of(role):
    device = Device.objects.order_by("pk").first()
    # One of the CCAS's, whose social worker is the demo's `travailleur-social`.
    household = Household.objects.filter(structure__kind="ccas").order_by("pk").first()
    workshop = ["/", "/scan/", f"/devices/{device.asset_tag}/", "/devices/kanban/", "/devices/"]
    households = ["/", "/households/", f"/households/{household.code}/"]
    return {
        "technicien": workshop,
        "travailleur-social": households,
        "coordinatrice": [*workshop, *households[1:], "/account/security/"],
        "admin": [*workshop, *households[1:], "/account/security/", "/admin/"],
    }[role]


@pytest.mark.parametrize("role", ["technicien", "travailleur-social", "coordinatrice", "admin"])
def test_the_main_pages_run_without_a_csp_violation(browser, live_server, demo, role):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    assert violations_on(page, f"{live_server.url}/login/") == []
    page.fill("#id_username", role)
    page.fill("#id_password", "demo")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()

    found = {url: violations_on(page, live_server.url + url) for url in pages_of(role)}

    context.close()
    assert found == {url: [] for url in pages_of(role)}


def test_the_camera_scanner_reads_a_label_under_the_csp(camera_browser, live_server, technician):
    device = DeviceFactory(status=Status.RECEIVED)
    browser = camera_browser(qr_frame(device_public_url(device.asset_tag)))
    # The ZXing decoder (a script loaded when the camera opens, a canvas, the frames),
    # not the browser's own BarcodeDetector, so that the heavier path runs under the policy.
    page, decoder_requests = open_station(
        browser,
        live_server,
        technician,
        init_script=RECORD_VIOLATIONS + "delete window.BarcodeDetector;",
    )
    refused = []
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))

    assert scan_with_the_camera(page, device.asset_tag) == "zxing"
    assert decoder_requests
    assert page.evaluate("window.__cspViolations") == [] and refused == []

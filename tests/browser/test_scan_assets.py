"""The scan station's camera decoder is served by us, and no page loads code from a CDN.

No browser needed: these read the files. Volunteers' benches often have a poor network
or none beyond the local server, and a CDN would also tell a third party who scans what.
"""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
CAMERA_TEMPLATE = TEMPLATES / "inventory" / "scan" / "_scan_camera.html"
DECODER = "vendor/zxing/index.min.js"

# A script or style sheet fetched from another host: <script src="http…">,
# <link … href="//…">, @import url(https://…).
REMOTE = r"""(?:https?:)?//[^"'\s>]+"""
REMOTE_ASSET = re.compile(
    rf"""<script\b[^>]*\bsrc\s*=\s*["']?{REMOTE}"""
    rf"""|<link\b[^>]*\bhref\s*=\s*["']?{REMOTE}"""
    rf"""|@import\s+(?:url\()?["']?{REMOTE}""",
    re.IGNORECASE,
)


def test_the_vendored_decoder_is_there_with_its_licence():
    found = finders.find(DECODER)
    assert found, f"{DECODER} is not found by the static files finders"
    decoder = Path(found)
    assert decoder.stat().st_size > 100_000
    head = decoder.read_text(encoding="utf-8")[:400]
    assert "ZXing" in head  # the UMD build defines the global `ZXing`
    folder = decoder.parent
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "@zxing/library" in readme
    assert re.search(r"version \d+\.\d+\.\d+", readme)


def test_the_camera_template_points_at_the_decoder_and_its_script_through_static():
    template = CAMERA_TEMPLATE.read_text(encoding="utf-8")
    assert "{% load" in template and " static" in template
    assert f"{{% static '{DECODER}' %}}" in template
    assert "{% static 'js/scan-camera.js' %}" in template
    assert "{% static 'css/scan-camera.css' %}" in template
    for name in ("js/scan-camera.js", "css/scan-camera.css"):
        assert finders.find(name), f"{name} is missing from the static files"


def test_the_camera_script_loads_the_decoder_from_the_page_not_from_a_cdn():
    script = Path(finders.find("js/scan-camera.js")).read_text(encoding="utf-8")
    assert "dataset.decoderSrc" in script
    assert not re.search(r"https?://", script)


def test_the_regular_expression_catches_cdn_links():
    assert REMOTE_ASSET.search('<script src="https://unpkg.com/htmx.org"></script>')
    assert REMOTE_ASSET.search("<link rel=stylesheet href=//cdn.example.org/a.css>")
    assert REMOTE_ASSET.search('@import url("https://fonts.example.org/x.css");')
    assert not REMOTE_ASSET.search("<script src=\"{% static 'js/scan.js' %}\" defer></script>")
    assert not REMOTE_ASSET.search('<a href="https://www.legifrance.gouv.fr/">loi</a>')


def test_no_template_loads_scripts_or_styles_from_another_host():
    offenders = []
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert CAMERA_TEMPLATE in templates
    for template in templates:
        text = template.read_text(encoding="utf-8")
        offenders += [
            f"{template.relative_to(ROOT)}: {match.group(0)}"
            for match in REMOTE_ASSET.finditer(text)
        ]
    assert offenders == []


def test_the_rendered_scan_station_loads_nothing_from_another_host(db, technician_client):
    # Rendered, so that template tags such as {% htmx_script %} are checked too.
    response = technician_client.get("/scan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="scan-camera-button"' in html
    assert "/static/js/scan-camera.js" in html
    assert "vendor/zxing" in html  # named for the script to load later, not loaded yet
    assert f'<script src="/static/{DECODER}"' not in html
    assert [match.group(0) for match in REMOTE_ASSET.finditer(html)] == []

from django.urls import path

from . import public_views, scan_views
from . import urls as _inventory_urls  # noqa: F401  (registers the <tag:…> converter)

app_name = "scan"

urlpatterns = [
    path("scan/", scan_views.station, name="station"),
    # Public: the address in a label's QR code (scan_codes.device_public_url).
    path("d/<tag:asset_tag>/", public_views.public_device, name="public_device"),
]

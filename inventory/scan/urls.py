from django.urls import path

from inventory import urls as _inventory_urls  # noqa: F401  (registers the <tag:…> converter)
from inventory.scan import views as scan_views
from public import views as public_views

app_name = "scan"

urlpatterns = [
    path("scan/", scan_views.station, name="station"),
    # Public: the address in a label's QR code (scan_codes.device_public_url).
    path("d/<tag:asset_tag>/", public_views.public_device, name="public_device"),
]

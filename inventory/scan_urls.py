from django.urls import path

from . import scan_views
from . import urls as _inventory_urls  # noqa: F401  (registers the <tag:…> converter)

app_name = "scan"

urlpatterns = [
    path("scan/", scan_views.station, name="station"),
    path("d/<tag:asset_tag>/", scan_views.public_device, name="public_device"),
]

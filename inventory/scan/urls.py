from django.urls import path

from inventory import converters  # noqa: F401  (registers the <tag:…> converter)
from inventory.scan import views as scan_views

app_name = "scan"

urlpatterns = [
    path("scan/", scan_views.station, name="station"),
]

"""The labels' part of the workstations' API, under /api/ (see config/urls.py)."""

from django.urls import path

from inventory import converters  # noqa: F401  (registers the <tag:…> converter)
from labels import views

app_name = "labels_api"

urlpatterns = [
    path("api/labels/<tag:asset_tag>.pdf", views.api_device_label, name="device_label"),
]

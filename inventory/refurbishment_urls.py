from django.urls import path  # noqa: F401

from . import refurbishment_views  # noqa: F401

app_name = "refurbishment"

urlpatterns = []

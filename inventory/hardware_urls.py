from django.urls import path  # noqa: F401

from . import hardware_views  # noqa: F401

app_name = "hardware"

urlpatterns = []

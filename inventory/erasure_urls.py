from django.urls import path  # noqa: F401

from . import erasure_views  # noqa: F401

app_name = "erasure"

urlpatterns = []

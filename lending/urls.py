"""Lending pages, one module per area, all in the "lending" namespace."""

from django.urls import include, path

app_name = "lending"

urlpatterns = [
    path("", include("lending.overview_urls")),
    path("", include("lending.household_urls")),
    path("", include("lending.programme_urls")),
    path("", include("lending.loan_urls")),
]

"""Lending pages, one module per area, all in the "lending" namespace."""

from django.urls import include, path

app_name = "lending"

urlpatterns = [
    path("", include("lending.overview.urls")),
    path("", include("lending.households.urls")),
    path("", include("lending.enrolments.urls")),
    path("", include("lending.programmes.urls")),
    path("", include("lending.reference.urls")),
    path("", include("lending.loans.urls")),
    path("", include("lending.sims.urls")),
    path("", include("lending.privacy.urls")),
    path("", include("lending.activity.urls")),
]

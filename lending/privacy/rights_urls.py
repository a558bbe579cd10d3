"""Lending pages: the households' rights (subject access) and the access log."""

from django.urls import path

from lending.privacy import access_log_views, subject_export_views

urlpatterns = [
    path("access-log/", access_log_views.access_log, name="access_log"),
    path(
        "households/<str:code>/access-log/",
        access_log_views.household_access_log,
        name="household_access_log",
    ),
    path(
        "households/<str:code>/personal-data.zip",
        subject_export_views.household_subject_export,
        name="household_subject_export",
    ),
]

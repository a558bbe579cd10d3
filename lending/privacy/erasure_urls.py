"""Erasure on request, on the household's pages."""

from django.urls import path

from lending.privacy import erasure_views

urlpatterns = [
    path(
        "households/<str:code>/anonymise/",
        erasure_views.erasure_confirm,
        name="household_anonymise",
    ),
]

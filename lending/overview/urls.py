"""Lending pages: the overview of what needs doing."""

from django.urls import path

from lending.overview import views as overview_views

urlpatterns = [
    path("lending/", overview_views.overview, name="overview"),
]

"""Lending pages: SIM cards."""

from django.urls import path

from lending.sims import views

urlpatterns = [
    path("sims/", views.sim_list, name="sim_list"),
    path("sims/new/", views.sim_create, name="sim_create"),
    path("sims/<int:pk>/edit/", views.sim_edit, name="sim_edit"),
]

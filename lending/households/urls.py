"""Lending pages: households."""

from django.urls import path

from lending.households import views

urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<str:code>/", views.household_detail, name="household_detail"),
    path("households/<str:code>/edit/", views.household_edit, name="household_edit"),
    path("households/<str:code>/comment/", views.household_comment, name="household_comment"),
    path("households/<str:code>/apply/", views.household_apply, name="household_apply"),
]

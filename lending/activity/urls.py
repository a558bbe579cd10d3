"""Lending pages: programme activity (the Coop export)."""

from django.urls import path

from lending.activity import views

urlpatterns = [
    path("activity/coop/", views.coop_page, name="coop_export"),
    path("activity/coop/beneficiaries/", views.coop_beneficiaries, name="coop_beneficiaries"),
    path("activity/coop/activities/", views.coop_activities, name="coop_activities"),
]

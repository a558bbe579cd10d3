from django.urls import path

from inventory.organisation import views as organisation_views

app_name = "organisation"

urlpatterns = [
    path("organisation/", organisation_views.organisation_edit, name="edit"),
    # Public: shown on the page behind every label's QR code.
    path("organisation/logo/", organisation_views.organisation_logo, name="logo"),
]

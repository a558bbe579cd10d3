"""The pages anyone may open without an account. Their paths are printed in QR codes on
labels and certificates already stuck on devices and handed to donors: never change them."""

from django.urls import path

from inventory import converters  # noqa: F401  (registers the <tag:…> converter)
from public import views

app_name = "public"

urlpatterns = [
    # The address in a label's QR code (inventory.scan.codes.device_public_url).
    path("d/<tag:asset_tag>/", views.public_device, name="public_device"),
    # The address in an erasure certificate's QR code.
    path("verify/<str:number>/", views.verify_certificate, name="verify_certificate"),
    # The address in the donor e-mail (inventory.donors.documents.donation_page_link).
    path("donation/<str:token>/", views.donation_page, name="donation_page"),
]

"""Lending pages: consents, the information notice, the register of processing."""

from django.urls import path

from lending.privacy import views

urlpatterns = [
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("privacy/notice.pdf", views.privacy_notice, name="privacy_notice"),
    path("privacy/register/", views.processing_register, name="processing_register"),
    path(
        "privacy/register.<str:fmt>",
        views.processing_register_export,
        name="processing_register_export",
    ),
]

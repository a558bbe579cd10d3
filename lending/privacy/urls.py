"""The households' data protection pages: consents, the information notice, the register
of processing, the rights (subject access, erasure on request) and the access log."""

from django.urls import path

from lending.privacy import access_log_views, erasure_views, subject_export_views, views

urlpatterns = [
    path("access-log/", access_log_views.access_log, name="access_log"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path(
        "households/<str:code>/access-log/",
        access_log_views.household_access_log,
        name="household_access_log",
    ),
    path(
        "households/<str:code>/anonymise/",
        erasure_views.erasure_confirm,
        name="household_anonymise",
    ),
    path(
        "households/<str:code>/personal-data.zip",
        subject_export_views.household_subject_export,
        name="household_subject_export",
    ),
    path("privacy/notice.pdf", views.privacy_notice, name="privacy_notice"),
    path("privacy/register/", views.processing_register, name="processing_register"),
    path(
        "privacy/register.<str:fmt>",
        views.processing_register_export,
        name="processing_register_export",
    ),
]

from django.urls import path

from inventory import converters  # noqa: F401  (registers the <tag:…> converter)
from inventory.erasure import factory_reset_views
from inventory.erasure import views as erasure_views

app_name = "erasure"

urlpatterns = [
    path(
        "devices/<tag:asset_tag>/erasure-log/",
        erasure_views.erasure_log_import,
        name="log_import",
    ),
    path(
        "devices/<tag:asset_tag>/erasure-certificate/",
        erasure_views.certificate_issue,
        name="certificate_issue",
    ),
    path(
        "devices/<tag:asset_tag>/erasure-validation/",
        erasure_views.erasures_validate,
        name="validate",
    ),
    path(
        "devices/<tag:asset_tag>/erasure-certificate/<str:number>.pdf",
        erasure_views.certificate_pdf,
        name="certificate_pdf",
    ),
    path(
        "donations/<int:pk>/erasure-summary.pdf",
        erasure_views.donation_erasure_summary,
        name="donation_summary",
    ),
    path(
        "devices/<tag:asset_tag>/erasure-run/",
        erasure_views.erasure_run_status,
        name="run_status",
    ),
    path(
        "devices/<tag:asset_tag>/factory-reset/",
        factory_reset_views.factory_reset,
        name="factory_reset",
    ),
    path("api/erasure-logs/", erasure_views.api_log, name="api_log"),
    path("api/erasure-starts/", erasure_views.api_start, name="api_start"),
    path("api/erasure-progress/", erasure_views.api_progress, name="api_progress"),
    path("erasure-logs/<int:pk>/", erasure_views.erasure_log_download, name="log_download"),
]

from django.urls import path

from inventory import converters  # noqa: F401  (registers the <tag:…> converter)
from inventory.hardware import views as hardware_views

app_name = "hardware"

urlpatterns = [
    # Must be resolved before inventory.urls, whose devices/<tag>/ would take it.
    path("devices/import-hardware/", hardware_views.import_page, name="import"),
    path(
        "devices/<tag:asset_tag>/hardware-reports/",
        hardware_views.device_import,
        name="device_import",
    ),
    path("hardware-reports/<int:pk>/lshw.json", hardware_views.report_lshw, name="report_lshw"),
    path("api/hardware-reports/", hardware_views.api_report, name="api_report"),
    path("workshop/workstations/", hardware_views.workstation_list, name="workstation_list"),
    path(
        "workshop/workstations/<int:pk>/revoke/",
        hardware_views.workstation_revoke,
        name="workstation_revoke",
    ),
]

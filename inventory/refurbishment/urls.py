from django.urls import path

from inventory import converters  # noqa: F401  (registers the <tag:…> converter)
from inventory.refurbishment import views

app_name = "refurbishment"

urlpatterns = [
    # Actions of the device page's refurbishment card.
    path("devices/<tag:asset_tag>/checks/<int:item_pk>/", views.check_record, name="check_record"),
    path(
        "devices/<tag:asset_tag>/checks/all-passed/",
        views.checks_pass_all,
        name="checks_pass_all",
    ),
    path("devices/<tag:asset_tag>/ready/", views.device_ready, name="device_ready"),
    path("devices/<tag:asset_tag>/parts/", views.part_use, name="part_use"),
    path("devices/<tag:asset_tag>/system/", views.system_install, name="system_install"),
    # The workstations' API: the workbench program's check results.
    path("api/check-results/", views.api_check_results, name="api_check_results"),
    # The workshop's reference data.
    path("workshop/checklists/", views.checklist_list, name="checklist_list"),
    path("workshop/checklists/new/", views.checklist_add, name="checklist_add"),
    path("workshop/checklists/<int:pk>/", views.checklist_edit, name="checklist_edit"),
    path("workshop/parts/", views.part_list, name="part_list"),
    path("workshop/parts/<int:pk>/restock/", views.part_restock, name="part_restock"),
    path("workshop/systems/", views.system_list, name="system_list"),
    path("workshop/systems/<int:pk>/offered/", views.system_offered, name="system_offered"),
]

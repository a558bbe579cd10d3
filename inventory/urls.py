from django.urls import include, path

from inventory import (
    converters,  # noqa: F401  (registers the <tag:…> converter)
    views,
)

app_name = "inventory"

urlpatterns = [
    path("devices/", views.device_list, name="device_list"),
    path("devices/kanban/", views.device_kanban, name="device_kanban"),
    path("devices/new/", views.device_create, name="device_create"),
    path("devices/bulk-transition/", views.device_bulk_transition, name="device_bulk_transition"),
    path("devices/<tag:asset_tag>/", views.device_detail, name="device_detail"),
    path(
        "devices/<tag:asset_tag>/transition/<slug:target>/",
        views.device_transition,
        name="device_transition",
    ),
    path("devices/<tag:asset_tag>/comment/", views.device_comment, name="device_comment"),
    path("devices/<tag:asset_tag>/shelve/", views.device_shelve, name="device_shelve"),
    path("devices/<tag:asset_tag>/drives/", views.drive_add, name="drive_add"),
    path("devices/<tag:asset_tag>/erasures/", views.erasure_add, name="erasure_add"),
    path("donors/", views.donor_list, name="donor_list"),
    path("donors/new/", views.donor_create, name="donor_create"),
    path("donors/<int:pk>/", views.donor_detail, name="donor_detail"),
    path("donors/<int:pk>/edit/", views.donor_edit, name="donor_edit"),
    path("donors/<int:pk>/comment/", views.donor_comment, name="donor_comment"),
    path("donations/", views.donation_list, name="donation_list"),
    path("donations/new/", views.donation_create, name="donation_create"),
    path("donations/<int:pk>/", views.donation_detail, name="donation_detail"),
    path("donations/<int:pk>/edit/", views.donation_edit, name="donation_edit"),
    path("donations/<int:pk>/comment/", views.donation_comment, name="donation_comment"),
    path("sites/", views.site_list, name="site_list"),
    path("recycling/", include("inventory.recycling.urls")),
]

from django.urls import path

from labels import views

app_name = "labels"

urlpatterns = [
    path("", views.index, name="index"),
    path("queue/print/", views.queue_print, name="queue_print"),
    path("queue/<int:pk>/remove/", views.queue_remove, name="queue_remove"),
    path("workstations/", views.workstation_printers, name="workstation_printers"),
    path("layouts/new/", views.layout_create, name="layout_create"),
    path("layouts/<int:pk>/edit/", views.layout_edit, name="layout_edit"),
    path("print/devices/", views.print_devices, name="print_devices"),
    path("print/locations/", views.print_locations, name="print_locations"),
    path("print/actions/", views.print_actions, name="print_actions"),
    path("print/<slug:kind>/preview.pdf", views.preview, name="preview"),
    path("batches/<uuid:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<uuid:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("batches/<uuid:pk>/download/", views.batch_download, name="batch_download"),
]

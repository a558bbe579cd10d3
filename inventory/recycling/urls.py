from django.urls import path

from inventory.recycling import views

app_name = "recycling"

urlpatterns = [
    path("", views.shipment_list, name="list"),
    path("new/", views.shipment_create, name="create"),
    path("<int:pk>/", views.shipment_detail, name="detail"),
    path("<int:pk>/paperwork/", views.shipment_edit, name="edit"),
]

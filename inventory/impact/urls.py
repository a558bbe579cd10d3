from django.urls import path

from inventory.impact import views

app_name = "impact"

urlpatterns = [
    path("impact/factors/", views.factor_set_list, name="factor_sets"),
    path("impact/factors/new/", views.factor_set_new, name="factor_set_new"),
]

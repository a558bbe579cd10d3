from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("close/", views.close, name="close"),
    path("closed/", views.closed_list, name="closed_list"),
    path("closed/<str:number>/", views.closed_report, name="closed_report"),
]

"""Lending pages: an enrolment and the decisions on it."""

from django.urls import path

from lending.enrolments import views

urlpatterns = [
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment_detail"),
    path("enrolments/<int:pk>/comment/", views.enrolment_comment, name="enrolment_comment"),
    path("enrolments/<int:pk>/eligible/", views.enrolment_eligible, name="enrolment_eligible"),
    path("enrolments/<int:pk>/reject/", views.enrolment_reject, name="enrolment_reject"),
    path("enrolments/<int:pk>/enrol/", views.enrolment_enrol, name="enrolment_enrol"),
    path("enrolments/<int:pk>/waitlist/", views.enrolment_waitlist, name="enrolment_waitlist"),
    path("enrolments/<int:pk>/move/", views.enrolment_move, name="enrolment_move"),
    path("enrolments/<int:pk>/withdraw/", views.enrolment_withdraw, name="enrolment_withdraw"),
    path("enrolments/<int:pk>/complete/", views.enrolment_complete, name="enrolment_complete"),
]

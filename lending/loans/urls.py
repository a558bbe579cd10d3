"""Lending pages: loans, their actions and agreement."""

from django.urls import path

from lending.loans import views

urlpatterns = [
    path("loans/", views.loan_list, name="loan_list"),
    path("enrolments/<int:pk>/request-loan/", views.loan_request, name="loan_request"),
    path("loans/<int:pk>/", views.loan_detail, name="loan_detail"),
    path("loans/<int:pk>/approve/", views.loan_approve, name="loan_approve"),
    path("loans/<int:pk>/hand-over/", views.loan_hand_over, name="loan_hand_over"),
    path("loans/<int:pk>/extend/", views.loan_extend, name="loan_extend"),
    path("loans/<int:pk>/cancel/", views.loan_cancel, name="loan_cancel"),
    path("loans/<int:pk>/return/", views.loan_return, name="loan_return"),
    path("loans/<int:pk>/review/", views.loan_review, name="loan_review"),
    path("loans/<int:pk>/gift/", views.loan_gift, name="loan_gift"),
    path("loans/<int:pk>/lost/", views.loan_lost, name="loan_lost"),
    path("loans/<int:pk>/comment/", views.loan_comment, name="loan_comment"),
    path("loans/<int:pk>/agreement.pdf", views.loan_agreement, name="loan_agreement"),
    path(
        "loans/<int:pk>/gift-attestation.pdf",
        views.loan_gift_attestation,
        name="loan_gift_attestation",
    ),
]

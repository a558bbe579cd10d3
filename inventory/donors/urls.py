from django.urls import path

from inventory.donors import views as donor_views

app_name = "donor_documents"

urlpatterns = [
    path("donations/tax-receipts/", donor_views.tax_receipts, name="tax_receipts"),
    path("donations/<int:pk>/attestation.pdf", donor_views.attestation, name="attestation"),
    path("donations/<int:pk>/tax-receipt.pdf", donor_views.tax_receipt, name="tax_receipt"),
    path(
        "donations/<int:pk>/erasure-summary/send/",
        donor_views.send_erasure_summary,
        name="send_erasure_summary",
    ),
    path("donations/<int:pk>/valuation/", donor_views.valuation, name="valuation"),
    # Public: the link e-mailed to the donor's contact (signed, it expires).
    path(
        "donor-documents/<str:token>/erasure-summary.pdf",
        donor_views.shared_erasure_summary,
        name="shared_erasure_summary",
    ),
]

"""The shop: the counter, sales and their receipts, credit notes, the till, the price list."""

from django.urls import path

from inventory import converters  # noqa: F401  (registers the <tag:…> converter)
from sales import views

app_name = "sales"

urlpatterns = [
    path("", views.sale_list, name="sale_list"),
    path("new/", views.sale_new, name="sale_new"),
    path("till/", views.till, name="till"),
    path("prices/", views.price_list, name="price_list"),
    path("proofs/", views.proof_list, name="proof_list"),
    path("proofs/<int:pk>/", views.proof_edit, name="proof_edit"),
    path("<int:pk>/", views.sale_detail, name="sale_detail"),
    path("device/<tag:asset_tag>/", views.device_sale, name="device_sale"),
    path("<int:pk>/receipt.pdf", views.receipt, name="receipt"),
    path("<int:pk>/cancel/", views.sale_cancel, name="sale_cancel"),
    path("credit-notes/<int:pk>.pdf", views.credit_note, name="credit_note"),
    path("<int:pk>/invoice/", views.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>.pdf", views.invoice, name="invoice"),
]

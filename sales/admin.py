"""The shop in the admin: the price list and the proofs are editable (with history);
sales and credit notes are read only, since a receipt is never edited."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from sales.models import CreditNote, EligibilityProof, Invoice, Price, Sale, SaleItem


@admin.register(EligibilityProof)
class EligibilityProofAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["active"]


@admin.register(Price)
class PriceAdmin(SimpleHistoryAdmin):
    list_display = ["category", "grade", "price", "solidarity_price"]
    list_filter = ["category", "grade"]


class ReadOnly:
    """Receipts and credit notes are never edited, in the admin either."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SaleItemInline(ReadOnly, admin.TabularInline):
    model = SaleItem
    extra = 0
    fields = [
        "device",
        "description",
        "serial_number",
        "refurbished",
        "price_kind",
        "list_price",
        "discount",
        "discount_reason",
        "price",
        "active",
    ]
    readonly_fields = fields


@admin.register(Sale)
class SaleAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["number", "sold_at", "site", "seller", "payment_method", "total", "status"]
    list_filter = ["site", "status", "payment_method", "solidarity"]
    search_fields = ["number", "items__device__asset_tag"]
    date_hierarchy = "sold_at"
    list_select_related = ["site", "seller"]
    inlines = [SaleItemInline]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["number", "issued_at", "sale", "total", "refund_method", "issued_by"]
    search_fields = ["number", "sale__number"]
    list_select_related = ["sale", "issued_by"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnly, SimpleHistoryAdmin):
    # Frozen when issued: read here, never edited.
    list_display = ["number", "issued_at", "sale", "buyer_name", "buyer_siren", "due_date"]

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from labels.models import LabelBatch, LabelLayout


@admin.register(LabelLayout)
class LabelLayoutAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "printer_dpi", "label_size", "grid", "active"]
    list_filter = ["kind", "printer_dpi", "active"]
    search_fields = ["name", "notes"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "printer_dpi", "active", "notes"]}),
        (_("Page"), {"fields": ["page_width_mm", "page_height_mm"]}),
        (
            _("Labels on the page"),
            {
                "fields": [
                    ("label_width_mm", "label_height_mm"),
                    ("columns", "rows"),
                    ("margin_left_mm", "margin_top_mm"),
                    ("gap_x_mm", "gap_y_mm"),
                ]
            },
        ),
        (_("Printer calibration"), {"fields": [("offset_x_mm", "offset_y_mm")]}),
    ]

    @admin.display(description=_("label size (mm)"))
    def label_size(self, layout):
        return f"{layout.label_width_mm.normalize():f} × {layout.label_height_mm.normalize():f}"

    @admin.display(description=_("labels per page"))
    def grid(self, layout):
        return f"{layout.columns} × {layout.rows}"


@admin.register(LabelBatch)
class LabelBatchAdmin(admin.ModelAdmin):
    """Batches are made by the label pages; the admin only shows them."""

    list_display = ["created_at", "description", "kind", "layout", "state", "done", "total"]
    list_filter = ["state", "kind", "layout"]
    list_select_related = ["layout", "created_by"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

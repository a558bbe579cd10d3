from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from inventory import services
from inventory.models import (
    Comment,
    Device,
    Donation,
    Donor,
    Drive,
    Erasure,
    Location,
    Sequence,
    Site,
    StockExit,
    StockSnapshot,
    WeightDefault,
)


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name"]
    inlines = [LocationInline]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "site"]
    list_filter = ["site"]
    search_fields = ["code", "name"]


@admin.register(Donor)
class DonorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "contact_name", "email"]
    list_filter = ["kind"]
    search_fields = ["name", "contact_name", "email", "siren"]


@admin.register(Donation)
class DonationAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "donor", "received_on", "site"]
    list_filter = ["site"]
    date_hierarchy = "received_on"
    autocomplete_fields = ["donor"]


class DriveInline(admin.TabularInline):
    model = Drive
    extra = 0


@admin.register(Device)
class DeviceAdmin(SimpleHistoryAdmin):
    list_display = [
        "asset_tag",
        "status",
        "category",
        "manufacturer",
        "model",
        "serial_number",
        "site",
    ]
    list_filter = ["status", "category", "grade", "site"]
    search_fields = ["asset_tag", "serial_number", "model", "manufacturer"]
    list_select_related = ["site"]
    raw_id_fields = ["donation", "location"]
    # Status changes go through the workflow (guards, history): read-only here.
    readonly_fields = ["asset_tag", "status", "created_at", "status_changed_at"]
    inlines = [DriveInline]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # The fields changed on the form only, as on the device page: a whole-row save
        # would write back a status moved since the form was read. A history version
        # posted as a "revert" writes nothing but the fields changed on it: its old
        # status and erasure cycle must not come back past the workflow's guards.
        services.update_device(device=obj, by=request.user, fields=form.changed_data)

    def revert_disabled(self, request, obj=None):
        # See save_model: a revert would bring back nothing, so none is offered.
        return True


@admin.register(Drive)
class DriveAdmin(SimpleHistoryAdmin):
    list_display = ["serial_number", "kind", "capacity_gb", "device"]
    search_fields = ["serial_number", "device__asset_tag"]
    raw_id_fields = ["device"]


@admin.register(Erasure)
class ErasureAdmin(SimpleHistoryAdmin):
    list_display = ["drive", "method", "result", "operator", "performed_at"]
    list_filter = ["method", "result"]
    raw_id_fields = ["drive"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["content_type", "object_id", "author", "audience", "created_at"]
    list_filter = ["audience"]


admin.site.register(Sequence)
admin.site.register(StockSnapshot)


@admin.register(WeightDefault)
class WeightDefaultAdmin(SimpleHistoryAdmin):
    """The weight assumed for a device nobody weighed: replace the seeded typical values
    with the average of your own weighings, and say so in the source."""

    list_display = ["category", "kg", "source", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_delete_permission(self, request, obj=None):
        # Without its row a category weighs 0 kg: change the weight, do not remove it.
        return False


@admin.register(StockExit)
class StockExitAdmin(admin.ModelAdmin):
    """The exits ledger, to read: rows are written by the workflow only."""

    list_display = ["at", "device", "channel", "sign", "site", "by"]
    list_filter = ["channel", "sign", "site"]
    date_hierarchy = "at"
    search_fields = ["device__asset_tag"]
    list_select_related = ["device", "site", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

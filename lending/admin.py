"""The Django admin for superusers: reference data is edited here too; the lending
objects are read-only, because their changes go through the workflows (history,
permissions, the device lifecycle) that the pages call."""

from django.contrib import admin

from lending.models import (
    Consent,
    Criterion,
    Enrolment,
    Funder,
    Household,
    HouseholdAccess,
    Loan,
    Programme,
    Reminder,
    SimCard,
    Structure,
    Workshop,
)
from lending.privacy.access_log import What, record_access


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune"]
    list_filter = ["kind"]
    search_fields = ["name", "commune"]
    filter_horizontal = ["members"]


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "sensitive", "active", "order"]
    list_editable = ["active", "order"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["name", "status", "capacity", "starts_on", "ends_on"]
    list_filter = ["status"]


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["code", "structure", "social_worker", "created_at"]
    list_filter = ["structure"]
    search_fields = ["code"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The admin shows the whole file: it is an opening like the household page's.
        household = self.get_object(request, object_id)
        if household is not None:
            record_access(request.user, household, What.VIEWED, detail="admin")
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["household", "programme", "status", "waitlist_position", "applied_at"]
    list_filter = ["status", "programme"]
    list_select_related = ["household", "programme"]


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ["pk", "household", "programme", "status", "starts_on", "due_on"]
    list_filter = ["status", "programme"]
    list_select_related = ["household", "programme"]


@admin.register(SimCard)
class SimCardAdmin(ReadOnlyAdmin):
    list_display = ["iccid", "phone_number", "operator", "data_plan_gb", "status", "ends_on"]
    list_filter = ["status", "operator"]
    search_fields = ["iccid", "phone_number"]


@admin.register(Workshop)
class WorkshopAdmin(ReadOnlyAdmin):
    list_display = ["topic", "programme", "starts_at", "place"]
    list_filter = ["programme"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["kind", "channel", "loan", "sim", "about_date", "recipient", "sent_at"]
    list_filter = ["kind", "channel"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["household", "purpose", "given_on", "withdrawn_on"]
    list_filter = ["purpose"]
    search_fields = ["household__code"]


@admin.register(HouseholdAccess)
class HouseholdAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "household", "what", "detail"]
    list_filter = ["what"]
    search_fields = ["household__code", "user__username"]

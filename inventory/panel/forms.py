"""Forms of the next-step panel: the ready step, a phone's factory reset, the shelf."""

from django import forms
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from inventory import workflow
from inventory.models import Grade, Location, OperatingSystem, OsInstall, Status

# What each grade means, shown beside the grade so that two technicians grade alike.
GRADE_CRITERIA = {
    Grade.A: _("Very good condition, no visible mark."),
    Grade.B: _("Visible wear (light scratches, shiny keys), everything works."),
    Grade.C: _("Marked (scratches, dents, screen marks) but fully working."),
    Grade.PARTS: _("Not sellable: kept for its parts."),
}

READY_PREFIX = "ready"


class SeenStatusForm(forms.Form):
    # The status the person saw, so that a change made meanwhile is refused, not undone.
    seen_status = forms.ChoiceField(choices=Status.choices, required=False)

    def seen(self, device):
        """The status to check the move against: the one posted, else the current one."""
        return (self.is_valid() and self.cleaned_data["seen_status"]) or device.status


def most_installed_system(category):
    """The offered system installed most often on devices of `category` (one query)."""
    counted = (
        OsInstall.objects.filter(device__category=category, system__active=True)
        .values("system")
        .annotate(n=Count("pk"))
        .order_by("-n", "system")
    )
    first = counted.first()
    return first["system"] if first else None


def usual_ready_shelf(device):
    """The shelf of the device's site holding most ready devices of its category (one
    query): where the technician would put this one, preselected, changed in one click."""
    counted = (
        Location.objects.filter(
            site_id=device.site_id,
            devices__category=device.category,
            devices__status=Status.READY,
        )
        .annotate(n=Count("devices"))
        .order_by("-n", "code")
        .values_list("pk", flat=True)
    )
    return counted.first()


class ReadyForm(SeenStatusForm):
    """The ready panel: the pending tests (one tick), the system (when none is recorded
    this cycle), the grade and the shelf."""

    system = forms.ModelChoiceField(
        label=_("Operating system installed"),
        queryset=OperatingSystem.objects.filter(active=True),
    )
    # Sent by the « All tests OK, ready » button, shown when tests have no result yet.
    pass_pending = forms.BooleanField(required=False, widget=forms.HiddenInput)
    grade = forms.ChoiceField(label=_("Grade"), widget=forms.RadioSelect)
    location = forms.ModelChoiceField(
        label=_("Put it on"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("(leave it where it is)"),
    )
    note = forms.CharField(
        label=_("Note for the history"),
        max_length=240,
        required=False,
        widget=forms.TextInput({"placeholder": _("Note (optional)")}),
    )

    def __init__(self, *args, device, has_system, pending_checks=0, **kwargs):
        kwargs.setdefault("prefix", READY_PREFIX)
        super().__init__(*args, **kwargs)
        if not pending_checks:
            del self.fields["pass_pending"]
        self.fields["grade"].choices = [
            (grade.value, f"{grade.label} — {GRADE_CRITERIA[grade]}") for grade in Grade
        ]
        self.fields["grade"].initial = device.grade or None
        self.fields["location"].queryset = Location.objects.filter(site_id=device.site_id)
        if not self.is_bound:
            # Where the ready ones wait, rather than where it is now (often the reception
            # dock or the bench); its own place when the site has no habit yet.
            self.fields["location"].initial = usual_ready_shelf(device) or device.location_id
        if has_system or not workflow.needs_system(device):
            del self.fields["system"]
        elif not self.is_bound:
            self.fields["system"].initial = most_installed_system(device.category)


class FactoryResetForm(SeenStatusForm):
    encrypted = forms.BooleanField(
        label=_("The device was encrypted"),
        required=False,
        initial=True,
        help_text=_(
            "Every iPhone and iPad, and Android phones and tablets from Android 10 on, "
            "encrypt their storage by default: their reset destroys the key, a "
            "cryptographic erase (NIST Purge). Untick it for an older device that was not "
            "encrypted: the reset is then recorded as a Clear."
        ),
    )
    note = forms.CharField(
        label=_("Note for the history"),
        max_length=240,
        required=False,
        widget=forms.TextInput({"placeholder": _("Note (optional)")}),
    )


class ShelfForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Shelf"), queryset=Location.objects.none())

    def __init__(self, *args, device, **kwargs):
        kwargs.setdefault("auto_id", "shelf_%s")
        super().__init__(*args, **kwargs)
        # The shelves of the device's site: a device is shelved where it is.
        self.fields["location"].queryset = Location.objects.filter(site_id=device.site_id)
        self.fields["location"].initial = device.location_id

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models import (
    LEVEL_OF_METHOD,
    Device,
    Donation,
    Donor,
    Drive,
    Erasure,
    Location,
    Site,
)
from inventory.services import normalise_serial


class DeviceForm(forms.ModelForm):
    class Meta:
        model = Device
        fields = [
            "category",
            "manufacturer",
            "model",
            "serial_number",
            "cpu",
            "ram_mb",
            "storage_summary",
            "battery_health",
            "weight_kg",
            "grade",
            "site",
            "location",
            "donation",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The page carries each value as it showed it, so that `changed_data` names
            # what the person changed, not what someone else changed since the page was
            # loaded: only those fields are written (services.update_device).
            for field in self.fields.values():
                field.show_hidden_initial = True
        self.fields["location"].queryset = Location.objects.select_related("site")
        # Offer the latest donations (and the device's own): thousands of options would
        # make the page heavy. Older donations are reached from the donation's page.
        recent = list(
            Donation.objects.order_by("-received_on", "-pk").values_list("pk", flat=True)[:50]
        )
        for current in (self.instance.donation_id, self.initial.get("donation")):
            if current:
                recent.append(current)
        self.fields["donation"].queryset = (
            Donation.objects.filter(pk__in=recent)
            .select_related("donor")
            .order_by("-received_on", "-pk")
        )

    def clean_serial_number(self):
        return normalise_serial(self.cleaned_data.get("serial_number"))

    def clean(self):
        cleaned = super().clean()
        serial = cleaned.get("serial_number")
        manufacturer = (cleaned.get("manufacturer") or "").strip()
        if serial:
            clash = Device.objects.filter(
                serial_number=serial, manufacturer__iexact=manufacturer
            ).exclude(pk=self.instance.pk)
            duplicate = clash.values_list("asset_tag", flat=True).first()
            if duplicate:
                self.add_error(
                    "serial_number",
                    _("This serial number is already registered for %(make)s on device %(tag)s.")
                    % {"make": manufacturer or _("this manufacturer"), "tag": duplicate},
                )
        location, site = cleaned.get("location"), cleaned.get("site")
        if location and site and location.site_id != site.pk:
            self.add_error(
                "location",
                _("This location belongs to another site (%(site)s).") % {"site": location.site},
            )
        # The serial-number constraint is checked above, with a message on the field; the
        # model's own check then skips it, as it skips every field that has an error.
        return cleaned


class DriveForm(forms.ModelForm):
    class Meta:
        model = Drive
        fields = ["kind", "serial_number", "model", "capacity_gb"]


_DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# NIST SP 800-88 levels, weakest first: a technique cannot reach more than its own.
_LEVEL_RANK = {"": 0, Erasure.Level.CLEAR: 1, Erasure.Level.PURGE: 2, Erasure.Level.DESTROY: 3}


class ErasureForm(forms.ModelForm):
    """Record by hand what was done to a drive; the level defaults to the technique's."""

    class Meta:
        model = Erasure
        fields = [
            "drive",
            "standard",
            "method",
            "level",
            "passes",
            "pattern",
            "tool",
            "tool_version",
            "started_at",
            "performed_at",
            "verification",
            "verification_passed",
            "result",
            "notes",
        ]
        widgets = {
            "notes": forms.TextInput(),
            "started_at": _DATETIME_INPUT,
            "performed_at": _DATETIME_INPUT,
            "verification_passed": forms.Select(
                choices=[
                    ("", _("No verification / not known")),
                    ("True", _("Verification passed")),
                    ("False", _("Verification failed")),
                ]
            ),
        }
        labels = {"verification_passed": _("Verification result")}
        help_texts = {
            "performed_at": _("Leave empty for now."),
            "pattern": _("For example: zeros, random, DoD short."),
        }

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drive"].queryset = device.drives.all()
        self.fields["level"].choices = [
            ("", _("Automatic (from the technique)")),
            *Erasure.Level.choices,
        ]
        # Left out of a post, these take the model's defaults (NIST Rev. 2, no verification).
        for name in ("standard", "verification", "performed_at"):
            self.fields[name].required = False
        self.fields["passes"].widget.attrs["min"] = 0

    def clean(self):
        cleaned = super().clean()
        for name in ("standard", "verification"):
            if not cleaned.get(name) and name not in self.errors:
                cleaned[name] = Erasure._meta.get_field(name).default
        method = cleaned.get("method")
        if method and not cleaned.get("level"):
            cleaned["level"] = LEVEL_OF_METHOD.get(method, "")
        self._check_level(cleaned)
        self._check_verification(cleaned)
        self._check_dates(cleaned)
        return cleaned

    def _check_level(self, cleaned):
        method, level = cleaned.get("method"), cleaned.get("level", "")
        reachable = LEVEL_OF_METHOD.get(method, "")
        if method and _LEVEL_RANK.get(level, 0) > _LEVEL_RANK.get(reachable, 0):
            self.add_error(
                "level",
                _("“%(method)s” reaches at most the level “%(level)s”.")
                % {
                    "method": Erasure.Method(method).label,
                    "level": Erasure.Level(reachable).label if reachable else "—",
                },
            )

    def _check_verification(self, cleaned):
        verification = cleaned.get("verification")
        verified = cleaned.get("verification_passed")
        if verification == Erasure.Verification.NONE and verified is not None:
            self.add_error(
                "verification_passed",
                _("No verification was made: it cannot have a result."),
            )
        elif verification and verification != Erasure.Verification.NONE and verified is None:
            self.add_error("verification_passed", _("Say whether the verification passed."))
        if verified is False and cleaned.get("result") == Erasure.Result.PASSED:
            self.add_error("result", _("The verification failed: the erasure cannot have passed."))

    def _check_dates(self, cleaned):
        started, finished = cleaned.get("started_at"), cleaned.get("performed_at")
        now = timezone.now()
        if finished and finished > now + datetime.timedelta(minutes=5):
            self.add_error("performed_at", _("This date is in the future."))
        if started and started > (finished or now):
            self.add_error("started_at", _("The erasure cannot start after it finished."))


class TransitionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
    seen_status = forms.CharField(widget=forms.HiddenInput, required=False)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class BulkTransitionForm(forms.Form):
    tags = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    target = forms.CharField()
    note = forms.CharField(required=False, max_length=1000)


class DonorForm(forms.ModelForm):
    class Meta:
        model = Donor
        fields = ["name", "kind", "siren", "contact_name", "email", "phone", "address", "notes"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_siren(self):
        siren = "".join(self.cleaned_data.get("siren", "").split())
        if siren and (len(siren) != 9 or not siren.isdigit()):
            raise forms.ValidationError(_("A SIREN number has exactly 9 digits."))
        return siren


class DonationForm(forms.ModelForm):
    # The tax-receipt fields (gift_description, valuation, valued_on) are not here but in
    # DonationValuationForm, saved by donor_documents.value_donation: valuing a gift is
    # the coordinator's (inventory.value_donation), while technicians record donations.
    # A separate form keeps the permission in one service rather than in every view that
    # builds this form, and a technician's post cannot carry a valuation through.
    class Meta:
        model = Donation
        fields = ["donor", "received_on", "site", "reference", "notes"]
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class DonationValuationForm(forms.ModelForm):
    """What a tax receipt states about the gift in kind: its nature and the value the
    donor declared, with how the donor valued it."""

    class Meta:
        model = Donation
        fields = ["gift_description", "valuation", "valuation_basis", "valued_on"]
        widgets = {"valued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"valued_on": _("Left empty, a valuation is dated today.")}


class _CodeFormMixin:
    def clean_code(self):
        # People type codes in any case; labels and scanners use upper case.
        return self.cleaned_data["code"].strip().upper()


class SiteForm(_CodeFormMixin, forms.ModelForm):
    class Meta:
        model = Site
        fields = ["code", "name", "kind", "address"]


class LocationForm(_CodeFormMixin, forms.ModelForm):
    class Meta:
        model = Location
        fields = ["site", "code", "name"]


# Ids typed into an address ----------------------------------------------------------


def looks_like_id(value):
    # SQLite refuses integers above 2**63 with an OverflowError (a 500): no row has one.
    return str(value).isdecimal() and len(str(value)) < 19


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not looks_like_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not looks_like_id(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)

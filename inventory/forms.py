from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Device, Donation, Donor, Drive, Erasure, Location, Site
from .services import normalise_serial


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
        return cleaned

    def validate_constraints(self, exclude=None):
        # The serial-number constraint is checked in clean() with a message on the field.
        pass


class DriveForm(forms.ModelForm):
    class Meta:
        model = Drive
        fields = ["kind", "serial_number", "model", "capacity_gb"]


class ErasureForm(forms.ModelForm):
    class Meta:
        model = Erasure
        fields = ["drive", "method", "result", "notes"]
        widgets = {"notes": forms.TextInput()}

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drive"].queryset = device.drives.all()


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
    class Meta:
        model = Donation
        fields = ["donor", "received_on", "site", "reference", "notes"]
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


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

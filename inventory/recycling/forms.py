"""The shipment form (devices picked by checkbox or scanned tags) and the paperwork form."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.models import Device, RecyclingShipment
from inventory.recycling.services import PAPERWORK_FIELDS, SHIPMENT_FIELDS, eligible_devices

SIRET_FIELDS = ("carrier_siret", "recipient_siret", "eco_organisation_siren")


class _IdentifiersTyped:
    """SIRET and SIREN as people copy them from a letterhead: "123 456 789 00012"."""

    def _widen_identifiers(self):
        for name in SIRET_FIELDS:
            if name in self.fields:
                self.fields[name].max_length = 20
                self.fields[name].widget.attrs["maxlength"] = 20
                self.fields[name].validators = []
                self.fields[name].help_text = _("Digits, spaces allowed.")

    def _digits(self, name):
        return "".join(self.cleaned_data.get(name, "").split())

    def clean_carrier_siret(self):
        return self._digits("carrier_siret")

    def clean_recipient_siret(self):
        return self._digits("recipient_siret")

    def clean_eco_organisation_siren(self):
        return self._digits("eco_organisation_siren")


class DeviceLabel(forms.ModelMultipleChoiceField):
    def label_from_instance(self, device):
        weight = f" · {device.weight_kg} kg" if device.weight_kg is not None else ""
        return f"{device} · {device.get_status_display()}{weight}"


class ShipmentForm(_IdentifiersTyped, forms.ModelForm):
    devices = DeviceLabel(
        queryset=Device.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Devices"),
    )
    tags = forms.CharField(
        label=_("Scanned asset tags"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
        help_text=_("Scan or type asset tags, one per line or separated by spaces."),
    )

    class Meta:
        model = RecyclingShipment
        fields = [
            "shipped_on",
            "waste_code",
            "waste_description",
            "contains_pop",
            "quantity_kg",
            "consignment_note",
            "recipient_name",
            "recipient_siret",
            "recipient_address",
            "treatment_code",
            "treatment_mode",
            "carrier_name",
            "carrier_siret",
            "carrier_address",
            "carrier_receipt_number",
            "eco_organisation_name",
            "eco_organisation_siren",
            "notes",
        ]
        widgets = {
            "shipped_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "recipient_address": forms.Textarea(attrs={"rows": 2}),
            "carrier_address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.eligible = eligible_devices(site)
        self.fields["devices"].queryset = self.eligible
        self.fields["quantity_kg"].required = False
        self.fields["quantity_kg"].help_text = _(
            "The weighed figure. Left empty: the sum of the chosen devices' weights."
        )
        self._widen_identifiers()
        assert set(self.Meta.fields) <= SHIPMENT_FIELDS

    def clean(self):
        cleaned = super().clean()
        chosen = list(cleaned.get("devices") or [])
        tags = (cleaned.get("tags") or "").upper().split()
        if tags:
            found = {d.asset_tag: d for d in self.eligible.filter(asset_tag__in=tags)}
            missing = [tag for tag in tags if tag not in found]
            if missing:
                self.add_error(
                    "tags",
                    _(
                        "Not among the devices of %(site)s that may leave for recycling "
                        "(kept for parts or in the workshop): %(tags)s."
                    )
                    % {"site": self.site, "tags": ", ".join(missing)},
                )
            chosen += [d for tag, d in found.items() if d not in chosen]
        if not chosen and not self.errors:
            self.add_error("devices", _("Choose at least one device for the shipment."))
        cleaned["device_list"] = chosen
        if cleaned.get("quantity_kg") is None and chosen:
            weights = [d.weight_kg for d in chosen]
            if any(w is None for w in weights):
                self.add_error(
                    "quantity_kg",
                    _("Some devices have no weight: weigh the load and give its quantity."),
                )
            else:
                cleaned["quantity_kg"] = sum(weights, Decimal(0))
        return cleaned

    def shipment_fields(self):
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return {**fields, "site": self.site}


class PaperworkForm(_IdentifiersTyped, forms.ModelForm):
    note = forms.CharField(label=_("Note for the history"), required=False)

    class Meta:
        model = RecyclingShipment
        fields = list(PAPERWORK_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        # The service validates the whole shipment (and says which field is wrong).
        pass

    def paperwork(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        return cleaned

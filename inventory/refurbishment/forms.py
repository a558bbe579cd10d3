"""Forms of the refurbishment step: a checklist result, a part fitted, a system installed,
and the workshop's reference data (checklist tests, parts, systems)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.models import ChecklistItem, CheckResult, OperatingSystem, Part

NOTE_ATTRS = {"placeholder": _("Note (optional)")}


class CheckForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Result"), choices=CheckResult.Outcome.choices)
    note = forms.CharField(label=_("Note"), max_length=240, required=False)


class PartChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, part):
        return _("%(kind)s · %(name)s (%(quantity)s in stock)") % {
            "kind": part.get_kind_display(),
            "name": part.name,
            "quantity": part.quantity,
        }


class PartUseForm(forms.Form):
    part = PartChoiceField(label=_("Part"), queryset=Part.objects.order_by("kind", "name"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100, initial=1)
    note = forms.CharField(
        label=_("Note"), max_length=240, required=False, widget=forms.TextInput(NOTE_ATTRS)
    )


class SystemInstallForm(forms.Form):
    # Only the systems still offered; a withdrawn one stays on the devices that have it.
    system = forms.ModelChoiceField(
        label=_("Operating system"), queryset=OperatingSystem.objects.filter(active=True)
    )
    note = forms.CharField(
        label=_("Note"), max_length=240, required=False, widget=forms.TextInput(NOTE_ATTRS)
    )


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = [
            "category",
            "label",
            "criterion",
            "mandatory",
            "position",
            "active",
            "workbench_check",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Results already recorded belong to devices of this category: a test does
            # not move to another one. Disabled, it still takes part in the unique check.
            self.fields["category"].disabled = True


class PartForm(forms.ModelForm):
    class Meta:
        model = Part
        fields = ["kind", "name", "quantity"]


class RestockForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000, initial=1)
    note = forms.CharField(
        label=_("Note"), max_length=240, required=False, widget=forms.TextInput(NOTE_ATTRS)
    )


class OperatingSystemForm(forms.ModelForm):
    class Meta:
        model = OperatingSystem
        fields = ["name", "version", "active"]


class OfferedForm(forms.Form):
    offered = forms.BooleanField(required=False)

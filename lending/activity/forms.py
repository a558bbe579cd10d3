"""The period and programme of the Coop export."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.impact.period import Period
from lending.models import Programme

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CoopExportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE_INPUT)
    end = forms.DateField(label=_("To (included)"), widget=DATE_INPUT)
    programme = forms.ModelChoiceField(
        queryset=Programme.objects.order_by("name"),
        required=False,
        label=_("Programme"),
        empty_label=_("All programmes"),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period cannot come before its start."))
        return cleaned

    @property
    def period(self):
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])

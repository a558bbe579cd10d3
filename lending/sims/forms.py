"""Forms of the SIM card pages. They read input; the rules (the plan's dates, a unique
ICCID) are lending.sims.services'."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from lending.models import SimCard

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IccidField(forms.CharField):
    def to_python(self, value):
        # Printed in groups of four or five digits: people type the spaces too, and the
        # digits are checked once those are gone.
        return re.sub(r"[\s-]+", "", super().to_python(value))


class SimCardForm(forms.ModelForm):
    class Meta:
        model = SimCard
        fields = [
            "iccid",
            "phone_number",
            "operator",
            "data_plan_gb",
            "monthly_cost",
            "activated_on",
            "ends_on",
            "notes",
        ]
        widgets = {
            "activated_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"iccid": IccidField}
        error_messages = {
            "iccid": {"unique": _("A SIM card with this ICCID is already registered.")}
        }


class SimFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *SimCard.Status.choices]
    )
    ending = forms.BooleanField(label=_("Plan ending soon"), required=False)

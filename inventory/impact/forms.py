"""The form of a new factor version: the latest factors, editable, and a reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.models import ImpactFactor

# The fields shown per factor; years only for the yearly method.
_FIELDS = ("kg_co2e", "assumed_second_life_years", "source_title", "source_url", "year")


def _extra(field):
    # Sources are cited with their https address.
    return {"assume_scheme": "https"} if field == "source_url" else {}


def _name(factor, field):
    return f"{factor.category}__{factor.method}__{field}"


class NewVersionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the new version"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the source published corrected figures."),
    )

    def __init__(self, *args, factor_set, **kwargs):
        super().__init__(*args, **kwargs)
        self.factor_set = factor_set
        self.factors = list(factor_set.factors.all())
        self.groups = []
        for factor in self.factors:
            names = []
            for field in _FIELDS:
                if (
                    field == "assumed_second_life_years"
                    and factor.method != ImpactFactor.Method.YEARLY
                ):
                    continue
                model_field = ImpactFactor._meta.get_field(field)
                form_field = model_field.formfield(required=field != "source_url", **_extra(field))
                form_field.initial = getattr(factor, field)
                self.fields[_name(factor, field)] = form_field
                names.append(_name(factor, field))
            self.groups.append((factor, [self[name] for name in names]))
        # The reason comes last, after the factors.
        self.fields["reason"] = self.fields.pop("reason")

    def changes(self):
        """{(category, method): {field: new value}} for the factors whose values changed."""
        changes = {}
        for factor in self.factors:
            changed = {}
            for field in _FIELDS:
                name = _name(factor, field)
                if name in self.cleaned_data and self.cleaned_data[name] != getattr(factor, field):
                    changed[field] = self.cleaned_data[name]
            if changed:
                changes[(factor.category, factor.method)] = changed
        return changes

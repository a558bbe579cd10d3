"""Forms of the reference-data pages. They read input; the rules (who may, who can be a
member) are lending.reference.services'."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.forms import PeopleField, users_of
from accounts.roles import Role
from lending.models import Criterion, Funder, Structure


class SituationField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        if obj.sensitive:
            return _("%(criterion)s (health data)") % {"criterion": obj.name}
        return obj.name


class StructureForm(forms.ModelForm):
    members = PeopleField(
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Social workers"),
        help_text=_("They see the households of this structure, and only those."),
    )

    class Meta:
        model = Structure
        fields = ["name", "kind", "commune", "phone", "email", "members"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(self.instance.members.all()) if self.instance.pk else []
        self.fields["members"].queryset = users_of(Role.SOCIAL_WORKER, current)


class FunderForm(forms.ModelForm):
    class Meta:
        model = Funder
        fields = ["name", "kind"]


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "sensitive", "active", "order"]

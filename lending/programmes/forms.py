"""Forms of the programme and workshop pages. They read input; the rules (dates,
capacity, who may) are lending.programmes.services'."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.forms import PeopleField, users_of
from accounts.roles import Role
from inventory.models import Category
from lending.models import Criterion, Programme, Workshop
from lending.programmes.services import check_period

_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# The 4G router is lent through its own box ("lends a 4G router"), not as a category.
LENT_CATEGORIES = [(value, label) for value, label in Category.choices if value != "router_4g"]


class ProgrammeForm(forms.ModelForm):
    coordinators = PeopleField(
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Coordinators"),
        help_text=_("Who decides on enrolments and loans. You are added when you create it."),
    )
    lent_categories = forms.MultipleChoiceField(
        choices=LENT_CATEGORIES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Devices lent"),
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "status",
            "description",
            "structures",
            "funders",
            "coordinators",
            "capacity",
            "starts_on",
            "ends_on",
            "default_loan_days",
            "lent_categories",
            "lends_router",
            "lends_sim",
            "data_plan_gb",
            "expected_workshops",
            "criteria",
            "min_criteria",
            "contact_name",
            "contact_phone",
            "return_instructions",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "return_instructions": forms.Textarea(attrs={"rows": 3}),
            "structures": forms.CheckboxSelectMultiple,
            "funders": forms.CheckboxSelectMultiple,
            "criteria": forms.CheckboxSelectMultiple,
            "starts_on": _DATE_INPUT,
            "ends_on": _DATE_INPUT,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(self.instance.coordinators.all()) if self.instance.pk else []
        self.fields["coordinators"].queryset = users_of(Role.COORDINATOR, current)
        # Criteria no longer offered stay ticked on the programmes that have them.
        chosen = self.instance.criteria.all() if self.instance.pk else Criterion.objects.none()
        self.fields["criteria"].queryset = Criterion.objects.filter(
            Q(active=True) | Q(pk__in=chosen.values("pk"))
        )

    def clean(self):
        cleaned = super().clean()
        # Here rather than only in the service: an error on the end date keeps the
        # model's constraint from adding its own, less precise, sentence at the top.
        try:
            check_period(cleaned.get("starts_on"), cleaned.get("ends_on"))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned

    def relations(self):
        """The many-to-many choices, as the services take them."""
        return {
            name: list(self.cleaned_data[name])
            for name in ("structures", "funders", "coordinators", "criteria")
        }

    def fields_of_programme(self):
        """The other fields, as create_programme takes them."""
        relations = self.relations()
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name not in relations}


class WorkshopForm(forms.ModelForm):
    class Meta:
        model = Workshop
        fields = ["topic", "starts_at", "duration_minutes", "place", "facilitator", "capacity"]
        widgets = {"starts_at": _DATETIME_INPUT}


PRESENCE_PREFIX = "presence-"


def presences_from(data):
    """The presences posted by the attendance form: {household code: presence}. Rows
    left unanswered are not part of it."""
    return {
        key.removeprefix(PRESENCE_PREFIX): value
        for key, value in data.items()
        if key.startswith(PRESENCE_PREFIX) and value
    }

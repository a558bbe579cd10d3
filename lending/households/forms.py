"""Forms of the household pages. They check input; the rules (consent, who may register)
are the services'."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.templatetags.people import person
from lending.households.selectors import NO_ENROLMENT
from lending.models import (
    AgeBand,
    Criterion,
    Enrolment,
    Household,
    Need,
    Qpv,
    SocialStatus,
    Structure,
)
from lending.privacy.purposes import optional_purposes
from lending.reference.forms import SituationField


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person(obj)


UNKNOWN_BY_DEFAULT = {
    "qpv": Qpv.UNKNOWN,
    "age_band": AgeBand.UNKNOWN,
    "social_status": SocialStatus.UNKNOWN,
}


class InseeCodeField(forms.CharField):
    """The commune's INSEE code as people type it: " 2a004 " is 2A004."""

    def to_python(self, value):
        return super().to_python(value).replace(" ", "").upper()


class HouseholdForm(forms.ModelForm):
    """Registration and edits of a household by a social worker of its structure."""

    social_worker = PersonChoiceField(
        queryset=get_user_model().objects.none(), label=_("Social worker")
    )
    situations = SituationField(
        queryset=Criterion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Situation"),
        help_text=_(
            "Criteria marked “health data” can be recorded only with the household's "
            "explicit consent, ticked below."
        ),
    )
    needs = forms.MultipleChoiceField(
        choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple, label=_("Needs")
    )
    # Never ticked in advance, and no date to fill in: a consent is recorded on the day
    # it is ticked, by whoever ticks it. Those already given are withdrawn from the
    # household's page, not here.
    consents = forms.MultipleChoiceField(
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Optional consents"),
        help_text=_(
            "Tick only what the household agrees to today, after reading the information "
            "notice with it. Refusing changes nothing to its loan."
        ),
    )

    class Meta:
        model = Household
        fields = [
            "structure",
            "social_worker",
            "first_name",
            "last_name",
            "phone",
            "email",
            "postcode",
            "commune",
            "insee_code",
            "qpv",
            "size",
            "school_age_children",
            "age_band",
            "social_status",
            "situations",
            "needs",
            "notes",
        ]
        field_classes = {"insee_code": InseeCodeField}
        widgets = {
            "insee_code": forms.TextInput(attrs={"autocomplete": "off", "size": 6}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "postcode": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel"}),
            "size": forms.NumberInput(attrs={"min": 1, "max": 30}),
            "school_age_children": forms.NumberInput(attrs={"min": 0, "max": 29}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        structures = self._structures(user)
        self.fields["structure"].queryset = structures
        self.fields["social_worker"].queryset = (
            get_user_model()
            .objects.filter(
                Q(structures__in=structures) | Q(pk=user.pk) | Q(pk=self.instance.social_worker_id)
            )
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        criteria = Q(active=True)
        if self.instance.pk:
            # An inactive criterion the household already has stays ticked.
            criteria |= Q(pk__in=self.instance.situations.values("pk"))
        self.fields["situations"].queryset = Criterion.objects.filter(criteria)
        # Optional categories: a form that leaves them out keeps "unknown".
        for name in UNKNOWN_BY_DEFAULT:
            self.fields[name].required = False
        self.fields["consents"].choices = self._consent_choices()
        if not self.fields["consents"].choices:
            del self.fields["consents"]
        if not self.instance.pk:
            self._preselect(user, structures)

    def _consent_choices(self):
        given = self.instance.consented_purposes() if self.instance.pk else set()
        return [
            (
                purpose.consent,
                format_lazy(
                    _("{purpose} — {meaning}"), purpose=purpose.name, meaning=purpose.meaning
                ),
            )
            for purpose in optional_purposes()
            if purpose.consent not in given
        ]

    def _structures(self, user):
        structures = Structure.objects.all()
        if user.is_superuser:
            return structures
        mine = Q(members=user)
        if self.instance.pk:
            mine |= Q(pk=self.instance.structure_id)
        return structures.filter(mine).distinct()

    def _preselect(self, user, structures):
        self.initial.setdefault("social_worker", user.pk)
        only = list(structures[:2])
        if len(only) == 1:
            self.initial.setdefault("structure", only[0].pk)

    def clean(self):
        cleaned = super().clean()
        for name, default in UNKNOWN_BY_DEFAULT.items():
            if name in cleaned and not cleaned[name]:
                cleaned[name] = default
        structure, worker = cleaned.get("structure"), cleaned.get("social_worker")
        if (
            structure
            and worker
            and worker.pk != self.user.pk
            and not structure.members.filter(pk=worker.pk).exists()
        ):
            self.add_error(
                "social_worker",
                _("%(person)s is not a social worker of %(structure)s.")
                % {"person": person(worker), "structure": structure},
            )
        return cleaned

    def service_fields(self):
        """The cleaned fields as register_household takes them."""
        names = [name for name in self.Meta.fields if name != "situations"]
        return {name: self.cleaned_data[name] for name in names}

    def given_consents(self):
        """The optional purposes ticked on this form (consents to record today)."""
        return self.cleaned_data.get("consents", [])


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    # Choices read once: a ModelChoiceField would query again to check the value.
    programme = forms.TypedChoiceField(label=_("Programme"), required=False, coerce=int)
    status = forms.ChoiceField(label=_("Enrolment"), required=False)

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [
            ("", _("All")),
            *((p.pk, p.name) for p in programmes.only("pk", "name")),
        ]
        self.fields["status"].choices = [
            ("", _("All")),
            *Enrolment.Status.choices,
            (NO_ENROLMENT, _("In no programme")),
        ]

    def filters(self):
        """The valid filters (a programme id); a wrong value is left out rather than
        failing the page."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q", ""),
            "programme": data.get("programme") or None,
            "status": data.get("status", ""),
        }


class ApplyForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=None, label=_("Programme"))
    note = forms.CharField(
        label=_("Note for the coordinator"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": _("Why this programme (optional)")}),
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes

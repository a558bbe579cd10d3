"""Forms of the enrolment decisions. They check input; the rules (who may decide, which
status allows what) are lending.enrolments.workflow's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lending.models import Criterion
from lending.reference.forms import SituationField


class NoteForm(forms.Form):
    """The optional note of a decision (the history shows it)."""

    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ReasonForm(forms.Form):
    # Not required here: the service says why a reason is needed, in its own words.
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class EligibleForm(NoteForm):
    criteria = SituationField(
        queryset=Criterion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Criteria checked"),
    )

    def __init__(self, *args, enrolment, **kwargs):
        # Several of these forms may share a page (one per enrolment): distinct ids.
        kwargs.setdefault("auto_id", f"enrolment-{enrolment.pk}-%s")
        super().__init__(*args, **kwargs)
        self.programme_criteria = enrolment.programme.criteria.all()
        self.fields["criteria"].queryset = self.programme_criteria
        if not self.is_bound:
            situations = enrolment.household.situations.all()
            self.initial["criteria"] = [c.pk for c in situations if c in self.programme_criteria]

    def criteria_met(self):
        """The criteria ticked, or None when the programme has none of its own (the
        service then takes the household's situations)."""
        if not self.programme_criteria:
            return None
        return list(self.cleaned_data["criteria"])


class MoveForm(forms.Form):
    # Checked by move_on_waitlist, which says what a position is.
    position = forms.CharField(
        label=_("Position"), max_length=20, help_text=_("1 is the next to get a place.")
    )

"""The filters above every report: a period (typed or named), a site, a programme, a
funder. Sent by GET, so that a report's address can be bookmarked and shared."""

from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.impact.period import Period
from inventory.models import Site
from lending.models import Funder, Programme
from reports.period import Preset, preset_period

# A report reads aggregates only, but ten years of weekly bars is not a chart any more.
LONGEST_DAYS = 5 * 366


@dataclass(frozen=True)
class Filters:
    period: Period
    site: Site | None = None
    programme: Programme | None = None
    funder: Funder | None = None


class ReportFilterForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Period"),
        choices=[("", _("Dates below")), *Preset.choices],
        required=False,
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.all(), required=False)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.all(), required=False
    )
    funder = forms.ModelChoiceField(
        label=_("Funder"), queryset=Funder.objects.all(), required=False
    )

    def __init__(self, *args, programmes=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        if programmes is not None:
            # Only the programmes whose figures this person may read.
            self.fields["programme"].queryset = programmes

    def clean(self):
        data = super().clean()
        preset, start, end = data.get("preset"), data.get("start"), data.get("end")
        if self.errors:
            return data
        if preset:
            period = preset_period(preset, self.today)
        elif start and end:
            if end < start:
                self.add_error("end", _("The end of the period must not come before its start."))
                return data
            period = Period(start, end)
        elif start or end:
            missing = "end" if start else "start"
            self.add_error(missing, _("Give both dates of the period, or choose a named period."))
            return data
        else:
            period = preset_period(Preset.THIS_YEAR, self.today)
        if (period.end - period.start).days > LONGEST_DAYS:
            self.add_error("end", _("A report covers at most five years: shorten the period."))
            return data
        data["period"] = period
        return data

    def filters(self):
        """The Filters of a valid form."""
        data = self.cleaned_data
        return Filters(
            period=data["period"],
            site=data.get("site"),
            programme=data.get("programme"),
            funder=data.get("funder"),
        )

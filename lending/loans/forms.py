"""Forms of the loan and SIM card pages. They read and clean what was typed; the rules
(which device may be lent, which dates, who may act) are the workflow's."""

from datetime import timedelta

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIteratorValue
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from inventory.forms import IdChoiceField, IdMultipleChoiceField, looks_like_id
from inventory.models import Device
from inventory.scan.station import scanned_tags
from lending.loans.workflow import ready_devices_for
from lending.models import Accessory, GiftAttestation, Loan, LoanDevice, SimCard

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The approval page lists this many of the ready devices (the most recently readied),
# plus those matching a search: a stock of thousands would make the page unusable.
DEVICE_CHOICES = 200


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class LoanRequestForm(forms.Form):
    note = forms.CharField(
        label=_("What the household needs"),
        required=False,
        max_length=2000,
        widget=_textarea(),
        help_text=_(
            "For example: a laptop for school work, with 4G. The workshop preparing the "
            "devices reads this note: write no name and nothing of the household's situation."
        ),
    )


def _device_label(device):
    place = device.location.code if device.location else device.site.code
    model = device.make_and_model
    return f"{device.asset_tag} · {device.get_category_display()} · {model} · {place}"


class LoanApproveForm(forms.Form):
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_INPUT)
    due_on = forms.DateField(label=_("Due back on"), required=False, widget=DATE_INPUT)
    devices = IdMultipleChoiceField(
        label=_("Ready devices"),
        queryset=Device.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=_("Or scan or type asset tags"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocapitalize": "characters"}),
        help_text=_("One after the other, separated by spaces or new lines."),
    )
    sim = IdChoiceField(label=_("SIM card"), queryset=SimCard.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=_textarea(2))

    def __init__(self, *args, loan, search="", **kwargs):
        super().__init__(*args, **kwargs)
        programme = loan.programme
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["due_on"].help_text = _(
            "Leave empty for the programme's default of %(days)s days: %(date)s for a loan "
            "starting today."
        ) % {
            "days": programme.default_loan_days,
            "date": formats.date_format(today + timedelta(days=programme.default_loan_days)),
        }
        # Any device is accepted here: the workflow says why one is not available (taken
        # by another loan since the page was drawn, wrong category), in its own words.
        self.fields["devices"].queryset = Device.objects.all()
        self.fields["devices"].widget.choices = self._device_choices(programme, search)
        if programme.lends_sim:
            self.fields["sim"].queryset = SimCard.objects.all()
            stock = SimCard.objects.filter(status=SimCard.Status.STOCK).order_by("ends_on", "pk")
            self.fields["sim"].widget.choices = [
                ("", _("No SIM card")),
                *((sim.pk, f"{sim} · {sim.data_plan_gb} GB · {sim.iccid}") for sim in stock),
            ]
        else:
            del self.fields["sim"]

    def _device_choices(self, programme, search):
        ready = ready_devices_for(programme)
        shown = list(ready.order_by("-status_changed_at", "-pk")[:DEVICE_CHOICES])
        search = search.replace("\x00", "").strip()
        if search:
            matches = ready.filter(
                Q(asset_tag__icontains=search)
                | Q(serial_number__icontains=search)
                | Q(manufacturer__icontains=search)
                | Q(model__icontains=search)
            )
            shown = list(matches.order_by("-status_changed_at", "-pk")[:DEVICE_CHOICES]) + shown
        # What was ticked stays on the page when it comes back with an error.
        values = self.data.getlist(self.add_prefix("devices")) if self.is_bound else []
        ticked = [v for v in values if looks_like_id(v)]
        if ticked:
            shown += list(Device.objects.with_relations().filter(pk__in=ticked))
        unique = list({device.pk: device for device in shown}.values())
        return [(ModelChoiceIteratorValue(d.pk, d), _device_label(d)) for d in unique]

    def clean_tags(self):
        tags = scanned_tags(self.cleaned_data.get("tags"))
        found = {d.asset_tag: d for d in Device.objects.filter(asset_tag__in=tags)}
        unknown = [tag for tag in tags if tag not in found]
        if unknown:
            raise forms.ValidationError(
                _("No device has the asset tag %(tags)s.") % {"tags": ", ".join(unknown)}
            )
        return [found[tag] for tag in tags]

    def chosen_devices(self):
        """The ticked devices, then the scanned ones, each once."""
        chosen = [*self.cleaned_data.get("devices", []), *self.cleaned_data.get("tags", [])]
        return list({device.pk: device for device in chosen}.values())


class HandOverForm(forms.Form):
    signed_on = forms.DateField(
        label=_("Agreement signed on"),
        widget=DATE_INPUT,
        error_messages={"required": _("Record the date the loan agreement was signed.")},
    )
    accessories = forms.MultipleChoiceField(
        label=_("Accessories given"),
        choices=Accessory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=_textarea(2))

    def __init__(self, *args, loan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = timezone.localdate()
        given = [Accessory.CHARGER]
        if loan.programme.lends_router:
            given.append(Accessory.ROUTER_CHARGER)
        if loan.sim_id:
            given.append(Accessory.SIM)
        self.fields["accessories"].initial = given


class ExtendForm(forms.Form):
    due_on = forms.DateField(label=_("New due date"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=_textarea(2))


class ReasonForm(forms.Form):
    """A note for the history: why the loan is cancelled, lost, or becomes a gift."""

    note = forms.CharField(label=_("Note"), max_length=2000, widget=_textarea(3))

    def __init__(self, *args, label=None, required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = required
        if label:
            self.fields["note"].label = label


class GiftForm(ReasonForm):
    """Converting a loan to a gift: a note, and what becomes of its SIM line."""

    sim_outcome = forms.ChoiceField(
        label=_("The SIM line"),
        choices=[c for c in GiftAttestation.SimOutcome.choices if c[0]],
        widget=forms.RadioSelect,
        help_text=_("Closed by the association, or transferred to the household."),
    )

    def __init__(self, *args, loan, **kwargs):
        super().__init__(*args, required=False, **kwargs)
        if loan.sim_id is None:
            del self.fields["sim_outcome"]


def _item_field(item, name):
    return f"{name}_{item.device_id}"


class ReturnForm(forms.Form):
    """The inspection: one condition (and note) per device still in the loan."""

    accessories_back = forms.MultipleChoiceField(
        label=_("Accessories back"),
        choices=Accessory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sim_back = forms.BooleanField(label=_("SIM card back"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=_textarea())

    def __init__(self, *args, loan, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[_item_field(item, "condition")] = forms.ChoiceField(
                label=_("Condition of %(tag)s") % {"tag": item.device.asset_tag},
                choices=[("", "—"), *LoanDevice.Condition.choices],
            )
            self.fields[_item_field(item, "note")] = forms.CharField(
                label=_("Note on %(tag)s") % {"tag": item.device.asset_tag},
                required=False,
                max_length=2000,
            )
        self.fields["accessories_back"].initial = list(loan.accessories_given)
        if loan.sim_id:
            self.fields["sim_back"].initial = True
        else:
            del self.fields["sim_back"]

    def rows(self):
        """(item, condition field, note field) for the page's table."""
        return [
            (item, self[_item_field(item, "condition")], self[_item_field(item, "note")])
            for item in self.items
        ]

    def conditions(self):
        data = self.cleaned_data
        return {
            item.device_id: (
                data[_item_field(item, "condition")],
                data[_item_field(item, "note")],
            )
            for item in self.items
        }


class ReviewForm(forms.Form):
    """The coordinator's decision on each device that came back (or did not)."""

    damage_noted = forms.BooleanField(label=_("Damage or loss noted"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=_textarea())

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        D = LoanDevice.Decision
        for item in items:
            if item.condition == LoanDevice.Condition.MISSING:
                choices, initial = [(D.LOST, D.LOST.label)], D.LOST
            else:
                choices = [(d, d.label) for d in (D.ERASURE, D.REPAIR, D.RECYCLE)]
                initial = D.ERASURE
            self.fields[_item_field(item, "decision")] = forms.ChoiceField(
                label=_("Decision on %(tag)s") % {"tag": item.device.asset_tag},
                choices=choices,
                initial=initial,
            )

    def rows(self):
        return [(item, self[_item_field(item, "decision")]) for item in self.items]

    def decisions(self):
        return {
            item.device_id: self.cleaned_data[_item_field(item, "decision")] for item in self.items
        }


class LoanFilterForm(forms.Form):
    """The loan list's filters; a value that is not offered is ignored."""

    VIRTUAL = [
        ("overdue", _("Overdue")),
        ("due_soon", _("Due soon")),
        ("to_review", _("Return to review")),
    ]

    status = forms.ChoiceField(label=_("Status"), required=False)
    programme = IdChoiceField(
        label=_("Programme"), queryset=None, required=False, empty_label=_("All")
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *Loan.Status.choices, *self.VIRTUAL]
        self.fields["programme"].queryset = programmes

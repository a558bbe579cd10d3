"""Forms of the label pages: layouts, what to print (a selection) and how (print options)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from inventory.forms import IdChoiceField, IdMultipleChoiceField, looks_like_id
from inventory.models import Donation, Location, Site, WorkstationToken
from labels import content, services
from labels.models import LabelBatch, LabelLayout

# More than a screenful of ticked devices is a donation or a filter: print those instead.
MAX_TAGS = 1000


class LayoutForm(forms.ModelForm):
    class Meta:
        model = LabelLayout
        fields = [
            "name",
            "kind",
            "printer_dpi",
            "page_width_mm",
            "page_height_mm",
            "label_width_mm",
            "label_height_mm",
            "columns",
            "rows",
            "margin_left_mm",
            "margin_top_mm",
            "gap_x_mm",
            "gap_y_mm",
            "offset_x_mm",
            "offset_y_mm",
            "active",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


# How to print -----------------------------------------------------------------------


class LayoutSelect(forms.Select):
    """Options carry their layout's kind and capacity, for the start field's script."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        layout = getattr(value, "instance", None)
        if layout is not None:
            option["attrs"]["data-kind"] = layout.kind
            option["attrs"]["data-last-start"] = services.last_start(layout)
        return option


class PrintForm(forms.Form):
    layout = IdChoiceField(
        label=_("Label stock"),
        queryset=LabelLayout.objects.filter(active=True),
        empty_label=None,
        widget=LayoutSelect,
    )
    start = forms.IntegerField(
        label=_("Start at label"),
        required=False,
        initial=1,
        min_value=1,
        error_messages={"min_value": _("The first label is position 1 or more.")},
        help_text=_(
            "On a partly used sheet: the position of the first free label, counted "
            "from the top left, row by row."
        ),
    )
    copies = forms.IntegerField(
        label=_("Copies of each label"),
        initial=1,
        min_value=1,
        max_value=services.MAX_COPIES,
        error_messages={
            "min_value": _("Print at least one copy."),
            "max_value": _("At most %(limit_value)s copies of each label."),
        },
    )

    def clean(self):
        cleaned = super().clean()
        layout, copies = cleaned.get("layout"), cleaned.get("copies")
        if layout is None or copies is None:
            return cleaned
        if layout.kind == LabelLayout.Kind.ROLL or cleaned.get("start") is None:
            # A roll has no used part: the start position means nothing there.
            cleaned["start"] = 1
        try:
            services.check_print_options(layout, start=cleaned["start"], copies=copies)
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned

    def options(self):
        return {"start": self.cleaned_data["start"], "copies": self.cleaned_data["copies"]}


# What to print ----------------------------------------------------------------------


class TagsField(forms.Field):
    """The asset tags ticked in the device list, as repeated hidden inputs."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        # PostgreSQL refuses text holding a NUL byte; no tag holds one.
        tags = (str(tag).replace("\x00", "").strip().upper() for tag in values)
        return list(dict.fromkeys(tag for tag in tags if tag))

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_TAGS:
            raise ValidationError(
                _("Too many devices at once (%(count)s): print at most %(max)s.")
                % {"count": len(value), "max": MAX_TAGS}
            )


class SelectionForm(forms.Form):
    """What to print: its fields ride along as hidden inputs of the print form."""

    kind = None
    empty_message = _("Nothing to print.")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            count = content.count_labels(self.kind, self.params())
        except content.NothingToPrint as error:
            raise ValidationError(str(error)) from error
        if not count:
            raise ValidationError(self.empty_message)
        cleaned["count"] = count
        return cleaned

    def params(self):
        return {}

    def summary(self):
        return ""


class DeviceSelectionForm(SelectionForm):
    kind = LabelBatch.Kind.DEVICE
    empty_message = _("This donation has no device yet.")

    tags = TagsField(required=False)
    donation = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("No donation has this number.")},
    )

    def clean_donation(self):
        number = self.cleaned_data.get("donation")
        if number is not None:
            self.donation = Donation.objects.select_related("donor").filter(pk=number).first()
            if self.donation is None:
                raise ValidationError(
                    _("No donation has the number %(number)s.") % {"number": number}
                )
        return number

    def clean(self):
        chosen = self.cleaned_data.get("tags") or self.cleaned_data.get("donation") is not None
        if not self.errors and not chosen:
            raise ValidationError(
                _("No device selected: tick devices in the list, or start from a donation.")
            )
        return super().clean()

    def params(self):
        if self.cleaned_data.get("donation") is not None:
            return {"donation": self.cleaned_data["donation"]}
        return {"tags": self.cleaned_data["tags"]}

    def summary(self):
        count = self.cleaned_data["count"]
        if self.cleaned_data.get("donation") is not None:
            return ngettext(
                "The %(count)s device of %(donation)s.",
                "The %(count)s devices of %(donation)s.",
                count,
            ) % {"count": count, "donation": self.donation}
        return ngettext("%(count)s selected device.", "%(count)s selected devices.", count) % {
            "count": count
        }


class LocationSelectionForm(SelectionForm):
    kind = LabelBatch.Kind.LOCATION

    site = IdChoiceField(
        queryset=Site.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the site whose locations to print."),
            "invalid_choice": _("No site has this number."),
        },
    )
    locations = IdMultipleChoiceField(
        label=_("Locations"),
        queryset=Location.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one location.")},
    )

    def __init__(self, data=None, *, arrival=False, **kwargs):
        site_id = str((data or {}).get("site", ""))
        site_id = int(site_id) if looks_like_id(site_id) else None
        locations = Location.objects.filter(site=site_id)
        if arrival and data is not None and "locations" not in data:
            # Opened from the sites page: every location of the site is ticked.
            data = data.copy()
            data.setlist("locations", [str(pk) for pk in locations.values_list("pk", flat=True)])
        super().__init__(data, **kwargs)
        self.fields["locations"].queryset = locations.order_by("code")

    def params(self):
        return {
            "site": self.cleaned_data["site"].pk,
            "locations": [location.pk for location in self.cleaned_data["locations"]],
        }

    def summary(self):
        count = self.cleaned_data["count"]
        return ngettext(
            "%(count)s location of %(site)s.", "%(count)s locations of %(site)s.", count
        ) % {"count": count, "site": self.cleaned_data["site"]}


class ActionSelectionForm(SelectionForm):
    kind = LabelBatch.Kind.ACTION

    def summary(self):
        return _("One barcode per action of the scan station.")


# The queue of labels to print -------------------------------------------------------


class QueuePrintForm(forms.Form):
    """« Imprimer la file »: the stock to print on, and the site whose labels to print."""

    layout = IdChoiceField(
        label=_("Label stock"),
        queryset=LabelLayout.objects.filter(active=True),
        empty_label=None,
        error_messages={"invalid_choice": _("This label stock does not exist or is not in use.")},
    )
    site = IdChoiceField(
        label=_("Site"),
        queryset=Site.objects.all(),
        required=False,
        empty_label=_("Every site"),
        error_messages={"invalid_choice": _("No site has this number.")},
    )


class WorkstationPrinterForm(forms.Form):
    workstation = IdChoiceField(
        queryset=WorkstationToken.objects.none(),
        error_messages={
            "invalid_choice": _("This workstation does not exist or its key was revoked.")
        },
    )
    layout = IdChoiceField(
        label=_("Label stock"),
        queryset=LabelLayout.objects.filter(active=True),
        error_messages={"invalid_choice": _("This label stock does not exist or is not in use.")},
    )

    def __init__(self, *args, workstations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstation"].queryset = workstations

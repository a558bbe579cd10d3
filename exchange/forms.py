from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from exchange import limits, services
from exchange.registry import resource_class
from inventory.models import Donation, Site
from spreadsheets.reading import CSV, UnreadableFile, detect_format, read_sheet

EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".ods")
# Bytes of a CSV file looked at for signs of a binary file (an image, a PDF).
SNIFFED = 8192


def resource_label(name):
    """ "Devices", "SIM cards": what a kind of data is called in the interface."""
    return str(resource_class(name)._meta.model._meta.verbose_name_plural).capitalize()


def check_upload(upload):
    """The refusal of a file that is too big or not a spreadsheet, as a form error; the
    file's rows are judged later, by the preview."""
    limit = services.max_bytes()
    if upload.size > limit:
        raise forms.ValidationError(
            _("This file is %(size)s; files up to %(limit)s can be imported. Split it in two.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    if not upload.name.lower().endswith(EXTENSIONS):
        raise forms.ValidationError(
            _("Choose a spreadsheet: a CSV, XLSX or ODS file (this one is “%(name)s”).")
            % {"name": upload.name}
        )
    content = upload.read()
    upload.seek(0)
    try:
        kind = detect_format(upload.name, content)
        if kind == CSV and b"\x00" in content[:SNIFFED] and not content.startswith(b"\xff\xfe"):
            raise UnreadableFile(_("This file is not a spreadsheet (CSV, XLSX or ODS)."))
        # Measured before anything is parsed: what it unzips to, then its rows.
        limits.check_file(upload.name, content)
        # A CSV's header is read in a blink; a workbook is read whole, by the preview only.
        if kind == CSV:
            read_sheet(upload.name, content)
    except UnreadableFile as error:
        raise forms.ValidationError(str(error)) from None
    return upload


class FileForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV (comma or semicolon), XLSX or ODS, up to %(limit)s; the first row names "
            "the columns."
        ) % {"limit": filesizeformat(services.max_bytes())}
        self.fields["file"].widget.attrs["accept"] = ",".join(EXTENSIONS)

    def clean_file(self):
        return check_upload(self.cleaned_data["file"])


class ImportForm(FileForm):
    """What to import, from which tool, the file, and the options of a device import."""

    resource = forms.ChoiceField(label=_("Data"))
    source = forms.ChoiceField(
        label=_("Exported from"),
        required=False,
        help_text=_("For devices: the tool the file comes from, whose columns are read."),
    )
    donation = forms.ModelChoiceField(
        label=_("Donation"),
        queryset=Donation.objects.none(),
        required=False,
        help_text=_("For devices: every new device is attached to it and goes to its site."),
    )
    site = forms.ModelChoiceField(
        label=_("Default site"),
        queryset=Site.objects.order_by("code"),
        required=False,
        help_text=_("For devices: the site of the rows that name none."),
    )

    field_order = ["resource", "source", "file", "donation", "site"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [
            (name, resource_label(name)) for name in services.importable_resources(user)
        ]
        sources = services.available_sources()
        self.fields["source"].choices = list(sources.items())
        self.fields["source"].initial = "reemploi"
        if len(sources) == 1:
            self.fields["source"].widget = forms.HiddenInput()
        # The latest donations (and a preselected one): thousands would make the page heavy.
        recent = list(
            Donation.objects.order_by("-received_on", "-pk").values_list("pk", flat=True)[:50]
        )
        for chosen in (self.initial.get("donation"), self.data.get("donation")):
            if str(chosen or "").isdigit():
                recent.append(int(chosen))
        self.fields["donation"].queryset = (
            Donation.objects.filter(pk__in=recent)
            .select_related("donor")
            .order_by("-received_on", "-pk")
        )

    def clean(self):
        cleaned = super().clean()
        resource = cleaned.get("resource")
        cleaned["source"] = cleaned.get("source") or "reemploi"
        donation, site = cleaned.get("donation"), cleaned.get("site")
        if resource and resource != "devices":
            if cleaned["source"] != "reemploi":
                self.add_error("source", _("Files of other tools are read as devices only."))
            if donation or site:
                self.add_error(
                    "donation", _("A donation and a default site apply to devices only.")
                )
        if donation and site and donation.site_id != site.pk:
            self.add_error(
                "site",
                _("The devices of this donation go to its site (%(site)s): leave this empty.")
                % {"site": donation.site.code},
            )
        return cleaned

    def options(self):
        """The resource's options: ids of the donation and of the default site."""
        options = {}
        for name in ("donation", "site"):
            if self.cleaned_data.get(name):
                options[name] = self.cleaned_data[name].pk
        return options

"""The organisation's details form: a SIRET as people type it, a logo that every page can show."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from inventory.models import Organisation
from inventory.models.organisation import SIRET_VALIDATOR

LOGO_MAX_BYTES = 1024 * 1024
# What Pillow reads and every browser and the PDFs show.
LOGO_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        # People type "ressourcerie.fr": read it as https://, as Django 6 will.
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class OrganisationForm(forms.ModelForm):
    # Longer than 14: people copy the SIRET as it is printed, "123 456 789 00012".
    siret = forms.CharField(
        label=Organisation._meta.get_field("siret").verbose_name,
        max_length=20,
        required=False,
        help_text=_("14 digits, spaces allowed."),
    )

    class Meta:
        formfield_callback = _formfield
        model = Organisation
        fields = [
            "name",
            "address",
            "siret",
            "rna",
            "purpose",
            "tax_receipt_status",
            "vat_mention",
            "phone",
            "email",
            "website",
            "opening_hours",
            "privacy_contact",
            "publication_director",
            "web_host",
            "logo",
            "loan_deposit",
            "loan_damage_cap",
            "loan_loss_report_days",
            "loan_early_end_notice_days",
            "loan_non_return_days",
            # Printed on erasure certificates (NIST SP 800-88 Rev. 1, appendix G).
            "erasure_operator_title",
            "erasure_validator_title",
            "erasure_confidentiality",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "privacy_contact": forms.Textarea(attrs={"rows": 3}),
            "web_host": forms.Textarea(attrs={"rows": 3}),
            "opening_hours": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "opening_hours": _("As it should read on the public page, e.g. Mon–Fri 9:00–17:00."),
            "logo": _("PNG, JPEG, GIF or WebP, at most 1 MB."),
        }

    # The association's loan choices (printed on loan agreements): left empty, the
    # default the model gives them (no deposit, nothing charged, 5, 15 and 30 days).
    LOAN_CHOICES = (
        "loan_deposit",
        "loan_damage_cap",
        "loan_loss_report_days",
        "loan_early_end_notice_days",
        "loan_non_return_days",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.LOAN_CHOICES:
            self.fields[name].required = False
        # Left out of a form posted before the field existed: the saved level stays.
        self.fields["erasure_confidentiality"].required = False

    def clean_erasure_confidentiality(self):
        return self.cleaned_data["erasure_confidentiality"] or self.instance.erasure_confidentiality

    def clean(self):
        cleaned = super().clean()
        for name in self.LOAN_CHOICES:
            if name in cleaned and cleaned[name] is None:
                cleaned[name] = Organisation._meta.get_field(name).get_default()
        return cleaned

    def clean_siret(self):
        siret = "".join(self.cleaned_data["siret"].split())
        if siret:
            SIRET_VALIDATOR(siret)
        return siret

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not isinstance(logo, UploadedFile):
            # Unchanged (the saved file) or cleared.
            return logo
        if logo.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                _("The logo weighs %(size)s; at most %(limit)s.")
                % {"size": filesizeformat(logo.size), "limit": filesizeformat(LOGO_MAX_BYTES)}
            )
        if getattr(logo, "image", None) is None or logo.image.format not in LOGO_FORMATS:
            raise forms.ValidationError(_("The logo must be a PNG, JPEG, GIF or WebP image."))
        return logo

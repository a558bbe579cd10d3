"""The form of an erasure on request: why, and the confirmation that it is final."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lending.privacy.anonymise import MAX_REASON


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kept with the anonymised household: write why (e.g. “the person asked on "
            "12/03 by letter”), not who the person is."
        ),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that the names, contact, situation, notes and comments of this "
            "household will be erased for good, from its history too."
        ),
    )

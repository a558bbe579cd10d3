"""Forms of the shop's pages. They read and clean what was typed; what may be sold, at
which price, is the sale service's business (services.record_sale)."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIteratorValue
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.forms import IdChoiceField, IdMultipleChoiceField, looks_like_id
from inventory.models import Category, Device, Grade, Site
from inventory.scan.station import scanned_tags
from lending.loans.forms import DATE_INPUT
from sales.models import EligibilityProof, PaymentMethod, PublicBodyBuyer, Sale

MONEY_FIELD = {"max_digits": 8, "decimal_places": 2, "min_value": Decimal("0")}


def _device_label(device):
    model = device.make_and_model
    grade = device.grade or "—"
    return f"{device.asset_tag} · {device.get_category_display()} · {model} · {grade}"


class SaleForm(forms.Form):
    """The counter: devices scanned or ticked, the price asked, who buys and how."""

    site = IdChoiceField(label=_("Site"), queryset=Site.objects.all(), empty_label=None)
    tags = forms.CharField(
        label=_("Scan or type asset tags"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "autofocus": True,
                "autocapitalize": "characters",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
        help_text=_("One after the other: a scanner's Enter starts the next line."),
    )
    devices = IdMultipleChoiceField(
        label=_("Or tick ready devices"),
        queryset=Device.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    solidarity = forms.BooleanField(
        label=_("Solidarity price"),
        required=False,
        help_text=_("Tick the proof of eligibility you saw: the proof itself is not kept."),
    )
    proofs = forms.ModelMultipleChoiceField(
        label=_("Proof of eligibility seen"),
        queryset=EligibilityProof.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    public_body_buyer = forms.ChoiceField(
        label=_("Devices from a public body's donation are sold to"),
        choices=[("", _("No such device in this sale")), *PublicBodyBuyer.choices],
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "The law (art. L3212-2 of the CG3P) allows their sale only to these buyers, "
            "under a maximum price. An association is named in the buyer's name."
        ),
    )
    need_checked = forms.BooleanField(
        label=_("I saw a proof of need"),
        required=False,
        help_text=_("Only that you saw it is recorded, not which document."),
    )
    household = forms.CharField(
        label=_("Household code"),
        required=False,
        max_length=12,
        help_text=_("When the buyer is a household of a loan programme."),
    )
    buyer_name = forms.CharField(label=_("Buyer's name"), required=False, max_length=120)
    buyer_postcode = forms.CharField(label=_("Buyer's postcode"), required=False, max_length=10)
    payment_method = forms.ChoiceField(
        label=_("Payment"),
        choices=PaymentMethod.choices,
        initial=PaymentMethod.CASH,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The signature of the lines the seller checked (selectors.Check.signature).
    checked = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, households=None, ready=(), **kwargs):
        super().__init__(*args, **kwargs)
        # None: this user sees no household (a technician); the field is not offered.
        self.households = households
        if households is None:
            del self.fields["household"]
        # Any device is accepted here: the sale service says why one cannot be sold.
        self.fields["devices"].queryset = Device.objects.all()
        self.named, ticked = self._named_devices()
        # What was ticked stays on the page, even when it is no longer ready there.
        shown = list({d.pk: d for d in [*ready, *ticked]}.values())
        self.fields["devices"].widget.choices = [
            (ModelChoiceIteratorValue(d.pk, d), _device_label(d)) for d in shown
        ]
        for device in self.named.values():
            self.fields[f"discount_{device.pk}"] = forms.DecimalField(
                label=_("Discount on %(tag)s (€)") % {"tag": device.asset_tag},
                required=False,
                **MONEY_FIELD,
            )
            self.fields[f"reason_{device.pk}"] = forms.CharField(
                label=_("Reason for the discount on %(tag)s") % {"tag": device.asset_tag},
                required=False,
                max_length=200,
            )

    def _named_devices(self):
        """The devices the submitted tags and ticks name, by pk, and the ticked ones
        (one query)."""
        if not self.is_bound:
            return {}, []
        tags = scanned_tags(self.data.get(self.add_prefix("tags")))
        ticked = [v for v in self.data.getlist(self.add_prefix("devices")) if looks_like_id(v)]
        if not tags and not ticked:
            return {}, []
        found = Device.objects.with_relations().filter(Q(asset_tag__in=tags) | Q(pk__in=ticked))
        named = {device.pk: device for device in found}
        return named, [named[int(pk)] for pk in ticked if int(pk) in named]

    def clean_tags(self):
        tags = scanned_tags(self.cleaned_data.get("tags"))
        found = {device.asset_tag: device for device in self.named.values()}
        unknown = [tag for tag in tags if tag not in found]
        if unknown:
            raise forms.ValidationError(
                _("No device has the asset tag %(tags)s.") % {"tags": ", ".join(unknown)}
            )
        return [found[tag] for tag in tags]

    def clean_household(self):
        code = self.cleaned_data.get("household", "").strip().upper()
        if not code:
            return None
        household = self.households.filter(code=code).first()
        if household is None:
            raise forms.ValidationError(
                _("No household you follow has the code %(code)s.") % {"code": code}
            )
        return household

    def clean(self):
        data = super().clean()
        if data.get("household") and (data.get("buyer_name") or data.get("buyer_postcode")):
            self.add_error(
                "buyer_name",
                _("The buyer is the household: leave the name and postcode empty."),
            )
        return data

    def chosen_devices(self):
        """The scanned devices, then the ticked ones, each once (with their relations)."""
        ticked = [self.named.get(d.pk, d) for d in self.cleaned_data.get("devices", [])]
        chosen = [*self.cleaned_data.get("tags", []), *ticked]
        return list({device.pk: device for device in chosen}.values())

    def discounts(self):
        """{device pk: (amount, reason)} for the lines with a discount or a reason."""
        found = {}
        for pk in self.named:
            amount = self.cleaned_data.get(f"discount_{pk}") or Decimal("0")
            reason = (self.cleaned_data.get(f"reason_{pk}") or "").strip()
            if amount or reason:
                found[pk] = (amount, reason)
        return found

    def line_fields(self, device):
        return self[f"discount_{device.pk}"], self[f"reason_{device.pk}"]

    def sale_arguments(self):
        """The keyword arguments of services.record_sale that come from the form."""
        data = self.cleaned_data
        return {
            "site": data["site"],
            "devices": self.chosen_devices(),
            "payment_method": data["payment_method"],
            "solidarity": data["solidarity"],
            "proofs": list(data["proofs"]) if data["solidarity"] else [],
            "household": data.get("household"),
            "buyer_name": data["buyer_name"],
            "buyer_postcode": data["buyer_postcode"],
            "discounts": self.discounts(),
            "note": data["note"],
            **self.public_body_arguments(),
        }

    def public_body_arguments(self):
        """The buyer as the law on public equipment sees it (sales.public_body)."""
        kind = self.cleaned_data.get("public_body_buyer") or ""
        return {
            "public_body_buyer": kind,
            "need_checked": kind == PublicBodyBuyer.PERSON
            and bool(self.cleaned_data.get("need_checked")),
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the sale cancelled?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "The credit note states it; its devices go back to erasure and their tests "
            "before they are sold again."
        ),
    )
    refund_method = forms.ChoiceField(
        label=_("Refunded by"),
        choices=PaymentMethod.choices,
        widget=forms.RadioSelect,
        help_text=_("How the money was given back: the credit note and the till state it."),
    )


class InvoiceForm(forms.Form):
    """The buyer's details an invoice to a business or an association must carry."""

    buyer_name = forms.CharField(label=_("Company or association"), max_length=200)
    buyer_address = forms.CharField(
        label=_("Address"), max_length=600, widget=forms.Textarea(attrs={"rows": 3})
    )
    buyer_siren = forms.CharField(
        label=_("SIREN"),
        max_length=20,
        help_text=_("9 digits (the first 9 of its SIRET)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    order_reference = forms.CharField(label=_("Purchase order"), max_length=60, required=False)


class SaleFilterForm(forms.Form):
    """The sales list's filters; a value that is not offered is ignored."""

    site = IdChoiceField(
        label=_("Site"), queryset=Site.objects.all(), required=False, empty_label=_("All")
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    payment_method = forms.ChoiceField(
        label=_("Payment"), required=False, choices=[("", _("All")), *PaymentMethod.choices]
    )
    solidarity = forms.ChoiceField(
        label=_("Solidarity price"),
        required=False,
        choices=[("", _("All")), ("yes", _("Yes")), ("no", _("No"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Sale.Status.choices]
    )
    search = forms.CharField(
        label=_("Receipt or asset tag"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def filters(self):
        """The keyword arguments of selectors.sales_matching; invalid values are ignored."""
        # Only the valid fields are in cleaned_data: a bad date is ignored, not an error.
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class TillForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=DATE_INPUT)
    site = IdChoiceField(
        label=_("Site"), queryset=Site.objects.all(), required=False, empty_label=_("All sites")
    )

    def chosen(self, default_site):
        """(day, sites): today and the default site unless others were asked for."""
        data = self.cleaned_data if self.is_valid() else {}
        day = data.get("day") or timezone.localdate()
        # An empty site asked for is "all sites"; no site asked for, the default one.
        site = data.get("site") if "site" in self.data else default_site
        return day, ([site] if site else list(Site.objects.order_by("name")))


# The price list ----------------------------------------------------------------------------

GRADES = [Grade.A, Grade.B, Grade.C, Grade.PARTS]


def cell_name(category, grade, kind):
    return f"{category}-{grade}-{kind}"


class PriceListForm(forms.Form):
    """The whole grid, category × grade: each cell a price and a solidarity price, both
    given or both empty (nothing can be sold of that category and grade)."""

    def __init__(self, *args, prices, **kwargs):
        super().__init__(*args, **kwargs)
        for category in Category.values:
            for grade in GRADES:
                price = prices.get((category, grade))
                for kind, label in (("price", _("Price")), ("solidarity", _("Solidarity"))):
                    value = None
                    if price is not None:
                        value = price.price if kind == "price" else price.solidarity_price
                    self.fields[cell_name(category, grade, kind)] = forms.DecimalField(
                        label=label,
                        required=False,
                        initial=value,
                        error_messages={"min_value": _("A price cannot be negative.")},
                        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
                        **MONEY_FIELD,
                    )

    def rows(self):
        """(category label, [(grade, price field, solidarity field), …]) for the grid."""
        return [
            (
                label,
                [
                    (
                        grade,
                        self[cell_name(category, grade, "price")],
                        self[cell_name(category, grade, "solidarity")],
                    )
                    for grade in GRADES
                ],
            )
            for category, label in Category.choices
        ]

    def clean(self):
        data = super().clean()
        for category in Category.values:
            for grade in GRADES:
                price_key = cell_name(category, grade, "price")
                solidarity_key = cell_name(category, grade, "solidarity")
                if price_key not in data or solidarity_key not in data:
                    continue
                price, solidarity = data[price_key], data[solidarity_key]
                if (price is None) != (solidarity is None):
                    missing = solidarity_key if solidarity is None else price_key
                    self.add_error(
                        missing,
                        _(
                            "Give both prices, or leave both empty "
                            "(the same twice for no reduction)."
                        ),
                    )
                elif price is not None and solidarity > price:
                    self.add_error(
                        solidarity_key, _("The solidarity price cannot be above the price.")
                    )
        return data

    def cells(self):
        """{(category, grade): (price, solidarity price) or None} for pricing.save_price_list."""
        data = self.cleaned_data
        found = {}
        for category in Category.values:
            for grade in GRADES:
                price = data[cell_name(category, grade, "price")]
                solidarity = data[cell_name(category, grade, "solidarity")]
                found[(category, grade)] = None if price is None else (price, solidarity)
        return found


class ProofForm(forms.ModelForm):
    class Meta:
        model = EligibilityProof
        fields = ["name", "order", "active"]
        error_messages = {
            "name": {"unique": _("A proof of eligibility with this name already exists.")}
        }

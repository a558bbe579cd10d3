"""SIM cards imported and exported: the operator's list of cards."""

from django.utils.translation import gettext_lazy

from lending.models import SimCard
from spreadsheets.columns import Column
from spreadsheets.resources import ExchangeResource
from spreadsheets.widgets import (
    DateWidget,
    DecimalWidget,
    IntegerWidget,
    NotesWidget,
    TextWidget,
    tidy_notes,
)


class SimCardResource(ExchangeResource):
    """The operator's list of SIM cards: a known ICCID updates its card."""

    record_name = gettext_lazy("SIM card")
    natural_keys = (("iccid",),)

    iccid = Column(
        "iccid",
        label=gettext_lazy("ICCID"),
        aliases=["iccid", "numero de carte", "n° sim", "sim"],
        # An ICCID has 19 or 20 digits (ITU-T E.118).
        widget=TextWidget(identifier=True, digits=(19, 20), name="ICCID"),
        required=True,
    )
    phone_number = Column(
        "phone_number",
        label=gettext_lazy("Phone number"),
        aliases=["numero", "telephone", "msisdn", "ligne", "numero de ligne"],
        widget=TextWidget(identifier=True),
    )
    operator = Column(
        "operator",
        label=gettext_lazy("Operator"),
        aliases=["operateur", "fournisseur", "operator"],
        widget=TextWidget(),
        required=True,
    )
    data_plan_gb = Column(
        "data_plan_gb",
        label=gettext_lazy("Data plan (GB a month)"),
        aliases=["forfait", "data", "go", "forfait go", "data gb", "enveloppe data"],
        widget=IntegerWidget(),
        required=True,
    )
    monthly_cost = Column(
        "monthly_cost",
        label=gettext_lazy("Monthly cost (€)"),
        aliases=["cout", "cout mensuel", "prix", "tarif", "monthly cost"],
        widget=DecimalWidget(),
    )
    activated_on = Column(
        "activated_on",
        label=gettext_lazy("Activated on"),
        aliases=["activation", "date d activation", "mise en service"],
        widget=DateWidget(),
    )
    ends_on = Column(
        "ends_on",
        label=gettext_lazy("Plan ends on"),
        aliases=["fin", "fin de forfait", "date de fin", "echeance", "end date"],
        widget=DateWidget(),
    )
    notes = Column(
        "notes", label=gettext_lazy("Notes"), aliases=["remarques"], widget=NotesWidget()
    )

    class Meta(ExchangeResource.Meta):
        model = SimCard

    def normalise(self, key, value):
        return "".join(ch for ch in str(value or "") if ch.isdigit())

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            # Compared as a file gives them back: line ends tidied.
            instance.notes = tidy_notes(instance.notes)
        super().after_init_instance(instance, new, row, **kwargs)

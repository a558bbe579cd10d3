"""Recycling shipments: devices that leave the association as waste (WEEE), grouped by
the load that leaves, and what the outgoing-waste register records about each load.

The register's content is fixed by the arrêté du 31 mai 2021 (art. 2, « registre des
déchets sortants », code de l'environnement R.541-43 and R.541-43-1); docs/legal.md maps
each of its columns to a field here. Waste codes, treatment codes and the qualification
of the final treatment are data with their source, not free text: the register is read
by inspectors and by the national waste register (RNDTS), which know these lists only.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from inventory.models.core import Site
from inventory.models.organisation import SIRET_VALIDATOR

# SIRET and SIREN -------------------------------------------------------------------------
# INSEE numbers carry a Luhn check digit; the establishments of La Poste (SIREN 356000000)
# are the documented exception, whose SIRET digits add up to a multiple of 5.
LA_POSTE_SIREN = "356000000"


def luhn_valid(digits):
    """True when the string of digits passes the Luhn check (every second digit from
    the right doubled)."""
    total = 0
    for position, character in enumerate(reversed(digits)):
        digit = int(character)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def validate_siret(value):
    """A SIRET: 14 digits (organisation.SIRET_VALIDATOR) whose check digit is right."""
    SIRET_VALIDATOR(value)
    if value.startswith(LA_POSTE_SIREN):
        valid = sum(int(c) for c in value) % 5 == 0
    else:
        valid = luhn_valid(value)
    if not valid:
        raise ValidationError(
            _(
                "%(value)s is not a valid SIRET number: its check digit is wrong. Copy it "
                "again from the company's papers (e.g. its waste receipt or a Kbis)."
            ),
            code="siret_checksum",
            params={"value": value},
        )


def validate_siren(value):
    """A SIREN: 9 digits whose check digit is right."""
    if not re.fullmatch(r"\d{9}", value):
        raise ValidationError(_("A SIREN number has 9 digits."), code="siren_digits")
    if not luhn_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid SIREN number: its check digit is wrong."),
            code="siren_checksum",
            params={"value": value},
        )


# The lists ----------------------------------------------------------------------------------


class WasteCode(models.TextChoices):
    """The codes of the European list of waste that fit what a ressourcerie sends away.

    Source: Commission decision 2000/532/EC (list of waste, consolidated by decision
    2014/955/EU), annex II of code de l'environnement R.541-8; an asterisk marks a
    hazardous waste, which travels with a consignment note (BSD, R.541-45).
    """

    EQUIPMENT_HAZARDOUS = (
        "16 02 13*",
        _("16 02 13* discarded equipment containing hazardous components"),
    )
    EQUIPMENT = "16 02 14", _("16 02 14 discarded equipment without hazardous components")
    COMPONENTS_HAZARDOUS = (
        "16 02 15*",
        _("16 02 15* hazardous components removed from discarded equipment"),
    )
    COMPONENTS = "16 02 16", _("16 02 16 components removed from discarded equipment")
    BATTERIES = "16 06 05", _("16 06 05 other batteries and accumulators")
    MUNICIPAL_WEEE_HAZARDOUS = (
        "20 01 35*",
        _(
            "20 01 35* discarded electrical and electronic equipment containing hazardous "
            "components (municipal waste)"
        ),
    )
    MUNICIPAL_WEEE = (
        "20 01 36",
        _("20 01 36 discarded electrical and electronic equipment (municipal waste)"),
    )


class TreatmentMode(models.TextChoices):
    """The final treatment in the waste hierarchy of code de l'environnement L.541-1."""

    REUSE = "reuse", _("Reuse")
    RECYCLING = "recycling", _("Recycling and other material recovery")
    ENERGY = "energy", _("Energy recovery")
    DISPOSAL = "disposal", _("Disposal")


M = TreatmentMode
_REUSE_OR_RECYCLING = (M.REUSE, M.RECYCLING)


class TreatmentCode(models.TextChoices):
    """Recovery (R) and disposal (D) operations: directive 2008/98/EC annexes II and I."""

    R1 = "R1", _("R1 Use principally as a fuel or other means to generate energy")
    R2 = "R2", _("R2 Solvent reclamation/regeneration")
    R3 = "R3", _("R3 Recycling/reclamation of organic substances not used as solvents")
    R4 = "R4", _("R4 Recycling/reclamation of metals and metal compounds")
    R5 = "R5", _("R5 Recycling/reclamation of other inorganic materials")
    R6 = "R6", _("R6 Regeneration of acids or bases")
    R7 = "R7", _("R7 Recovery of components used for pollution abatement")
    R8 = "R8", _("R8 Recovery of components from catalysts")
    R9 = "R9", _("R9 Oil re-refining or other reuses of oil")
    R10 = "R10", _("R10 Land treatment resulting in benefit to agriculture or ecology")
    R11 = "R11", _("R11 Use of wastes obtained from any of the operations R1 to R10")
    R12 = "R12", _("R12 Exchange of wastes for submission to any of the operations R1 to R11")
    R13 = "R13", _("R13 Storage of wastes pending any of the operations R1 to R12")
    D1 = "D1", _("D1 Deposit into or on to land (e.g. landfill)")
    D2 = "D2", _("D2 Land treatment")
    D3 = "D3", _("D3 Deep injection")
    D4 = "D4", _("D4 Surface impoundment")
    D5 = "D5", _("D5 Specially engineered landfill")
    D6 = "D6", _("D6 Release into a water body except seas/oceans")
    D7 = "D7", _("D7 Release to seas/oceans including sea-bed insertion")
    D8 = "D8", _("D8 Biological treatment resulting in compounds discarded by D1 to D12")
    D9 = "D9", _("D9 Physico-chemical treatment resulting in compounds discarded by D1 to D12")
    D10 = "D10", _("D10 Incineration on land")
    D11 = "D11", _("D11 Incineration at sea")
    D12 = "D12", _("D12 Permanent storage")
    D13 = "D13", _("D13 Blending or mixing prior to any of the operations D1 to D12")
    D14 = "D14", _("D14 Repackaging prior to any of the operations D1 to D13")
    D15 = "D15", _("D15 Storage pending any of the operations D1 to D14")


# Which qualification each code allows. Source: Trackdéchets, « Hiérarchie des modes de
# traitement » (MTES-MCT/trackdechets doc/docs/reference/operationModes.md). The
# intermediate operations (R12, R13, D13-D15) allow none: the final treatment is not known
# when the load leaves.
MODES_OF_CODE = {
    **{f"D{n}": (M.DISPOSAL,) for n in range(1, 13)},
    "R1": (M.ENERGY,),
    **dict.fromkeys(("R2", "R3", "R4", "R5", "R7", "R9", "R11"), _REUSE_OR_RECYCLING),
    **dict.fromkeys(("R6", "R8", "R10"), (M.RECYCLING,)),
    **dict.fromkeys(("R12", "R13", "D13", "D14", "D15"), ()),
}


class RecyclingShipment(models.Model):
    """One load of devices handed to a WEEE treatment operator: one line of the
    outgoing-waste register."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    shipped_on = models.DateField(_("shipped on"))
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="recycling_shipments", verbose_name=_("site")
    )
    # b) what leaves: name, code, POP, consignment note, quantity.
    waste_code = models.CharField(_("waste code"), max_length=10, choices=WasteCode)
    waste_description = models.CharField(
        _("usual name of the waste"),
        max_length=200,
        help_text=_("As the recipient knows it, e.g. « Ordinateurs portables hors d'usage »."),
    )
    contains_pop = models.BooleanField(
        _("POP waste"),
        default=False,
        help_text=_(
            "Tick if the waste contains persistent organic pollutants (e.g. brominated "
            "flame retardants in plastics), as the recipient classifies it."
        ),
    )
    quantity_kg = models.DecimalField(
        _("quantity (kg)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0.01)],
        help_text=_("The weighed figure (scale or weighbridge)."),
    )
    consignment_note = models.CharField(
        _("consignment note number"),
        max_length=40,
        blank=True,
        help_text=_("The BSD or Trackdéchets number, when the waste travels with one."),
    )
    # d) who handles it: the producers' organisation (eco-organisme) and the carrier.
    eco_organisation_name = models.CharField(
        _("eco-organisation"),
        max_length=160,
        blank=True,
        help_text=_("The producers' organisation that takes the waste in charge, if any."),
    )
    eco_organisation_siren = models.CharField(
        _("eco-organisation's SIREN"), max_length=9, blank=True, validators=[validate_siren]
    )
    carrier_name = models.CharField(_("carrier"), max_length=160)
    carrier_siret = models.CharField(
        _("carrier's SIRET"), max_length=14, validators=[validate_siret]
    )
    carrier_address = models.TextField(_("carrier's address"))
    carrier_receipt_number = models.CharField(
        _("carrier's receipt number"),
        max_length=60,
        help_text=_("The number of its « récépissé de déclaration » as a waste carrier."),
    )
    # e) where it goes and what is done there.
    recipient_name = models.CharField(_("recipient"), max_length=160)
    recipient_siret = models.CharField(
        _("recipient's SIRET"), max_length=14, validators=[validate_siret]
    )
    recipient_address = models.TextField(_("recipient's address"))
    treatment_code = models.CharField(_("treatment code"), max_length=3, choices=TreatmentCode)
    treatment_mode = models.CharField(
        _("final treatment"),
        max_length=10,
        choices=TreatmentMode,
        blank=True,
        help_text=_("Left empty for a storage or exchange (R12, R13, D13 to D15)."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded on"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-shipped_on", "-pk"]
        indexes = [models.Index(fields=["shipped_on", "id"])]
        verbose_name = _("recycling shipment")
        verbose_name_plural = _("recycling shipments")

    def __str__(self):
        return f"{self.number} · {self.recipient_name}"

    def get_absolute_url(self):
        return reverse("inventory:recycling:detail", args=[self.pk])

    @property
    def is_hazardous(self):
        return self.waste_code.endswith("*")

    def clean(self):
        allowed = MODES_OF_CODE.get(self.treatment_code)
        if allowed is None:
            return
        if not allowed:
            if self.treatment_mode:
                raise ValidationError(
                    {
                        "treatment_mode": _(
                            "%(code)s is a storage or exchange before the treatment: leave "
                            "the final treatment empty."
                        )
                        % {"code": self.treatment_code}
                    }
                )
            return
        if not self.treatment_mode and len(allowed) == 1:
            # The code says it all (D → disposal, R1 → energy): nothing to ask.
            self.treatment_mode = allowed[0]
        if self.treatment_mode not in allowed:
            raise ValidationError(
                {
                    "treatment_mode": _(
                        "With code %(code)s the final treatment is one of: %(modes)s."
                    )
                    % {
                        "code": self.treatment_code,
                        "modes": ", ".join(str(TreatmentMode(m).label) for m in allowed),
                    }
                }
            )

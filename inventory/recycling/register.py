"""The outgoing-waste register (« registre des déchets sortants »): one line per
recycling shipment, in the order they left, and its CSV and XLSX files.

Its columns are those of the arrêté du 31 mai 2021, art. 2 (code de l'environnement
R.541-43); docs/legal.md lists each with its source. The headers are the arrêté's own
French terms, printed as they are whatever the language of the interface (as
sales.legal does for mandatory wordings): the register is read by a French inspector.
The sender (the association: it decides to discard the devices, so it is the waste's
producer too) is its organisation's name and SIRET and the site's address.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats

from inventory.models import Organisation, RecyclingShipment, TreatmentMode
from spreadsheets.exporting import CSV, write_table

KG_PER_TONNE = Decimal(1000)


@dataclass(frozen=True)
class Column:
    heading: str
    source: str
    # Kept as text in XLSX (SIRET, SIREN, codes) so that no digit is lost.
    identifier: bool = False
    number: bool = False


ART2 = "Arrêté du 31 mai 2021, art. 2"
COLUMNS = [
    Column("Numéro d'expédition", "Identifiant interne (traçabilité, art. 10)"),
    Column("Date d'expédition", f"{ART2} a)"),
    Column("Dénomination usuelle du déchet", f"{ART2} b)"),
    Column("Code déchet", f"{ART2} b) ; code de l'environnement R.541-7", identifier=True),
    Column("Déchet POP", f"{ART2} b) ; code de l'environnement R.541-8"),
    Column("Numéro du bordereau de suivi", f"{ART2} b) ; R.541-45", identifier=True),
    Column("Quantité (t)", f"{ART2} b)", number=True),
    Column("Quantité (kg)", "Pesée (complément)", number=True),
    Column("Raison sociale de l'expéditeur", f"{ART2} c)"),
    Column("SIRET de l'expéditeur", f"{ART2} c)", identifier=True),
    Column("Adresse de l'expéditeur", f"{ART2} c)"),
    Column("Éco-organisme", f"{ART2} d) ; L.541-10-1"),
    Column("SIREN de l'éco-organisme", f"{ART2} d)", identifier=True),
    Column("Transporteur", f"{ART2} d)"),
    Column("SIRET du transporteur", f"{ART2} d)", identifier=True),
    Column("Adresse du transporteur", f"{ART2} d)"),
    Column("Numéro de récépissé du transporteur", f"{ART2} d) ; R.541-53", identifier=True),
    Column("Destinataire", f"{ART2} e)"),
    Column("SIRET du destinataire", f"{ART2} e)", identifier=True),
    Column("Adresse du destinataire", f"{ART2} e)"),
    Column("Code du traitement", f"{ART2} e) ; directive 2008/98/CE annexes I et II"),
    Column("Qualification du traitement final", f"{ART2} e) ; L.541-1"),
]

# The hierarchy's words as the register spells them (Trackdéchets' modes).
MODE_WORDS = {
    TreatmentMode.REUSE: "Réutilisation",
    TreatmentMode.RECYCLING: "Recyclage et autres formes de valorisation de la matière",
    TreatmentMode.ENERGY: "Valorisation énergétique",
    TreatmentMode.DISPOSAL: "Élimination",
}
NOT_YET_KNOWN = "Sans objet (opération intermédiaire)"


def headings():
    return [column.heading for column in COLUMNS]


def shipments(period=None):
    """The shipments of `period` (inventory.impact.period.Period or None: all), in the
    order they left."""
    queryset = RecyclingShipment.objects.select_related("site").order_by("shipped_on", "pk")
    if period is not None:
        queryset = queryset.filter(shipped_on__range=(period.start, period.end))
    return queryset


def rows(queryset, native=False):
    """The register's lines (lists in `headings()`'s order). `native` keeps dates and
    numbers as such (XLSX); otherwise they are French text (CSV, 31/12/2026, 0,125)."""
    organisation = Organisation.current()
    return [_row(shipment, organisation, native) for shipment in queryset]


def _row(s, organisation, native):
    tonnes = (s.quantity_kg / KG_PER_TONNE).quantize(Decimal("0.001"))
    values = [
        s.number,
        s.shipped_on if native else s.shipped_on.strftime("%d/%m/%Y"),
        s.waste_description,
        s.waste_code,
        "Oui" if s.contains_pop else "Non",
        s.consignment_note,
        tonnes if native else _decimal(tonnes),
        s.quantity_kg if native else _decimal(s.quantity_kg),
        organisation.name,
        organisation.siret,
        _one_line(s.site.address or organisation.address),
        s.eco_organisation_name,
        s.eco_organisation_siren,
        s.carrier_name,
        s.carrier_siret,
        _one_line(s.carrier_address),
        s.carrier_receipt_number,
        s.recipient_name,
        s.recipient_siret,
        _one_line(s.recipient_address),
        s.treatment_code,
        MODE_WORDS.get(s.treatment_mode, NOT_YET_KNOWN),
    ]
    return values


def _decimal(value):
    return formats.number_format(value, use_l10n=True)


def _one_line(text):
    return ", ".join(line.strip() for line in (text or "").splitlines() if line.strip())


def export(fmt, queryset):
    """The register of `queryset`'s shipments as a CSV or XLSX file (bytes)."""
    text = {i for i, column in enumerate(COLUMNS) if column.identifier}
    numbers = {i for i, column in enumerate(COLUMNS) if column.number}
    return write_table(
        fmt,
        headings(),
        rows(queryset, native=fmt != CSV),
        title="Registre déchets sortants",
        text_columns=text,
        number_columns=numbers,
    )

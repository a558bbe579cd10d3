"""Which tax paper each kind of donor gets, and the texts it rests on: data with their
source, not literals in the code that draws the documents (docs/legal.md cites them).

Checked on 2026-12-07; the forms change (11580 is at version *05, 16216 at *02): update
the numbers here and the tests that read them.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from inventory.models import Donor, IssuedDocument, ValuationBasis


@dataclass(frozen=True)
class TaxPaper:
    """The tax receipt a kind of donor may receive, and what it requires."""

    kind: str  # IssuedDocument.Kind
    form: str  # the form's name, as impots.gouv.fr lists it
    cerfa: str
    article: str  # the article of the code général des impôts
    bases: tuple  # the valuation bases it accepts (ValuationBasis)
    source: str


COMPANY_PAPER = TaxPaper(
    kind=IssuedDocument.Kind.COMPANY_TAX_RECEIPT,
    form="2041-MEC-SD",
    cerfa="16216",
    article="238 bis",
    # CGI art. 238 bis 1: gifts in kind valued at cost price; fixed assets at their value
    # on leaving the assets, i.e. net book value (BOI-BIC-RICI-20-30-10-20 n° 60).
    bases=(ValuationBasis.COST_PRICE, ValuationBasis.NET_BOOK_VALUE),
    source=(
        "CGI art. 238 bis 1 (coût de revient) et 5 bis (reçu conforme au modèle "
        "2041-MEC-SD, Cerfa n° 16216) ; BOI-BIC-RICI-20-30-10-20 n° 60 ; "
        "rescrit du 21-6-2023 (autre présentation admise si mêmes mentions)"
    ),
)

INDIVIDUAL_PAPER = TaxPaper(
    kind=IssuedDocument.Kind.INDIVIDUAL_TAX_RECEIPT,
    form="11580",
    cerfa="11580",
    article="200",
    bases=tuple(ValuationBasis.values),
    source=(
        "CGI art. 200 ; Cerfa n° 11580*05 « Reçu des dons et versements effectués par les "
        "particuliers au titre des articles 200 et 978 du CGI » (SIREN ou RNA obligatoire)"
    ),
)

TAX_PAPERS = {Donor.Kind.COMPANY: COMPANY_PAPER, Donor.Kind.INDIVIDUAL: INDIVIDUAL_PAPER}

# Why a kind of donor gets the attestation only.
NO_TAX_PAPER = {
    Donor.Kind.PUBLIC_BODY: _(
        "A public body pays neither income tax nor corporate tax: the tax reductions for "
        "gifts (CGI art. 200 for individuals, art. 238 bis for taxed businesses) do not "
        "apply to it, so it receives the donation attestation only, and no tax receipt."
    ),
    Donor.Kind.ASSOCIATION: _(
        "An association receives the donation attestation only. If it is liable to "
        "corporate tax (CGI art. 238 bis applies to businesses liable to income or "
        "corporate tax), record it as a company to prepare the 2041-MEC-SD data."
    ),
}
NO_TAX_PAPER_SOURCE = "CGI art. 200 (particuliers) et art. 238 bis (entreprises imposées)"

# Printed on the attestation: it proves the gift, it does not open a tax reduction.
NOT_A_TAX_RECEIPT = _("This document is not a tax receipt.")

# A tax receipt from an organisation that may not issue one is fined.
UNDUE_RECEIPT_SOURCE = (
    "CGI art. 1740 A (amende pour délivrance irrégulière de reçus ; version 2008-2018 lue "
    "sur Légifrance, rédaction en vigueur depuis 2019 non relue)"
)


def tax_paper_for(donor):
    """The TaxPaper `donor`'s kind may receive, or None."""
    return TAX_PAPERS.get(donor.kind)


def why_no_tax_paper(donor):
    return NO_TAX_PAPER.get(donor.kind, "")

"""The texts the loan agreement and the gift attestation rely on, each with its source.

A loan of equipment to a household, free of charge, is a prêt à usage (commodat): code
civil, livre III, titre X, chapitre Ier, art. 1875 to 1891. The articles below were read
on Légifrance's text as republished by DILA (checked December 2026, see docs/legal.md).
What the code leaves to the contract (a deposit, what is charged for a loss, how to end
early, what happens when nothing comes back) is the association's choice: Organisation's
loan_* fields, printed on the agreement as « choix de l'association ».
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# The code civil on Légifrance; its section « Des engagements de l'emprunteur » (art. 1880
# to 1887) is LEGISCTA000006150309.
CODE_CIVIL = "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006070721/"
LEGIFRANCE_COMMODAT = CODE_CIVIL


@dataclass(frozen=True)
class Rule:
    reference: str  # as printed on the document
    source: str  # where it was read


COMMODAT = Rule("code civil, art. 1875 à 1891", LEGIFRANCE_COMMODAT)
# Art. 1875: the lender hands a thing over for the borrower to use, and gets it back.
# Art. 1876: free of charge by nature. Art. 1877: the lender stays the owner.
NATURE = Rule("code civil, art. 1875 à 1877", LEGIFRANCE_COMMODAT)
# Art. 1880: the borrower looks after it reasonably, uses it only as its nature or the
# contract says, or owes damages.
CARE = Rule("code civil, art. 1880", LEGIFRANCE_COMMODAT)
# Art. 1881: used otherwise, or kept longer than agreed, the borrower bears its loss even
# by accident. Art. 1882: lost by an accident the borrower could have avoided.
LOSS = Rule("code civil, art. 1881 et 1882", LEGIFRANCE_COMMODAT)
# Art. 1884: wear from the use it was lent for, without fault, is not the borrower's.
WEAR = Rule("code civil, art. 1884", LEGIFRANCE_COMMODAT)
# Art. 1888: the lender cannot take it back before the term. Art. 1889: except by a
# judge's order, for a pressing and unforeseen need of the lender.
EARLY_END = Rule("code civil, art. 1888 et 1889", LEGIFRANCE_COMMODAT)

# The gift: a don manuel, made by handing the thing over (tradition), without the deed
# code civil art. 931 requires of other donations (Cass. civ. 1re, 13 janvier 2016,
# n° 14-28.297: no form is required). The attestation records it; it does not make it.
GIFT = Rule(
    "don manuel (code civil, art. 931 ; Cass. civ. 1re, 13 janv. 2016, n° 14-28.297)",
    CODE_CIVIL + " ; https://associations-lpdl.org/ (Civ. 1re, 13 janv. 2016, n° 14-28.297)",
)

# The legal guarantee of conformity covers sales of goods by a professional to a consumer
# (code de la consommation L217-1, as rewritten by ordonnance 2021-1247): not a gift,
# for which the household gives nothing in return.
CONFORMITY = Rule(
    "code de la consommation, art. L217-1",
    "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006069565/",
)

# Printed beside each association choice on the documents.
CHOICE = _("choice of the association")

# Numbers of gift attestations: DF-<year>-<0001>, one never-reused counter per year.
GIFT_NUMBER_PREFIX = "DF"

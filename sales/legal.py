"""The legal rules and mandatory wordings the shop's documents rely on, as data with
their source.

When a text changes (a decree, a new model box), it changes here, once, with its new
source; the documents read these constants and never spell a legal rule themselves.
The mandatory wordings are French texts fixed by French regulations: they are printed as
they are, whatever the language of the interface.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Rule:
    text: str
    source: str


# « Reconditionné » -----------------------------------------------------------------------

REFURBISHED = Rule(
    text=(
        "« Reconditionné » : tests portant sur toutes ses fonctionnalités, et suppression de "
        "toutes les données enregistrées ou conservées en lien avec un précédent usage ou un "
        "précédent utilisateur."
    ),
    source=(
        "Code de la consommation, art. R.122-4 1° et 2° (décret n° 2022-190 du 17 février "
        "2022); https://www.legifrance.gouv.fr/eli/decret/2022/2/17/2022-190/jo/texte"
    ),
)

# Words that may never describe a refurbished good, in the languages the app prints.
FORBIDDEN_WORDS = Rule(
    text="état neuf · comme neuf · à neuf · like new · as new",
    source=(
        "Code de la consommation, art. R.122-4 to R.122-6 (décret n° 2022-190 du 17 février 2022)"
    ),
)


# The legal guarantees of a consumer sale ---------------------------------------------------

# The box the general conditions of a consumer sale of goods must carry, as the model
# annexed to the code gives it (art. D.211-2, created by décret n° 2022-946 of 29 June
# 2022, in force 1 October 2022). Paragraph by paragraph, verbatim.
GUARANTEE_BOX = Rule(
    text="\n".join(
        [
            "Le consommateur dispose d'un délai de deux ans à compter de la délivrance du bien "
            "pour obtenir la mise en œuvre de la garantie légale de conformité en cas "
            "d'apparition d'un défaut de conformité. Durant ce délai, le consommateur n'est "
            "tenu d'établir que l'existence du défaut de conformité et non la date "
            "d'apparition de celui-ci.",
            "Lorsque le contrat de vente du bien prévoit la fourniture d'un contenu numérique "
            "ou d'un service numérique de manière continue pendant une durée supérieure à deux "
            "ans, la garantie légale est applicable à ce contenu numérique ou ce service "
            "numérique tout au long de la période de fourniture prévue. Durant ce délai, le "
            "consommateur n'est tenu d'établir que l'existence du défaut de conformité "
            "affectant le contenu numérique ou le service numérique et non la date "
            "d'apparition de celui-ci.",
            "La garantie légale de conformité emporte obligation pour le professionnel, le cas "
            "échéant, de fournir toutes les mises à jour nécessaires au maintien de la "
            "conformité du bien.",
            "La garantie légale de conformité donne au consommateur droit à la réparation ou "
            "au remplacement du bien dans un délai de trente jours suivant sa demande, sans "
            "frais et sans inconvénient majeur pour lui.",
            "Si le bien est réparé dans le cadre de la garantie légale de conformité, le "
            "consommateur bénéficie d'une extension de six mois de la garantie initiale.",
            "Si le consommateur demande la réparation du bien, mais que le vendeur impose le "
            "remplacement, la garantie légale de conformité est renouvelée pour une période de "
            "deux ans à compter de la date de remplacement du bien.",
            "Le consommateur peut obtenir une réduction du prix d'achat en conservant le bien "
            "ou mettre fin au contrat en se faisant rembourser intégralement contre "
            "restitution du bien, si :",
            "1° Le professionnel refuse de réparer ou de remplacer le bien ;",
            "2° La réparation ou le remplacement du bien intervient après un délai de trente "
            "jours ;",
            "3° La réparation ou le remplacement du bien occasionne un inconvénient majeur "
            "pour le consommateur, notamment lorsque le consommateur supporte définitivement "
            "les frais de reprise ou d'enlèvement du bien non conforme, ou s'il supporte les "
            "frais d'installation du bien réparé ou de remplacement ;",
            "4° La non-conformité du bien persiste en dépit de la tentative de mise en "
            "conformité du vendeur restée infructueuse.",
            "Le consommateur a également droit à une réduction du prix du bien ou à la "
            "résolution du contrat lorsque le défaut de conformité est si grave qu'il justifie "
            "que la réduction du prix ou la résolution du contrat soit immédiate. Le "
            "consommateur n'est alors pas tenu de demander la réparation ou le remplacement du "
            "bien au préalable.",
            "Le consommateur n'a pas droit à la résolution de la vente si le défaut de "
            "conformité est mineur.",
            "Toute période d'immobilisation du bien en vue de sa réparation ou de son "
            "remplacement suspend la garantie qui restait à courir jusqu'à la délivrance du "
            "bien remis en état.",
            "Les droits mentionnés ci-dessus résultent de l'application des articles L. 217-1 "
            "à L. 217-32 du code de la consommation.",
            "Le vendeur qui fait obstacle de mauvaise foi à la mise en œuvre de la garantie "
            "légale de conformité encourt une amende civile d'un montant maximal de 300 000 "
            "euros, qui peut être porté jusqu'à 10 % du chiffre d'affaires moyen annuel "
            "(article L. 241-5 du code de la consommation).",
            "Le consommateur bénéficie également de la garantie légale des vices cachés en "
            "application des articles 1641 à 1649 du code civil, pendant une durée de deux ans "
            "à compter de la découverte du défaut. Cette garantie donne droit à une réduction "
            "de prix si le bien est conservé ou à un remboursement intégral contre restitution "
            "du bien.",
        ]
    ),
    source=(
        "Code de la consommation, art. D.211-2 and its annexed model (décret n° 2022-946 du "
        "29 juin 2022); https://www.legifrance.gouv.fr/eli/decret/2022/6/29/2022-946/jo/texte"
    ),
)

# Not part of the model box: the shorter presumption for second-hand goods, which every
# device the shop sells is.
SECOND_HAND_PRESUMPTION = Rule(
    text=(
        "Biens d'occasion : le défaut de conformité qui apparaît dans un délai de douze mois "
        "à compter de la délivrance du bien est présumé exister au moment de la délivrance, "
        "sauf preuve contraire (article L. 217-7 du code de la consommation)."
    ),
    source="Code de la consommation, art. L.217-7 (ordonnance n° 2021-1247 du 29 septembre 2021)",
)


# Invoices to business buyers -----------------------------------------------------------------

# The fixed indemnity for recovery costs owed by a professional who pays late.
RECOVERY_INDEMNITY = Rule(
    text=str(Decimal("40.00")),
    source="Code de commerce, art. L.441-10 II and D.441-5 (décret n° 2012-1115)",
)

# Without an agreed term, payment is due on the 30th day after delivery; the association
# may choose another term within the legal maximum (setting SALES_INVOICE_PAYMENT_DAYS).
DEFAULT_PAYMENT_DAYS = Rule(text="30", source="Code de commerce, art. L.441-10 I")

# Without an agreed rate: the ECB's latest refinancing rate plus 10 points (an agreed rate
# may not be below three times the legal interest rate): setting SALES_LATE_PAYMENT_RATE.
DEFAULT_LATE_PAYMENT_RATE = Rule(
    text=(
        "taux d'intérêt appliqué par la Banque centrale européenne à son opération de "
        "refinancement la plus récente, majoré de 10 points de pourcentage"
    ),
    source="Code de commerce, art. L.441-10 II",
)

INVOICE_MENTIONS = Rule(
    text=(
        "Names and addresses of the parties, buyer's SIREN, invoice number and date, date "
        "of sale, precise description, unit price before VAT, date payment is due, late "
        "payment penalty rate, fixed recovery indemnity"
    ),
    source="Code de commerce, art. L.441-9",
)

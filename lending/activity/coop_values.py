"""How la Coop de la médiation numérique writes the values of its categories: data of its
format, in French whatever the interface's language. Read by its export
(coop_export.py) and by the households' import, which accepts them as they are."""

from lending.models import AgeBand, Qpv, SocialStatus

# The Coop's labels of its values (data of its format, in French whatever the interface
# language): apps/web/src/features/beneficiaire/domain/tranche-age.ts and statut-social.ts.
COOP_AGE_BANDS = {
    AgeBand.UNDER_12: "Moins de 12 ans",
    AgeBand.FROM_12_TO_17: "12 - 17 ans",
    AgeBand.FROM_18_TO_24: "18 - 24 ans",
    AgeBand.FROM_25_TO_39: "25 - 39 ans",
    AgeBand.FROM_40_TO_59: "40 - 59 ans",
    AgeBand.FROM_60_TO_69: "60 - 69 ans",
    AgeBand.FROM_70: "70 ans et plus",
    AgeBand.UNKNOWN: "Non communiqué",
}
COOP_SOCIAL_STATUSES = {
    SocialStatus.IN_SCHOOL: "Scolarisé",
    SocialStatus.UNEMPLOYED: "Sans emploi",
    SocialStatus.EMPLOYED: "En emploi",
    SocialStatus.RETIRED: "Retraité",
    SocialStatus.UNKNOWN: "Non communiqué ou hétérogène",
}
COOP_QPV = {"oui": Qpv.YES, "non": Qpv.NO, "ne sait pas": Qpv.UNKNOWN, "inconnu": Qpv.UNKNOWN}


def aliases(labels):
    """{label: value} from a {value: label} map, for a ChoiceWidget's aliases."""
    return {label: value for value, label in labels.items()}

"""Why Réemploi keeps what it keeps about a household, and on which legal basis.

One table, read by the household form (which purposes need a consent), the information
notice handed to the family (RGPD art. 13) and the register of processing (art. 30).
The sources are in docs/privacy.md:

- RGPD art. 6.1: https://www.cnil.fr/fr/reglement-europeen-protection-donnees/chapitre2#Article6
- RGPD art. 9 (health data, e.g. AAH reveals a disability):
  https://www.cnil.fr/fr/reglement-europeen-protection-donnees/chapitre2#Article9
- CNIL référentiel « accompagnement social et médico-social », délibération 2021-028:
  https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000043274920
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from lending.models import ConsentPurpose


class Basis(models.TextChoices):
    CONTRACT = "contract", _("Performance of the loan agreement (RGPD art. 6.1.b)")
    LEGITIMATE_INTEREST = (
        "legitimate_interest",
        _("The association's mission, its legitimate interest (RGPD art. 6.1.f)"),
    )
    CONSENT = "consent", _("Consent, which can be withdrawn at any time (RGPD art. 6.1.a)")
    EXPLICIT_CONSENT = (
        "explicit_consent",
        _("Explicit consent, which can be withdrawn at any time (RGPD art. 9.2.a)"),
    )


@dataclass(frozen=True)
class Purpose:
    code: str
    name: str
    basis: str
    # What it means for the family, in one sentence (the form, the notice).
    meaning: str
    # Set for the optional purposes only: the Consent rows that carry them.
    consent: str = ""

    @property
    def basis_label(self):
        return Basis(self.basis).label

    @property
    def optional(self):
        return bool(self.consent)


PURPOSES = (
    Purpose(
        "follow_up",
        _("Follow-up of the household's enrolment and loans"),
        Basis.CONTRACT,
        _(
            "The social worker and the programme's coordinator record the enrolment, the "
            "devices lent and their return: without it there can be no loan."
        ),
    ),
    Purpose(
        "statistics",
        _("Anonymous figures for the programme's funders"),
        Basis.LEGITIMATE_INTEREST,
        _(
            "Funders receive only counts (households, communes, age bands, hours): "
            "never a name, and no figure that would single out a family."
        ),
    ),
    Purpose(
        "coop_report",
        _("Reporting the accompaniment in la Coop de la médiation numérique"),
        Basis.LEGITIMATE_INTEREST,
        _(
            "The conseiller numérique who accompanies the household may copy its name, "
            "commune and the workshops it attended into the national tool of digital "
            "inclusion (ANCT); never its phone, e-mail, situation or notes."
        ),
    ),
    Purpose(
        "sms",
        ConsentPurpose.SMS.label,
        Basis.CONSENT,
        _(
            "The household receives a text message a few days before the devices are due "
            "back; without it, only the social worker is reminded."
        ),
        consent=ConsentPurpose.SMS,
    ),
    Purpose(
        "sensitive",
        ConsentPurpose.SENSITIVE.label,
        Basis.EXPLICIT_CONSENT,
        _(
            "A situation that reveals a disability or an illness (such as receiving the "
            "AAH) is recorded only if the household explicitly agrees; it is never needed "
            "for a loan."
        ),
        consent=ConsentPurpose.SENSITIVE,
    ),
)


def optional_purposes():
    """The purposes a household may accept or refuse, in the form's order."""
    return [purpose for purpose in PURPOSES if purpose.optional]


def purpose_of_consent(consent_purpose):
    return next(p for p in PURPOSES if p.consent == consent_purpose)

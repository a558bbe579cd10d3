"""The lending side's models, one module per subject."""

from lending.models.consents import Consent, ConsentPurpose
from lending.models.households import AgeBand, Household, Need, Qpv, SocialStatus
from lending.models.loans import (
    Accessory,
    GiftAttestation,
    Loan,
    LoanDevice,
    LoanExtension,
    Reminder,
    Return,
    SimCard,
)
from lending.models.privacy import HouseholdAccess
from lending.models.programmes import Attendance, Enrolment, Programme, Workshop
from lending.models.structures import Criterion, Funder, Structure

__all__ = [
    "Accessory",
    "AgeBand",
    "Attendance",
    "Consent",
    "ConsentPurpose",
    "Criterion",
    "Enrolment",
    "Funder",
    "GiftAttestation",
    "Household",
    "HouseholdAccess",
    "Loan",
    "LoanDevice",
    "LoanExtension",
    "Need",
    "Programme",
    "Qpv",
    "Reminder",
    "Return",
    "SimCard",
    "SocialStatus",
    "Structure",
    "Workshop",
]

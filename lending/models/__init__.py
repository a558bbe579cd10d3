"""The lending side's models, one module per subject."""

from .households import ConsentPurpose, Household, Need
from .loans import Accessory, Loan, LoanDevice, LoanExtension, Reminder, Return, SimCard
from .programmes import Attendance, Enrolment, Programme, Workshop
from .structures import Criterion, Funder, Structure

__all__ = [
    "Accessory",
    "Attendance",
    "ConsentPurpose",
    "Criterion",
    "Enrolment",
    "Funder",
    "Household",
    "Loan",
    "LoanDevice",
    "LoanExtension",
    "Need",
    "Programme",
    "Reminder",
    "Return",
    "SimCard",
    "Structure",
    "Workshop",
]

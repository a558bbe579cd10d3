"""The inventory's models, one module per subject."""

from inventory.models.core import (
    CODE_VALIDATOR,
    Category,
    Comment,
    Device,
    Donation,
    Donor,
    Drive,
    Grade,
    Holder,
    Location,
    Sequence,
    Site,
    Status,
    StockSnapshot,
    ValuationBasis,
)
from inventory.models.documents import IssuedDocument
from inventory.models.erasure import (
    LEVEL_OF_METHOD,
    Erasure,
    ErasureCertificate,
    ErasureLog,
    ErasureRun,
)
from inventory.models.hardware import HardwareReport, WorkstationToken
from inventory.models.organisation import Organisation, organisation_name
from inventory.models.recycling import (
    RecyclingShipment,
    TreatmentCode,
    TreatmentMode,
    WasteCode,
)
from inventory.models.refurbishment import (
    ChecklistItem,
    CheckResult,
    OperatingSystem,
    OsInstall,
    Part,
    PartUse,
    WorkbenchCheck,
)

__all__ = [
    "CODE_VALIDATOR",
    "LEVEL_OF_METHOD",
    "Category",
    "CheckResult",
    "ChecklistItem",
    "Comment",
    "Device",
    "Donation",
    "Donor",
    "Drive",
    "Erasure",
    "ErasureCertificate",
    "ErasureLog",
    "ErasureRun",
    "Grade",
    "HardwareReport",
    "Holder",
    "IssuedDocument",
    "Location",
    "OperatingSystem",
    "Organisation",
    "OsInstall",
    "Part",
    "PartUse",
    "RecyclingShipment",
    "Sequence",
    "Site",
    "Status",
    "StockSnapshot",
    "TreatmentCode",
    "TreatmentMode",
    "ValuationBasis",
    "WasteCode",
    "WorkbenchCheck",
    "WorkstationToken",
    "organisation_name",
]

"""The inventory's models, one module per subject."""

from inventory.models.core import (
    CODE_VALIDATOR,
    STOCK_EXIT_STATUSES,
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
from inventory.models.counts import DeviceCount
from inventory.models.documents import IssuedDocument
from inventory.models.erasure import (
    LEVEL_OF_METHOD,
    Erasure,
    ErasureCertificate,
    ErasureLog,
    ErasureRun,
)
from inventory.models.hardware import HardwareReport, WorkstationToken
from inventory.models.impact import ClosedReport, FactorSet, FrozenRecord, ImpactFactor
from inventory.models.monthly import FlowSummary, MonthlyFlow, StaleFlowMonth
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
from inventory.models.stock import REUSED_CHANNELS, ExitChannel, StockExit, WeightDefault
from inventory.models.stretches import DailyStatus, StatusStretch

__all__ = [
    "CODE_VALIDATOR",
    "LEVEL_OF_METHOD",
    "REUSED_CHANNELS",
    "STOCK_EXIT_STATUSES",
    "Category",
    "CheckResult",
    "ChecklistItem",
    "ClosedReport",
    "Comment",
    "DailyStatus",
    "Device",
    "DeviceCount",
    "Donation",
    "Donor",
    "Drive",
    "Erasure",
    "ErasureCertificate",
    "ErasureLog",
    "ErasureRun",
    "ExitChannel",
    "FactorSet",
    "FlowSummary",
    "FrozenRecord",
    "Grade",
    "HardwareReport",
    "Holder",
    "ImpactFactor",
    "IssuedDocument",
    "Location",
    "MonthlyFlow",
    "OperatingSystem",
    "Organisation",
    "OsInstall",
    "Part",
    "PartUse",
    "RecyclingShipment",
    "Sequence",
    "Site",
    "StaleFlowMonth",
    "Status",
    "StatusStretch",
    "StockExit",
    "StockSnapshot",
    "TreatmentCode",
    "TreatmentMode",
    "ValuationBasis",
    "WasteCode",
    "WeightDefault",
    "WorkbenchCheck",
    "WorkstationToken",
    "organisation_name",
]

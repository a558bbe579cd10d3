"""What the lending app offers to import and export, by the name used in URLs and
commands; each resource lives beside its capability (households, enrolments, loans)."""

from lending.enrolments.resources import EnrolmentResource
from lending.households.resources import HouseholdResource
from lending.sims.resources import SimCardResource

RESOURCES = {
    "sim-cards": SimCardResource,
    "households": HouseholdResource,
    "enrolments": EnrolmentResource,
}

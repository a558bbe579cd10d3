"""The inventory of the lending side's data, in one place: for every field of every model
(and of its history table), what it is, whether it is about a person, how long it is
kept, whether the subject-access file exports it, and what anonymisation does to it.

tests/lending/privacy/test_personal_data.py fails when a field has no declaration, so
a new field cannot be added without its rule. A new model is one entry of INVENTORY:

    "lending.Consent": Declaration(household="household", fields={...}),

`household` is the lookup from the model to its Household (None: not about a
household); anonymise.anonymise_household applies the rules of every declared model
through it, history rows included.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Action(StrEnum):
    """What anonymising a household does to a field of its rows."""

    KEEP = "keep"  # not personal, or needed for the statistics (`why` says which)
    BLANK = "blank"  # "" for text, [] for a list of choices, cleared for a many-to-many
    PLACEHOLDER = "placeholder"  # replaced by PLACEHOLDER (a required text)
    DROP_SENSITIVE = "drop_sensitive"  # many-to-many to Criterion: sensitive ones removed


# What replaces a required text (a name). Stored data, not an interface string: pages
# say "anonymised household" from Household.anonymised_on.
PLACEHOLDER = "—"

# Retention rules, as docs/privacy.md explains them.
HOUSEHOLD_FILE = "household file: HOUSEHOLD_RETENTION_DAYS after the last contact"
STATISTICS = "kept without the person's identity, for the programme's figures"
REFERENCE = "as long as the record exists (not about a household)"
STAFF = "as long as the record exists (a member of staff, not a household)"
ACCESS_LOG = "ACCESS_LOG_RETENTION_DAYS after the access, then deleted"


@dataclass(frozen=True)
class Rule:
    what: str
    personal: bool
    retention: str
    export: bool
    action: Action
    why: str = ""  # why a personal field is kept through anonymisation


def personal(what, action=Action.BLANK, *, export=True):
    """About the person, erased by anonymisation."""
    return Rule(what, True, HOUSEHOLD_FILE, export, action)


def statistic(what, why, *, export=True):
    """About the household, kept without its identity for the figures."""
    return Rule(what, False, STATISTICS, export, Action.KEEP, why)


def reference(what, *, export=False):
    """Not about a person: an identifier, a status, a link to another record."""
    return Rule(what, False, REFERENCE, export, Action.KEEP)


def staff(what, *, export=True):
    """A member of staff (social worker, technician): not the household's data."""
    return Rule(what, False, STAFF, export, Action.KEEP, "staff, not the household")


@dataclass(frozen=True)
class Declaration:
    fields: dict[str, Rule]
    household: str | None = None  # lookup to the Household, e.g. "loan__household"
    history: dict[str, Rule] = field(default_factory=dict)


# The columns simple-history adds to every history table.
HISTORY_FIELDS = {
    "history_id": reference("history row number"),
    "history_date": reference("when the change was made", export=True),
    "history_type": reference("creation, change or deletion", export=True),
    "history_user": staff("who made the change"),
    "history_change_reason": personal("note typed with the change (free text)"),
}

_WHEN = "dates of the programme's activity report"

INVENTORY: dict[str, Declaration] = {
    "lending.Household": Declaration(
        household="pk",
        fields={
            "id": reference("row number"),
            "code": statistic("household code (F-0042)", "counts households without a name"),
            "first_name": personal("first name", Action.PLACEHOLDER),
            "last_name": personal("last name", Action.PLACEHOLDER),
            "phone": personal("phone"),
            "email": personal("e-mail"),
            "postcode": statistic("postcode", "households per area for funders"),
            "commune": statistic("commune", "households per commune for funders"),
            # The médiation-numérique categories (docs/activity.md): coarse on purpose,
            # kept so that reports give the same totals after anonymisation.
            "insee_code": statistic("INSEE commune code", "households per commune (Coop)"),
            "qpv": statistic("lives in a QPV (yes, no, unknown)", "households from QPVs"),
            "age_band": statistic("age band of the reference person", "people per age band"),
            "social_status": statistic("social status of the reference person", "per status"),
            "size": statistic("people in the household", "people reached"),
            "school_age_children": statistic("school-age children", "children reached"),
            # Art. 9 (AAH reveals a disability): not kept beyond the file.
            "situations": personal("situation (eligibility criteria, may be health data)"),
            "needs": statistic("needs (school, job…)", "needs met by the programme"),
            "structure": statistic("referring structure", "households per partner"),
            "social_worker": staff("social worker following the household"),
            "notes": personal("notes (free text)"),
            "created_at": statistic("registration date", _WHEN),
            "anonymised_on": reference("date of anonymisation", export=True),
            "anonymisation_reason": reference("why it was anonymised (rule or request)"),
        },
    ),
    "lending.Enrolment": Declaration(
        household="household",
        fields={
            "id": reference("row number"),
            "household": reference("household"),
            "programme": statistic("programme", "households per programme"),
            "status": statistic("enrolment status", "enrolments per status", export=True),
            "applied_at": statistic("application date", _WHEN),
            "applied_by": staff("who applied"),
            "criteria_met": Rule(
                "criteria met",
                True,
                STATISTICS,
                True,
                Action.DROP_SENSITIVE,
                "eligibility per criterion; sensitive (art. 9) ones removed",
            ),
            "decided_at": statistic("decision date", _WHEN),
            "reason": personal("reason of the decision (free text)"),
            "waitlist_position": reference("position on the waiting list"),
            "enrolled_at": statistic("enrolment date", _WHEN),
        },
    ),
    "lending.Attendance": Declaration(
        household="household",
        fields={
            "id": reference("row number"),
            "workshop": statistic("workshop", "attendance and hours per workshop"),
            "household": reference("household"),
            "presence": statistic("present, absent, excused", "attendance and hours"),
            "recorded_by": staff("who took the attendance"),
            "recorded_at": statistic("when attendance was taken", _WHEN),
        },
    ),
    "lending.Loan": Declaration(
        household="household",
        fields={
            "id": reference("loan number", export=True),
            "household": reference("household"),
            "programme": statistic("programme", "loans per programme"),
            "enrolment": reference("enrolment"),
            "status": statistic("loan status", "loans per status"),
            "requested_by": staff("who requested the loan"),
            "requested_at": statistic("request date", _WHEN),
            "request_note": personal("request (free text)"),
            "starts_on": statistic("start date", _WHEN),
            "due_on": statistic("due date", "overdue figures"),
            "sim": statistic("SIM card lent", "connectivity lent"),
            "handed_over_at": statistic("hand-over date", _WHEN),
            "agreement_signed_on": statistic("agreement date", "proof of the agreement"),
            "accessories_given": statistic("accessories given", "stock of accessories"),
            "closed_at": statistic("closing date", _WHEN),
        },
    ),
    "lending.LoanDevice": Declaration(
        household="loan__household",
        fields={
            "id": reference("row number"),
            "loan": reference("loan"),
            "device": statistic("device lent", "devices lent and their fate"),
            "active": reference("device still in this loan"),
            "condition": statistic("condition at the return", "damage and loss figures"),
            "inspection_note": personal("inspection note (free text)"),
            "decision": statistic("what became of the device", "devices reused"),
        },
    ),
    "lending.LoanExtension": Declaration(
        household="loan__household",
        fields={
            "id": reference("row number"),
            "loan": reference("loan"),
            "previous_due_on": statistic("previous due date", _WHEN),
            "new_due_on": statistic("new due date", _WHEN),
            "reason": personal("reason of the extension (free text)"),
            "by": staff("who extended the loan"),
            "at": statistic("date of the extension", _WHEN),
        },
    ),
    "lending.Return": Declaration(
        household="loan__household",
        fields={
            "id": reference("row number"),
            "loan": reference("loan"),
            "inspected_by": staff("technician who inspected the return"),
            "inspected_at": statistic("inspection date", _WHEN),
            "accessories_back": statistic("accessories back", "stock of accessories"),
            "sim_back": statistic("SIM card back", "stock of SIM cards"),
            "notes": personal("inspection notes (free text)"),
            "reviewed_by": staff("coordinator who reviewed the return"),
            "reviewed_at": statistic("review date", _WHEN),
            "damage_noted": statistic("damage or loss noted", "damage and loss figures"),
            "review_note": personal("review note (free text)"),
        },
    ),
    # The gift attestation (lending.loans.gift): its number and date stay for the figures
    # and the SIM line's fate; the frozen PDF names the household and goes with it.
    "lending.GiftAttestation": Declaration(
        household="loan__household",
        fields={
            "id": reference("row number"),
            "loan": reference("loan"),
            "number": reference("attestation number", export=True),
            "issued_at": statistic("date of the gift", _WHEN),
            "issued_by": staff("coordinator who made the gift"),
            "sim_outcome": statistic("SIM line closed or transferred", "SIM lines given"),
            "pdf": personal("the attestation as issued (names the household)", export=False),
            "sha256": reference("fingerprint of the attestation"),
        },
    ),
    # Who opened which file: staff and a link to the household, no personal data of it;
    # exported (the family may know who read its file), deleted after a year.
    # Consents to the optional purposes (SMS, sensitive situations), withdrawn ones kept:
    # the proof that a processing had its basis outlives the person's identity.
    "lending.Consent": Declaration(
        household="household",
        fields={
            "id": reference("row number"),
            "household": reference("household"),
            "purpose": statistic("purpose consented to", "proof of consent"),
            "given_on": statistic("date consent was given", "proof of consent"),
            "recorded_by": staff("who recorded the consent"),
            "withdrawn_on": statistic("date it was withdrawn", "proof of withdrawal"),
            "withdrawn_by": staff("who recorded the withdrawal"),
        },
    ),
    "lending.HouseholdAccess": Declaration(
        household="household",
        fields={
            "id": reference("row number"),
            "household": reference("household"),
            "user": Rule("who opened the file", False, ACCESS_LOG, True, Action.KEEP, "staff"),
            "at": Rule("when", False, ACCESS_LOG, True, Action.KEEP, "audit"),
            "what": Rule("what was opened", False, ACCESS_LOG, True, Action.KEEP, "audit"),
            "detail": Rule("loan number or format", False, ACCESS_LOG, True, Action.KEEP, "audit"),
        },
    ),
    "lending.Reminder": Declaration(
        household="loan__household",
        fields={
            "id": reference("row number"),
            "kind": statistic("kind of reminder", "reminders sent"),
            "channel": statistic("e-mail or text message", "reminders sent"),
            "loan": reference("loan"),
            "sim": reference("SIM card"),
            "about_date": statistic("date reminded of", _WHEN),
            # A role ("household", "social_worker"), never an address or a number.
            "recipient": statistic("role the reminder went to", "reminders per recipient"),
            "sent_at": statistic("when it was sent", _WHEN),
        },
    ),
    # The association's own lines, lent to one household after another: not a
    # household's data. Notes are the stock's (operator, plan), not the family's.
    "lending.SimCard": Declaration(
        fields={
            "id": reference("row number"),
            "iccid": reference("SIM card number"),
            "phone_number": reference("the association's line number"),
            "operator": reference("operator"),
            "data_plan_gb": reference("data plan"),
            "monthly_cost": reference("monthly cost"),
            "activated_on": reference("activation date"),
            "ends_on": reference("end of the plan"),
            "status": reference("status"),
            "notes": reference("notes on the card (stock)"),
        },
    ),
    "lending.Programme": Declaration(
        fields={
            "id": reference("row number"),
            "name": reference("name"),
            "status": reference("status"),
            "description": reference("description"),
            "structures": reference("partner structures"),
            "funders": reference("funders"),
            "coordinators": staff("coordinators"),
            "capacity": reference("capacity"),
            "starts_on": reference("start"),
            "ends_on": reference("end"),
            "default_loan_days": reference("default loan length"),
            "lent_categories": reference("devices lent"),
            "lends_router": reference("lends a router"),
            "lends_sim": reference("lends a SIM card"),
            "data_plan_gb": reference("data plan"),
            "expected_workshops": reference("workshops expected"),
            "criteria": reference("eligibility criteria"),
            "min_criteria": reference("criteria to meet"),
            "contact_name": staff("contact to call (staff)"),
            "contact_phone": staff("contact phone (the association's)"),
            "return_instructions": reference("how to return a device"),
        },
    ),
    "lending.Workshop": Declaration(
        fields={
            "id": reference("row number"),
            "programme": reference("programme"),
            "topic": reference("topic"),
            "starts_at": reference("date and time"),
            "duration_minutes": reference("duration"),
            "place": reference("place"),
            "facilitator": staff("facilitator"),
            "capacity": reference("capacity"),
        },
    ),
    "lending.Structure": Declaration(
        fields={
            "id": reference("row number"),
            "name": reference("name"),
            "kind": reference("kind"),
            "commune": reference("commune"),
            "phone": reference("the structure's phone"),
            "email": reference("the structure's e-mail"),
            "members": staff("social workers"),
        },
    ),
    "lending.Funder": Declaration(
        fields={
            "id": reference("row number"),
            "name": reference("name"),
            "kind": reference("kind"),
        },
    ),
    "lending.Criterion": Declaration(
        fields={
            "id": reference("row number"),
            "name": reference("name"),
            "sensitive": reference("reveals health data"),
            "active": reference("active"),
            "order": reference("order"),
        },
    ),
}

# Comments (inventory.Comment) on a household, its enrolments and its loans: their body
# is free text about the family. Anonymisation deletes them (anonymise.py).
COMMENTS = personal("comments on the household, its enrolments and loans (free text)")


def declaration(model):
    """The Declaration of `model`, or of the model a history model records."""
    base = getattr(model, "instance_type", None) or model
    return INVENTORY.get(base._meta.label)


def rules(model):
    """Every field of `model` (a history model included) with its Rule; None for a field
    nobody declared."""
    found = declaration(model)
    declared = dict(found.fields) if found else {}
    if getattr(model, "instance_type", None) is not None:
        declared.update(HISTORY_FIELDS)
    names = [f.name for f in model._meta.concrete_fields + model._meta.many_to_many]
    return {name: declared.get(name) for name in names}


def about_households():
    """(model, lookup to Household) of every declared model holding a household's rows."""
    from django.apps import apps

    return [
        (apps.get_model(label), found.household)
        for label, found in INVENTORY.items()
        if found.household is not None
    ]

"""The subject-access export of one household (RGPD art. 15, right of access, and art. 20,
portability): a ZIP of a PDF summary to hand to the family and machine-readable files,
one JSON document with everything and one CSV per section.

What it holds: every field of the household (read from the model, so a field added later
is exported without a change here), its enrolments, loans (devices, extensions, return,
reminders), workshop attendance, comments, consents, the history of the household, its
enrolments and loans (who changed what, with the old values), and the access log.

Who downloads it: whoever may read the household's file (lending.access), so another
structure's household answers 404. The household's social workers (and superusers) get
everything. A coordinator gets the household and what they see of it, their programmes'
enrolments and loans: another programme's follow-up is not theirs to read, and the
summary says the export is partial and that the social worker gives the complete one.

Drawn again from the records each time, never stored.
"""

import datetime
import io
import json
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from accounts.templatetags.people import person
from inventory import pdf
from inventory.models import Comment, organisation_name
from lending.access import enrolments_visible_to, loans_visible_to
from lending.models import (
    Attendance,
    Enrolment,
    Household,
    Loan,
    LoanDevice,
    LoanExtension,
    Reminder,
    Return,
)
from lending.models.fields import ChoiceListField
from lending.privacy.access_log import household_accesses
from lending.privacy.consent import household_consents
from spreadsheets.exporting import CSV, write_table

# The sections with at most this many columns are tables in the PDF; wider ones are
# drawn one card (label: value) per row, as a table would not fit the page.
TABLE_COLUMNS = 5


@dataclass
class Section:
    """One kind of record: `key` names its CSV file and its JSON member (ASCII, French
    like the other file names); `columns` are (key, label) pairs; `rows` dicts by key."""

    key: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict] = field(default_factory=list)
    # The share of the page's width of each column in the PDF's table (equal if None).
    fractions: list[float] | None = None


# Values -----------------------------------------------------------------------------------


def _name(obj):
    if obj is None:
        return ""
    if hasattr(obj, "get_username"):
        return person(obj)
    return str(obj)


def field_value(obj, model_field):
    """What `obj` holds in `model_field`, as a person reads it: a name for a foreign key,
    labels for choices, the value itself for the rest (dates stay dates)."""
    if model_field.many_to_many:
        return [str(item) for item in getattr(obj, model_field.name).all()]
    if model_field.is_relation:
        return _name(getattr(obj, model_field.name))
    value = getattr(obj, model_field.attname)
    if isinstance(model_field, ChoiceListField):
        return model_field.labels(value)
    if model_field.choices and value not in (None, ""):
        return str(dict(model_field.flatchoices).get(value, value))
    return value


def display(value):
    """A value as the summary and the CSV files write it (dates as 31/12/2026)."""
    if value in (None, "", []):
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list | tuple):
        return ", ".join(display(item) for item in value)
    return str(value)


def _json_value(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


# The sections -----------------------------------------------------------------------------


def household_section(household):
    """Every field of the household, one row each, read from the model."""
    meta = Household._meta
    fields = [f for f in meta.concrete_fields if f.name != "id"] + list(meta.many_to_many)
    rows = [
        {
            "field": f.name,
            "label": capfirst(str(f.verbose_name)),
            "value": field_value(household, f),
        }
        for f in fields
    ]
    columns = [("field", _("Field")), ("label", _("Label")), ("value", _("Value"))]
    return Section("foyer", _("The household"), columns, rows)


def consent_section(household):
    """The household's consents, withdrawn ones included (their history)."""
    rows = [
        {
            "purpose": consent.get_purpose_display(),
            "given_on": consent.given_on,
            "recorded_by": _name(consent.recorded_by),
            "withdrawn_on": consent.withdrawn_on,
            "withdrawn_by": _name(consent.withdrawn_by) if consent.withdrawn_by else "",
        }
        for consent in household_consents(household)
    ]
    columns = [
        ("purpose", _("Purpose")),
        ("given_on", _("Given on")),
        ("recorded_by", _("Recorded by")),
        ("withdrawn_on", _("Withdrawn on")),
        ("withdrawn_by", _("Withdrawn by")),
    ]
    return Section("consentements", _("Consents"), columns, rows)


# The fields each section exports, by model: exported_fields() lists them for the
# inventory of personal data. A field without a translated verbose name gets its label
# from LABELS.
ENROLMENT_FIELDS = (
    "programme",
    "status",
    "applied_at",
    "applied_by",
    "criteria_met",
    "decided_at",
    "reason",
    "waitlist_position",
    "enrolled_at",
)
LOAN_FIELDS = (
    "programme",
    "status",
    "requested_by",
    "requested_at",
    "request_note",
    "starts_on",
    "due_on",
    "sim",
    "handed_over_at",
    "agreement_signed_on",
    "accessories_given",
    "closed_at",
)
LOAN_DEVICE_FIELDS = ("device", "condition", "inspection_note", "decision")
EXTENSION_FIELDS = ("previous_due_on", "new_due_on", "reason", "by", "at")
RETURN_FIELDS = (
    "inspected_by",
    "inspected_at",
    "accessories_back",
    "sim_back",
    "notes",
    "reviewed_by",
    "reviewed_at",
    "damage_noted",
    "review_note",
)
REMINDER_FIELDS = ("kind", "channel", "about_date", "recipient", "sent_at")
ATTENDANCE_FIELDS = ("workshop", "presence", "recorded_by", "recorded_at")


def _labels():
    return {
        (Loan, "requested_by"): _("Requested by"),
        (LoanExtension, "by"): _("Extended by"),
        (LoanExtension, "at"): _("Extended on"),
        (Return, "inspected_by"): _("Return inspected by"),
        (Return, "inspected_at"): _("Return inspected on"),
        (Return, "reviewed_by"): _("Return reviewed by"),
        (Return, "reviewed_at"): _("Return reviewed on"),
        (Reminder, "about_date"): _("About the date"),
        (Attendance, "recorded_by"): _("Recorded by"),
        (Attendance, "recorded_at"): _("Recorded on"),
    }


def exported_fields():
    """{model label: names of the fields the export writes}, for the inventory of the
    personal data (every household field, and the listed fields of the other models)."""
    meta = Household._meta
    household = {f.name for f in [*meta.concrete_fields, *meta.many_to_many]} - {"id"}
    return {
        "lending.Household": household,
        "lending.Enrolment": {"id", *ENROLMENT_FIELDS},
        "lending.Loan": {"id", *LOAN_FIELDS},
        "lending.LoanDevice": {"loan", *LOAN_DEVICE_FIELDS},
        "lending.LoanExtension": {"loan", *EXTENSION_FIELDS},
        "lending.Return": {"loan", *RETURN_FIELDS},
        "lending.Reminder": {"loan", *REMINDER_FIELDS},
        "lending.Attendance": set(ATTENDANCE_FIELDS),
        "inventory.Comment": {"subject", "author", "body", "created_at"},
        "lending.HouseholdAccess": {"user", "at", "what", "detail"},
    }


def _columns(model, names, prefix=""):
    labels = _labels()
    fields = [model._meta.get_field(name) for name in names]
    return [
        (f"{prefix}{f.name}", labels.get((model, f.name)) or capfirst(str(f.verbose_name)))
        for f in fields
    ]


def _values(obj, names, prefix=""):
    model = type(obj)
    return {f"{prefix}{name}": field_value(obj, model._meta.get_field(name)) for name in names}


def enrolment_section(enrolments):
    columns = [("number", _("Number")), *_columns(Enrolment, ENROLMENT_FIELDS)]
    rows = [{"number": e.pk} | _values(e, ENROLMENT_FIELDS) for e in enrolments]
    return Section("inscriptions", _("Programmes (enrolments)"), columns, rows)


def loan_sections(loans):
    """The loans (with their return), their devices, extensions and reminders."""
    columns = [
        ("number", _("Number")),
        *_columns(Loan, LOAN_FIELDS),
        ("devices", _("Devices")),
        *_columns(Return, RETURN_FIELDS, prefix="return_"),
    ]
    loan_column = [("loan", _("Loan"))]
    devices = Section(
        "appareils", _("Devices lent"), loan_column + _columns(LoanDevice, LOAN_DEVICE_FIELDS)
    )
    extensions = Section(
        "prolongations", _("Extensions"), loan_column + _columns(LoanExtension, EXTENSION_FIELDS)
    )
    reminders = Section(
        "rappels", _("Reminders"), loan_column + _columns(Reminder, REMINDER_FIELDS)
    )
    rows = []
    for loan in loans:
        items = list(loan.items.all())
        row = {"number": loan.pk} | _values(loan, LOAN_FIELDS)
        row["devices"] = [f"{i.device.asset_tag} · {i.device.make_and_model}" for i in items]
        record = getattr(loan, "return_record", None)
        if record is not None:
            row |= _values(record, RETURN_FIELDS, prefix="return_")
        rows.append(row)
        for section, objects, names in (
            (devices, items, LOAN_DEVICE_FIELDS),
            (extensions, loan.extensions.all(), EXTENSION_FIELDS),
            (reminders, loan.reminders.all(), REMINDER_FIELDS),
        ):
            section.rows += [{"loan": loan.pk} | _values(obj, names) for obj in objects]
    return [Section("prets", _("Loans"), columns, rows), devices, extensions, reminders]


def attendance_section(attendances):
    columns = [("programme", _("Programme")), *_columns(Attendance, ATTENDANCE_FIELDS)]
    rows = [
        {"programme": str(a.workshop.programme)} | _values(a, ATTENDANCE_FIELDS)
        for a in attendances
    ]
    return Section("presences", _("Workshop attendance"), columns, rows)


def comment_section(household, enrolments, loans):
    """The comments on the household, its enrolments and its loans, oldest first."""
    types = ContentType.objects.get_for_models(Household, Enrolment, Loan)
    subjects = {
        types[Household].pk: {household.pk: _("household")},
        types[Enrolment].pk: {e.pk: str(e.programme) for e in enrolments},
        types[Loan].pk: {loan.pk: str(loan) for loan in loans},
    }
    rule = Q(pk__in=[])
    for content_type, names in subjects.items():
        rule |= Q(content_type=content_type, object_id__in=list(names))
    comments = Comment.objects.filter(rule).select_related("author").order_by("created_at", "pk")
    rows = [
        {
            "about": subjects[c.content_type_id][c.object_id],
            "date": c.created_at,
            "author": _name(c.author),
            "text": c.body,
        }
        for c in comments
    ]
    columns = [
        ("about", _("About")),
        ("date", _("Date")),
        ("author", _("Author")),
        ("text", _("Comment")),
    ]
    return Section("commentaires", _("Comments"), columns, rows, [0.2, 0.15, 0.15, 0.5])


def history_section(household, enrolments, loans):
    """Every saved version of the household, its enrolments and loans: who, when, and
    which fields changed from what to what (the old values are personal data too)."""
    rows = []
    sources = [
        (Household, _("household"), {household.pk: household.code}),
        (Enrolment, _("enrolment"), {e.pk: str(e.programme) for e in enrolments}),
        (Loan, _("loan"), {loan.pk: str(loan) for loan in loans}),
    ]
    for model, kind, names in sources:
        rows += _history_rows(model, kind, names)
    rows.sort(key=lambda row: row["date"])
    columns = [
        ("date", _("Date")),
        ("by", _("By")),
        ("about", _("About")),
        ("event", _("Event")),
        ("changes", _("Changes")),
    ]
    fractions = [0.15, 0.15, 0.17, 0.1, 0.43]
    return Section("historique", _("History of the file"), columns, rows, fractions)


def _history_rows(model, kind, names):
    records = model.history.filter(id__in=list(names)).select_related("history_user")
    records = list(records.order_by("id", "history_date", "history_id"))
    tracked = {f.attname for f in model.history.model.tracked_fields} - {"id"}
    fields = [f for f in model._meta.concrete_fields if f.attname in tracked]
    people = _related_names(records, fields)
    events = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    rows, previous = [], None
    for record in records:
        if previous is not None and previous.id != record.id:
            previous = None
        changes = []
        for f in fields:
            new = getattr(record, f.attname)
            old = getattr(previous, f.attname) if previous is not None else None
            if previous is not None and old == new:
                continue
            if previous is None and new in (None, "", []):
                continue
            label = str(f.verbose_name)
            new_text = _history_value(f, new, people)
            if previous is None:
                changes.append(f"{label}: {new_text}")
            else:
                changes.append(f"{label}: {_history_value(f, old, people)} → {new_text}")
        if previous is None or changes or record.history_change_reason:
            if record.history_change_reason:
                changes.append(_("Note: %(note)s") % {"note": record.history_change_reason})
            rows.append(
                {
                    "date": record.history_date,
                    "by": person(record.history_user),
                    "about": f"{kind} {names[record.id]}",
                    "event": events.get(record.history_type, record.history_type),
                    "changes": changes,
                }
            )
        previous = record
    return rows


def _related_names(records, fields):
    """{(field name, id): name} for the foreign keys the history holds, one query each."""
    names = {}
    for f in fields:
        if not f.is_relation:
            continue
        ids = {getattr(r, f.attname) for r in records} - {None}
        for obj in f.related_model._default_manager.filter(pk__in=ids):
            names[(f.name, obj.pk)] = _name(obj)
    return names


def _history_value(model_field, value, names):
    if value in (None, "", []):
        return "—"
    if model_field.is_relation:
        return names.get((model_field.name, value), f"#{value}")
    if isinstance(model_field, ChoiceListField):
        return ", ".join(model_field.labels(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return display(value)


def access_section(household):
    rows = [
        {
            "date": entry.at,
            "by": _name(entry.user),
            "what": entry.get_what_display(),
            "detail": entry.detail,
        }
        for entry in household_accesses(household)
    ]
    columns = [("date", _("Date")), ("by", _("By")), ("what", _("Access")), ("detail", _("Detail"))]
    return Section("consultations", _("Who opened the file"), columns, rows)


# The whole export -------------------------------------------------------------------------


@dataclass
class SubjectExport:
    household: Household
    by: object
    at: datetime.datetime
    complete: bool
    sections: list[Section]


def collect(user, household):
    """What `user` may hand over of `household`'s data (see the module's docstring)."""
    all_enrolments = household.enrolments.select_related("programme", "applied_by")
    all_loans = household.loans.all()
    enrolments = list(
        enrolments_visible_to(user)
        .filter(household=household)
        .select_related("programme", "applied_by")
        .prefetch_related("criteria_met")
        .order_by("applied_at", "pk")
    )
    loans = list(
        loans_visible_to(user)
        .filter(household=household)
        .select_related(
            "programme",
            "requested_by",
            "sim",
            "return_record__inspected_by",
            "return_record__reviewed_by",
        )
        .prefetch_related("items__device", "extensions__by", "reminders")
        .order_by("pk")
    )
    complete = len(enrolments) == all_enrolments.count() and len(loans) == all_loans.count()
    attendances = Attendance.objects.filter(household=household)
    if not complete:
        attendances = attendances.filter(
            workshop__programme__in=[e.programme_id for e in enrolments]
        )
    attendances = attendances.select_related("workshop__programme", "recorded_by").order_by(
        "workshop__starts_at"
    )
    household = Household.objects.select_related("structure", "social_worker").get(pk=household.pk)
    sections = [
        household_section(household),
        consent_section(household),
        enrolment_section(enrolments),
        *loan_sections(loans),
        attendance_section(attendances),
        comment_section(household, enrolments, loans),
        history_section(household, enrolments, loans),
        access_section(household),
    ]
    return SubjectExport(household, user, timezone.now(), complete, sections)


def as_json(export):
    document = {
        "household": export.household.code,
        "organisation": organisation_name(),
        "generated_at": _json_value(export.at),
        "generated_by": _name(export.by),
        "complete": export.complete,
    }
    for section in export.sections:
        if section.key == "foyer":
            document[section.key] = {
                row["field"]: _json_value(row["value"]) for row in section.rows
            }
        else:
            document[section.key] = [
                {key: _json_value(row.get(key)) for key, _label in section.columns}
                for row in section.rows
            ]
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def as_csv(section):
    """A CSV file written like the list exports (French spreadsheet, formula cells
    neutralised)."""
    headers = [str(label) for _key, label in section.columns]
    rows = [[display(row.get(key)) for key, _label in section.columns] for row in section.rows]
    return write_table(CSV, headers, rows)


def as_pdf(export):
    household = export.household
    width = pdf.content_width(A4)
    title = _("Personal data of household %(code)s") % {"code": household.code}
    story = [
        pdf.text(organisation_name(), "org"),
        Spacer(1, 3 * mm),
        pdf.text(title, "title"),
        Spacer(1, 2 * mm),
        pdf.text(
            _(
                "Copy of the personal data held on the household (right of access, "
                "article 15 of the GDPR), made on %(date)s by %(by)s. The same data are in "
                "the JSON and CSV files of this archive, for another service (portability, "
                "article 20)."
            )
            % {"date": pdf.when(export.at), "by": _name(export.by)}
        ),
    ]
    if not export.complete:
        story.append(
            pdf.text(
                _(
                    "Partial: the enrolments and loans of the programmes you do not coordinate "
                    "are not included. The household's social worker can download the complete "
                    "copy."
                ),
                "bold",
            )
        )
    for section in export.sections:
        story += _pdf_section(section, width)
    footer = f"{organisation_name()} · {title}"
    subject = _("Copy of a household's personal data (right of access)")
    return pdf.render(story, title=title, subject=subject, footer=footer)


def _pdf_section(section, width):
    story = [pdf.text(section.title, "h2")]
    if not section.rows:
        return [*story, pdf.text(_("Nothing recorded."), "label")]
    if section.key == "foyer":
        rows = [[row["label"], display(row["value"])] for row in section.rows]
        return [*story, pdf.facts(rows, [0.3 * width, 0.7 * width])]
    if len(section.columns) <= TABLE_COLUMNS:
        fractions = section.fractions or [1 / len(section.columns)] * len(section.columns)
        rows = [[_cell(row.get(key)) for key, _label in section.columns] for row in section.rows]
        headings = [label for _key, label in section.columns]
        return [*story, pdf.listing(headings, rows, fractions, width)]
    for row in section.rows:
        facts = [[label, display(row.get(key))] for key, label in section.columns]
        story += [KeepTogether(pdf.facts(facts, [0.3 * width, 0.7 * width])), Spacer(1, 3 * mm)]
    return story


def _cell(value):
    """A table cell; a list (the changes of a history row) one item a line."""
    if not isinstance(value, list | tuple):
        return pdf.text(display(value) or "—")
    lines = [escape(display(item)) for item in value] or ["—"]
    return Paragraph("<br/>".join(lines), pdf.styles()["base"])


def build_subject_archive(user, household):
    """The ZIP of `household`'s data as `user` may hand it over: (bytes, file name)."""
    export = collect(user, household)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("synthese.pdf", as_pdf(export))
        archive.writestr("donnees.json", as_json(export))
        for section in export.sections:
            archive.writestr(f"{section.key}.csv", as_csv(section))
    return buffer.getvalue(), archive_name(household, export.at)


def archive_name(household, at):
    name = pdf.download_name(
        "donnees-personnelles", household.code, f"{timezone.localdate(at):%Y-%m-%d}"
    )
    return name.removesuffix(".pdf") + ".zip"

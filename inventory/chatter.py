"""The history of an object told as a conversation: changes, status moves and comments.

Field history comes from django-simple-history; this module only reads it. The number
of queries is fixed (history, comments, one per foreign key shown), whatever the
length of the history. `post_comment` answers the comment form of the history panel,
for the inventory's objects and lending's alike.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.refusals import Refused
from inventory.forms import CommentForm
from inventory.models import Comment

# Long free text is summarised as "changed" rather than quoted in full.
_SUMMARISED = (models.TextField,)


@dataclass
class Change:
    label: str
    old: str
    new: str
    field: str


@dataclass
class Entry:
    when: datetime
    user: object
    kind: str  # "created", "changed", "status", "comment", "erasure"
    note: str = ""
    changes: list[Change] = field(default_factory=list)
    status_change: Change | None = None
    # A comment's audience (Comment.Audience), so that the panel marks the restricted ones.
    audience: str = ""


def _display_value(model_field, value, names):
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        # A list of choices (lending's ChoiceListField) is named by its labels.
        labels = getattr(model_field, "labels", None)
        return ", ".join(labels(value) if labels else map(str, value))
    if model_field.is_relation:
        return names.get((model_field.name, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    # Dates as the interface writes them (01/12/2026), not as Python prints them.
    if isinstance(model_field, models.DateTimeField):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(model_field, models.DateField):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _foreign_names(model, records, fields):
    """Names of the related objects the history mentions, one query per relation."""
    names = {}
    for f in fields:
        if not f.is_relation:
            continue
        ids = {getattr(r, f.attname) for r in records} - {None}
        # str() of a related object may follow its own foreign keys (a donation names
        # its donor): fetch those in the same query, not one query per object.
        related = f.related_model._default_manager.select_related()
        for obj in related.filter(pk__in=ids):
            names[(f.name, obj.pk)] = str(obj)
    return names


def _diff(previous, record, fields, names):
    changes = []
    for f in fields:
        old, new = getattr(previous, f.attname), getattr(record, f.attname)
        if old == new:
            continue
        if isinstance(f, _SUMMARISED):
            changes.append(Change(str(f.verbose_name), "", _("changed"), f.name))
        else:
            changes.append(
                Change(
                    str(f.verbose_name),
                    _display_value(f, old, names),
                    _display_value(f, new, names),
                    f.name,
                )
            )
    return changes


def _history_entries(obj):
    model = type(obj)
    records = list(
        obj.history.select_related("history_user").order_by("history_date", "history_id")
    )
    tracked = [f for f in model.history.model.tracked_fields if f.name != "id"]
    fields = [f for f in model._meta.concrete_fields if f.attname in {t.attname for t in tracked}]
    fields = [f for f in fields if f.editable or f.name == "status"]
    names = _foreign_names(model, records, fields)
    entries, previous = [], None
    for record in records:
        note = record.history_change_reason or ""
        if previous is None:
            entries.append(Entry(record.history_date, record.history_user, "created", note))
        else:
            changes = _diff(previous, record, fields, names)
            status = next((c for c in changes if c.field == "status"), None)
            others = [c for c in changes if c.field != "status"]
            if changes or note:
                kind = "status" if status else "changed"
                entries.append(
                    Entry(record.history_date, record.history_user, kind, note, others, status)
                )
        previous = record
    return entries


def _comment_entries(obj, social):
    comments = Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("author")
    if not social:
        comments = comments.filter(audience=Comment.Audience.EVERYONE)
    return [Entry(c.created_at, c.author, "comment", c.body, audience=c.audience) for c in comments]


def _erasure_entries(device):
    """Erasures of the device's drives, read from the prefetched drives."""
    entries = []
    for drive in device.drives.all():
        for erasure in drive.erasures.all():
            note = _("%(drive)s: %(method)s, %(result)s") % {
                "drive": drive,
                "method": erasure.get_method_display(),
                "result": erasure.get_result_display(),
            }
            entries.append(Entry(erasure.performed_at, erasure.operator, "erasure", note))
    return entries


def timeline(obj, *, newest_first=True, social=False):
    """Every entry of the object's history and comments, in date order.

    Comments for the social team only (Comment.Audience.SOCIAL) are left out unless
    `social`: the caller says whether the reader belongs to that team.
    """
    entries = _history_entries(obj) + _comment_entries(obj, social)
    if hasattr(obj, "drives"):
        entries += _erasure_entries(obj)
    entries.sort(key=lambda e: e.when, reverse=newest_first)
    return entries


def post_comment(request, subject, add, *, history=timeline, form_class=CommentForm, **context):
    """Answer the comment form of `subject`'s history panel.

    `add(subject=…, by=…, body=…)` is the service that writes the comment (with the other
    fields of `form_class`, such as an audience, as keywords); its refusal, or an empty
    comment, is said to the person. With htmx the answer is the panel alone,
    `history(subject)` with the extra `context`, so that the person keeps their place on
    the page; without, it is `subject`'s page.
    """
    form = form_class(request.POST)
    error = _("A comment cannot be empty.")
    if form.is_valid():
        try:
            add(subject=subject, by=request.user, **form.cleaned_data)
            error = ""
        except Refused as refusal:
            error = refusal.message
    elif form.errors and "body" not in form.errors:
        error = " ".join(message for errors in form.errors.values() for message in errors)
    if request.htmx:
        panel = {
            "history": history(subject),
            "comment_url": request.path,
            "comment_error": error,
            **context,
        }
        return render(request, "inventory/_chatter.html", panel)
    if error:
        messages.error(request, error)
    return redirect(subject)

"""The history of a loan, enrolment or household, told like a device's (inventory.chatter),
plus what only a loan has: its reminders (extensions are edits of the due date, with
their reason, so the history shows them already)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory.chatter import Entry, timeline


def loan_timeline(loan, *, social=False):
    """Status changes, edits (the due date when extended), comments and reminders; the
    social team's comments only if `social` (the reader belongs to it)."""
    entries = timeline(loan, newest_first=False, social=social)
    if not social:
        # The reasons typed with an approval, a cancellation, a gift or an extension are
        # the social team's words about a family: the workshop sees what changed, not why.
        for entry in entries:
            if entry.kind != "comment":
                entry.note = ""
    for reminder in loan.reminders.all():
        note = _("Reminder “%(kind)s” sent by %(channel)s to the %(recipient)s") % {
            "kind": reminder.get_kind_display(),
            "channel": reminder.get_channel_display().lower(),
            "recipient": _RECIPIENTS.get(reminder.recipient, reminder.recipient),
        }
        entries.append(Entry(reminder.sent_at, None, "reminder", note))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


_RECIPIENTS = {
    "social_worker": gettext_lazy("social worker"),
    "household": gettext_lazy("household"),
    "social_worker+coordinators": gettext_lazy("social worker and coordinators"),
    "coordinators": gettext_lazy("coordinators"),
}

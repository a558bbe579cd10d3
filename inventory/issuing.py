"""Issue documents fixed when issued (inventory.models.IssuedDocument).

`issue` draws a document once and keeps its bytes; asked again, it hands back the stored
document, never a redraw. Each issue and each reprint is a comment in the subject's
history, written in the interface's language so that everyone reads the same history.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from inventory.models import Comment, IssuedDocument
from inventory.services import reserve_sequence_values


def documents_of(subject, kind):
    """The documents of `kind` issued about `subject`, newest revision first."""
    return IssuedDocument.objects.filter(
        kind=kind,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
    ).order_by("-revision")


def current(subject, kind):
    """The latest document of `kind` about `subject`, or None."""
    return documents_of(subject, kind).defer("content").first()


def next_number(kind, year):
    """ATT-2026-0001: a counter per kind and year that is never reused."""
    prefix = IssuedDocument.PREFIXES[kind]
    value = reserve_sequence_values(f"doc-{prefix}-{year}")
    return f"{prefix}-{year}-{value:04d}"


def issue(kind, subject, by, build, *, correct=False):
    """The document of `kind` about `subject`: the one already issued (its stored bytes,
    as a reprint), or, if none was or `correct` asks for a corrected one, a new one.

    `build(number, issued_at)` draws the new document and returns (title, bytes,
    summary); it runs inside the transaction, so a drawing that fails leaves no number
    used and no history behind. Returns (document, reprint) where reprint is True when
    the stored document was handed back.
    """
    with transaction.atomic():
        existing = documents_of(subject, kind).first()
        if existing is not None and not correct:
            _note(subject, by, gettext_noop("%(number)s reprinted (same document)"), existing)
            return existing, True
        issued_at = timezone.now()
        number = next_number(kind, timezone.localdate(issued_at).year)
        title, content, summary = build(number, issued_at)
        try:
            with transaction.atomic():
                document = IssuedDocument(
                    kind=kind,
                    number=number,
                    content_type=ContentType.objects.get_for_model(subject),
                    object_id=subject.pk,
                    revision=existing.revision + 1 if existing else 1,
                    issued_at=issued_at,
                    issued_by=by,
                    title=title,
                    content=content,
                    sha256=IssuedDocument.digest(content),
                    summary=summary,
                )
                document._history_user = by
                document.save()
        except IntegrityError:
            # Someone issued the same revision a moment ago: hand out theirs.
            document = documents_of(subject, kind).first()
            _note(subject, by, gettext_noop("%(number)s reprinted (same document)"), document)
            return document, True
        if existing is None:
            _note(subject, by, gettext_noop("%(number)s issued: %(title)s"), document)
        else:
            _note(
                subject,
                by,
                gettext_noop("%(number)s issued: %(title)s, correcting %(previous)s"),
                document,
                previous=existing.number,
            )
        return document, False


def _note(subject, by, template, document, **extra):
    with translation.override(settings.LANGUAGE_CODE):
        body = _(template) % {"number": document.number, "title": document.title, **extra}
    return Comment.objects.create(subject=subject, author=by, body=body)

"""Label batches: one PDF of labels, drawn in the request when small, by Celery when large.

A batch's `params` say what to print ({"tags": [...]}, {"donation": id} or
{"locations": [...]}), where the first label goes on the sheet ("start"), how many
copies of each label ("copies") and the language of the person who asked ("language").
"""

import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.refusals import require
from inventory.models import Site
from labels import building, content, tasks
from labels.models import LabelBatch, LabelLayout

logger = logging.getLogger(__name__)

Kind = LabelBatch.Kind
State = LabelBatch.State
MAX_COPIES = 10
# How many tags a batch lists in its description before "…".
DESCRIBED_TAGS = 3


def last_start(layout):
    """The highest start position a layout accepts: a roll always starts on its first label."""
    return layout.per_page if layout.kind == LabelLayout.Kind.SHEET else 1


def check_print_options(layout, *, start, copies):
    """Raise a ValidationError saying what is wrong with a start position or a copy count."""
    errors = {}
    last = last_start(layout)
    if not 1 <= start <= last:
        errors["start"] = _(
            "The first label must be a position between 1 and %(last)s: "
            "this sheet holds %(last)s labels."
        ) % {"last": last}
    if not 1 <= copies <= MAX_COPIES:
        errors["copies"] = _("The number of copies must be between 1 and %(max)s.") % {
            "max": MAX_COPIES
        }
    if errors:
        raise ValidationError(errors)


def describe(kind, params, count):
    """One line saying what a batch holds, for the lists of batches."""
    if kind == Kind.ACTION:
        text = _("Sheet of action barcodes")
    elif kind == Kind.LOCATION:
        site = Site.objects.filter(pk=params.get("site")).first()
        text = ngettext("%(count)s location label", "%(count)s location labels", count) % {
            "count": count
        }
        if site:
            text += f" · {site}"
    elif params.get("donation"):
        text = ngettext(
            "%(count)s device of donation #%(number)s",
            "%(count)s devices of donation #%(number)s",
            count,
        ) % {"count": count, "number": params["donation"]}
    else:
        tags = params.get("tags") or []
        shown = ", ".join(tags[:DESCRIBED_TAGS]) + ("…" if len(tags) > DESCRIBED_TAGS else "")
        text = ngettext("%(count)s device: %(tags)s", "%(count)s devices: %(tags)s", count) % {
            "count": count,
            "tags": shown,
        }
    copies = params.get("copies", 1)
    if copies > 1:
        text += " " + _("(%(copies)s copies each)") % {"copies": copies}
    return text[: LabelBatch._meta.get_field("description").max_length]


# Batches --------------------------------------------------------------------------


def create_batch(*, by, kind, layout, params):
    """Record a batch of labels and have its PDF built.

    Up to settings.LABEL_INLINE_LIMIT labels (copies included) the PDF is drawn now and
    the batch comes back done or failed; above, a Celery task draws it once the current
    transaction commits and the batch comes back pending. Raises PermissionRefused, or a
    ValidationError saying what is wrong with the selection or the print options.
    """
    require(by, "labels.add_labelbatch")
    start = 1 if layout.kind == LabelLayout.Kind.ROLL else int(params.get("start") or 1)
    copies = int(params.get("copies") or 1)
    check_print_options(layout, start=start, copies=copies)
    params = {**params, "start": start, "copies": copies, "language": translation.get_language()}
    try:
        count = content.count_labels(kind, params)
    except content.NothingToPrint as error:
        raise ValidationError(str(error)) from error
    if not count:
        raise ValidationError(_("Nothing to print: the selection holds no label."))
    batch = LabelBatch.objects.create(
        kind=kind,
        layout=layout,
        params=params,
        description=describe(kind, params, count),
        total=count * copies,
        created_by=by,
    )
    if batch.total <= settings.LABEL_INLINE_LIMIT:
        return building.build_batch(batch)
    transaction.on_commit(partial(tasks.build_label_batch.delay, str(batch.pk)))
    return batch

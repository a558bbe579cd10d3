"""History rows of an import's bulk writes, copied by the database itself.

django-simple-history's bulk helpers build one historical instance per row in Python and
insert it field by field: for 10,000 devices that doubles the cost of the write. The
historical table has the same columns as the model's (minus the excluded fields), so one
INSERT … SELECT per chunk writes the same rows — who, when, why, the values as saved —
without a round trip through Python objects. Like simple-history's bulk helpers, it sends
no signals.
"""

from django.db import connection
from django.utils import timezone

# SQLite accepts at most 999 parameters a statement in older builds.
CHUNK = 500
CREATED, CHANGED = "+", "~"


def _columns(model):
    history = model.history.model
    own = {field.attname for field in model._meta.concrete_fields}
    return [
        field.column
        for field in history._meta.concrete_fields
        if field.attname in own and not field.attname.startswith("history_")
    ]


def record_history(model, pks, *, history_type, user=None, reason=""):
    """One historical row per saved record of `model` among `pks`, stamped now."""
    if not pks:
        return
    history = model.history.model
    quote = connection.ops.quote_name
    columns = _columns(model)
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    targets = ", ".join(
        [quote(c) for c in columns]
        + [quote(name) for name in ("history_date", "history_change_reason", "history_type")]
        + [quote("history_user_id")]
    )
    sources = ", ".join(quote(c) for c in columns)
    pk_column = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), CHUNK):
            chunk = list(pks[start : start + CHUNK])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({targets}) "
                f"SELECT {sources}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
                f"WHERE {pk_column} IN ({marks})",
                [stamp, reason, history_type, user.pk if user else None, *chunk],
            )

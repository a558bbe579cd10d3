"""The heartbeat of an import being written: its sign of life, recorded every few seconds
while its rows go in.

Reading a file beats through the job's own counter (exchange.engine._progress). Writing
cannot: its rows go in one transaction, and nothing it writes there is seen by anyone
before the commit. So the writer beats through a second connection of its own, which
commits at once. PostgreSQL lets it; SQLite does not (its write transaction holds the
whole file), and there a job being written is judged by when it started (exchange.jobs).
"""

import logging
import time
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils import timezone

from exchange.models import ImportJob

logger = logging.getLogger(__name__)
# Seconds between two beats: well under the minutes after which a job is declared lost.
EVERY = 10


def beats_while_writing(alias=DEFAULT_DB_ALIAS):
    """Whether a job being written can beat: the database lets a second writer commit."""
    return connections[alias].vendor == "postgresql"


@contextmanager
def heartbeat_aside(job_id, alias=DEFAULT_DB_ALIAS):
    """A `beat()` that records the job's heartbeat through a connection of its own, at
    most every EVERY seconds; it does nothing where the database cannot take it."""
    if not beats_while_writing(alias):
        yield lambda: None
        return
    aside = connections.create_connection(alias)
    last = [time.monotonic()]
    table = aside.ops.quote_name(ImportJob._meta.db_table)

    def beat():
        if time.monotonic() - last[0] < EVERY:
            return
        last[0] = time.monotonic()
        try:
            with aside.cursor() as cursor:
                # Never wait on a lock: the writer itself would be the one waiting.
                cursor.execute("SET lock_timeout = '1s'")
                cursor.execute(
                    f"UPDATE {table} SET heartbeat_at = %s WHERE id = %s",
                    [timezone.now(), job_id],
                )
        except DatabaseError:
            # A missed beat only brings the verdict "lost" closer; the write goes on.
            logger.warning("Import %s: the heartbeat could not be recorded", job_id, exc_info=True)

    try:
        yield beat
    finally:
        aside.close()

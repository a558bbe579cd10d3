"""The keys already seen in an imported file, for the rule "a record named twice in the
same file is refused on its second line", kept outside Python memory.

A dict of every key would hold ~150 bytes a row for the whole import (15 MB at 100,000
rows, and the allocator keeps more). Here each key is a 16-byte digest in a private
SQLite database (the standard library's sqlite3, a temporary file deleted when it is
closed, of which SQLite keeps at most CACHE_KB in memory), so an import's memory no
longer grows with its rows. It is not the project's database: nothing of it is in the
import's transaction, and a preview writes nothing there.

Keys are asked for a chunk of rows at a time, in one query, as the chunk's records are:

    seen = SeenKeys()
    seen.expect(keys_of_the_chunk)     # their first lines, if earlier chunks had them
    seen.first(key, line)              # the line that named it first (maybe this one)
    seen.close()
"""

import hashlib
import sqlite3

# The pages SQLite may keep in memory (about 85,000 keys fit in 2 MB; beyond, it reads
# them back from its file, which the system's own cache usually still holds).
CACHE_KB = 2048
# Keys a query asks for at once (old SQLite builds allow 999 parameters a statement).
ASKED = 500
_ABSENT = object()


def digest(key):
    # 128 bits: two different keys share a digest with odds far below a disk error's.
    return hashlib.blake2b(key.encode(), digest_size=16).digest()


class SeenKeys:
    def __init__(self):
        self._db = None
        self._stored = 0
        # This chunk's keys: digest -> first line, or None when no earlier chunk had it.
        self._known = {}
        self._added = []

    def expect(self, keys):
        """Get ready to be asked about `keys` (a chunk's): what the earlier chunks
        recorded is written, then these keys' first lines are fetched at once."""
        self._save()
        asked = {digest(key) for key in keys}
        self._known = dict.fromkeys(asked)
        self._known.update(self._lookup(asked))

    def first(self, key, line):
        """The first line that named `key`, which is `line` if none before it did."""
        hashed = digest(key)
        first = self._known.get(hashed, _ABSENT)
        if first is _ABSENT:
            # Not announced by expect(): asked alone.
            first = dict(self._lookup([hashed])).get(hashed)
        if first is None:
            first = line
            self._added.append((hashed, line))
        self._known[hashed] = first
        return first

    def close(self):
        if self._db is not None:
            # Closing deletes SQLite's temporary file.
            self._db.close()
            self._db = None
        self._known, self._added, self._stored = {}, [], 0

    def _lookup(self, digests):
        if not self._stored:
            return []
        digests = list(digests)
        found = []
        for start in range(0, len(digests), ASKED):
            part = digests[start : start + ASKED]
            found += self._db.execute(
                f"SELECT digest, line FROM seen WHERE digest IN ({', '.join('?' * len(part))})",
                part,
            ).fetchall()
        return found

    def _save(self):
        if not self._added:
            return
        db = self._database()
        with db:
            db.executemany("INSERT INTO seen VALUES (?, ?)", self._added)
        self._stored += len(self._added)
        self._added = []

    def _database(self):
        if self._db is None:
            # "" is a private database in a temporary file, deleted on close.
            self._db = sqlite3.connect("", check_same_thread=False)
            self._db.executescript(
                f"""
                PRAGMA cache_size = -{CACHE_KB};
                PRAGMA journal_mode = OFF;
                PRAGMA synchronous = OFF;
                CREATE TABLE seen (digest BLOB PRIMARY KEY, line INTEGER) WITHOUT ROWID;
                """
            )
        return self._db

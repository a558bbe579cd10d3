"""Every value of every table of the database, read with SQL (all apps, history tables,
join tables, sessions…): what a person could still find in it."""

from django.db import connection


def database_dump():
    """{table: sorted rows as tuples of str}."""
    dump = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dump[table] = sorted(tuple(map(_text, row)) for row in cursor.fetchall())
    return dump


def _text(value):
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def found_in_database(strings):
    """{string: [tables where it appears]} for those of `strings` still stored,
    compared case-insensitively."""
    dump = database_dump()
    texts = {
        table: "\n".join("\t".join(row) for row in rows).casefold() for table, rows in dump.items()
    }
    found = {}
    for string in strings:
        tables = [table for table, text in texts.items() if string.casefold() in text]
        if tables:
            found[string] = tables
    return found

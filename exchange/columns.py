"""Columns of an import: a django-import-export Field that also knows how people name
its column (in French and English, with the usual variants) and whether it is required."""

from django.utils import translation
from import_export import fields

from .values import plain


class Column(fields.Field):
    """`key` is the column's stable name; `label` is its header in exports and templates
    (in the interface's language); `aliases` are other headers recognised on import."""

    def __init__(self, key, *, label, aliases=(), required=False, help_text="", **kwargs):
        kwargs.setdefault("attribute", key)
        super().__init__(column_name=key, **kwargs)
        self.key = key
        self.label = label
        self.aliases = tuple(aliases)
        self.required = required
        self.help_text = help_text

    def names(self):
        """Every header this column answers to, compared as `plain` text."""
        names = {plain(self.key), plain(self.key.replace("_", " "))}
        for language in ("fr", "en"):
            with translation.override(language):
                names.add(plain(str(self.label)))
        names.update(plain(alias) for alias in self.aliases)
        return names - {""}


def header_map(columns):
    """plain header → column key, for every name of every column."""
    mapping = {}
    for column in columns:
        for name in column.names():
            mapping.setdefault(name, column.key)
    return mapping


def match_headers(headers, columns):
    """Which column each header of the file is: (keys by position, unknown headers,
    duplicated keys, required columns missing)."""
    mapping = header_map(columns)
    keys, unknown, seen, duplicated = [], [], set(), []
    for header in headers:
        key = mapping.get(plain(header))
        if key is None:
            if header.strip():
                unknown.append(header)
        elif key in seen:
            duplicated.append(header)
            key = None
        else:
            seen.add(key)
        keys.append(key)
    missing = [column for column in columns if column.required and column.key not in seen]
    return keys, unknown, duplicated, missing

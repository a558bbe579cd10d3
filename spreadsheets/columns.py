"""Columns of an import: a django-import-export Field that also knows how people name
its column (in French and English, with the usual variants) and whether it is required."""

from django.utils import translation
from import_export import fields

from spreadsheets.values import plain

# Words that change nothing in a header: "N° de série", "Num. série" and "Numéro de
# série" name the same column, as do "RAM (Go)" and "RAM en Go".
_FILLERS = {"de", "du", "des", "d", "l", "la", "le", "les", "en", "in", "of", "the"}
_NUMBER_WORDS = {"n", "no", "num", "numero", "nr", "number"}


def header_key(text):
    """How a header is compared: `plain`, without filler words, "n°"/"num." as "numero"."""
    words = []
    for word in plain(text).split():
        if word in _FILLERS:
            continue
        words.append("numero" if word in _NUMBER_WORDS else word)
    return " ".join(words)


class Column(fields.Field):
    """`key` is the column's stable name; `label` is its header in exports and templates
    (in the interface's language); `aliases` are other headers recognised on import.
    A column with `export=False` is only read (e.g. "RAM (GB)", a way of filling the
    RAM column that says its unit); several columns may fill the same attribute."""

    def __init__(
        self, key, *, label, aliases=(), required=False, help_text="", export=True, **kwargs
    ):
        kwargs.setdefault("attribute", key)
        super().__init__(column_name=key, **kwargs)
        self.key = key
        self.label = label
        self.aliases = tuple(aliases)
        self.required = required
        self.help_text = help_text
        # Not `self.export`: that would hide Field.export(), which writes the cell.
        self.exported = export

    def names(self):
        """Every header this column answers to, compared as `header_key` text."""
        names = {header_key(self.key), header_key(self.key.replace("_", " "))}
        for language in ("fr", "en"):
            with translation.override(language):
                names.add(header_key(str(self.label)))
        names.update(header_key(alias) for alias in self.aliases)
        return names - {""}


def header_map(columns):
    """compared header → column key, for every name of every column."""
    mapping = {}
    for column in columns:
        for name in column.names():
            mapping.setdefault(name, column.key)
    return mapping


def match_headers(headers, columns):
    """Which column each header of the file is: (keys by position, unknown headers,
    duplicated keys, required columns missing). Two headers filling the same attribute
    ("RAM (Go)" and "RAM (Mo)") are duplicates too."""
    mapping = header_map(columns)
    filled = {column.key: column.attribute or column.key for column in columns}
    keys, unknown, seen, duplicated = [], [], set(), []
    for header in headers:
        key = mapping.get(header_key(header))
        if key is None:
            if header.strip():
                unknown.append(header)
        elif filled[key] in seen:
            duplicated.append(header)
            key = None
        else:
            seen.add(filled[key])
        keys.append(key)
    present = {key for key in keys if key}
    missing = [column for column in columns if column.required and column.key not in present]
    return keys, unknown, duplicated, missing

"""django-import-export widgets that read cells as people write them (spreadsheets.values) and
write them back the same way, so that an exported file imports as "unchanged".

A bad cell raises ValueError with a sentence; django-import-export files it under the
column, and the importer adds the line number.
"""

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from import_export import widgets

from spreadsheets import values


class TextWidget(widgets.CharWidget):
    """Text with its edge and doubled spaces removed; empty cells are "".

    An `identifier` (a serial number, an ICCID, a phone number) is exported as a text cell
    and refused when a spreadsheet visibly changed it (values.check_identifier); `digits`
    (min, max) is how many digits it has, `name` what it is called in that message."""

    identifier = False

    def __init__(self, upper=False, *, identifier=None, digits=None, name="", **kwargs):
        super().__init__(allow_blank=True, **kwargs)
        self.upper = upper
        if identifier is not None:
            self.identifier = identifier
        self.digits = digits
        self.name = name

    def clean(self, value, row=None, **kwargs):
        if values.is_empty(value):
            return ""
        if self.identifier:
            values.check_identifier(value, self.digits, str(self.name))
        # A spreadsheet stores a serial number typed as 123456 as the number 123456.0.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = " ".join(str(value).split())
        return text.upper() if self.upper else text


def tidy_notes(text):
    """Notes keep their line breaks; each line loses its edge and doubled spaces."""
    lines = str(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


class NotesWidget(TextWidget):
    """Free text on several lines (notes, addresses): the line breaks are kept."""

    def clean(self, value, row=None, **kwargs):
        return "" if values.is_empty(value) else tidy_notes(value)

    def tidy(self, value):
        return tidy_notes(value)


class _Parsed(widgets.Widget):
    parse = None
    # Reads the cell alone (not the rest of the row): the importer may reuse the value
    # read from the same text in an earlier row.
    memoizable = True

    def clean(self, value, row=None, **kwargs):
        if values.is_empty(value):
            return None
        return type(self).parse(value)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if kwargs.get("force_native_type"):
            return value
        return self.text(value)

    def text(self, value):
        return str(value)


class IntegerWidget(_Parsed):
    parse = staticmethod(values.parse_int)


class DecimalWidget(_Parsed):
    parse = staticmethod(values.parse_decimal)

    def text(self, value):
        return formats.number_format(value, use_l10n=True)


class WeightWidget(DecimalWidget):
    parse = staticmethod(values.parse_weight_kg)


class RamWidget(_Parsed):
    """Megabytes in the database, "8 GB" (or "8 Go") in the file. `unit` ("gb", "mb") is
    what a bare number means, for a column whose header says it (« RAM (Go) »)."""

    def __init__(self, unit="", **kwargs):
        super().__init__(**kwargs)
        self.unit = unit

    def clean(self, value, row=None, **kwargs):
        if values.is_empty(value):
            return None
        return values.parse_ram_mb(value, unit=self.unit)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        gigabytes = value / 1024
        amount = f"{gigabytes:g}" if gigabytes == int(gigabytes) else f"{value}"
        unit = _("GB") if gigabytes == int(gigabytes) else _("MB")
        return f"{amount} {unit}"


class StorageWidget(TextWidget):
    memoizable = True

    def clean(self, value, row=None, **kwargs):
        if values.is_empty(value):
            return ""
        return values.parse_storage(value)


class DateWidget(_Parsed):
    parse = staticmethod(values.parse_date)

    def text(self, value):
        return value.strftime("%d/%m/%Y")


class BooleanWidget(_Parsed):
    parse = staticmethod(values.parse_bool)

    def render(self, value, obj=None, **kwargs):
        # Always words, even in XLSX/ODS: LibreOffice saves a typed boolean as the
        # number 0 or 1, so the cell would no longer read as it was exported.
        return "" if value is None else self.text(value)

    def text(self, value):
        return _("yes") if value else _("no")


class ChoiceWidget(widgets.Widget):
    """A value of a TextChoices, written as its label; read from its label or value in
    French or English, or from an alias."""

    memoizable = True

    def __init__(self, choices, aliases=None, **kwargs):
        super().__init__(**kwargs)
        self.choices = list(choices)
        self.aliases = aliases or {}
        self._names = None

    def clean(self, value, row=None, **kwargs):
        if values.is_empty(value):
            return ""
        if self._names is None:
            self._names = values.choice_map(self.choices, self.aliases)
        return values.parse_choice(value, self._names, self.choices)

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class ChoiceListWidget(ChoiceWidget):
    """Several values of a TextChoices in one cell, separated by commas or semicolons."""

    # Its value is a list, which must not be shared between records.
    memoizable = False

    def clean(self, value, row=None, **kwargs):
        if values.is_empty(value):
            return []
        parts = [part for part in str(value).replace(";", ",").split(",") if part.strip()]
        return sorted({super(ChoiceListWidget, self).clean(part) for part in parts})

    def render(self, value, obj=None, **kwargs):
        labels = dict(self.choices)
        return ", ".join(str(labels.get(item, item)) for item in value or [])


class LookupWidget(widgets.ForeignKeyWidget):
    """A foreign key named by one of its fields (a site's code, a donation's number).

    The resource primes it with the values of a whole chunk of rows (one query), so
    that reading a cell never queries the database.
    """

    def __init__(self, model, field, *, normalise=str.strip, message="", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.normalise = normalise
        self.message = message
        self.cache = {}

    def key(self, value):
        return self.normalise(str(value))

    def _storable(self, key):
        """Can the database compare this text with the field at all? ("abc" is no id.)"""
        field = (
            self.model._meta.get_field(self.field) if self.field != "pk" else self.model._meta.pk
        )
        try:
            value = field.to_python(key)
        except ValidationError:
            return False
        return not isinstance(value, int) or abs(value) < 2**62

    def prime(self, raw_values):
        wanted = {self.key(v) for v in raw_values if not values.is_empty(v)} - set(self.cache)
        wanted.discard("")
        for key in [key for key in wanted if not self._storable(key)]:
            self.cache[key] = None
            wanted.discard(key)
        if not wanted:
            return
        lookup = {f"{self.field}__in": wanted}
        for obj in self.get_queryset(None, None).filter(**lookup):
            self.cache[self.key(getattr(obj, self.field))] = obj
        for missing in wanted - set(self.cache):
            self.cache[missing] = None

    def clean(self, value, row=None, **kwargs):
        if values.is_empty(value):
            return None
        key = self.key(value)
        if key not in self.cache:
            self.prime([value])
        obj = self.cache.get(key)
        if obj is None:
            raise ValueError(self.message % {"value": value})
        return obj

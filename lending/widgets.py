"""Spreadsheet widgets and helpers shared by the lending resources: values as social
workers type them (situations, needs, names, postcodes, counts, dates)."""

import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import widgets

from lending.models import (
    Criterion,
)
from spreadsheets.values import choice_map, is_empty, parse_choice, plain
from spreadsheets.widgets import (
    ChoiceListWidget,
    ChoiceWidget,
    DateWidget,
    IntegerWidget,
    TextWidget,
)


# Cells as people write them -------------------------------------------------------------
def _parts(text):
    return [part.strip() for part in re.split(r"[,;]", str(text)) if part.strip()]


def _names_in(text, names, unknown):
    """The values that `names` (plain name → value) gives to the comma-separated names
    of `text`. A name may hold commas itself ("Online procedures (CAF, France Travail,
    taxes…)"): the longest run of parts that is a name wins. `unknown(part)` raises."""
    parts, found, start = _parts(text), [], 0
    while start < len(parts):
        for end in range(len(parts), start, -1):
            value = names.get(plain(" ".join(parts[start:end])))
            if value is not None:
                found.append(value)
                start = end
                break
        else:
            unknown(parts[start])
    return found


class ChoiceSetWidget(ChoiceListWidget):
    """Several choices in one cell, read even when their labels hold commas."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return []
        if self._names is None:
            self._names = choice_map(self.choices, self.aliases)

        def unknown(part):
            parse_choice(part, self._names, self.choices)

        return sorted(set(_names_in(value, self._names, unknown)))


class UnknownByDefaultWidget(ChoiceWidget):
    """A category the household may not have given (age band, QPV…): an empty cell is
    "unknown", as on the form."""

    def __init__(self, choices, default, aliases=None, **kwargs):
        super().__init__(choices, aliases, **kwargs)
        self.default = default

    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row, **kwargs) or self.default


class InseeCodeWidget(TextWidget):
    """A commune's INSEE code: " 2a004 " is 2A004; a spreadsheet that took 01053 for a
    number gave 1053 (the model's validator names a wrong code)."""

    identifier = True

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, int | float) and float(value).is_integer():
            return f"{int(value):05d}"
        return super().clean(value, row, **kwargs).replace(" ", "").upper()


class SituationsWidget(widgets.Widget):
    """Eligibility criteria by their names (case and accents ignored), as sorted ids."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._names = None

    def clean(self, value, row=None, **kwargs):
        if self._names is None:
            # A short reference list: read once an import.
            criteria = list(Criterion.objects.all())
            self._names = {plain(c.name): c.pk for c in criteria}
            self._shown = ", ".join(c.name for c in criteria if c.active)
        if is_empty(value):
            return ()

        def unknown(part):
            raise ValueError(
                _("“%(name)s” is not a situation Réemploi knows (%(names)s).")
                % {"name": part, "names": self._shown}
            )

        return tuple(sorted(set(_names_in(value, self._names, unknown))))

    def render(self, value, obj=None, **kwargs):
        # Exports read a household's situations (HouseholdResource.dehydrate_situations);
        # this writes the ids a row was read into (a template's example, a test).
        if not value:
            return ""
        names = dict(Criterion.objects.filter(pk__in=value).values_list("pk", "name"))
        return ", ".join(names[pk] for pk in value if pk in names)


class NamedWidget(widgets.Widget):
    """A cell the resource reads itself (it knows the importing user and what this
    chunk of rows refers to): `resource.<find>(value)` returns the object."""

    def __init__(self, find, attribute, **kwargs):
        super().__init__(**kwargs)
        self.find = find
        self.attribute = attribute
        self.resource = None

    def clean(self, value, row=None, **kwargs):
        return getattr(self.resource, self.find)(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else getattr(value, self.attribute)


class PostcodeWidget(TextWidget):
    identifier = True

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, int | float) and float(value).is_integer():
            # A spreadsheet that took the postcode for a number dropped its leading zero.
            return f"{int(value):05d}"
        return super().clean(value, row, **kwargs).replace(" ", "")


class CountWidget(IntegerWidget):
    """A number of people: an empty cell is none."""

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row, **kwargs)
        return 0 if value is None else value


class LocalDateWidget(DateWidget):
    """The day (in the association's time zone) of a moment."""

    def render(self, value, obj=None, **kwargs):
        if isinstance(value, datetime.datetime):
            value = timezone.localdate(value)
        return super().render(value, obj, **kwargs)


def _unknown_household(code):
    # The same sentence for a code that does not exist and for another structure's
    # household: an import must not tell that a household exists.
    return _("No household of yours has the code “%(code)s”.") % {"code": code}

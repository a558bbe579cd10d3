"""A list of choice values in one column: SQLite has no arrays, and a join table for a
handful of fixed values (needs, consent purposes, accessories) would cost a query each."""

from django.db import models


class ChoiceListField(models.JSONField):
    """A JSON list of the values of `item_choices` (a TextChoices' choices).

    The labels are not part of the schema (no migration when a label changes); they name
    the values on pages and in the history.
    """

    def __init__(self, *args, item_choices=(), **kwargs):
        self.item_choices = list(item_choices)
        super().__init__(*args, **kwargs)

    def labels(self, values):
        names = dict(self.item_choices)
        return [str(names.get(value, value)) for value in values or []]

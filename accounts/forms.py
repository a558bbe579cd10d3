"""Form fields that choose people: named as everywhere else, offered by role."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts.templatetags.people import person


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person(obj)


def users_of(role, current=()):
    """Users of `role`, and those already chosen (a superuser who created a programme)."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name=role) | Q(pk__in=[u.pk for u in current]))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )

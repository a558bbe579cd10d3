import re

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.models import Category, Device, Donation, Grade, Site, Status

RECENT_DONATIONS = 50


def donation_choices(request):
    """The latest donations, plus the one asked for: listing thousands of donations in a
    drop-down made every list page slow (measured 350 ms at 2,000 donations)."""
    recent = Donation.objects.order_by("-received_on", "-pk").values_list("pk", flat=True)
    wanted = list(recent[:RECENT_DONATIONS])
    asked = request.GET.get("donation", "") if request else ""
    if re.fullmatch(r"[0-9]{1,12}", asked):
        wanted.append(int(asked))
    return (
        Donation.objects.filter(pk__in=wanted)
        .select_related("donor")
        .order_by("-received_on", "-pk")
    )


class DeviceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices,
        label=_("Status"),
        widget=forms.CheckboxSelectMultiple,
        # One status per row: DISTINCT would only slow the count down.
        distinct=False,
    )
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade"))
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.all(), label=_("Site"))
    donation = django_filters.ModelChoiceFilter(queryset=donation_choices, label=_("Donation"))

    location = django_filters.CharFilter(
        field_name="location__code", lookup_expr="iexact", label=_("Location")
    )

    class Meta:
        model = Device
        fields = ["q", "status", "category", "grade", "site", "donation", "location"]

    def search(self, queryset, name, value):
        return queryset.search_for_page(value)

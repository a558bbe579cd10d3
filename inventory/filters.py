import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, Device, Donation, Grade, Site, Status


class DeviceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label=_("Status"), widget=forms.CheckboxSelectMultiple
    )
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade"))
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.all(), label=_("Site"))
    donation = django_filters.ModelChoiceFilter(
        queryset=Donation.objects.select_related("donor"), label=_("Donation")
    )

    location = django_filters.CharFilter(
        field_name="location__code", lookup_expr="iexact", label=_("Location")
    )

    class Meta:
        model = Device
        fields = ["q", "status", "category", "grade", "site", "donation", "location"]

    def search(self, queryset, name, value):
        return queryset.search(value)

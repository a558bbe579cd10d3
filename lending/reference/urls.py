"""Lending pages: the reference data (structures, funders, eligibility criteria).

One form page serves the three kinds: each URL names its form, the service that saves
it, the title of a new one and its entry in the reference-data menu.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from lending.reference import services, views
from lending.reference.forms import CriterionForm, FunderForm, StructureForm


# What each kind's form gives the service that saves it.
def _save_structure(form, by):
    members = form.cleaned_data["members"]
    return services.save_structure(structure=form.save(commit=False), by=by, members=members)


def _save_funder(form, by):
    return services.save_funder(funder=form.save(commit=False), by=by)


def _save_criterion(form, by):
    return services.save_criterion(criterion=form.save(commit=False), by=by)


STRUCTURES = {
    "form_class": StructureForm,
    "save": _save_structure,
    "new_title": _("New structure"),
    "current": "structures",
}
FUNDERS = {
    "form_class": FunderForm,
    "save": _save_funder,
    "new_title": _("New funder"),
    "current": "funders",
}
CRITERIA = {
    "form_class": CriterionForm,
    "save": _save_criterion,
    "new_title": _("New eligibility criterion"),
    "current": "criteria",
}

urlpatterns = [
    path("structures/", views.structure_list, name="structure_list"),
    path("structures/new/", views.reference_form, STRUCTURES, name="structure_create"),
    path("structures/<int:pk>/edit/", views.reference_form, STRUCTURES, name="structure_edit"),
    path("funders/", views.funder_list, name="funder_list"),
    path("funders/new/", views.reference_form, FUNDERS, name="funder_create"),
    path("funders/<int:pk>/edit/", views.reference_form, FUNDERS, name="funder_edit"),
    path("criteria/", views.criterion_list, name="criterion_list"),
    path("criteria/new/", views.reference_form, CRITERIA, name="criterion_create"),
    path("criteria/<int:pk>/edit/", views.reference_form, CRITERIA, name="criterion_edit"),
]

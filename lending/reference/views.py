"""Pages of the reference data: a list per kind (structures, funders, criteria) and one
form page for all three, told by urls.py which kind it edits."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from accounts.http import save_form
from lending.models import Criterion, Funder, Structure


@permission_required("lending.view_structure", raise_exception=True)
def structure_list(request):
    structures = (
        Structure.objects.annotate(
            household_count=Count("households", distinct=True),
            programme_count=Count("programmes", distinct=True),
        )
        .prefetch_related("members")
        .order_by("name", "pk")
    )
    return render(
        request,
        "lending/reference/structure_list.html",
        {"structures": structures, "current": "structures"},
    )


@permission_required("lending.view_funder", raise_exception=True)
def funder_list(request):
    funders = Funder.objects.annotate(programme_count=Count("programmes")).order_by("name", "pk")
    return render(
        request,
        "lending/reference/reference_funder_list.html",
        {"funders": funders, "current": "funders"},
    )


@permission_required("lending.view_criterion", raise_exception=True)
def criterion_list(request):
    criteria = Criterion.objects.annotate(programme_count=Count("programmes")).order_by(
        "order", "name", "pk"
    )
    return render(
        request,
        "lending/reference/reference_criterion_list.html",
        {"criteria": criteria, "current": "criteria"},
    )


def reference_form(request, pk=None, *, form_class, save, new_title, current):
    """Create (no `pk`) or edit a structure, funder or criterion, then go back to its list.

    `form_class` is a ModelForm of the kind; `save(form, by)` writes the form's object
    through the kind's service; `new_title` heads the page of a new one; `current` is the
    kind in the reference-data menu. Creating needs the kind's add permission, editing
    its change permission, as the service checks again.
    """
    model = form_class._meta.model
    if not request.user.has_perm(f"lending.{'change' if pk else 'add'}_{model._meta.model_name}"):
        raise PermissionDenied
    instance = get_object_or_404(model, pk=pk) if pk else None
    form = form_class(request.POST or None, instance=instance)
    back = f"lending:{model._meta.model_name}_list"
    title = str(instance) if instance else new_title
    context = {"form": form, "title": title, "current": current, "back": back}
    saved = _("Saved.")
    return save_form(
        request, form, lambda data: save(form, request.user), success=saved, then=back
    ) or render(request, "lending/reference/reference_form.html", context)

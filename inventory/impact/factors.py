"""Versions of the impact factors: a changed factor is always a new version.

A closed report keeps the factor set it was computed with, so a set is never edited:
`new_version` copies the latest set, applies the changes and numbers the copy.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import Refused, require
from inventory.models import FactorSet, ImpactFactor

# What a change may set on a factor; the set, category and method name it.
CHANGEABLE = (
    "kg_co2e",
    "unit",
    "assumed_second_life_years",
    "source_title",
    "source_publisher",
    "source_url",
    "year",
    "method_note",
)
_COPIED = CHANGEABLE


def factor_sets():
    """Every version, newest first, with its factors (2 queries)."""
    return FactorSet.objects.select_related("created_by").prefetch_related("factors")


def _describe(category, method):
    return _("%(category)s, %(method)s") % {
        "category": ImpactFactor(category=category).get_category_display(),
        "method": ImpactFactor(method=method).get_method_display(),
    }


def _apply(values, change):
    unknown = set(change) - set(CHANGEABLE)
    if unknown:
        raise ValueError(f"Fields that a new version may not change: {sorted(unknown)}")
    new = {**values, **change}
    return new, new != values


def new_version(from_set, changes, by, *, reason, name=None):
    """Publish a new factor set: `from_set`'s factors with `changes` applied.

    `changes` maps (category, method) to a dict of CHANGEABLE fields (a new factor when
    the pair had none), or to None to drop that factor. `reason` is required and kept in
    the set's notes and its history. Refused when `from_set` is not the latest version,
    when nothing changes, or when a value is invalid. Returns the new FactorSet.
    """
    require(
        by, "inventory.publish_factorset", message=_("Your role may not change the impact factors.")
    )
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Give the reason for the new version."))
    with transaction.atomic():
        latest = FactorSet.objects.select_for_update().order_by("-version").first()
        if latest is None or latest.pk != from_set.pk:
            raise Refused(
                _("Version %(version)s was published meanwhile: start from it.")
                % {"version": latest.version if latest else "?"}
            )
        current = {
            (f.category, f.method): {name: getattr(f, name) for name in _COPIED}
            for f in from_set.factors.all()
        }
        result, changed = {}, False
        for key, values in current.items():
            if key in changes and changes[key] is None:
                changed = True
                continue
            new, differs = _apply(values, changes.get(key, {}))
            result[key] = new
            changed = changed or differs
        for key, change in changes.items():
            if key not in current and change is not None:
                result[key], _differs = _apply({}, change)
                changed = True
        if not changed:
            raise Refused(_("Nothing changed: no new version was made."))
        new_set = FactorSet(
            version=latest.version + 1,
            name=name or from_set.name,
            published_on=timezone.localdate(),
            notes=reason,
            based_on=from_set,
            created_by=by,
        )
        new_set._history_user = by
        new_set._change_reason = reason
        try:
            with transaction.atomic():
                new_set.save()
        except IntegrityError:
            raise Refused(
                _("Another version was published meanwhile: start again from it.")
            ) from None
        for (category, method), values in sorted(result.items()):
            factor = ImpactFactor(factor_set=new_set, category=category, method=method, **values)
            if method == ImpactFactor.Method.MANUFACTURING:
                factor.unit = factor.unit or ImpactFactor.Unit.PER_DEVICE
            else:
                factor.unit = factor.unit or ImpactFactor.Unit.PER_YEAR
            if method == ImpactFactor.Method.YEARLY and factor.assumed_second_life_years is None:
                raise Refused(
                    _("%(factor)s: give the assumed years of second life.")
                    % {"factor": _describe(category, method)}
                )
            try:
                factor.full_clean(exclude=["factor_set"])
            except ValidationError as error:
                details = "; ".join(
                    f"{ImpactFactor._meta.get_field(field).verbose_name}: {' '.join(messages)}"
                    if field != "__all__"
                    else " ".join(messages)
                    for field, messages in error.message_dict.items()
                )
                raise Refused(
                    _("%(factor)s: %(details)s")
                    % {"factor": _describe(category, method), "details": details}
                ) from None
            factor._history_user = by
            factor._change_reason = reason
            factor.save()
    return new_set

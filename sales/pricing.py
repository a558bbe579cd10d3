"""Writing the price list and the list of proofs of eligibility (coordinators).

Every change of a price is a history row (django-simple-history) naming who made it:
a receipt keeps the price it was sold at, and the list says what it was on any day.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.refusals import Refused, require
from sales.models import EligibilityProof, Price


class PricingError(Refused):
    """A refused change of the price list; its message is a sentence for the user."""


def _check(category, grade, price, solidarity_price):
    if price is None or solidarity_price is None:
        raise PricingError(_("Give both prices, or leave both empty."))
    if price < 0 or solidarity_price < 0:
        raise PricingError(_("A price cannot be negative."))
    if solidarity_price > price:
        raise PricingError(
            _("%(category)s, grade %(grade)s: the solidarity price cannot be above the price.")
            % {"category": category, "grade": grade}
        )


@transaction.atomic
def save_price_list(*, by, cells, reason=""):
    """Apply `cells` {(category, grade): (price, solidarity price) or None} to the price
    list; None removes a price (that category and grade cannot be sold). Only the cells
    that change are written. Returns how many changed. All or nothing."""
    require(by, "sales.add_price", "sales.change_price")
    for (category, grade), value in cells.items():
        if value is not None:
            _check(category, grade, *value)
    current = {(p.category, p.grade): p for p in Price.objects.select_for_update()}
    changed = 0
    for key, value in cells.items():
        price = current.get(key)
        if value is None and price is None:
            continue
        if value is not None and price is not None and _same(price, value):
            continue
        if value is None:
            price._history_user, price._change_reason = by, reason
            price.delete()
        elif price is None:
            price = Price(category=key[0], grade=key[1], price=value[0], solidarity_price=value[1])
            price._history_user, price._change_reason = by, reason
            price.save()
        else:
            price.price, price.solidarity_price = value
            price._history_user, price._change_reason = by, reason
            price.save(update_fields=["price", "solidarity_price"])
        changed += 1
    return changed


def _same(price, value):
    return (price.price, price.solidarity_price) == tuple(Decimal(v) for v in value)


def add_proof(*, by, name, order=0):
    """A new proof of eligibility a seller may tick."""
    require(by, "sales.add_eligibilityproof")
    name = " ".join((name or "").split())
    if not name:
        raise PricingError(_("Name the proof of eligibility."))
    if EligibilityProof.objects.filter(name__iexact=name).exists():
        raise PricingError(_("A proof of eligibility with this name already exists."))
    return EligibilityProof.objects.create(name=name, order=order)


def update_proof(*, by, proof, name, order, active):
    """Rename, reorder or (de)activate a proof; a deactivated one is no longer offered,
    and the sales that recorded it keep it."""
    require(by, "sales.change_eligibilityproof")
    name = " ".join((name or "").split())
    if not name:
        raise PricingError(_("Name the proof of eligibility."))
    taken = EligibilityProof.objects.filter(name__iexact=name).exclude(pk=proof.pk)
    if taken.exists():
        raise PricingError(_("A proof of eligibility with this name already exists."))
    proof.name, proof.order, proof.active = name, order, active
    proof.save(update_fields=["name", "order", "active"])
    return proof

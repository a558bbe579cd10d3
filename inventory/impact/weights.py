"""A device's weight: measured (Device.weight_kg), else its category's default, flagged
"estimated". Kilos are summed in SQL with these expressions, so that a weight measured
later corrects every figure at once (its entry, its exit and the stock between them)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from inventory.models import WeightDefault

KG = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def as_kg(value):
    """A sum from the database as kilos to the gram's tenth: SQLite adds decimals as
    floats, so its sums come back with float noise; None (nothing summed) is 0."""
    return ZERO if value is None else Decimal(value).quantize(CENT)


def default_weights():
    """{category: kg} from WeightDefault (one query); a category without a row weighs 0
    until someone enters its default, and says so by being absent here."""
    return dict(WeightDefault.objects.values_list("category", "kg"))


def default_expression(prefix="", defaults=None):
    """The category default of the device at `prefix` ("" or e.g. "device__")."""
    defaults = default_weights() if defaults is None else defaults
    whens = [
        When(**{f"{prefix}category": category}, then=Value(kg, output_field=KG))
        for category, kg in sorted(defaults.items())
    ]
    if not whens:
        return Value(ZERO, output_field=KG)
    return Case(*whens, default=Value(ZERO, output_field=KG), output_field=KG)


def weight_expression(prefix="", defaults=None):
    """Kilos of the device at `prefix`: measured, else its category's default.

    `defaults` ({category: kg}) saves the query when a caller builds several expressions.
    """
    return Coalesce(F(f"{prefix}weight_kg"), default_expression(prefix, defaults), output_field=KG)


def estimated_expression(prefix="", defaults=None):
    """The part of weight_expression that is estimated: the default when no weight was
    measured, else 0. Summed beside the kilos, it says how much of a total is assumed."""
    return Case(
        When(**{f"{prefix}weight_kg__isnull": True}, then=default_expression(prefix, defaults)),
        default=Value(ZERO, output_field=KG),
        output_field=KG,
    )


@dataclass(frozen=True)
class DeviceWeight:
    kg: Decimal | None
    estimated: bool

    def __str__(self):
        """« 2,10 kg », « 2,10 kg (estimé) », or « — » when nothing is known."""
        if self.kg is None:
            return "—"
        shown = number_format(self.kg, decimal_pos=2)
        if self.estimated:
            return _("%(kg)s kg (estimated)") % {"kg": shown}
        return _("%(kg)s kg") % {"kg": shown}


def with_default_weight(devices):
    """`devices` annotated with `default_kg`, their category's default, in the same
    query: a page that shows one device reads its weight without another query."""
    default = WeightDefault.objects.filter(category=OuterRef("category")).values("kg")[:1]
    return devices.annotate(default_kg=Subquery(default, output_field=KG))


def weight_of(device, defaults=None):
    """What the device page shows: the measured weight, else the default, estimated.

    Reads `default_kg` when the device comes from with_default_weight(), else
    `defaults` when given, else the table (one query).
    """
    if device.weight_kg is not None:
        return DeviceWeight(device.weight_kg, estimated=False)
    if hasattr(device, "default_kg"):
        kg = device.default_kg
    elif defaults is None:
        kg = WeightDefault.objects.filter(category=device.category).values_list("kg", flat=True)
        kg = kg.first()
    else:
        kg = defaults.get(device.category)
    return DeviceWeight(kg, estimated=kg is not None)

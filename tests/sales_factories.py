"""factory-boy factories for sales: a price list row, a proof of eligibility, and a sale
recorded the way the shop records one (through sales.services.record_sale)."""

from decimal import Decimal

import factory

from accounts.roles import Role
from inventory.models import Category, Grade, Status
from sales import services
from sales.models import EligibilityProof, PaymentMethod, Price, Sale
from tests.factories import DeviceFactory, SiteFactory, UserFactory


class PriceFactory(factory.django.DjangoModelFactory):
    """Laptops of grade B at 50 €, 20 € at the solidarity price (a Brest-like shop)."""

    class Meta:
        model = Price
        django_get_or_create = ["category", "grade"]

    category = Category.LAPTOP
    grade = Grade.B
    price = Decimal("50.00")
    solidarity_price = Decimal("20.00")


class EligibilityProofFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityProof
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Justificatif {n}")


def ready_device(**fields):
    """A laptop on the shelf: erased, checklist passed, system installed, grade B."""
    return DeviceFactory(status=Status.READY, refurbished=True, **fields)


class SaleFactory(factory.Factory):
    """A sale recorded by `record_sale`: `SaleFactory(by=technician, devices=[…])`.

    Without devices, one ready laptop of the sale's site. Each device's category and
    grade gets a price (PriceFactory's, unless the test created its own).
    """

    class Meta:
        model = Sale

    by = factory.SubFactory(UserFactory, role=Role.TECHNICIAN)
    site = factory.SubFactory(SiteFactory)
    devices = factory.LazyAttribute(lambda sale: [ready_device(site=sale.site)])
    payment_method = PaymentMethod.CASH

    @classmethod
    def _create(cls, model_class, **kwargs):
        for device in kwargs["devices"]:
            if device.grade:
                PriceFactory(category=device.category, grade=device.grade)
        return services.record_sale(**kwargs)

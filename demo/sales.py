"""The shop and the donor paperwork of the demo: the organisation's details, a price
list, a week of sales at the two sites (one paid at the solidarity price to a household
of the loan programme, one with a discount, one cancelled by a credit note), and two
donations whose attestations were issued (one of them valued for a tax receipt).

Everything goes through the real services (the price list, `record_sale`,
`cancel_sale`, `issue_attestation`, `value_donation`), stamped on past days, so that
receipt numbers, device histories and donation notes are what the pages would have
recorded. Called at the end of `manage.py load_demo_data`; does nothing once a sale
exists.
"""

import math
import random
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.utils import timezone

from inventory.donors.documents import issue_attestation, value_donation
from inventory.models import (
    Category,
    Device,
    Donation,
    Donor,
    Organisation,
    Site,
    ValuationBasis,
)
from lending.models import Household
from sales import pricing, public_body
from sales.models import EligibilityProof, PaymentMethod, PublicBodyBuyer, Sale
from sales.services import cancel_sale, record_sale

ORGANISATION = {
    "name": "Ressourcerie numérique solidaire de l'Artois",
    "address": "12 rue des Ateliers\n62700 Bruay-La-Buissière",
    # Fictitious: the demo's organisation is not a real establishment.
    "siret": "12345678900019",
    "purpose": "Collecter, reconditionner et remettre en circulation du matériel informatique "
    "au profit de personnes et de structures en situation de précarité",
    "tax_receipt_status": "Association d'intérêt général",
    "phone": "03 21 00 12 34",
    "email": "contact@demo.invalid",
    "website": "https://reemploi.example.org",
    "opening_hours": "Du mardi au vendredi, 9 h – 12 h et 14 h – 17 h 30\nLe samedi, 9 h – 12 h",
}
# (price, solidarity price) by category and grade A, B, C, in euros.
PRICES = {
    Category.LAPTOP: [(120, 60), (90, 50), (60, 30)],
    Category.DESKTOP: [(80, 40), (60, 30), (40, 20)],
    Category.TABLET: [(60, 30), (45, 25), (30, 15)],
    Category.SMARTPHONE: [(50, 25), (35, 20), (25, 10)],
    Category.SCREEN: [(30, 15), (20, 10), (15, 5)],
}
# The shop never sells more than this share of the ready stock: the counter, the
# labels and the loans still need devices to show.
SHARE_SOLD = Decimal("0.4")
# The loan programme's stock (load_demo_data.LENDING_SERIAL) is not for sale.
NOT_FOR_SALE = "DEMOPRET"
BUYERS = [
    ("", ""),
    ("M. Lefort", "62700"),
    ("", "62400"),
    ("Mme Caron", "62150"),
    ("Association Les Petits Débrouillards", "62400"),
    ("", ""),
    ("Lina D.", "62260"),
]
PAYMENTS = (
    [PaymentMethod.CASH] * 4
    + [PaymentMethod.CARD] * 3
    + [
        PaymentMethod.CHEQUE,
        PaymentMethod.TRANSFER,
        PaymentMethod.VOUCHER,
    ]
)


@contextmanager
def _at(moment):
    """Stamp everything written inside with that past moment (like demo.lending)."""
    with mock.patch("django.utils.timezone.now", lambda: moment):
        yield moment


def _on(day, hour, minute=0):
    moment = timezone.make_aware(datetime.combine(day, time(hour, minute)))
    return _at(min(moment, timezone.now() - timedelta(minutes=1)))


def _shop_days(today):
    """The opening days (Tuesday to Saturday) of the last week, today included."""
    days = [today - timedelta(days=n) for n in range(7, -1, -1)]
    return [day for day in days if day.weekday() in (1, 2, 3, 4, 5)]


@transaction.atomic
def load_sales_demo(*, technician, coordinator):
    """Load the shop and the paperwork; False when the demo already has sales."""
    if Sale.objects.exists():
        return False
    rng = random.Random(2027)
    today = timezone.localdate()
    _organisation(coordinator)
    _price_list(coordinator, today - timedelta(days=30))
    sales = _week_of_sales(rng, technician, today)
    before_today = [sale for sale in sales if timezone.localdate(sale.sold_at) < today]
    if before_today:
        # Brought back at closing time: the latest sale of an earlier day.
        returned = before_today[-1]
        with _on(timezone.localdate(returned.sold_at), 17, 10):
            cancel_sale(
                sale=returned,
                by=coordinator,
                reason="Rapporté le jour même : l'écran scintille. Remboursé en espèces.",
                refund_method=PaymentMethod.CASH,
            )
    _paperwork(technician, coordinator)
    return True


def _organisation(coordinator):
    if Organisation.objects.exists():
        return
    organisation = Organisation(**ORGANISATION)
    organisation._history_user = coordinator
    organisation.save()


def _price_list(coordinator, day):
    cells = {
        (category, grade): (Decimal(price), Decimal(solidarity))
        for category, rows in PRICES.items()
        for grade, (price, solidarity) in zip("ABC", rows, strict=True)
    }
    with _on(day, 9, 30):
        pricing.save_price_list(by=coordinator, cells=cells, reason="Tarifs 2026")


def _for_sale():
    """The ready devices the shop may sell, by site, in a fixed order."""
    devices = (
        Device.objects.ready()
        .filter(category__in=PRICES, grade__in=["A", "B", "C"])
        .exclude(serial_number__startswith=NOT_FOR_SALE)
        .select_related("site", "donation__donor")
        .order_by("asset_tag")
    )
    by_site = {}
    for device in devices:
        by_site.setdefault(device.site, []).append(device)
    return by_site


def _week_of_sales(rng, technician, today):
    """One to three sales an opening day at each site, in the order they happened (so
    that receipt numbers follow the clock); returns them."""
    stock = _for_sale()
    sites = list(Site.objects.filter(pk__in=[site.pk for site in stock]).order_by("code"))
    # At least one sale a site with stock (a small demo too).
    allowance = {site: math.ceil(len(stock[site]) * SHARE_SOLD) for site in sites}
    proofs = list(EligibilityProof.objects.filter(active=True))
    household = Household.objects.order_by("pk").first()
    latest = timezone.now() - timedelta(minutes=5)
    plan = []
    for day in _shop_days(today):
        for site in sites:
            for _ in range(rng.choice((1, 2, 2, 3))):
                moment = datetime.combine(day, time(rng.randint(9, 16), rng.randint(0, 59)))
                moment = timezone.make_aware(moment)
                if moment < latest:  # today's sales so far, none to come
                    plan.append((moment, site.code, site))
    sales = []
    for moment, _code, site in sorted(plan):
        count = 2 if rng.random() < 0.2 else 1
        if allowance[site] < count:
            continue
        allowance[site] -= count
        devices = [stock[site].pop(0) for _ in range(count)]
        with _at(moment):
            sales.append(_sell(rng, technician, site, devices, proofs, household, sales))
    return sales


def _sell(rng, technician, site, devices, proofs, household, sales):
    solidarity = bool(proofs) and rng.random() < 0.45
    buyer_name, buyer_postcode = rng.choice(BUYERS)
    fields = {}
    if solidarity and household is not None and not any(s.household_id for s in sales):
        # The family of the loan programme who bought a second computer.
        fields["household"] = household
    discounts = {}
    if not solidarity and len(sales) % 5 == 3:
        discounts[devices[0].pk] = (Decimal("10"), "Rayure sur le capot")
    if any(public_body.given_by_public_body(device) for device in devices):
        # The Lycée's devices go, as the law allows, to an association named as the
        # buyer or to a person whose proof of need the seller saw.
        association = buyer_name.startswith("Association") and "household" not in fields
        fields["public_body_buyer"] = (
            PublicBodyBuyer.ASSOCIATION if association else PublicBodyBuyer.PERSON
        )
        fields["need_checked"] = not association
    return record_sale(
        by=technician,
        site=site,
        devices=devices,
        payment_method=rng.choice(PAYMENTS),
        solidarity=solidarity,
        proofs=[rng.choice(proofs)] if solidarity else [],
        buyer_name=buyer_name,
        buyer_postcode=buyer_postcode,
        discounts=discounts,
        **fields,
    )


def _paperwork(technician, coordinator):
    """The attestations of the two latest donations from companies and public bodies,
    issued a few days after each came in; the company's gift valued for a tax receipt."""
    donations = (
        Donation.objects.filter(donor__kind__in=[Donor.Kind.COMPANY, Donor.Kind.PUBLIC_BODY])
        .filter(devices__isnull=False)
        .distinct()
        .select_related("donor")
        .order_by("-received_on")
    )
    issued = []
    for donation in donations:
        if len(issued) == 2:
            break
        if issued and issued[0].donor.kind == donation.donor.kind:
            continue
        with _on(donation.received_on + timedelta(days=3), 11):
            issue_attestation(donation=donation, by=technician)
        issued.append(donation)
    company = next((d for d in issued if d.donor.kind == Donor.Kind.COMPANY), None)
    if company is not None:
        count = company.devices.count()
        valued_on = min(company.received_on + timedelta(days=5), timezone.localdate())
        with _on(valued_on, 15):
            value_donation(
                donation=company,
                by=coordinator,
                gift_description=f"{count} matériels informatiques d'occasion "
                "(ordinateurs, écrans, périphériques)",
                valuation=Decimal(25) * count,
                valued_on=valued_on,
                valuation_basis=ValuationBasis.NET_BOOK_VALUE,
            )

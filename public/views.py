"""The page behind every label's QR code, for whoever holds the device: a family, a finder.

No login. It says whose device it is and how to reach them: the organisation's contact,
what the device is, that the organisation lends it (and where, when and whom to call to
return it) or the day it was sold (and when the legal guarantee ends). Nothing about
anyone: the queries below never read the household, the loan itself, the serial number,
the notes, the location or the workshop's status.

A lent device's page names neither the programme, nor its contact, nor its return
instructions: whoever sees the label (a neighbour, a teacher, a finder) would learn that
the family is followed by a social programme. "Lent by <organisation>" and the
organisation's own address, hours and phone are all a holder needs to bring it back.
"""

import math

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from inventory.donors.documents import donation_of_link
from inventory.models import Category, Device, ErasureCertificate, Organisation
from lending.models import Loan, LoanDevice
from public import donations
from public.ratelimit import rate_limited
from reports.formatting import rounded
from sales.models import Sale

TEMPLATE = "public/device.html"
# The legal guarantee of conformity runs two years from delivery (code de la
# consommation, art. L217-3); at the counter, delivery is the day of the sale.
GUARANTEE_YEARS = 2
_TAG_LENGTH = Device._meta.get_field("asset_tag").max_length


def organisation_context():
    """The organisation, and its address on one line for the "found this device?" line."""
    organisation = Organisation.current()
    lines = [line.strip() for line in organisation.address.splitlines() if line.strip()]
    return {"organisation": organisation, "address_line": ", ".join(lines)}


def no_copies(response):
    """Headers of every public page, whatever it found.

    A device's page changes when its loan ends or it is sold, and signed-in staff see a
    link that others do not: neither the browser nor a proxy keeps a copy ("no-store"),
    and only the browser that asked may see it ("private"). Search engines leave it out.
    """
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _limited_device_page(request, retry_after):
    context = {**organisation_context(), "retry_minutes": math.ceil(retry_after / 60)}
    return no_copies(render(request, TEMPLATE, context))


def _limited_page(request, retry_after):
    context = {**organisation_context(), "retry_minutes": math.ceil(retry_after / 60)}
    return no_copies(render(request, "public/rate_limited.html", context))


# The certificate check has sequential numbers too.
limit_certificate_checks = rate_limited("certificate_check", _limited_page)


def _device(asset_tag):
    tag = asset_tag.strip().upper()
    if not tag or len(tag) > _TAG_LENGTH:
        return None
    fields = ["asset_tag", "category", "manufacturer", "model", "grade"]
    return Device.objects.only(*fields).filter(asset_tag=tag).first()


def is_lent(device):
    """Is `device` in an approved or running loan? Reads the loan's status only, not
    the loan's household, programme or dates."""
    return LoanDevice.objects.filter(
        device=device,
        active=True,
        loan__status__in=[Loan.Status.APPROVED, Loan.Status.ACTIVE],
    ).exists()


def sold_on(device):
    """The day `device` was sold (a sale not cancelled by a credit note), or None."""
    sold_at = (
        Sale.objects.filter(status=Sale.Status.COMPLETED, items__device=device, items__active=True)
        .values_list("sold_at", flat=True)
        .first()
    )
    return timezone.localdate(sold_at) if sold_at else None


def guarantee_ends_on(day):
    try:
        return day.replace(year=day.year + GUARANTEE_YEARS)
    except ValueError:
        # Sold on 29 February: the guarantee ends on the 28th.
        return day.replace(year=day.year + GUARANTEE_YEARS, day=28)


def _device_context(request, device):
    day = sold_on(device)
    return {
        "device": device,
        "lent": is_lent(device),
        "sold_on": day,
        "guarantee_until": guarantee_ends_on(day) if day else None,
        # How a technician who scanned a label with a phone's camera reaches the device.
        "staff_url": (
            device.get_absolute_url() if request.user.has_perm("inventory.view_device") else ""
        ),
    }


@require_safe
@login_not_required
@rate_limited("public_device", _limited_device_page)
def public_device(request, asset_tag):
    """The address in a label's QR code (inventory.scan.codes.device_public_url)."""
    device = _device(asset_tag)
    context = organisation_context()
    if device is not None:
        context.update(_device_context(request, device))
    # A known and an unknown (or malformed) tag get the same answer: status 200, the
    # same template, sections and headers, so that neither the status code nor the
    # page's shape sorts valid tags from invalid ones. What the page says differs, as it
    # must; it holds nothing personal, and the rate limit slows anyone walking the tags.
    return no_copies(render(request, TEMPLATE, context))


@require_safe
@login_not_required
@limit_certificate_checks
def verify_certificate(request, number):
    """Public: confirms that a certificate exists and what it covers, nothing personal."""
    number = number.strip().upper()
    certificate = None
    if ErasureCertificate.NUMBER.fullmatch(number):
        certificate = (
            ErasureCertificate.objects.select_related("device").filter(number=number).first()
        )
    if certificate is None:
        # The same page for a malformed and an unknown number: nothing to learn from it.
        context = {
            **organisation_context(),
            "number": number if ErasureCertificate.NUMBER.fullmatch(number) else "",
        }
        response = render(request, "public/verify.html", context, status=404)
    else:
        erasures = certificate.erasures.select_related("drive").order_by("drive_id", "pk")
        context = {
            "certificate": certificate,
            "device": certificate.device,
            "erasures": erasures,
            **organisation_context(),
        }
        response = render(request, "public/verify.html", context)
    # Serial numbers have no business in search engines.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
@login_not_required
def donation_page(request, token):
    """A donor's page for one donation, behind the signed link of the donor e-mail
    (inventory.donors.documents.donation_page_link): the devices received and what
    became of each. Nothing about the people who received them."""
    context = organisation_context()
    try:
        donation = donation_of_link(token)
    except signing.SignatureExpired:
        return _unusable(request, context, expired=True)
    except signing.BadSignature:
        donation = None
    if donation is None:
        return _unusable(request, context, expired=False)
    devices = donations.devices_of(donation)
    categories = dict(Category.choices)
    for device in devices:
        device["category_label"] = categories.get(device["category"], device["category"])
    context.update(
        {
            "donation": donation,
            "devices": devices,
            "fates": donations.fates_of(donation),
            **_impact_context(donation),
        }
    )
    return no_copies(render(request, "public/donation.html", context))


def _impact_context(donation):
    """The kilos and CO2e of the page, each CO2e figure with its footnotes."""
    found = donations.impact_of(donation)
    weight = _("%(kg)s kg") % {"kg": rounded(found["kg"], 1)}
    if found["estimated_kg"]:
        weight = _("%(kg)s kg, of which %(estimated)s kg estimated") % {
            "kg": rounded(found["kg"], 1),
            "estimated": rounded(found["estimated_kg"], 1),
        }
    impact = [{"label": _("Weight of the devices given"), "value": weight, "notes": ()}]
    avoided = found["avoided"]
    notes = []
    if avoided is not None and found["reused"]:
        impact += [
            {
                "label": _("CO2e avoided by their second life"),
                "value": _("%(kg)s kg CO2e") % {"kg": rounded(avoided.yearly_total, 1)},
                "notes": avoided.yearly_footnotes,
            },
            {
                "label": _("At most, the manufacturing of new devices avoided"),
                "value": _("%(kg)s kg CO2e") % {"kg": rounded(avoided.upper_bound_total, 1)},
                "notes": avoided.upper_bound_footnotes,
            },
        ]
        notes = avoided.footnotes
    return {"impact": impact, "notes": notes, "reused": found["reused"]}


def _unusable(request, context, *, expired):
    context = {**context, "expired": expired, "days": settings.DONOR_LINK_DAYS}
    status = 410 if expired else 404
    return no_copies(render(request, "public/donation_link_unusable.html", context, status=status))

"""Erasure certificates: when one may be issued, its number, its PDF and its QR code,
and the erasure summary of a donation."""

import datetime
import re
import uuid

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.refusals import Refused
from inventory import services
from inventory.erasure.services import issue_certificate
from inventory.models import Device, Erasure, ErasureCertificate, ErasureLog, Sequence
from tests.factories import (
    DeviceFactory,
    DonationFactory,
    DriveFactory,
    ErasureFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://reemploi.example.org"
MM = 72 / 25.4  # PDF points per millimetre


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def raw_log(by):
    """An erasure log on record (its file is not read by the certificate)."""
    return ErasureLog.objects.create(
        file="erasure-logs/test.log",
        original_name="nwipe.log",
        sha256=uuid.uuid4().hex + uuid.uuid4().hex,
        tool="hdparm",
        tool_version="9.65",
        uploaded_by=by,
    )


def erase(drive, by, result=Erasure.Result.PASSED, validate=True, **details):
    """A Purge of an SSD with its tool, version and log; validated unless told not to."""
    details = {
        "method": Erasure.Method.SECURE_ERASE,
        "tool": Erasure.Tool.HDPARM,
        "tool_version": "9.65",
        "log": raw_log(by),
        **details,
    }
    erasure = services.record_erasure(drive=drive, by=by, result=result, **details)
    if validate and result == Erasure.Result.PASSED:
        Erasure.objects.filter(pk=erasure.pk).update(validated_by=by, validated_at=timezone.now())
        erasure.refresh_from_db()
    return erasure


def erased_device(by, drives=2, **fields):
    device = DeviceFactory(**fields)
    for _ in range(drives):
        erase(DriveFactory(device=device), by)
    return device


def pdf_text(content):
    document = pdfium.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def pdf_url(certificate):
    return f"/devices/{certificate.device.asset_tag}/erasure-certificate/{certificate.number}.pdf"


def issue_url(device):
    return f"/devices/{device.asset_tag}/erasure-certificate/"


# When a certificate may be issued ---------------------------------------------------


def test_a_certificate_covers_the_passed_erasure_of_each_drive(technician):
    device = erased_device(technician)

    certificate = issue_certificate(device=device, by=technician)

    assert certificate.device == device
    assert certificate.issued_by == technician
    assert set(certificate.erasures.all()) == set(Erasure.objects.filter(drive__device=device))
    assert re.fullmatch(rf"CE-{timezone.localdate().year}-\d{{5}}", certificate.number)


def test_issuing_is_refused_while_a_drive_is_unerased(technician):
    device = erased_device(technician, drives=1)
    waiting = DriveFactory(device=device)

    with pytest.raises(Refused) as refusal:
        issue_certificate(device=device, by=technician)

    assert waiting.serial_number in refusal.value.message
    assert not ErasureCertificate.objects.exists()
    assert not Sequence.objects.filter(name__startswith="erasure-certificate").exists()


def test_a_failed_erasure_does_not_allow_a_certificate(technician):
    device = DeviceFactory()
    erase(DriveFactory(device=device), technician, result=Erasure.Result.FAILED)

    with pytest.raises(Refused):
        issue_certificate(device=device, by=technician)

    assert not ErasureCertificate.objects.exists()


def test_an_erasure_made_before_the_device_came_back_does_not_count(technician):
    device = erased_device(technician, drives=1)
    Device.objects.filter(pk=device.pk).update(
        cycle_started_at=timezone.now() + datetime.timedelta(seconds=1)
    )
    device.refresh_from_db()

    with pytest.raises(Refused):
        issue_certificate(device=device, by=technician)

    assert not ErasureCertificate.objects.exists()


def test_a_device_without_drives_gets_no_certificate(technician):
    device = DeviceFactory()

    with pytest.raises(Refused) as refusal:
        issue_certificate(device=device, by=technician)

    assert device.asset_tag in refusal.value.message


def test_the_same_erasures_give_the_same_certificate(technician, coordinator):
    device = erased_device(technician)
    first = issue_certificate(device=device, by=technician)

    again = issue_certificate(device=device, by=coordinator)

    assert again == first
    assert ErasureCertificate.objects.count() == 1


def test_a_new_erasure_gives_a_new_certificate_with_the_next_number(technician):
    device = erased_device(technician)
    first = issue_certificate(device=device, by=technician)
    erase(device.drives.first(), technician)

    second = issue_certificate(device=device, by=technician)

    assert second != first
    year, number = first.number.rsplit("-", 2)[1:]
    assert second.number == f"CE-{year}-{int(number) + 1:05d}"
    assert second.erasures.count() == 2


def test_the_latest_passed_erasure_of_each_drive_is_certified(technician):
    device = DeviceFactory()
    drive = DriveFactory(device=device)
    erase(drive, technician, performed_at=timezone.now() - datetime.timedelta(days=2))
    latest = erase(drive, technician)
    erase(drive, technician, result=Erasure.Result.FAILED)

    certificate = issue_certificate(device=device, by=technician)

    assert list(certificate.erasures.all()) == [latest]


def test_a_social_worker_may_not_issue_a_certificate(technician, social_worker):
    device = erased_device(technician)

    with pytest.raises(PermissionDenied):
        issue_certificate(device=device, by=social_worker)

    assert not ErasureCertificate.objects.exists()


# The PDF ------------------------------------------------------------------------


@pytest.fixture
def certified(technician):
    operator = UserFactory(username="o.martin", first_name="Odile", last_name="Martin")
    device = DeviceFactory(serial_number="PF1ABCDE")
    drives = [
        DriveFactory(device=device, serial_number="S3YJNX0K123456A", model="Samsung 860 EVO"),
        DriveFactory(device=device, serial_number="WD-WCC2EUK1234567", model="WDC WD5000"),
    ]
    operator.groups.set(technician.groups.all())
    for drive in drives:
        erase(drive, operator)
    return issue_certificate(device=device, by=technician)


def test_the_certificate_pdf_names_the_device_and_every_drive(certified, technician_client):
    response = technician_client.get(pdf_url(certified))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in [
        certified.number,
        certified.device.asset_tag,
        "PF1ABCDE",
        "S3YJNX0K123456A",
        "WD-WCC2EUK1234567",
        "Samsung 860 EVO",
        "hdparm 9.65",
        "Odile Martin",
    ]:
        assert expected in text


def test_the_certificate_qr_code_opens_its_public_check(certified, technician_client):
    response = technician_client.get(pdf_url(certified))
    image = pdfium.PdfDocument(response.content)[0].render(scale=4).to_pil()

    found = zxingcpp.read_barcodes(image)

    assert f"{SITE}/verify/{certified.number}/" in [barcode.text for barcode in found]


def test_the_certificate_qr_code_is_at_least_25_mm_wide(certified, technician_client):
    response = technician_client.get(pdf_url(certified))
    image = pdfium.PdfDocument(response.content)[0].render(scale=4).to_pil()

    (qr,) = [b for b in zxingcpp.read_barcodes(image) if b.text.startswith(SITE)]

    width_mm = (qr.position.top_right.x - qr.position.top_left.x) / 4 / MM
    assert width_mm >= 25


def test_the_certificate_is_drawn_in_the_reader_language(certified, technician_client):
    technician_client.post("/i18n/setlang/", {"language": "en"})

    response = technician_client.get(pdf_url(certified))

    text = pdf_text(response.content)
    assert "Data erasure certificate" in text
    assert "S3YJNX0K123456A" in text


def test_issuing_from_the_device_page_opens_the_pdf(technician, technician_client):
    device = erased_device(technician)

    response = technician_client.post(issue_url(device))

    certificate = ErasureCertificate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == pdf_url(certificate)


def test_issuing_twice_from_the_page_opens_the_same_certificate(technician, technician_client):
    device = erased_device(technician)

    first = technician_client.post(issue_url(device))
    second = technician_client.post(issue_url(device))

    assert first["Location"] == second["Location"]
    assert ErasureCertificate.objects.count() == 1


def test_a_refused_issue_returns_to_the_device_with_the_reason(technician_client):
    device = DeviceFactory(drives__count=1)

    response = technician_client.post(issue_url(device), follow=True)

    assert response.redirect_chain == [(device.get_absolute_url(), 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not ErasureCertificate.objects.exists()


def test_the_device_page_lists_its_certificates(certified, technician_client):
    response = technician_client.get(certified.device.get_absolute_url())

    assert response.context["erasure_certificates"] == [certified]
    assert pdf_url(certified) in response.text
    assert f'action="{issue_url(certified.device)}"' in response.text


def test_the_issue_button_is_disabled_while_a_drive_is_unerased(technician_client):
    device = DeviceFactory(drives__count=1)

    response = technician_client.get(device.get_absolute_url())

    form = response.text.split(f'action="{issue_url(device)}"', 1)[1].split("</form>")[0]
    assert "disabled" in form


def test_a_certificate_is_not_found_under_another_device(certified, technician_client):
    other = DeviceFactory()

    response = technician_client.get(
        f"/devices/{other.asset_tag}/erasure-certificate/{certified.number}.pdf"
    )

    assert response.status_code == 404


@pytest.mark.parametrize("number", ["CE-2026-99999", "nope", "CE-2026-00001%00"])
def test_an_unknown_certificate_pdf_is_not_found(number, certified, technician_client):
    response = technician_client.get(
        f"/devices/{certified.device.asset_tag}/erasure-certificate/{number}.pdf"
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("role", "method", "url", "expected"),
    [
        ("social_worker", "get", "pdf", 403),
        ("social_worker", "post", "issue", 403),
        ("social_worker", "get", "summary", 403),
        ("anonymous", "get", "pdf", 302),
        ("anonymous", "post", "issue", 302),
        ("anonymous", "get", "summary", 302),
        ("technician", "get", "issue", 405),
        ("coordinator", "get", "pdf", 200),
        ("coordinator", "get", "summary", 200),
    ],
)
def test_each_role_gets_the_certificate_pages_it_may_open(
    role, method, url, expected, certified, client_for
):
    donation = DonationFactory()
    Device.objects.filter(pk=certified.device.pk).update(donation=donation)
    urls = {
        "pdf": pdf_url(certified),
        "issue": issue_url(certified.device),
        "summary": f"/donations/{donation.pk}/erasure-summary.pdf",
    }

    response = getattr(client_for(role), method)(urls[url])

    assert response.status_code == expected
    assert ErasureCertificate.objects.count() == 1


# The summary of a donation ------------------------------------------------------


def test_the_donation_summary_lists_every_device_and_its_drives(technician, technician_client):
    donation = DonationFactory()
    certified_device = erased_device(technician, donation=donation)
    certificate = issue_certificate(device=certified_device, by=technician)
    pending = DeviceFactory(donation=donation, drives__count=1)
    failed = DeviceFactory(donation=donation)
    erase(DriveFactory(device=failed), technician, result=Erasure.Result.FAILED)
    no_storage = DeviceFactory(donation=donation, serial_number="NOSTORAGE1")
    elsewhere = DeviceFactory(drives__count=1)

    response = technician_client.get(f"/donations/{donation.pk}/erasure-summary.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for device in (certified_device, pending, failed, no_storage):
        assert device.asset_tag in text
        assert device.serial_number in text
        for drive in device.drives.all():
            assert drive.serial_number in text
    assert certificate.number in text
    assert elsewhere.asset_tag not in text


def test_the_donation_summary_runs_on_many_pages(technician, technician_client):
    donation = DonationFactory()
    devices = [DeviceFactory(donation=donation, drives__count=1) for _ in range(60)]
    ErasureFactory(drive=devices[-1].drives.get())

    response = technician_client.get(f"/donations/{donation.pk}/erasure-summary.pdf")

    document = pdfium.PdfDocument(response.content)
    assert len(document) > 1
    text = pdf_text(response.content)
    assert all(device.asset_tag in text for device in devices)


def test_an_unknown_donation_has_no_summary(technician_client):
    assert technician_client.get("/donations/999999/erasure-summary.pdf").status_code == 404


def test_the_certificate_names_the_brand_once():
    from inventory.erasure.certificates import _make_model

    device = DeviceFactory(manufacturer="HP", model="HP EliteBook 8440p")

    assert _make_model(device) == "HP EliteBook 8440p"

"""What an erasure certificate requires (NIST SP 800-88): proof of the tool, a technique
that fits the drive, Purge for flash media leaving the organisation, a coordinator's
validation; what the PDF states; why a donation's summary shows no certificate."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.refusals import PermissionRefused, Refused
from inventory.erasure.certificates import certificate_pdf, donation_summary_pdf, summary_devices
from inventory.erasure.factory_reset import record_factory_reset
from inventory.erasure.services import issue_certificate, validate_erasures
from inventory.models import Drive, Erasure, ErasureCertificate, Organisation, Status
from tests.factories import DeviceFactory, DonationFactory, DriveFactory
from tests.inventory.erasure.test_certificates import erase, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return Organisation.objects.create(
        name="Ressourcerie numérique solidaire",
        phone="05 56 00 00 00",
        email="contact@reemploi.example.org",
        erasure_operator_title="Technicienne réemploi",
        erasure_validator_title="Coordinatrice atelier",
    )


def refused_issue(device, by):
    with pytest.raises(Refused) as refusal:
        issue_certificate(device=device, by=by)
    assert not ErasureCertificate.objects.exists()
    return refusal.value.message


# Proof of the tool ----------------------------------------------------------------------


def test_a_certificate_is_refused_without_the_tool_version(technician):
    device = DeviceFactory()
    drive = DriveFactory(device=device, serial_number="NOVERSION1")
    erase(drive, technician, tool_version="")

    message = refused_issue(device, technician)

    assert "NOVERSION1" in message
    assert "NIST" in message


def test_a_certificate_is_refused_without_the_raw_log(technician):
    device = DeviceFactory()
    erase(DriveFactory(device=device, serial_number="NOLOG1"), technician, log=None)

    message = refused_issue(device, technician)

    assert "NOLOG1" in message


def test_a_destroyed_drive_needs_no_tool(technician):
    device = DeviceFactory()
    erase(DriveFactory(device=device), technician, method=Erasure.Method.DESTROYED, tool="")

    assert issue_certificate(device=device, by=technician).number


# Technique × media ----------------------------------------------------------------------


def test_an_emmc_marked_nvme_sanitize_is_questioned(technician):
    tablet = DeviceFactory(category="tablet")
    drive = DriveFactory(device=tablet, kind=Drive.Kind.EMMC, serial_number="EMMC0001")
    erase(drive, technician, method=Erasure.Method.SANITIZE, tool=Erasure.Tool.NVME_CLI)

    message = refused_issue(tablet, technician)

    assert "EMMC0001" in message
    assert "eMMC" in message


def test_an_ata_secure_erase_of_an_nvme_drive_is_questioned(technician):
    device = DeviceFactory()
    erase(DriveFactory(device=device, kind=Drive.Kind.NVME, serial_number="NVME0001"), technician)

    assert "NVME0001" in refused_issue(device, technician)


# Clear for media leaving the organisation ----------------------------------------------


def overwritten(technician, kind, serial):
    device = DeviceFactory()
    drive = DriveFactory(device=device, kind=kind, serial_number=serial)
    erase(drive, technician, method=Erasure.Method.OVERWRITE, tool=Erasure.Tool.NWIPE)
    return device


def test_an_ssd_only_overwritten_may_not_leave_the_organisation(technician):
    device = overwritten(technician, Drive.Kind.SSD, "SSDCLEAR1")

    message = refused_issue(device, technician)

    assert "SSDCLEAR1" in message
    assert "§4.4" in message


def test_a_hard_disk_overwritten_may_leave_with_the_stated_exception(technician, technician_client):
    device = overwritten(technician, Drive.Kind.HDD, "HDDCLEAR1")

    certificate = issue_certificate(device=device, by=technician)

    text = pdf_text(certificate_pdf(certificate))
    assert "§2.4" in text


def test_a_coordinator_may_accept_clear_with_a_stated_exception(technician, coordinator):
    device = DeviceFactory()
    drive = DriveFactory(device=device, kind=Drive.Kind.SSD, serial_number="SSDCLEAR2")
    erase(drive, technician, method=Erasure.Method.OVERWRITE, validate=False)

    with pytest.raises(Refused):
        validate_erasures(device=device, by=coordinator)
    validate_erasures(
        device=device, by=coordinator, exception="SSD gelé, sanitize refusé ; don interne."
    )
    certificate = issue_certificate(device=device, by=technician)

    assert "SSD gelé, sanitize refusé" in pdf_text(certificate_pdf(certificate))


def test_a_device_kept_for_parts_may_keep_a_cleared_ssd(technician):
    device = overwritten(technician, Drive.Kind.SSD, "SSDPARTS1")
    type(device).objects.filter(pk=device.pk).update(status=Status.PARTS)

    certificate = issue_certificate(device=device, by=technician)

    assert certificate.destination == ErasureCertificate.Destination.KEPT


# Validation ------------------------------------------------------------------------------


def test_a_certificate_waits_for_a_coordinator_validation(technician, coordinator):
    device = DeviceFactory()
    erase(DriveFactory(device=device, serial_number="WAITING1"), technician, validate=False)

    assert "WAITING1" in refused_issue(device, technician)
    validate_erasures(device=device, by=coordinator)

    assert issue_certificate(device=device, by=technician).number


def test_a_technician_may_not_validate(technician):
    device = DeviceFactory()
    erase(DriveFactory(device=device), technician, validate=False)

    with pytest.raises(PermissionRefused):
        validate_erasures(device=device, by=technician)

    assert not Erasure.objects.filter(validated_by__isnull=False).exists()


def test_validating_refuses_an_erasure_without_proof(technician, coordinator):
    device = DeviceFactory()
    erase(
        DriveFactory(device=device, serial_number="NOPROOF1"), technician, log=None, validate=False
    )

    with pytest.raises(Refused) as refusal:
        validate_erasures(device=device, by=coordinator)

    assert "NOPROOF1" in refusal.value.message
    assert not Erasure.objects.filter(validated_by__isnull=False).exists()


def test_validation_from_the_device_page(technician, coordinator_client):
    device = DeviceFactory()
    erase(DriveFactory(device=device), technician, validate=False)

    response = coordinator_client.post(f"/devices/{device.asset_tag}/erasure-validation/")

    assert response.status_code == 302
    assert Erasure.objects.get().validated_by.username == "coordinator"


def test_a_refused_validation_comes_back_with_the_reason(technician, coordinator_client):
    device = DeviceFactory()
    erase(
        DriveFactory(device=device, serial_number="NOPROOF2"), technician, log=None, validate=False
    )

    response = coordinator_client.post(
        f"/devices/{device.asset_tag}/erasure-validation/", follow=True
    )

    assert response.status_code == 200
    assert "NOPROOF2" in response.content.decode()


# What the certificate states (NIST SP 800-88 Rev. 1 appendix G) -------------------------


def test_the_certificate_states_every_nist_element(organisation, technician, coordinator):
    coordinator.first_name, coordinator.last_name = "Claire", "Valide"
    coordinator.save()
    donation = DonationFactory(donor__name="Mairie de Bègles", site__name="Atelier Bègles")
    device = DeviceFactory(donation=donation, site=donation.site)
    drive = DriveFactory(
        device=device, kind=Drive.Kind.NVME, serial_number="NVMEOK01", model="Samsung PM981"
    )
    erase(
        drive,
        technician,
        method=Erasure.Method.SANITIZE,
        tool=Erasure.Tool.NVME_CLI,
        tool_version="2.8",
        verification=Erasure.Verification.FULL,
        verification_passed=True,
        validate=False,
    )
    validate_erasures(device=device, by=coordinator)

    certificate = issue_certificate(device=device, by=technician)
    text = " ".join(pdf_text(certificate_pdf(certificate)).split())

    for expected in [
        "Samsung PM981",  # make and model of the media
        "NVMEOK01",  # serial number
        "NVMe",  # media type
        "Mairie de Bègles",  # media source
        "Atelier Bègles",  # location
        "nvme-cli 2.8",  # tool and version
        "Technicienne réemploi",  # the operator's title
        "Claire Valide",  # the validator
        "Coordinatrice atelier",  # the validator's title
        "05 56 00 00 00",  # contact
        str(ErasureCertificate.Destination.REUSE.label),  # destination
    ]:
        assert expected in text, expected
    assert certificate.confidentiality == "moderate"


def test_the_destination_of_a_sold_device_is_sold(technician):
    device = DeviceFactory()
    erase(DriveFactory(device=device), technician)
    type(device).objects.filter(pk=device.pk).update(status=Status.SOLD)

    certificate = issue_certificate(device=device, by=technician)

    assert certificate.destination == ErasureCertificate.Destination.SOLD


# The donation summary --------------------------------------------------------------------


def test_the_summary_says_why_a_device_has_no_certificate(technician):
    donation = DonationFactory()
    certified = DeviceFactory(donation=donation)
    erase(DriveFactory(device=certified), technician)
    certificate = issue_certificate(device=certified, by=technician)
    ready = DeviceFactory(donation=donation)
    erase(DriveFactory(device=ready), technician)
    waiting = DeviceFactory(donation=donation)
    erase(DriveFactory(device=waiting, serial_number="AWAITS01"), technician, validate=False)
    DeviceFactory(donation=donation, serial_number="SCREEN01")  # no storage
    unlogged = DeviceFactory(donation=donation)
    erase(DriveFactory(device=unlogged, serial_number="UNLOGGED1"), technician, log=None)

    with translation.override("en"):
        text = pdf_text(donation_summary_pdf(donation, summary_devices(donation)))

    assert certificate.number in text
    compact = " ".join(text.split())
    # Each device without a certificate names its drive and the reason.
    assert "AWAITS01" in compact
    assert "UNLOGGED1" in compact
    assert compact.count("NIST") >= 1
    assert "No storage recorded" in compact.split("SCREEN01", 1)[1]
    assert "—" not in compact.split(certificate.number, 1)[1]


def summary_queries(donation):
    with CaptureQueriesContext(connection) as queries:
        donation_summary_pdf(donation, summary_devices(donation))
    return len(queries)


def test_the_summary_reads_the_reasons_in_constant_queries(technician):
    donation = DonationFactory()

    def add_devices(count):
        for _ in range(count):
            device = DeviceFactory(donation=donation)
            erase(DriveFactory(device=device), technician, validate=False)

    add_devices(2)
    few = summary_queries(donation)
    add_devices(8)

    assert summary_queries(donation) == few


# Phones and tablets: their own factory reset --------------------------------------------


def reset_tablet(technician, *, encrypted):
    tablet = DeviceFactory(category="tablet", status=Status.RECEIVED)
    record_factory_reset(device=tablet, by=technician, encrypted=encrypted)
    return tablet


def test_an_encrypted_tablet_reset_is_a_purge_certified_without_a_log(technician, coordinator):
    tablet = reset_tablet(technician, encrypted=True)

    validate_erasures(device=tablet, by=coordinator)
    certificate = issue_certificate(device=tablet, by=technician)

    assert certificate.erasures.get().level == Erasure.Level.PURGE


def test_an_unencrypted_tablet_reset_only_clears_and_may_not_leave_unstated(
    technician, coordinator
):
    tablet = reset_tablet(technician, encrypted=False)

    with pytest.raises(Refused) as refusal:
        validate_erasures(device=tablet, by=coordinator)
    assert "eMMC" in refusal.value.message
    validate_erasures(
        device=tablet,
        by=coordinator,
        exception="Android 7 sans chiffrement : réinitialisation, puis relecture à vide.",
    )

    certificate = issue_certificate(device=tablet, by=technician)
    assert "Android 7 sans chiffrement" in pdf_text(certificate_pdf(certificate))

"""Hardware reports: a machine registers itself, or updates itself, from its own lshw output.

The service, the upload page, the device page's form and the `import_hardware` command.
The API has its own file (test_hardware_api.py).
"""

import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from inventory.hardware import services as hardware
from inventory.hardware.report import HardwareReportError
from inventory.hardware.services import MissingSiteError, import_hardware_report
from inventory.models import Category, Device, Drive, HardwareReport, Status
from inventory.services import update_device
from tests import paths
from tests.factories import DeviceFactory, DonationFactory, SiteFactory

pytestmark = pytest.mark.django_db

FIXTURES = paths.FIXTURES / "hardware"
PAGE = HardwareReport.Source.PAGE


def fixture(name):
    return (FIXTURES / name).read_bytes()


# A ThinkPad T480 booted on the live USB stick: one NVMe drive, and the stick itself
# (which must not become a drive of the laptop).
SERIAL = "PF1KQ2ZX"
DRIVE_SERIAL = "S3TNNX0K812345"
LSHW = fixture("lshw/thinkpad-t480-nvme.array.lshw.json")
SMARTCTL = fixture("smartctl/thinkpad-t480-nvme0n1.smartctl.json")
LIVE_STICK = fixture("smartctl/thinkpad-t480-sda-live-stick.smartctl.json")
LSBLK = fixture("lsblk/thinkpad-t480.lsblk.json")
BATTERY = fixture("battery/thinkpad-t480.uevent")


def lshw_of(serial=SERIAL):
    """The T480's lshw output (a list holding the machine) with another serial number."""
    doc = json.loads(LSHW)
    doc[0]["serial"] = serial
    return json.dumps(doc).encode()


def smartctl_of(hours=4711):
    """The T480's NVMe drive after `hours` hours of use."""
    doc = json.loads(SMARTCTL)
    doc["power_on_time"]["hours"] = hours
    doc["nvme_smart_health_information_log"]["power_on_hours"] = hours
    return json.dumps(doc).encode()


def report(serial=SERIAL, hours=4711):
    return {"lshw": lshw_of(serial), "smartctl": [smartctl_of(hours), LIVE_STICK]}


BAD_REPORTS = {
    "not JSON (lshw without -json)": fixture("broken/not-json-lshw-short.txt"),
    "cut short": fixture("broken/truncated.lshw.json"),
    "wrong shape": fixture("broken/other-shape-object.json"),
    "parts only (lshw -class disk)": fixture("real/vm-debian12-class-disk.lshw.json"),
    "no serial number": fixture("broken/no-serial-default-string.lshw.json"),
    "absurd RAM": fixture("broken/absurd-ram-10pb.lshw.json"),
}


def counts():
    return Device.objects.count(), Drive.objects.count(), HardwareReport.objects.count()


# The service ------------------------------------------------------------------------


def test_a_report_registers_a_new_device_in_received_with_its_specs_and_drives(technician):
    site = SiteFactory()

    device, created = import_hardware_report(
        lshw=LSHW,
        smartctl=[SMARTCTL, LIVE_STICK],
        lsblk=LSBLK,
        battery=BATTERY,
        by=technician,
        site=site,
        source=PAGE,
    )

    assert created
    device.refresh_from_db()
    assert device.status == Status.RECEIVED
    assert device.asset_tag.startswith("RE-")
    assert (device.serial_number, device.manufacturer) == (SERIAL, "Lenovo")
    assert device.model.startswith("ThinkPad T480")
    assert (device.category, device.site) == (Category.LAPTOP, site)
    assert "i5-8350U" in device.cpu
    assert device.ram_mb == 16 * 1024
    assert "512" in device.storage_summary
    assert (device.battery_design_mwh, device.battery_full_mwh) == (96000, 72000)
    assert device.battery_health == 75
    drive = device.drives.get()  # the live stick is not a drive of the laptop
    assert (drive.serial_number, drive.kind, drive.capacity_gb) == (DRIVE_SERIAL, "nvme", 512)
    assert (drive.smart_passed, drive.power_on_hours) == (True, 4711)
    assert device.history.count() == 1


def test_a_desktop_gets_each_of_its_drives(technician):
    device, _created = import_hardware_report(
        lshw=fixture("lshw/optiplex-7010-ssd-hdd.object.lshw.json"),
        smartctl=[
            fixture("smartctl/optiplex-7010-sda-ssd.smartctl.json"),
            fixture("smartctl/optiplex-7010-sdb-hdd.smartctl.json"),
            fixture("smartctl/optiplex-7010-sdc-usb-bridge.smartctl.json"),
        ],
        lsblk=fixture("lsblk/optiplex-7010.lsblk.json"),
        by=technician,
        site=SiteFactory(),
        source=PAGE,
    )

    assert device.category == Category.DESKTOP
    assert sorted(device.drives.values_list("kind", "capacity_gb")) == [
        ("hdd", 1000),
        ("ssd", 250),
    ]


def test_the_raw_report_is_kept_with_who_sent_it(technician):
    parts = report()

    device, _created = import_hardware_report(
        **parts,
        lsblk=LSBLK,
        by=technician,
        site=SiteFactory(),
        source=PAGE,
    )

    kept = device.hardware_reports.get()
    assert json.loads(kept.lshw)[0]["serial"] == SERIAL
    assert kept.smartctl == [json.loads(part) for part in parts["smartctl"]]
    assert json.loads(kept.lsblk)["blockdevices"]
    assert (kept.source, kept.received_by, kept.workstation) == (PAGE, technician, None)


def test_a_second_report_of_the_same_machine_updates_it_and_says_what_changed(technician):
    device, _created = import_hardware_report(
        **report(hours=4711), by=technician, site=SiteFactory(), source=PAGE
    )
    # Someone typed other values since.
    device.ram_mb, device.cpu = 4096, ""
    update_device(device=device, by=technician, fields=["ram_mb", "cpu"])

    again, created = import_hardware_report(**report(hours=4800), by=technician, source=PAGE)

    assert (again.pk, created) == (device.pk, False)
    assert Device.objects.count() == 1
    assert Drive.objects.get().power_on_hours == 4800
    assert device.hardware_reports.count() == 2
    latest, previous = device.history.all()[:2]
    assert latest.history_change_reason
    assert latest.history_user == technician
    assert set(latest.diff_against(previous).changed_fields) == {"ram_mb", "cpu"}
    assert len(again.hardware_changes) == 3  # RAM, processor, the drive's hours


def test_a_report_that_says_nothing_new_changes_nothing_but_is_kept(technician):
    device, _created = import_hardware_report(
        **report(), by=technician, site=SiteFactory(), source=PAGE
    )

    again, created = import_hardware_report(**report(), by=technician, source=PAGE)

    assert not created
    assert again.hardware_changes == []
    assert device.history.count() == 1
    assert Drive.objects.get().history.count() == 1
    assert HardwareReport.objects.count() == 2


def test_a_serial_typed_by_hand_is_found_whatever_its_case(technician):
    typed = DeviceFactory(serial_number=SERIAL.lower(), manufacturer="", model="", cpu="")

    device, created = import_hardware_report(**report(), by=technician, source=PAGE)

    assert (device.pk, created) == (typed.pk, False)
    device.refresh_from_db()
    assert device.manufacturer == "Lenovo"
    assert "i5-8350U" in device.cpu


def test_the_category_is_replaced_only_when_it_was_other(technician):
    other = DeviceFactory(serial_number=SERIAL, category=Category.OTHER)
    desktop = DeviceFactory(serial_number="MJ0ABCD", category=Category.DESKTOP)

    import_hardware_report(**report(), by=technician, source=PAGE)
    import_hardware_report(**report(serial="MJ0ABCD"), by=technician, source=PAGE)

    other.refresh_from_db()
    desktop.refresh_from_db()
    assert (other.category, desktop.category) == (Category.LAPTOP, Category.DESKTOP)


def test_a_value_the_report_does_not_give_is_kept(technician):
    device = DeviceFactory(serial_number=SERIAL, battery_health=81)

    import_hardware_report(**report(), by=technician, source=PAGE)

    device.refresh_from_db()
    assert device.battery_health == 81


def test_a_new_device_takes_the_site_of_its_donation(technician):
    donation = DonationFactory()

    device, _created = import_hardware_report(
        **report(), by=technician, donation=donation, source=PAGE
    )

    assert (device.site, device.donation) == (donation.site, donation)


def test_two_reports_of_a_new_machine_at_once_make_one_device(technician, monkeypatch):
    device = DeviceFactory(serial_number=SERIAL, manufacturer="Lenovo")
    # The other workstation's device was committed after this import looked for it, and
    # after the serial-number check: only the database's unique index sees the clash.
    real_find = hardware._find_by_serial
    looks = []

    def find_too_early(*args):
        looks.append(args)
        return None if len(looks) == 1 else real_find(*args)

    monkeypatch.setattr(hardware, "_find_by_serial", find_too_early)
    monkeypatch.setattr(Device, "validate_constraints", lambda self, exclude=None: None)

    imported, created = import_hardware_report(
        **report(), by=technician, site=SiteFactory(), source=PAGE
    )

    assert (imported.pk, created) == (device.pk, False)
    assert Device.objects.count() == 1
    assert HardwareReport.objects.count() == 1


def test_a_new_device_without_a_site_is_refused(technician):
    with pytest.raises(MissingSiteError):
        import_hardware_report(**report(), by=technician, source=PAGE)

    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("lshw", BAD_REPORTS.values(), ids=BAD_REPORTS.keys())
def test_a_bad_report_is_refused_and_nothing_is_saved(technician, lshw):
    DeviceFactory(serial_number=SERIAL)
    before = counts()

    with pytest.raises(HardwareReportError):
        import_hardware_report(lshw=lshw, by=technician, site=SiteFactory(), source=PAGE)

    assert counts() == before


def test_a_bad_smartctl_output_saves_nothing(technician):
    with pytest.raises(HardwareReportError):
        import_hardware_report(
            lshw=lshw_of(), smartctl=[b"garbage"], by=technician, site=SiteFactory(), source=PAGE
        )

    assert counts() == (0, 0, 0)


def test_a_social_worker_may_not_import_a_report(social_worker):
    with pytest.raises(PermissionDenied):
        import_hardware_report(**report(), by=social_worker, site=SiteFactory(), source=PAGE)

    assert counts() == (0, 0, 0)


def test_a_report_for_a_device_without_serial_gives_it_its_serial(technician):
    device = DeviceFactory(serial_number="", manufacturer="")

    imported, created = import_hardware_report(
        **report(), by=technician, device=device, source=PAGE
    )

    assert (imported.pk, created) == (device.pk, False)
    device.refresh_from_db()
    assert device.serial_number == SERIAL


def test_a_machine_without_serial_in_its_firmware_takes_the_one_typed_by_hand(technician):
    device = DeviceFactory(serial_number="LABEL-1234", manufacturer="", cpu="")

    imported, created = import_hardware_report(
        lshw=fixture("broken/no-serial-default-string.lshw.json"),
        by=technician,
        device=device,
        source=PAGE,
    )

    assert (imported.pk, created) == (device.pk, False)
    device.refresh_from_db()
    assert device.serial_number == "LABEL-1234"
    assert device.cpu


def test_a_sanitised_report_is_refused_even_for_a_device(technician):
    device = DeviceFactory(serial_number="LABEL-1234")

    with pytest.raises(HardwareReportError):
        import_hardware_report(
            lshw=fixture("broken/sanitized.lshw.json"), by=technician, device=device, source=PAGE
        )

    assert counts() == (1, 0, 0)


def test_a_report_of_another_machine_is_refused_for_a_device(technician):
    device = DeviceFactory(serial_number="OTHER123")

    with pytest.raises(HardwareReportError):
        import_hardware_report(**report(), by=technician, device=device, source=PAGE)

    assert counts() == (1, 0, 0)


# The upload page --------------------------------------------------------------------


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_a_technician_uploads_a_report_and_lands_on_the_new_device(technician_client):
    site = SiteFactory()

    response = technician_client.post(
        "/devices/import-hardware/",
        {
            "lshw": upload("lshw.json", lshw_of()),
            "smartctl": [upload("sda.json", smartctl_of())],
            "site": site.pk,
        },
    )

    device = Device.objects.get()
    assert response.status_code == 302
    assert response.url == device.get_absolute_url()
    assert device.drives.count() == 1
    assert device.hardware_reports.get().source == PAGE
    page = technician_client.get(response.url)
    assert device.asset_tag in " ".join(str(m) for m in page.context["messages"])


def test_the_upload_page_updates_a_known_machine(technician_client):
    device = DeviceFactory(serial_number=SERIAL, ram_mb=2048)

    response = technician_client.post(
        "/devices/import-hardware/", {"lshw": upload("lshw.json", lshw_of())}
    )

    assert response.url == device.get_absolute_url()
    device.refresh_from_db()
    assert device.ram_mb == 16 * 1024


@pytest.mark.parametrize("lshw", BAD_REPORTS.values(), ids=BAD_REPORTS.keys())
def test_the_upload_page_shows_a_bad_report_on_the_form(technician_client, lshw):
    site = SiteFactory()

    response = technician_client.post(
        "/devices/import-hardware/", {"lshw": upload("lshw.json", lshw), "site": site.pk}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert counts() == (0, 0, 0)


def test_the_upload_page_asks_for_the_site_of_a_new_machine(technician_client):
    response = technician_client.post(
        "/devices/import-hardware/", {"lshw": upload("lshw.json", lshw_of())}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["site"]
    assert counts() == (0, 0, 0)


def test_the_upload_page_finds_an_older_donation_by_its_number(technician_client):
    donation = DonationFactory()

    technician_client.post(
        "/devices/import-hardware/",
        {"lshw": upload("lshw.json", lshw_of()), "donation_number": donation.pk},
    )

    assert Device.objects.get().donation == donation


def test_the_upload_page_refuses_an_unknown_donation_number(technician_client):
    response = technician_client.post(
        "/devices/import-hardware/",
        {"lshw": upload("lshw.json", lshw_of()), "site": SiteFactory().pk, "donation_number": 999},
    )

    assert response.context["form"].errors["donation_number"]
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("role", "status"),
    [("technician", 200), ("coordinator", 200), ("social_worker", 403), ("anonymous", 302)],
)
def test_who_may_open_the_upload_page(client_for, role, status):
    assert client_for(role).get("/devices/import-hardware/").status_code == status


def test_a_social_worker_cannot_post_a_report(social_worker_client):
    response = social_worker_client.post(
        "/devices/import-hardware/",
        {"lshw": upload("lshw.json", lshw_of()), "site": SiteFactory().pk},
    )

    assert response.status_code == 403
    assert counts() == (0, 0, 0)


# The device page ----------------------------------------------------------------------


def test_the_device_page_lists_its_reports_with_a_download_link(technician, technician_client):
    device, _created = import_hardware_report(
        **report(), by=technician, site=SiteFactory(), source=PAGE
    )
    kept = device.hardware_reports.get()

    page = technician_client.get(device.get_absolute_url())
    download = technician_client.get(f"/hardware-reports/{kept.pk}/lshw.json")

    assert page.context["hardware_reports"] == [kept]
    assert f"/hardware-reports/{kept.pk}/lshw.json" in page.text
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/json")
    assert "attachment" in download["Content-Disposition"]
    assert json.loads(download.content)[0]["serial"] == SERIAL


def test_a_social_worker_cannot_download_a_report(technician, social_worker_client):
    device, _created = import_hardware_report(
        **report(), by=technician, site=SiteFactory(), source=PAGE
    )

    response = social_worker_client.get(
        f"/hardware-reports/{device.hardware_reports.get().pk}/lshw.json"
    )

    assert response.status_code == 403


def test_the_device_page_imports_a_report_for_that_device(technician_client):
    device = DeviceFactory(serial_number="", manufacturer="", cpu="")

    response = technician_client.post(
        f"/devices/{device.asset_tag}/hardware-reports/",
        {"lshw": upload("lshw.json", lshw_of()), "smartctl": [upload("sda.json", smartctl_of())]},
    )

    assert response.url == device.get_absolute_url()
    device.refresh_from_db()
    assert device.serial_number == SERIAL
    assert "i5-8350U" in device.cpu
    assert device.drives.count() == 1
    assert Device.objects.count() == 1


def test_the_device_page_refuses_the_report_of_another_machine(technician_client):
    device = DeviceFactory(serial_number="OTHER123")

    response = technician_client.post(
        f"/devices/{device.asset_tag}/hardware-reports/", {"lshw": upload("lshw.json", lshw_of())}
    )

    assert response.url == device.get_absolute_url()
    assert counts() == (1, 0, 0)


# The command ----------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    def write(name, content):
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return write


def test_the_command_imports_each_file_and_names_its_device(technician, files):
    site = SiteFactory(code="BRU")
    first, second = files("a.json", lshw_of("PF1AAAAA")), files("b.json", lshw_of("PF1BBBBB"))
    out = StringIO()

    call_command(
        "import_hardware", first, second, "--site", "BRU", "--user", "technician", stdout=out
    )

    tags = list(Device.objects.order_by("asset_tag").values_list("asset_tag", flat=True))
    assert len(tags) == 2
    assert f"created {tags[0]}" in out.getvalue()
    assert f"created {tags[1]}" in out.getvalue()
    assert set(Device.objects.values_list("site", flat=True)) == {site.pk}
    assert set(HardwareReport.objects.values_list("source", flat=True)) == {"command"}


def test_the_command_reads_smartctl_and_lsblk_for_a_single_file(technician, files):
    device = DeviceFactory(serial_number=SERIAL)
    out = StringIO()

    call_command(
        "import_hardware",
        files("lshw.json", lshw_of()),
        "--smartctl",
        files("sda.json", smartctl_of()),
        "--lsblk",
        str(FIXTURES / "lsblk/thinkpad-t480.lsblk.json"),
        "--battery",
        str(FIXTURES / "battery/thinkpad-t480.uevent"),
        "--user",
        "technician",
        stdout=out,
    )

    assert f"updated {device.asset_tag}" in out.getvalue()
    assert device.drives.get().serial_number == DRIVE_SERIAL
    device.refresh_from_db()
    assert device.battery_health == 75


def test_the_command_imports_nothing_when_one_file_is_bad(technician, files):
    SiteFactory(code="BRU")
    good, bad = files("good.json", lshw_of()), files("bad.json", b"not json")

    with pytest.raises(CommandError, match=r"bad\.json"):
        call_command("import_hardware", good, bad, "--site", "BRU", "--user", "technician")

    assert counts() == (0, 0, 0)


def test_the_command_names_a_file_it_cannot_read(technician, tmp_path):
    with pytest.raises(CommandError, match=r"missing\.json"):
        call_command("import_hardware", str(tmp_path / "missing.json"), "--user", "technician")


def test_the_command_exits_with_status_1_on_error(technician, files):
    # run_from_argv turns the CommandError into sys.exit(returncode).
    with pytest.raises(CommandError) as error:
        call_command("import_hardware", files("bad.json", b"[]"), "--user", "technician")

    assert error.value.returncode == 1
    assert counts() == (0, 0, 0)


# Devices away from the workshop ----------------------------------------------------

AWAY = [Status.RESERVED, Status.LENT, Status.SOLD, Status.GIVEN, Status.PARTS]
AWAY += [Status.RECYCLED, Status.LOST]
ON_THE_BENCH = [Status.RECEIVED, Status.WIPING, Status.REFURBISHING, Status.READY]
ON_THE_BENCH += [Status.RETURNED]


@pytest.mark.parametrize("status", AWAY)
def test_a_report_of_a_device_away_from_the_workshop_is_refused_and_writes_nothing(
    technician, status
):
    device = DeviceFactory(serial_number=SERIAL, status=status, ram_mb=2048)
    history = device.history.count()

    with pytest.raises(hardware.NotInWorkshopError) as refusal:
        import_hardware_report(**report(), by=technician, source=PAGE)

    assert device.asset_tag in str(refusal.value)
    assert str(Status(status).label) in str(refusal.value)
    device.refresh_from_db()
    assert (device.ram_mb, device.status) == (2048, status)
    assert device.history.count() == history
    assert counts() == (1, 0, 0)


def test_a_report_on_the_page_of_a_lent_device_is_refused_too(technician):
    device = DeviceFactory(serial_number=SERIAL, status=Status.LENT)

    with pytest.raises(hardware.NotInWorkshopError):
        import_hardware_report(**report(), by=technician, source=PAGE, device=device)

    assert counts() == (1, 0, 0)


@pytest.mark.parametrize("status", ON_THE_BENCH)
def test_a_report_updates_a_device_on_the_workshops_bench(technician, status):
    device = DeviceFactory(serial_number=SERIAL, status=status, ram_mb=2048)

    import_hardware_report(**report(), by=technician, source=PAGE)

    device.refresh_from_db()
    assert (device.ram_mb, device.status) == (16 * 1024, status)
    assert device.hardware_reports.count() == 1


def test_the_upload_page_says_why_a_lent_device_is_not_updated(technician_client):
    device = DeviceFactory(serial_number=SERIAL, status=Status.LENT)

    response = technician_client.post(
        "/devices/import-hardware/", {"lshw": upload("lshw.json", lshw_of())}
    )

    assert response.status_code == 200
    assert device.asset_tag in str(response.context["form"].non_field_errors())
    assert counts() == (1, 0, 0)

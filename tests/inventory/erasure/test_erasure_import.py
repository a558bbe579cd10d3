"""Importing an nwipe log: one erasure per drive wiped, all or nothing, the file kept once."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.messages import constants
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, ManagementUtility, call_command
from django.utils import timezone

from accounts.refusals import Refused
from inventory.erasure.nwipe import parse_nwipe_log
from inventory.erasure.services import import_erasure_log
from inventory.models import Drive, Erasure, ErasureLog, Status
from inventory.workflow import unerased_drives
from tests import paths
from tests.factories import DeviceFactory, DriveFactory, bench_site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

NWIPE = paths.FIXTURES / "nwipe"
WITH_SERIALS = sorted(NWIPE.glob("*-with-serials.log"))
TWO_DRIVES = "dodshort-two-drives-with-serials.log"
SSD, HDD = "S3YJNX0K123456A", "WD-WCC2EUK1234567"
# Logs that cannot be trusted: empty, binary, foreign, cut short.
BROKEN = sorted(p.name for p in NWIPE.glob("broken-*"))


def read(name):
    return (NWIPE / name).read_bytes()


def with_serials(name, serials):
    """A real log whose drives (named by device path) get the given serial numbers."""
    text = read(name).decode()
    for path, serial in serials.items():
        text, count = re.subn(
            rf"(Found {re.escape(path)},.*S/N=)\s*$", rf"\g<1>{serial}", text, flags=re.M
        )
        assert count == 1, path
    return text.encode()


def stored_files(root):
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


def nothing_saved(media_root, *, drives=0):
    return (
        not Erasure.objects.exists()
        and not ErasureLog.objects.exists()
        and Drive.objects.count() == drives
        and not stored_files(media_root)
    )


def device_with_drives(*serials):
    # At the site of the API tests' workstation, which may write only about its devices.
    device = DeviceFactory(site=bench_site())
    for serial in serials:
        DriveFactory(device=device, serial_number=serial)
    return device


# What is recorded ---------------------------------------------------------------


@pytest.mark.parametrize("path", WITH_SERIALS, ids=lambda p: p.name)
def test_each_real_log_with_serials_records_one_erasure_per_drive_wiped(path, technician):
    report = parse_nwipe_log(path.read_bytes())
    device = device_with_drives(*dict.fromkeys(w.serial for w in report.drives))

    recorded = import_erasure_log(data=path.read_bytes(), filename=path.name, by=technician)

    assert len(recorded) == len(report.drives)
    log = ErasureLog.objects.get()
    for erasure, wipe in zip(recorded, report.drives, strict=True):
        erasure.refresh_from_db()
        assert erasure.drive.device == device
        assert erasure.drive.serial_number == wipe.serial
        assert erasure.standard == Erasure.Standard.NIST_R2
        assert (erasure.method, erasure.level) == ("overwrite", "clear")
        assert (erasure.tool, erasure.tool_version) == ("nwipe", report.version)
        assert erasure.passes == wipe.passes
        assert erasure.started_at == timezone.make_aware(wipe.started_at)
        assert erasure.performed_at == timezone.make_aware(wipe.finished_at)
        assert erasure.result == ("passed" if wipe.outcome == "passed" else "failed")
        assert (erasure.operator, erasure.log) == (technician, log)


def test_the_fields_of_a_dod_short_wipe_are_mapped(technician, settings):
    settings.TIME_ZONE = "Europe/Paris"
    device = device_with_drives(SSD, HDD)

    import_erasure_log(data=read(TWO_DRIVES), filename=TWO_DRIVES, by=technician)

    erasure = Erasure.objects.get(drive__serial_number=SSD)
    assert erasure.drive.device == device
    assert erasure.passes == 3
    assert erasure.pattern == "DoD Short"
    assert (erasure.tool, erasure.tool_version) == (Erasure.Tool.NWIPE, "0.33")
    # nwipe's "verify = 2 (all passes)" reads every pass back.
    assert (erasure.verification, erasure.verification_passed) == ("full", True)
    paris = datetime.timezone(datetime.timedelta(hours=1))
    assert erasure.started_at == datetime.datetime(2026, 11, 28, 13, 3, 4, tzinfo=paris)
    assert erasure.result == Erasure.Result.PASSED
    assert unerased_drives(device) == []


def test_the_raw_log_is_kept_once_with_its_hash(technician, media_root):
    device_with_drives(SSD, HDD)

    import_erasure_log(data=read(TWO_DRIVES), filename=f"/media/usb/{TWO_DRIVES}", by=technician)

    log = ErasureLog.objects.get()
    assert log.original_name == TWO_DRIVES
    assert log.uploaded_by == technician
    assert (log.tool, log.tool_version) == ("nwipe", "0.33")
    assert len(log.sha256) == 64
    with log.file.open("rb") as stored:
        assert stored.read() == read(TWO_DRIVES)
    assert log.erasures.count() == 2
    assert len(stored_files(media_root)) == 1


def test_drives_are_found_by_their_serial_as_scanners_type_it(technician):
    device = device_with_drives(SSD.lower(), f" {HDD.lower()} ")

    recorded = import_erasure_log(data=read(TWO_DRIVES), filename="a.log", by=technician)

    assert {e.drive.device for e in recorded} == {device}
    assert Drive.objects.count() == 2


def test_a_verification_only_pass_says_that_nothing_was_written(technician):
    device = DeviceFactory()
    data = with_serials("verify-zero-pass.log", {"/dev/loop0": "ZEROED-1"})

    (erasure,) = import_erasure_log(data=data, filename="v.log", by=technician, device=device)

    assert erasure.passes == 0
    assert (erasure.verification, erasure.verification_passed) == ("full", True)
    assert erasure.notes.count("\n") >= 1


# Failures and interruptions -----------------------------------------------------


def test_an_interrupted_wipe_is_recorded_as_failed_with_a_note(technician):
    device = DeviceFactory()
    data = with_serials(
        "interrupted-two-drives-one-finished-sigint.log",
        {"/dev/loop0": "FINISHED-1", "/dev/loop5": "CUT-5"},
    )

    import_erasure_log(data=data, filename="sigint.log", by=technician, device=device)

    finished = Erasure.objects.get(drive__serial_number="FINISHED-1")
    cut = Erasure.objects.get(drive__serial_number="CUT-5")
    assert finished.result == Erasure.Result.PASSED
    assert cut.result == Erasure.Result.FAILED
    assert "UABORTED" in cut.notes
    assert cut.verification_passed is None
    assert [d.serial_number for d in unerased_drives(device)] == ["CUT-5"]


def test_a_failed_verification_is_recorded_as_failed(technician):
    device = DeviceFactory()
    data = with_serials("verify-one-fail-on-zeroed-drive.log", {"/dev/loop0": "ZEROED-2"})

    recorded = import_erasure_log(data=data, filename="v.log", by=technician, device=device)

    assert recorded
    assert {e.result for e in recorded} == {Erasure.Result.FAILED}
    assert {e.verification_passed for e in recorded} == {False}
    assert device.drives.count() == 1


# Drives that are not found ------------------------------------------------------


def test_an_unknown_serial_without_a_device_is_refused_and_nothing_is_saved(technician, media_root):
    device_with_drives(SSD)

    with pytest.raises(Refused) as refusal:
        import_erasure_log(data=read(TWO_DRIVES), filename="a.log", by=technician)

    assert HDD in refusal.value.message
    assert SSD not in refusal.value.message
    assert nothing_saved(media_root, drives=1)


def test_an_unknown_serial_with_a_device_adds_the_drive_to_that_device(technician):
    device = device_with_drives(SSD)

    recorded = import_erasure_log(
        data=read(TWO_DRIVES), filename="a.log", by=technician, device=device
    )

    assert len(recorded) == 2
    added = device.drives.get(serial_number=HDD)
    assert added.model == "WDC WD5000AAKX-00ERMA0"
    assert added.kind == Drive.Kind.OTHER
    assert device.drives.get(serial_number=SSD).erasures.count() == 1
    assert unerased_drives(device) == []


def test_a_new_drive_takes_its_kind_and_capacity_from_the_log(technician):
    device = DeviceFactory()
    data = read(TWO_DRIVES).replace(b"/16777216", b"/250059350016")

    import_erasure_log(data=data, filename="a.log", by=technician, device=device)

    ssd = device.drives.get(serial_number=SSD)
    assert (ssd.kind, ssd.model, ssd.capacity_gb) == ("ssd", "Samsung SSD 860 EVO 250GB", 250)


def test_with_a_device_a_drive_of_another_device_is_not_touched(technician):
    other = device_with_drives(SSD, HDD)
    device = DeviceFactory()

    import_erasure_log(data=read(TWO_DRIVES), filename="a.log", by=technician, device=device)

    assert device.drives.count() == 2
    assert not Erasure.objects.filter(drive__device=other).exists()


def test_a_serial_held_by_two_devices_is_refused_without_a_device(technician, media_root):
    device_with_drives(SSD, HDD)
    device_with_drives(SSD)

    with pytest.raises(Refused) as refusal:
        import_erasure_log(data=read(TWO_DRIVES), filename="a.log", by=technician)

    assert SSD in refusal.value.message
    assert nothing_saved(media_root, drives=3)


def test_a_log_without_serial_numbers_is_refused(technician, media_root):
    device = device_with_drives("ONLY-1")

    with pytest.raises(Refused) as refusal:
        import_erasure_log(
            data=read("zero-verify-last.log"), filename="z.log", by=technician, device=device
        )

    assert "/dev/loop0" in refusal.value.message
    assert nothing_saved(media_root, drives=1)


# Files that cannot be used ------------------------------------------------------


def test_the_same_file_twice_is_refused(technician, media_root):
    device_with_drives(SSD, HDD)
    import_erasure_log(data=read(TWO_DRIVES), filename="a.log", by=technician)

    with pytest.raises(Refused) as refusal:
        import_erasure_log(data=read(TWO_DRIVES), filename="renamed.log", by=technician)

    assert "a.log" in refusal.value.message
    assert ErasureLog.objects.count() == 1
    assert Erasure.objects.count() == 2
    assert len(stored_files(media_root)) == 1


@pytest.mark.parametrize("name", BROKEN)
def test_a_garbled_or_truncated_file_is_refused_with_its_reason(name, technician, media_root):
    device = device_with_drives(SSD)

    with pytest.raises(Refused) as refusal:
        import_erasure_log(data=read(name), filename=name, by=technician, device=device)

    assert name in refusal.value.message
    assert len(refusal.value.message) > len(name) + 20
    assert nothing_saved(media_root, drives=1)


def test_a_failure_half_way_leaves_neither_rows_nor_file(technician, media_root, monkeypatch):
    device = DeviceFactory()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("inventory.services.record_erasure", broken)
    with pytest.raises(RuntimeError):
        import_erasure_log(data=read(TWO_DRIVES), filename="a.log", by=technician, device=device)

    assert nothing_saved(media_root)


def test_a_social_worker_may_not_import(social_worker, media_root):
    device_with_drives(SSD, HDD)

    with pytest.raises(PermissionDenied):
        import_erasure_log(data=read(TWO_DRIVES), filename="a.log", by=social_worker)

    assert nothing_saved(media_root, drives=2)


# The device page ----------------------------------------------------------------


def upload(name, data=None):
    return {"log": SimpleUploadedFile(name, read(name) if data is None else data)}


def import_url(device):
    return f"/devices/{device.asset_tag}/erasure-log/"


def levels(response):
    return [m.level for m in response.context["messages"]]


def test_the_device_page_offers_the_import_to_a_technician(technician_client):
    device = DeviceFactory(drives__count=1)

    response = technician_client.get(device.get_absolute_url())

    assert response.context["erasure_log_form"] is not None
    assert f'action="{import_url(device)}"' in response.text
    assert 'enctype="multipart/form-data"' in response.text


def test_an_upload_records_the_erasures_and_returns_to_the_device(technician_client):
    device = DeviceFactory()

    response = technician_client.post(import_url(device), upload(TWO_DRIVES), follow=True)

    assert response.redirect_chain == [(device.get_absolute_url(), 302)]
    assert levels(response) == [constants.SUCCESS]
    assert Erasure.objects.filter(drive__device=device).count() == 2


def test_an_upload_with_an_interrupted_wipe_warns(technician_client):
    device = DeviceFactory()
    data = with_serials("interrupted-gutmann-sigint.log", {"/dev/loop5": "CUT-5"})

    response = technician_client.post(
        import_url(device), upload("interrupted-gutmann-sigint.log", data), follow=True
    )

    assert levels(response) == [constants.SUCCESS, constants.WARNING]


def test_a_garbled_upload_says_why_and_saves_nothing(technician_client, media_root):
    device = DeviceFactory()

    response = technician_client.post(
        import_url(device), upload("broken-truncated-mid-wipe.log"), follow=True
    )

    assert levels(response) == [constants.ERROR]
    assert nothing_saved(media_root)


def test_an_upload_without_a_file_is_refused(technician_client):
    device = DeviceFactory()

    response = technician_client.post(import_url(device), {}, follow=True)

    assert levels(response) == [constants.ERROR]
    assert not ErasureLog.objects.exists()


def test_a_social_worker_cannot_upload_a_log(social_worker_client, media_root):
    device = DeviceFactory()

    response = social_worker_client.post(import_url(device), upload(TWO_DRIVES))

    assert response.status_code == 403
    assert nothing_saved(media_root)


def test_the_import_address_accepts_only_posts(technician_client):
    device = DeviceFactory()

    assert technician_client.get(import_url(device)).status_code == 405


# The management command ---------------------------------------------------------


def test_the_command_imports_a_log_for_a_device(technician, capsys):
    device = DeviceFactory()

    call_command(
        "import_erasure",
        str(NWIPE / TWO_DRIVES),
        device=device.asset_tag.lower(),
        user="technician",
    )

    assert Erasure.objects.filter(drive__device=device, operator=technician).count() == 2
    out = capsys.readouterr().out
    assert SSD in out and HDD in out


def test_the_command_records_as_the_first_superuser_by_default(superuser):
    device_with_drives(SSD, HDD)

    call_command("import_erasure", str(NWIPE / TWO_DRIVES))

    assert set(Erasure.objects.values_list("operator__username", flat=True)) == {"admin"}


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ([str(NWIPE / TWO_DRIVES)], "unknown serials"),
        ([str(NWIPE / "broken-garbled-random.bin"), "--device", "{tag}"], "garbled file"),
        ([str(NWIPE / "missing.log")], "missing file"),
        ([str(NWIPE / TWO_DRIVES), "--device", "RE-NOPE"], "unknown device"),
        ([str(NWIPE / TWO_DRIVES), "--device", "{tag}", "--user", "nobody"], "unknown user"),
    ],
)
def test_the_command_refuses_with_a_message_and_saves_nothing(
    arguments, reason, superuser, media_root
):
    device = DeviceFactory()

    with pytest.raises(CommandError) as refusal:
        call_command("import_erasure", *[a.format(tag=device.asset_tag) for a in arguments])

    assert str(refusal.value), reason
    assert nothing_saved(media_root)


def test_the_command_needs_a_user_when_there_is_no_superuser(technician, media_root):
    device_with_drives(SSD, HDD)

    with pytest.raises(CommandError):
        call_command("import_erasure", str(NWIPE / TWO_DRIVES))

    assert nothing_saved(media_root, drives=2)


def test_the_command_refuses_a_user_without_the_permission(social_worker, media_root):
    device_with_drives(SSD, HDD)

    with pytest.raises(CommandError):
        call_command("import_erasure", str(NWIPE / TWO_DRIVES), user="social-worker")

    assert nothing_saved(media_root, drives=2)


def test_the_command_exits_with_a_nonzero_status_on_error(superuser, capsys, monkeypatch):
    command = ManagementUtility(["manage.py", "import_erasure", str(NWIPE / TWO_DRIVES)])
    # run_from_argv closes every connection when it exits; on PostgreSQL that would close
    # the connection that holds this test's transaction.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)

    with pytest.raises(SystemExit) as exit_:
        command.execute()

    assert exit_.value.code == 1
    assert SSD in capsys.readouterr().err
    assert not ErasureLog.objects.exists()


# The form, for an erasure recorded by hand -------------------------------------


def erasure_url(device):
    return f"/devices/{device.asset_tag}/erasures/"


def manual(drive, **fields):
    return {"drive": drive.pk, "method": "overwrite", "result": "passed", **fields}


def test_the_form_records_every_detail_of_an_erasure(technician_client, technician):
    drive = DriveFactory()

    technician_client.post(
        erasure_url(drive.device),
        manual(
            drive,
            standard="nist-800-88r1",
            method="secure_erase",
            passes="1",
            pattern="enhanced",
            tool="hdparm",
            tool_version="9.65",
            started_at="2026-11-27T09:00",
            performed_at="2026-11-27T10:30",
            verification="sampled",
            verification_passed="True",
            notes="Disque retiré du portable",
        ),
    )

    erasure = drive.erasures.get()
    assert (erasure.standard, erasure.method, erasure.level) == (
        "nist-800-88r1",
        "secure_erase",
        "purge",
    )
    assert (erasure.passes, erasure.pattern) == (1, "enhanced")
    assert (erasure.tool, erasure.tool_version) == ("hdparm", "9.65")
    assert timezone.localtime(erasure.started_at).hour == 9
    assert timezone.localtime(erasure.performed_at).minute == 30
    assert (erasure.verification, erasure.verification_passed) == ("sampled", True)
    assert erasure.operator == technician


def test_the_form_takes_the_level_from_the_technique_by_default(technician_client):
    drive = DriveFactory()

    technician_client.post(erasure_url(drive.device), manual(drive, method="destroyed"))

    erasure = drive.erasures.get()
    assert (erasure.level, erasure.standard, erasure.verification) == (
        "destroy",
        "nist-800-88r2",
        "none",
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"method": "overwrite", "level": "purge"},
        {"verification": "none", "verification_passed": "True"},
        {"verification": "full"},
        {"verification": "full", "verification_passed": "False"},
        {"started_at": "2026-11-27T11:00", "performed_at": "2026-11-27T10:00"},
        {"performed_at": "2999-01-01T10:00"},
    ],
    ids=[
        "level above the technique",
        "result without verification",
        "verification without result",
        "passed despite a failed verification",
        "started after it finished",
        "finished in the future",
    ],
)
def test_the_form_refuses_an_inconsistent_erasure(fields, technician_client):
    drive = DriveFactory()

    response = technician_client.post(
        erasure_url(drive.device), manual(drive, **fields), follow=True
    )

    assert levels(response) == [constants.ERROR]
    assert not Erasure.objects.exists()


def test_an_erasure_older_than_the_return_is_recorded_with_a_warning(technician_client):
    drive = DriveFactory()
    device = drive.device
    device.cycle_started_at = timezone.now()
    device.save()

    response = technician_client.post(
        erasure_url(device), manual(drive, performed_at="2020-01-01T10:00"), follow=True
    )

    assert levels(response) == [constants.SUCCESS, constants.WARNING]
    assert unerased_drives(device) == [drive]


def test_the_raw_log_can_be_downloaded_as_it_was_imported(technician, client):
    device = DeviceFactory(status=Status.WIPING)
    data = read("dodshort-two-drives-with-serials.log")
    import_erasure_log(data=data, filename="wipe.log", by=technician, device=device)
    log = ErasureLog.objects.get()
    client.force_login(technician)
    response = client.get(f"/erasure-logs/{log.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data

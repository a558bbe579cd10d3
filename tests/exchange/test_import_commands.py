"""import_data and export_data on the command line, and the daily clean-up of imports."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from exchange import jobs, tasks
from exchange.models import ImportJob, ImportRow
from inventory.models import Device
from spreadsheets.reading import read_sheet
from tests.factories import DeviceFactory, DonationFactory, SiteFactory

pytestmark = pytest.mark.usefixtures("english")

HEADER = "Numéro de série;Marque;Modèle;Catégorie;RAM;Site"


@pytest.fixture
def bru(db):
    return SiteFactory(code="BRU")


def write(tmp_path, *rows, name="devices.csv", header=HEADER):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows, ""]), encoding="utf-8")
    return str(path)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def run(*args, stdout=None):
    out, err = stdout or io.StringIO(), io.StringIO()
    call_command("import_data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# import_data ------------------------------------------------------------------------


def test_the_command_imports_the_file_as_the_named_user(technician, bru, tmp_path):
    path = write(tmp_path, "SN-1;Dell;Latitude;portable;8 Go;BRU", "SN-2;HP;ProBook;fixe;4 Go;BRU")

    out, err = run("devices", path, "--user", "technician")

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert sorted(Device.objects.values_list("serial_number", "category", "ram_mb")) == [
        ("SN-1", "laptop", 8192),
        ("SN-2", "desktop", 4096),
    ]
    assert f"Import #{job.pk} (devices.csv): 2 created, 0 updated, 0 unchanged." in out
    assert err == ""


def test_the_command_writes_every_row_with_the_users_history(technician, bru, tmp_path):
    path = write(tmp_path, "SN-1;Dell;Latitude;portable;8 Go;BRU")

    run("devices", path, "--user", "technician")

    job = ImportJob.objects.get()
    record = Device.objects.get(serial_number="SN-1").history.get()
    assert (job.created_by, job.status) == (technician, ImportJob.Status.DONE)
    assert (record.history_user, record.history_change_reason) == (
        technician,
        f"Import #{job.pk} (devices.csv)",
    )


def test_a_dry_run_writes_nothing_and_keeps_the_preview(technician, bru, tmp_path):
    DeviceFactory(serial_number="SN-OLD", manufacturer="Dell", site=bru, ram_mb=4096)
    path = write(
        tmp_path, "SN-1;Dell;Latitude;portable;8 Go;BRU", "SN-OLD;Dell;X;portable;8 Go;BRU"
    )

    out, _err = run("devices", path, "--dry-run", "--user", "technician")

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.READY
    assert dict(job.rows.values_list("line", "kind")) == {2: "new", 3: "update"}
    assert list(Device.objects.values_list("serial_number", "ram_mb")) == [("SN-OLD", 4096)]
    assert "2 rows: 1 new, 1 to update, 0 unchanged, 0 with errors." in out
    assert "Dry run: nothing was written." in out


def test_errors_are_printed_as_sentences_and_exit_with_status_1(technician, bru, tmp_path):
    path = write(
        tmp_path,
        "SN-1;Dell;Latitude;portable;8 Go;BRU",
        "SN-2;HP;ProBook;portable;huit;BRU",
        "SN-3;HP;ProBook;portable;8 Go;ZZZ",
    )
    err = io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import_data", "devices", path, "--user", "technician", stderr=err)

    assert refused.value.returncode == 1
    assert str(refused.value) == "The file has errors: nothing was imported."
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("Line 3, column “RAM”: “huit” ")
    assert lines[1] == "Line 4, column “Site”: No site has the code “ZZZ”."
    assert not Device.objects.exists()


def test_a_file_problem_is_printed_and_exits_with_status_1(technician, tmp_path):
    path = write(tmp_path, "SN-1;Dell", header="Numéro de série;Marque")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_data", "devices", path, "--user", "technician", stderr=err)

    assert err.getvalue().splitlines() == ["Required columns are missing: « Category »."]


def test_the_donation_and_site_options_reach_the_new_devices(technician, bru, tmp_path):
    donation = DonationFactory(site=SiteFactory(code="HOU"))
    header = "Numéro de série;Marque;Catégorie"
    with_donation = write(tmp_path, "SN-1;Dell;portable", header=header, name="a.csv")
    with_site = write(tmp_path, "SN-2;Dell;portable", header=header, name="b.csv")

    run("devices", with_donation, "--donation", str(donation.pk), "--user", "technician")
    run("devices", with_site, "--site", "bru", "--user", "technician")

    devices = {d.serial_number: (d.donation_id, d.site.code) for d in Device.objects.all()}
    assert devices == {"SN-1": (donation.pk, "HOU"), "SN-2": (None, "BRU")}


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--donation", "999"], "No donation has the number 999."),
        (["--site", "NOPE"], "No site has the code “NOPE”."),
    ],
)
def test_an_unknown_donation_or_site_is_refused_before_reading(
    technician, tmp_path, option, message
):
    path = write(tmp_path, "SN-1;Dell;Latitude;portable;8 Go;BRU")

    with pytest.raises(CommandError, match=message):
        run("devices", path, *option, "--user", "technician")

    assert not ImportJob.objects.exists()


def test_a_user_who_may_not_import_is_refused(social_worker, bru, tmp_path):
    path = write(tmp_path, "SN-1;Dell;Latitude;portable;8 Go;BRU")

    with pytest.raises(CommandError, match=r"social-worker may not import this kind of data\."):
        run("devices", path, "--user", "social-worker")

    assert not Device.objects.exists()


def test_the_command_draws_a_progress_bar_on_a_terminal(technician, bru, tmp_path):
    path = write(tmp_path, "SN-1;Dell;Latitude;portable;8 Go;BRU")

    out, _err = run("devices", path, "--user", "technician", stdout=Terminal())

    assert "\rReading [####################] 100 % (1/1)" in out
    assert "\rWriting [####################] 100 % (1/1)" in out


def test_no_progress_bar_when_the_output_is_a_file(technician, bru, tmp_path):
    path = write(tmp_path, "SN-1;Dell;Latitude;portable;8 Go;BRU")

    out, _err = run("devices", path, "--user", "technician")

    assert "\r" not in out


# export_data ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_export_data_writes_every_device(superuser, bru, tmp_path, fmt):
    DeviceFactory.create_batch(3, site=bru)
    path = tmp_path / f"devices.{fmt}"

    call_command("export_data", "devices", "--format", fmt, "-o", str(path), stdout=io.StringIO())

    sheet = read_sheet(path.name, path.read_bytes())
    assert len(list(sheet.rows)) == 3
    assert "Serial number" in sheet.headers


def test_an_exported_file_imports_back_unchanged(superuser, bru, tmp_path):
    DeviceFactory.create_batch(3, site=bru)
    path = tmp_path / "devices.xlsx"
    call_command("export_data", "devices", "-o", str(path), stdout=io.StringIO())

    out, _err = run("devices", str(path), "--dry-run")

    assert "3 rows: 0 new, 0 to update, 3 unchanged, 0 with errors." in out


# The daily clean-up -----------------------------------------------------------------


def _job(user, *, days_ago, status=ImportJob.Status.READY, started_hours_ago=None):
    job = ImportJob.objects.create(
        resource="devices", filename="d.csv", content=b"x", created_by=user, status=status
    )
    now = timezone.now()
    started = now - timedelta(hours=started_hours_ago) if started_hours_ago is not None else None
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=now - timedelta(days=days_ago), started_at=started
    )
    ImportRow.objects.create(job=job, line=2, kind="new")
    return job


def test_the_clean_up_deletes_imports_past_their_retention_with_their_rows(technician, settings):
    settings.IMPORT_RETENTION_DAYS = 30
    old = _job(technician, days_ago=31)
    recent = _job(technician, days_ago=29)

    deleted = tasks.delete_expired_imports.apply().get()

    assert deleted == 1
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not ImportRow.objects.filter(job_id=old.pk).exists()


def test_the_clean_up_fails_imports_that_never_finished(technician):
    lost = _job(technician, days_ago=1, status=ImportJob.Status.WRITING, started_hours_ago=3)
    running = _job(technician, days_ago=1, status=ImportJob.Status.WRITING, started_hours_ago=0)
    waiting = _job(technician, days_ago=1, status=ImportJob.Status.UPLOADED)

    jobs.fail_stalled_imports()

    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses == {
        lost.pk: ImportJob.Status.FAILED,
        running.pk: ImportJob.Status.WRITING,
        waiting.pk: ImportJob.Status.FAILED,
    }
    lost.refresh_from_db()
    assert lost.problems == [
        "The import stopped (was the server restarted?): nothing was written, start it again."
    ]

"""The import pages: upload, preview, confirmation, the corrected file, templates, and
who may see and do what. Celery runs inline (eager), once the request's transaction
commits."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from exchange import tasks
from exchange.models import ImportJob, ImportRow
from exchange.registry import resource_names
from exchange.templating import EXAMPLES, template_columns
from inventory.models import Category, Device, Site
from spreadsheets.reading import read_sheet
from tests.factories import DeviceFactory, DonationFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.usefixtures("english")

HEADER = "Numéro de série;Marque;Modèle;Catégorie;RAM;Site"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.fixture(autouse=True)
def _eager_celery(eager_celery):
    """Celery runs inline for every test of this file."""


@pytest.fixture
def bru(db):
    return SiteFactory(code="BRU", name="Bruay")


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Requests whose queued tasks run (inline) once their transaction commits."""

    def post(client, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return post


def csv_file(*rows, name="devices.csv", header=HEADER):
    return SimpleUploadedFile(name, "\n".join([header, *rows, ""]).encode(), "text/csv")


def upload(run_tasks, client, file, resource="devices", **options):
    response = run_tasks(client, "/imports/new/", {"resource": resource, "file": file, **options})
    job = ImportJob.objects.order_by("-pk").first()
    return response, job


def kinds(job):
    return dict(job.rows.values_list("line", "kind"))


@pytest.fixture
def three_rows(bru):
    """A file with one new device, one to update (more RAM), one unchanged."""
    DeviceFactory(
        serial_number="SN-UPD", manufacturer="Dell", model="Latitude 5490", ram_mb=4096, site=bru
    )
    DeviceFactory(
        serial_number="SN-SAME",
        manufacturer="HP",
        model="ProBook 450",
        category=Category.LAPTOP,
        ram_mb=8192,
        site=bru,
    )
    return csv_file(
        "SN-NEW;Lenovo;ThinkPad T480;portable;8 Go;BRU",
        "SN-UPD;Dell;Latitude 5490;portable;8 Go;BRU",
        "SN-SAME;HP;ProBook 450;portable;8 Go;BRU",
    )


# Upload, preview, confirmation -----------------------------------------------------


def test_an_upload_is_read_and_previewed_without_writing(technician_client, run_tasks, three_rows):
    response, job = upload(run_tasks, technician_client, three_rows)

    assert response.status_code == 302
    assert response.url == f"/imports/{job.pk}/"
    assert job.status == ImportJob.Status.READY
    assert kinds(job) == {2: "new", 3: "update", 4: "unchanged"}
    assert job.rows.get(line=3).changes == ["RAM"]
    assert Device.objects.count() == 2
    assert Device.objects.get(serial_number="SN-UPD").ram_mb == 4096
    page = technician_client.get(response.url)
    assert "Confirm the import" in page.text
    assert 'id="import-counts"' in page.text


def test_confirming_writes_every_row_with_its_history(
    technician, technician_client, run_tasks, three_rows
):
    _response, job = upload(run_tasks, technician_client, three_rows)

    response = run_tasks(technician_client, f"/imports/{job.pk}/confirm/")

    job.refresh_from_db()
    assert response.url == f"/imports/{job.pk}/"
    assert job.status == ImportJob.Status.DONE
    assert job.counts == {"new": 1, "update": 1, "unchanged": 1, "error": 0}
    new = Device.objects.get(serial_number="SN-NEW")
    assert (new.manufacturer, new.model, new.ram_mb, new.site.code) == (
        "Lenovo",
        "ThinkPad T480",
        8192,
        "BRU",
    )
    assert Device.objects.get(serial_number="SN-UPD").ram_mb == 8192
    reason = f"Import #{job.pk} (devices.csv)"
    for serial in ("SN-NEW", "SN-UPD"):
        record = Device.objects.get(serial_number=serial).history.latest()
        assert (record.history_user, record.history_change_reason) == (technician, reason)
    assert (
        not Device.objects.get(serial_number="SN-SAME")
        .history.filter(history_change_reason=reason)
        .exists()
    )
    page = technician_client.get(response.url)
    assert "Imported: 1 created, 1 updated, 1 unchanged." in page.text
    assert "Confirm the import" not in page.text


def test_a_file_with_an_error_is_to_correct_and_says_the_line_and_column(
    technician_client, run_tasks, bru
):
    _response, job = upload(
        run_tasks,
        technician_client,
        csv_file("SN-1;Dell;Latitude;portable;8 Go;BRU", "SN-2;HP;ProBook;portable;huit;BRU"),
    )

    page = technician_client.get(f"/imports/{job.pk}/")

    assert job.status == ImportJob.Status.INVALID
    assert kinds(job) == {2: "new", 3: "error"}
    assert "Line 3, column “RAM”: “huit”" in page.text
    assert "Confirm the import" not in page.text
    assert "Correct the file and upload it again" in page.text


def test_an_invalid_file_cannot_be_confirmed(technician_client, run_tasks, bru):
    _response, job = upload(
        run_tasks, technician_client, csv_file("SN-2;HP;ProBook;portable;huit;BRU")
    )

    response = run_tasks(technician_client, f"/imports/{job.pk}/confirm/")

    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert not Device.objects.exists()
    page = technician_client.get(response.url)
    assert "This file has errors: nothing can be imported until they are corrected." in page.text


def test_a_file_missing_a_required_column_says_which(technician_client, run_tasks, bru):
    _response, job = upload(
        run_tasks,
        technician_client,
        csv_file("SN-1;Dell", header="Numéro de série;Marque"),
    )

    page = technician_client.get(f"/imports/{job.pk}/")

    assert job.status == ImportJob.Status.INVALID
    assert "Required columns are missing: « Category »." in page.text


def test_confirming_twice_writes_once(technician_client, run_tasks, bru):
    _response, job = upload(
        run_tasks, technician_client, csv_file("SN-1;Dell;Latitude;portable;8 Go;BRU")
    )

    run_tasks(technician_client, f"/imports/{job.pk}/confirm/")
    second = run_tasks(technician_client, f"/imports/{job.pk}/confirm/")

    assert Device.objects.filter(serial_number="SN-1").count() == 1
    assert Device.history.filter(serial_number="SN-1").count() == 1
    page = technician_client.get(second.url)
    assert "This import was already confirmed." in page.text


def test_a_task_delivered_twice_does_its_work_once(technician, bru):
    job = ImportJob.objects.create(
        resource="devices",
        filename="d.csv",
        content=f"{HEADER}\nSN-1;Dell;Latitude;portable;8 Go;BRU\n".encode(),
        created_by=technician,
    )

    assert tasks.analyse_import.apply(args=[job.pk]).get() == ImportJob.Status.READY
    assert tasks.analyse_import.apply(args=[job.pk]).get() is None
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.WRITING, started_at=None)
    assert tasks.apply_import.apply(args=[job.pk]).get() == ImportJob.Status.DONE
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.WRITING)
    assert tasks.apply_import.apply(args=[job.pk]).get() is None
    assert Device.objects.filter(serial_number="SN-1").count() == 1


def test_a_refusal_at_confirmation_shows_the_rows_and_writes_nothing(
    technician_client, run_tasks, bru
):
    other = SiteFactory(code="BET")
    _response, job = upload(
        run_tasks,
        technician_client,
        csv_file("SN-1;Dell;Latitude;portable;8 Go;BRU", "SN-2;HP;ProBook;portable;8 Go;BET"),
    )
    # The site was removed between the preview and the confirmation.
    other.delete()

    run_tasks(technician_client, f"/imports/{job.pk}/confirm/")

    job.refresh_from_db()
    page = technician_client.get(f"/imports/{job.pk}/")
    assert job.status == ImportJob.Status.FAILED
    assert not Device.objects.exists()
    assert "Nothing was written" in page.text
    assert "Line 3, column “Site”: No site has the code “BET”." in page.text


def test_the_corrected_file_is_a_new_import_with_the_same_options(
    technician_client, run_tasks, bru
):
    donation = DonationFactory(site=bru)
    _response, job = upload(
        run_tasks,
        technician_client,
        csv_file("SN-2;HP;ProBook;portable;huit;"),
        donation=donation.pk,
    )

    response = run_tasks(
        technician_client,
        f"/imports/{job.pk}/upload-again/",
        {"file": csv_file("SN-2;HP;ProBook;portable;8 Go;", name="corrected.csv")},
    )

    new = ImportJob.objects.latest("pk")
    assert response.url == f"/imports/{new.pk}/"
    assert (new.filename, new.resource, new.options) == (
        "corrected.csv",
        "devices",
        {"donation": donation.pk},
    )
    assert new.status == ImportJob.Status.READY


# Options ---------------------------------------------------------------------------


def test_the_donation_page_link_preselects_the_donation(technician_client, bru):
    donation = DonationFactory(site=bru)

    page = technician_client.get(f"/imports/?donation={donation.pk}")

    assert f'<option value="{donation.pk}" selected>' in page.text
    assert '<option value="devices" selected>' in page.text


def test_new_devices_join_the_chosen_donation_and_its_site(technician_client, run_tasks, bru):
    donation = DonationFactory(site=SiteFactory(code="HOU"))
    file = csv_file(
        "SN-1;Dell;Latitude;portable;8 Go", header="Numéro de série;Marque;Modèle;Catégorie;RAM"
    )

    _response, job = upload(run_tasks, technician_client, file, donation=donation.pk)
    run_tasks(technician_client, f"/imports/{job.pk}/confirm/")

    device = Device.objects.get(serial_number="SN-1")
    assert (device.donation, device.site.code) == (donation, "HOU")
    page = technician_client.get(f"/imports/{job.pk}/")
    assert f'href="/donations/{donation.pk}/"' in page.text


def test_rows_without_a_site_take_the_default_site(technician_client, run_tasks, bru):
    file = csv_file("SN-1;Dell;Latitude;portable;8 Go;", "SN-2;Dell;Latitude;portable;8 Go;HOU")
    SiteFactory(code="HOU")

    _response, job = upload(run_tasks, technician_client, file, site=bru.pk)
    run_tasks(technician_client, f"/imports/{job.pk}/confirm/")

    sites = dict(Device.objects.values_list("serial_number", "site__code"))
    assert sites == {"SN-1": "BRU", "SN-2": "HOU"}


def test_a_donation_with_another_kind_of_data_is_refused(coordinator_client, run_tasks, bru):
    donation = DonationFactory(site=bru)

    response, job = upload(
        run_tasks,
        coordinator_client,
        csv_file("X", header="Nom"),
        resource="donors",
        donation=donation.pk,
    )

    assert response.status_code == 400
    assert job is None
    assert "A donation and a default site apply to devices only." in response.text


# Bad files ---------------------------------------------------------------------------


def test_a_file_above_the_size_limit_is_refused_at_upload(technician_client, run_tasks, settings):
    settings.IMPORT_MAX_BYTES = 100

    response, job = upload(
        run_tasks, technician_client, csv_file(*["SN;Dell;L;portable;8;BRU"] * 10)
    )

    assert response.status_code == 400
    assert job is None
    assert "files up to 100\xa0bytes can be imported" in response.text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("photo.xlsx", "This file is damaged or is not a spreadsheet."),
        ("photo.csv", "This file is not a spreadsheet (CSV, XLSX or ODS)."),
        ("photo.png", "Choose a spreadsheet: a CSV, XLSX or ODS file (this one is “photo.png”)."),
    ],
)
def test_an_image_is_refused_at_upload_with_a_sentence(technician_client, run_tasks, name, message):
    response, job = upload(run_tasks, technician_client, SimpleUploadedFile(name, PNG))

    assert response.status_code == 400
    assert job is None
    assert message in response.text


def test_an_empty_file_is_refused_at_upload(technician_client, run_tasks):
    response, job = upload(run_tasks, technician_client, SimpleUploadedFile("vide.csv", b"\n\n"))

    assert response.status_code == 400
    assert job is None
    assert "The file has no header row (the names of the columns)." in response.text


# Who may do what ---------------------------------------------------------------------


def test_the_form_offers_only_the_kinds_the_role_may_import(technician_client, coordinator_client):
    technician = technician_client.get("/imports/").context["form"].fields["resource"].choices
    coordinator = coordinator_client.get("/imports/").context["form"].fields["resource"].choices

    assert [name for name, _label in technician] == ["devices", "donors", "drives"]
    assert [name for name, _label in coordinator] == [
        "devices",
        "donors",
        "sites",
        "locations",
        "drives",
        "parts",
        "sim-cards",
    ]


def test_a_user_who_may_import_nothing_may_not_open_the_imports(roles):
    client = Client()
    client.force_login(UserFactory())

    assert client.get("/imports/").status_code == 403
    assert 'href="/imports/"' not in client.get("/").text


def test_a_social_worker_is_not_offered_devices(social_worker_client):
    choices = social_worker_client.get("/imports/").context["form"].fields["resource"].choices

    assert "devices" not in [name for name, _label in choices]
    assert social_worker_client.get("/imports/template/devices.csv").status_code == 403


def test_a_social_worker_cannot_upload_devices(social_worker_client, run_tasks, bru):
    response, job = upload(
        run_tasks, social_worker_client, csv_file("SN-1;Dell;L;portable;8 Go;BRU")
    )

    assert response.status_code == 400
    assert job is None
    assert not Device.objects.exists()


def test_a_technician_cannot_upload_sites(technician_client, run_tasks):
    response, job = upload(
        run_tasks, technician_client, csv_file("BET;Béthune", header="Code;Nom"), resource="sites"
    )

    assert response.status_code == 400
    assert job is None
    assert not Site.objects.filter(code="BET").exists()


@pytest.mark.parametrize("action", ["", "progress/"])
def test_another_users_import_is_not_found(technician_client, coordinator, action):
    job = ImportJob.objects.create(
        resource="devices", filename="d.csv", content=b"x", created_by=coordinator
    )

    assert technician_client.get(f"/imports/{job.pk}/{action}").status_code == 404


@pytest.mark.parametrize("action", ["confirm/", "upload-again/"])
def test_another_users_import_cannot_be_confirmed_or_replaced(
    technician_client, coordinator, action
):
    job = ImportJob.objects.create(
        resource="devices",
        filename="d.csv",
        content=b"x",
        created_by=coordinator,
        status=ImportJob.Status.READY,
    )

    assert technician_client.post(f"/imports/{job.pk}/{action}").status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY


def test_a_superuser_sees_anyones_import(superuser_client, technician):
    job = ImportJob.objects.create(
        resource="devices", filename="d.csv", content=b"x", created_by=technician
    )

    assert superuser_client.get(f"/imports/{job.pk}/").status_code == 200


def test_the_menu_shows_imports_to_those_who_may_import(technician_client):
    assert 'href="/imports/"' in technician_client.get("/").text


# Progress, rows, list ------------------------------------------------------------------


def test_the_progress_polls_while_the_file_is_read(technician_client, technician):
    job = ImportJob.objects.create(
        resource="devices",
        filename="d.csv",
        content=b"x",
        created_by=technician,
        status=ImportJob.Status.ANALYSING,
        total_rows=200,
        processed_rows=50,
    )

    page = technician_client.get(f"/imports/{job.pk}/")
    partial = technician_client.get(f"/imports/{job.pk}/progress/", headers={"HX-Request": "true"})

    assert 'hx-trigger="every 1s"' in page.text
    assert 'value="25"' in partial.text
    assert "50 of about 200 rows read" in partial.text
    assert "HX-Refresh" not in partial.headers


def test_the_progress_stops_polling_and_reloads_once_done(technician_client, technician):
    job = ImportJob.objects.create(
        resource="devices",
        filename="d.csv",
        content=b"x",
        created_by=technician,
        status=ImportJob.Status.READY,
    )

    partial = technician_client.get(f"/imports/{job.pk}/progress/", headers={"HX-Request": "true"})

    assert "hx-trigger" not in partial.text
    assert partial.headers["HX-Refresh"] == "true"


def test_the_rows_show_errors_first_a_hundred_a_page(technician_client, technician):
    job = ImportJob.objects.create(
        resource="devices",
        filename="d.csv",
        content=b"x",
        created_by=technician,
        status=ImportJob.Status.INVALID,
        counts={"new": 150, "update": 0, "unchanged": 0, "error": 1},
        total_rows=151,
    )
    ImportRow.objects.bulk_create(
        [ImportRow(job=job, line=line, kind="new", key=f"SN-{line}") for line in range(2, 152)]
        + [
            ImportRow(
                job=job,
                line=152,
                kind="error",
                messages=[{"column": "", "message": "Say which site received the device."}],
            )
        ]
    )

    errors = technician_client.get(f"/imports/{job.pk}/")
    second = technician_client.get(f"/imports/{job.pk}/?kind=new&page=2")

    assert [row.line for row in errors.context["page"]] == [152]
    assert "Line 152: Say which site received the device." in errors.text
    assert [row.line for row in second.context["page"]] == list(range(102, 152))


@pytest.mark.parametrize("jobs", [1, 20])
def test_the_list_page_makes_the_same_queries_for_1_or_20_imports(
    technician_client, technician, django_assert_max_num_queries, jobs
):
    ImportJob.objects.bulk_create(
        ImportJob(resource="devices", filename=f"{n}.csv", size=1000, created_by=technician)
        for n in range(jobs)
    )

    with django_assert_max_num_queries(12):
        page = technician_client.get("/imports/")

    assert page.text.count('class="badge import-uploaded"') == jobs


@pytest.mark.parametrize("rows", [10, 300])
def test_the_import_page_makes_the_same_queries_for_10_or_300_rows(
    technician_client, technician, django_assert_max_num_queries, rows
):
    job = ImportJob.objects.create(
        resource="devices",
        filename="d.csv",
        content=b"x",
        created_by=technician,
        status=ImportJob.Status.READY,
        counts={"new": rows, "update": 0, "unchanged": 0, "error": 0},
        total_rows=rows,
    )
    ImportRow.objects.bulk_create(
        ImportRow(job=job, line=line, kind="new", key=f"SN-{line}") for line in range(rows)
    )

    with django_assert_max_num_queries(10):
        page = technician_client.get(f"/imports/{job.pk}/")

    assert page.text.count('class="badge import-row-new"') == min(rows, 100)


# Templates ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_the_device_template_opens_with_its_headers_and_one_example(technician_client, bru, fmt):
    response = technician_client.get(f"/imports/template/devices.{fmt}")

    sheet = read_sheet(f"t.{fmt}", response.content)
    rows = list(sheet.rows)
    assert response.status_code == 200
    assert f'.{fmt}"' in response["Content-Disposition"]
    assert sheet.headers == [str(column.label) for column in template_columns("devices")]
    assert len(rows) == 1
    assert rows[0][0] == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_the_device_template_imports_as_one_new_device(superuser_client, run_tasks, bru, fmt):
    content = superuser_client.get(f"/imports/template/devices.{fmt}").content

    _response, job = upload(run_tasks, superuser_client, SimpleUploadedFile(f"t.{fmt}", content))

    assert job.status == ImportJob.Status.READY, job.problems
    assert kinds(job) == {2: "new"}


@pytest.mark.parametrize("resource", resource_names())
def test_every_template_imports_back_without_a_server_error(superuser_client, run_tasks, resource):
    content = superuser_client.get(f"/imports/template/{resource}.csv").content

    response, job = upload(
        run_tasks,
        superuser_client,
        SimpleUploadedFile(f"{resource}.csv", content),
        resource=resource,
    )
    page = superuser_client.get(f"/imports/{job.pk}/")

    assert response.status_code == 302
    assert page.status_code == 200
    assert job.status in (ImportJob.Status.READY, ImportJob.Status.INVALID)
    assert job.rows.count() == (1 if resource in EXAMPLES else 0)


def test_an_unknown_template_is_not_found(technician_client):
    assert technician_client.get("/imports/template/devices.pdf").status_code == 404
    assert technician_client.get("/imports/template/planets.csv").status_code == 404


def test_the_template_example_names_an_unknown_site_when_there_is_none(superuser_client, run_tasks):
    content = superuser_client.get("/imports/template/devices.csv").content

    _response, job = upload(run_tasks, superuser_client, SimpleUploadedFile("t.csv", content))

    assert job.status == ImportJob.Status.INVALID
    assert job.rows.get().messages == [{"column": "Site", "message": "No site has the code “BRU”."}]

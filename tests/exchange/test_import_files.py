"""The uploaded file of an import, in a table of its own (ImportFile): written once with
its job, never again while the job's row is updated (status, progress, heartbeat), read
by the engine, deleted with its job; and the migration that moved it there."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchange import engine, jobs, services
from exchange.models import ImportFile, ImportJob, stored_file
from inventory.models import Device
from tests.factories import SiteFactory

pytestmark = pytest.mark.usefixtures("english")
Status = ImportJob.Status
HEADER = "Numéro de série;Marque;Modèle;Catégorie;RAM;Site"


def _file(rows):
    lines = [HEADER] + [f"SN{n:03d};Dell;Latitude;portable;8 Go;BRU" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _job(user, content):
    return ImportJob.objects.create(
        resource="devices", filename="d.csv", content=content, created_by=user
    )


@pytest.mark.django_db
def test_a_job_is_created_with_its_file(technician):
    job = _job(technician, b"Serial\nA1\n")

    assert bytes(ImportFile.objects.get(job=job).content) == b"Serial\nA1\n"
    assert job.size == len(b"Serial\nA1\n")
    assert stored_file(job.pk) == b"Serial\nA1\n"
    # The job does not keep the file in memory (no cached job.file).
    assert not ImportJob.file.is_cached(job)


@pytest.mark.django_db
def test_the_file_is_found_by_its_job_whatever_its_rowid(technician):
    # On SQLite the file's rowid is not its job's id: after a deletion they part.
    first = _job(technician, b"first")
    second = _job(technician, b"second")
    second.delete()
    third = _job(technician, b"third")

    assert stored_file(first.pk) == b"first"
    assert stored_file(third.pk) == b"third"
    with pytest.raises(ImportFile.DoesNotExist):
        stored_file(second.pk)


@pytest.mark.django_db
def test_an_import_never_writes_its_file_again(technician, monkeypatch):
    SiteFactory(code="BRU")
    monkeypatch.setattr(engine, "CHUNK", 2)
    content = _file(5)
    job = services.create_job(
        user=technician, resource="devices", filename="d.csv", content=content
    )

    with CaptureQueriesContext(connection) as context:
        jobs.run_analysis(job.pk)
        job.refresh_from_db()
        assert job.status == Status.READY
        services.confirm_import(job=job, user=technician, queue=False)
        job = jobs.run_import(job.pk)

    assert job.status == Status.DONE, job.problems
    assert Device.objects.count() == 5
    file_table = ImportFile._meta.db_table
    job_updates = [
        q["sql"]
        for q in context.captured_queries
        if q["sql"].startswith("UPDATE") and ImportJob._meta.db_table in q["sql"]
    ]
    # Status, row count, each chunk's progress, the confirmation, the outcome.
    assert len(job_updates) >= 5
    file_writes = [
        q["sql"]
        for q in context.captured_queries
        if file_table in q["sql"] and not q["sql"].startswith("SELECT")
    ]
    assert file_writes == []
    assert not [sql for sql in job_updates if "content" in sql]
    assert stored_file(job.pk) == content
    assert bytes(ImportFile.objects.get(job=job).content) == content


@pytest.mark.django_db
def test_a_deleted_job_takes_its_file_along(technician):
    kept = _job(technician, b"kept")
    old = _job(technician, b"old")
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))

    assert jobs.delete_expired_imports() == 1

    assert list(ImportFile.objects.values_list("job_id", flat=True)) == [kept.pk]


# The migration -------------------------------------------------------------------------

BEFORE = [("exchange", "0002_import_heartbeat")]
AFTER = [("exchange", "0003_import_file")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_files_to_their_table_and_back(technician):
    try:
        old = _migrate(BEFORE)
        OldJob = old.get_model("exchange", "ImportJob")
        common = {"resource": "devices", "created_by_id": technician.pk}
        one = OldJob.objects.create(filename="a.csv", content=b"A" * 70_000, **common)
        two = OldJob.objects.create(filename="b.csv", content=b"", **common)

        new = _migrate(AFTER)
        File = new.get_model("exchange", "ImportFile")
        moved = {f.job_id: bytes(f.content) for f in File.objects.all()}
        assert moved == {one.pk: b"A" * 70_000, two.pk: b""}
        assert stored_file(one.pk) == b"A" * 70_000

        back = _migrate(BEFORE)
        restored = dict(
            back.get_model("exchange", "ImportJob").objects.values_list("pk", "content")
        )
        assert {pk: bytes(content) for pk, content in restored.items()} == {
            one.pk: b"A" * 70_000,
            two.pk: b"",
        }
    finally:
        _migrate(_latest())

"""Label batches: built inline or by the task, their progress, failures, pages and expiry."""

import datetime
import io
from pathlib import Path

import pypdfium2
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from labels import building, services
from labels.models import LabelBatch, LabelLayout
from labels.tasks import build_label_batch, delete_expired_label_files
from tests.factories import DeviceFactory, DonationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

State = LabelBatch.State


@pytest.fixture
def roll():
    return LabelLayout.objects.get(kind=LabelLayout.Kind.ROLL, printer_dpi=300)


@pytest.fixture
def donation():
    donation = DonationFactory()
    DeviceFactory.create_batch(6, donation=donation)
    return donation


def pages(batch):
    with batch.file.open("rb") as handle:
        return len(pypdfium2.PdfDocument(io.BytesIO(handle.read())))


def create(user, layout, donation, **options):
    params = {"donation": donation.pk, "start": 1, "copies": 1, **options}
    return services.create_batch(by=user, kind=LabelBatch.Kind.DEVICE, layout=layout, params=params)


def pending_batch(user, layout, donation, **fields):
    params = {"donation": donation.pk, "start": 1, "copies": 1}
    return LabelBatch.objects.create(
        kind=LabelBatch.Kind.DEVICE, layout=layout, params=params, created_by=user, **fields
    )


# Building -------------------------------------------------------------------------------


def test_a_social_worker_cannot_create_a_batch(social_worker, roll, donation):
    with pytest.raises(PermissionDenied):
        create(social_worker, roll, donation)

    assert not LabelBatch.objects.exists()


def test_a_small_batch_is_built_in_the_request(technician, roll, donation):
    with translation.override("en"):
        batch = create(technician, roll, donation, copies=2)

    assert batch.state == State.DONE
    assert (batch.total, batch.done, batch.percent) == (12, 12, 100)
    assert batch.finished_at is not None
    assert Path(batch.file.path).exists()
    assert pages(batch) == 12
    assert f"#{donation.pk}" in batch.description


def test_a_batch_above_the_limit_is_built_by_the_task_after_the_commit(
    technician, roll, donation, settings, django_capture_on_commit_callbacks, eager_celery
):
    settings.LABEL_INLINE_LIMIT = 5

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = create(technician, roll, donation)
    assert batch.state == State.PENDING
    assert len(callbacks) == 1
    # Celery is eager here: running the callback runs the task.
    callbacks[0]()

    batch.refresh_from_db()
    assert batch.state == State.DONE
    assert (batch.done, batch.total, batch.percent) == (6, 6, 100)
    assert pages(batch) == 6


def test_the_task_writes_the_progress_as_it_draws(technician, roll, donation, monkeypatch):
    seen = []

    def fake_build_pdf(layout, labels, *, start, copies, on_progress):
        for done in (2, 4, 6):
            on_progress(done, 6)
            seen.append(LabelBatch.objects.values_list("state", "done", "total").get())
        return b"%PDF-1.4 fake"

    monkeypatch.setattr(building, "build_pdf", fake_build_pdf)
    batch = pending_batch(technician, roll, donation, total=6)

    build_label_batch.apply(args=[str(batch.pk)]).get()

    assert seen == [(State.RUNNING, 2, 6), (State.RUNNING, 4, 6), (State.RUNNING, 6, 6)]
    batch.refresh_from_db()
    assert batch.state == State.DONE


def test_a_failing_build_marks_the_batch_failed_with_the_reason(
    technician, roll, donation, monkeypatch
):
    def broken_build_pdf(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(building, "build_pdf", broken_build_pdf)
    batch = pending_batch(technician, roll, donation, total=6)

    state = build_label_batch.apply(args=[str(batch.pk)]).get()

    batch.refresh_from_db()
    assert state == State.FAILED
    assert batch.state == State.FAILED
    assert "disk full" in batch.error
    assert batch.finished_at is not None
    assert not batch.file


def test_a_failing_build_in_the_request_shows_its_reason_on_the_batch_page(
    technician_client, roll, donation, monkeypatch
):
    def refusing_build_pdf(*args, **kwargs):
        raise ValueError("Ces étiquettes sont trop petites.")

    monkeypatch.setattr(building, "build_pdf", refusing_build_pdf)
    data = {"donation": donation.pk, "layout": roll.pk, "copies": 1, "action": "print"}

    response = technician_client.post("/labels/print/devices/", data, follow=True)

    batch = LabelBatch.objects.get()
    assert batch.state == State.FAILED
    assert "Ces étiquettes sont trop petites." in response.text
    assert "hx-trigger" not in response.text


def test_a_second_delivery_of_the_task_does_nothing(technician, roll, donation, monkeypatch):
    batch = create(technician, roll, donation)
    finished = batch.finished_at

    def must_not_run(*args, **kwargs):
        raise AssertionError("built twice")

    monkeypatch.setattr(building, "build_pdf", must_not_run)
    build_label_batch.apply(args=[str(batch.pk)]).get()

    batch.refresh_from_db()
    assert (batch.state, batch.finished_at) == (State.DONE, finished)


def test_the_task_of_a_deleted_batch_does_nothing(technician, roll, donation):
    batch_id = str(pending_batch(technician, roll, donation).pk)
    LabelBatch.objects.filter(pk=batch_id).delete()

    assert build_label_batch.apply(args=[batch_id]).get() is None


def test_a_start_outside_the_sheet_is_refused_before_any_batch(technician, donation):
    sheet = LabelLayout.objects.get(kind=LabelLayout.Kind.SHEET, columns=3, rows=7)

    with pytest.raises(ValidationError) as refused:
        create(technician, sheet, donation, start=22)

    assert "start" in refused.value.message_dict
    assert not LabelBatch.objects.exists()


def test_unknown_tags_are_refused_before_any_batch(technician, roll):
    params = {"tags": ["RE-999999"], "start": 1, "copies": 1}

    with pytest.raises(ValidationError) as refused:
        services.create_batch(
            by=technician, kind=LabelBatch.Kind.DEVICE, layout=roll, params=params
        )

    assert "RE-999999" in refused.value.messages[0]
    assert not LabelBatch.objects.exists()


# Expiry ---------------------------------------------------------------------------------


def test_expired_batches_lose_their_file_and_their_row(technician, roll, donation, settings):
    settings.LABEL_FILE_RETENTION_HOURS = 24
    old = create(technician, roll, donation)
    recent = create(technician, roll, donation)
    LabelBatch.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    old_file, recent_file = Path(old.file.path), Path(recent.file.path)

    deleted = delete_expired_label_files.apply().get()

    assert deleted == 1
    assert not old_file.exists()
    assert recent_file.exists()
    assert list(LabelBatch.objects.values_list("pk", flat=True)) == [recent.pk]


def test_expiry_tolerates_a_file_already_gone(technician, roll, donation):
    batch = create(technician, roll, donation)
    Path(batch.file.path).unlink()
    later = timezone.now() + datetime.timedelta(days=2)

    assert building.delete_expired_batches(now=later) == 1
    assert not LabelBatch.objects.exists()


def test_a_build_that_died_with_its_worker_is_marked_failed(technician, roll, donation):
    stalled = pending_batch(technician, roll, donation, state=State.RUNNING)
    waiting = pending_batch(technician, roll, donation)
    LabelBatch.objects.filter(pk=stalled.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )

    delete_expired_label_files.apply().get()

    stalled.refresh_from_db()
    waiting.refresh_from_db()
    assert stalled.state == State.FAILED and stalled.error
    assert waiting.state == State.PENDING


# Pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("technician", 200), ("coordinator", 200), ("other_technician", 404), ("social_worker", 403)],
)
@pytest.mark.parametrize("page", ["", "progress/", "download/"])
def test_a_batch_is_seen_by_its_creator_and_the_coordinators_only(
    role, expected, page, client, technician, roll, donation, user_for, roles
):
    batch = create(technician, roll, donation)
    if role == "other_technician":
        user = UserFactory(username="other", role="technician")
    else:
        user = user_for(role)
    client.force_login(user)

    response = client.get(f"/labels/batches/{batch.pk}/{page}")

    assert response.status_code == expected


def test_the_progress_partial_polls_while_the_batch_is_being_built(
    technician_client, technician, roll, donation
):
    batch = pending_batch(technician, roll, donation, state=State.RUNNING, total=80, done=20)

    response = technician_client.get(f"/labels/batches/{batch.pk}/progress/")

    assert f'hx-get="/labels/batches/{batch.pk}/progress/"' in response.text
    assert 'hx-trigger="every 1s"' in response.text
    assert '<progress max="100" value="25"' in response.text
    assert "25 %" in response.text
    assert "<html" not in response.text


def test_the_progress_partial_stops_polling_and_offers_the_file_when_done(
    technician_client, technician, roll, donation
):
    batch = create(technician, roll, donation)

    response = technician_client.get(f"/labels/batches/{batch.pk}/progress/")

    assert "hx-trigger" not in response.text
    assert f'href="/labels/batches/{batch.pk}/download/"' in response.text
    assert f'<iframe src="/labels/batches/{batch.pk}/download/?inline=1"' in response.text


def test_the_progress_partial_shows_the_error_of_a_failed_batch(
    technician_client, technician, roll, donation
):
    batch = pending_batch(technician, roll, donation, state=State.FAILED, error="Plus de papier.")

    response = technician_client.get(f"/labels/batches/{batch.pk}/progress/")

    assert "hx-trigger" not in response.text
    assert "Plus de papier." in response.text


@pytest.mark.parametrize("labels", [1, 5000])
def test_the_progress_partial_costs_a_few_queries_whatever_the_size(
    technician_client, technician, roll, donation, django_assert_max_num_queries, labels
):
    batch = pending_batch(technician, roll, donation, state=State.RUNNING, total=labels)

    # Session, user, the user's and their groups' permissions, their roles, the batch.
    with django_assert_max_num_queries(6):
        response = technician_client.get(f"/labels/batches/{batch.pk}/progress/")

    assert response.status_code == 200


def test_the_download_is_named_after_the_day(technician_client, technician, roll, donation):
    batch = create(technician, roll, donation)
    day = timezone.localdate().isoformat()

    attachment = technician_client.get(f"/labels/batches/{batch.pk}/download/")
    inline = technician_client.get(f"/labels/batches/{batch.pk}/download/?inline=1")

    assert attachment["Content-Type"] == "application/pdf"
    assert attachment["Content-Disposition"] == f'attachment; filename="etiquettes-{day}.pdf"'
    assert inline["Content-Disposition"] == f'inline; filename="etiquettes-{day}.pdf"'
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(attachment.streaming_content).startswith(b"%PDF")


def test_a_batch_not_ready_has_nothing_to_download(technician_client, technician, roll, donation):
    batch = pending_batch(technician, roll, donation)

    assert technician_client.get(f"/labels/batches/{batch.pk}/download/").status_code == 404


def test_the_labels_page_lists_my_recent_batches_only(
    technician_client, technician, coordinator, roll, donation
):
    mine = create(technician, roll, donation)
    theirs = create(coordinator, roll, donation)

    response = technician_client.get("/labels/")

    assert f"/labels/batches/{mine.pk}/" in response.text
    assert f"/labels/batches/{theirs.pk}/" not in response.text

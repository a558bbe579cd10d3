"""Large label batches cut into chunks of whole pages, planned apart, assembled into one PDF."""

import io

import pypdfium2
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation

from inventory.models import Device
from labels import building, chunks, services
from labels.content import device_labels, devices_for, location_labels
from labels.models import LabelBatch, LabelLayout
from labels.sheets import build_pdf
from labels.tasks import delete_expired_label_files
from tests.factories import DeviceFactory, DonationFactory, LocationFactory, SiteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "eager_celery")]

State = LabelBatch.State
A4_3X7 = "A4 3×7 · 63,5 × 38,1 mm (Avery L7160)"
# Longer than the 57 mm roll's bars allow (test_label_pdfs): its label cannot be drawn.
TOO_LONG = "RE-ZZZZZZZZZZZZZZZZ"


@pytest.fixture
def chunked(settings):
    """Batches above 5 labels go to the task, and chunks hold one A4 3×7 sheet."""
    settings.LABEL_INLINE_LIMIT = 5
    settings.LABEL_CHUNK_SIZE = 21


@pytest.fixture
def sheet():
    return LabelLayout.objects.get(name=A4_3X7)


@pytest.fixture
def roll():
    return LabelLayout.objects.get(kind=LabelLayout.Kind.ROLL, printer_dpi=300)


def donation_of(count, *tags):
    donation = DonationFactory()
    DeviceFactory.create_batch(count, donation=donation)
    for tag in tags:
        DeviceFactory(donation=donation, asset_tag=tag)
    return donation


def create(user, layout, donation, capture, **options):
    params = {"donation": donation.pk, "start": 1, "copies": 1, **options}
    with capture(execute=True):
        batch = services.create_batch(
            by=user, kind=LabelBatch.Kind.DEVICE, layout=layout, params=params
        )
    batch.refresh_from_db()
    return batch


def pdf_of(batch):
    with batch.file.open("rb") as handle:
        return handle.read()


def page_texts(pdf):
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    return [page.get_textpage().get_text_range() for page in document]


def chunk_files():
    if not default_storage.exists(chunks.FOLDER):
        return []
    return default_storage.listdir(chunks.FOLDER)[1]


def test_a_chunked_batch_is_the_very_pdf_of_one_build(
    technician, chunked, sheet, django_capture_on_commit_callbacks
):
    donation = donation_of(50)

    # 100 labels from the 5th position: chunks of 17, 21, 21, 21 and 20 labels.
    with translation.override("fr"):
        batch = create(technician, sheet, donation, django_capture_on_commit_callbacks,
                       start=5, copies=2)  # fmt: skip
        whole = build_pdf(sheet, device_labels(devices_for(donation=donation)), start=5, copies=2)

    assert batch.state == State.DONE, batch.error
    assert (batch.done, batch.total) == (100, 100)
    chunked_pdf = pdf_of(batch)
    assert len(page_texts(chunked_pdf)) == 5
    assert page_texts(chunked_pdf) == page_texts(whole)
    assert chunked_pdf == whole
    assert chunk_files() == []


def test_a_chunked_roll_keeps_its_labels_in_order(
    technician, chunked, roll, settings, django_capture_on_commit_callbacks
):
    settings.LABEL_CHUNK_SIZE = 4
    donation = donation_of(11)

    batch = create(technician, roll, donation, django_capture_on_commit_callbacks)

    tags = list(devices_for(donation=donation).values_list("asset_tag", flat=True))
    texts = page_texts(pdf_of(batch))
    assert len(texts) == 11
    assert [tag for text, tag in zip(texts, tags, strict=True) if tag in text] == tags
    assert pdf_of(batch) == build_pdf(roll, device_labels(devices_for(donation=donation)))


def test_a_batch_of_one_chunk_is_built_by_one_task(
    technician, chunked, sheet, monkeypatch, django_capture_on_commit_callbacks
):
    def must_not_split(batch):
        raise AssertionError("cut into chunks")

    monkeypatch.setattr(chunks, "split_batch", must_not_split)

    batch = create(technician, sheet, donation_of(21), django_capture_on_commit_callbacks)

    assert (batch.state, batch.done, batch.total) == (State.DONE, 21, 21)


def test_chunks_end_where_a_page_ends():
    parts = chunks.cut(list(range(100)), 4, 21)

    assert [position for position, _labels in parts] == [4, 21, 42, 63, 84]
    assert [len(labels) for _position, labels in parts] == [17, 21, 21, 21, 20]
    assert [label for _position, labels in parts for label in labels] == list(range(100))


def test_a_chunk_holds_whole_pages_and_one_at_least(settings, sheet, roll):
    settings.LABEL_CHUNK_SIZE = 50
    assert (chunks.chunk_length(sheet), chunks.chunk_length(roll)) == (42, 50)
    settings.LABEL_CHUNK_SIZE = 10
    assert chunks.chunk_length(sheet) == 21


def test_the_progress_of_the_chunks_adds_up_to_the_total(technician, chunked, sheet):
    donation = donation_of(60)
    batch = LabelBatch.objects.create(
        kind=LabelBatch.Kind.DEVICE, layout=sheet, params={"donation": donation.pk},
        created_by=technician, total=60,
    )  # fmt: skip

    parts = chunks.split_batch(batch)
    seen = []
    for index, (position, labels) in enumerate(parts):
        chunks.plan_chunk(str(batch.pk), index, position, labels)
        seen.append(LabelBatch.objects.values_list("state", "done").get())
    chunks.assemble_batch(str(batch.pk), len(parts))

    assert seen == [(State.RUNNING, 21), (State.RUNNING, 42), (State.RUNNING, 60)]
    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.total, batch.percent) == (State.DONE, 60, 60, 100)


def test_a_chunk_that_cannot_be_drawn_fails_the_batch_with_its_reason(
    technician, chunked, settings, django_capture_on_commit_callbacks
):
    settings.LABEL_CHUNK_SIZE = 4
    roll_57 = LabelLayout.objects.get(kind=LabelLayout.Kind.ROLL, printer_dpi=203)
    # Sorted by asset tag, the too long one is the last label, in the last chunk.
    donation = donation_of(10, TOO_LONG)

    with translation.override("en"):
        batch = create(technician, roll_57, donation, django_capture_on_commit_callbacks)

    assert batch.state == State.FAILED
    assert batch.error.startswith("The labels could not be built: The barcode “RE-ZZZ")
    assert "Choose" in batch.error
    assert not batch.file
    assert batch.finished_at is not None
    assert chunk_files() == []


def test_a_failed_chunk_stops_the_chunks_after_it(
    technician, chunked, sheet, monkeypatch, django_capture_on_commit_callbacks
):
    planned = []
    real = chunks.planned_labels

    def breaking_on_the_second(layout, labels, *, position):
        planned.append(position)
        if len(planned) == 2:
            raise RuntimeError("disk full")
        return real(layout, labels, position=position)

    monkeypatch.setattr(chunks, "planned_labels", breaking_on_the_second)

    batch = create(technician, sheet, donation_of(80), django_capture_on_commit_callbacks)

    assert batch.state == State.FAILED
    assert "disk full" in batch.error
    assert batch.done == 21  # the first chunk only
    assert planned == [0, 21]  # the third and fourth chunks found the batch failed
    assert not batch.file
    assert chunk_files() == []


def test_a_lost_chunk_fails_the_batch_rather_than_deliver_part_of_it(technician, chunked, sheet):
    donation = donation_of(30)
    batch = LabelBatch.objects.create(
        kind=LabelBatch.Kind.DEVICE, layout=sheet, params={"donation": donation.pk},
        created_by=technician, total=30,
    )  # fmt: skip
    parts = chunks.split_batch(batch)
    chunks.plan_chunk(str(batch.pk), 0, *parts[0])

    chunks.assemble_batch(str(batch.pk), len(parts))

    batch.refresh_from_db()
    assert batch.state == State.FAILED
    # Told in the language of whoever asked for the labels (French here).
    with translation.override(building.language_of(batch)):
        lost = translation.gettext("a part of the labels was lost before the PDF was put together")
    assert lost in batch.error
    assert not batch.file
    assert chunk_files() == []


def test_the_hourly_clean_up_deletes_the_chunks_of_batches_no_longer_built(technician, sheet):
    running, failed = (
        LabelBatch.objects.create(layout=sheet, created_by=technician, state=state)
        for state in (State.RUNNING, State.FAILED)
    )
    for batch in (running, failed):
        default_storage.save(chunks.chunk_name(batch.pk, 0), ContentFile(b"{}"))

    delete_expired_label_files.apply().get()

    assert chunk_files() == [chunks.chunk_name(running.pk, 0).rsplit("/", 1)[1]]


def test_location_labels_in_chunks_are_the_very_pdf_of_one_build(
    technician, chunked, sheet, django_capture_on_commit_callbacks
):
    site = SiteFactory()
    locations = LocationFactory.create_batch(30, site=site)
    params = {"locations": [location.pk for location in locations], "site": site.pk}

    with django_capture_on_commit_callbacks(execute=True):
        batch = services.create_batch(
            by=technician, kind=LabelBatch.Kind.LOCATION, layout=sheet, params=params
        )
    batch.refresh_from_db()

    assert (batch.state, batch.total) == (State.DONE, 30), batch.error
    ordered = sorted(locations, key=lambda location: location.code)
    assert pdf_of(batch) == build_pdf(sheet, location_labels(ordered))


def test_a_device_deleted_before_its_chunk_fails_the_batch_naming_it(technician, chunked, sheet):
    donation = donation_of(30)
    batch = LabelBatch.objects.create(
        kind=LabelBatch.Kind.DEVICE, layout=sheet, params={"donation": donation.pk},
        created_by=technician, total=30,
    )  # fmt: skip
    parts = chunks.split_batch(batch)
    gone = parts[1][1][0]
    Device.objects.filter(asset_tag=gone).delete()

    for index, (position, tags) in enumerate(parts):
        chunks.plan_chunk(str(batch.pk), index, position, tags)
    chunks.assemble_batch(str(batch.pk), len(parts))

    batch.refresh_from_db()
    assert batch.state == State.FAILED
    # In the language of the person who asked (the batch's params; French by default).
    assert batch.error == (
        "Les étiquettes n'ont pas pu être préparées : "
        f"Aucun appareil n'a le numéro d'inventaire {gone}."
    )
    assert not batch.file

"""A label printer attached to the server (LABEL_PRINT_COMMAND): the ready device's label
is printed with no click, and a printer that fails leaves it in the queue."""

import sys

import pytest

from inventory import workflow
from inventory.models import Status
from labels.models import LabelRequest
from tests.factories import DeviceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "eager_celery")]


@pytest.fixture
def printer(tmp_path, settings):
    """A print command that keeps what it is given, as `lp` would send it to the printer."""
    out = tmp_path / "printed.pdf"
    script = tmp_path / "print.py"
    script.write_text(f"import sys; open({str(out)!r}, 'ab').write(sys.stdin.buffer.read())\n")
    settings.LABEL_PRINT_COMMAND = f"{sys.executable} {script}"
    return out


def make_ready(technician):
    device = DeviceFactory(status=Status.REFURBISHING, refurbished=True)
    workflow.transition_device(device=device, target=Status.READY, by=technician)
    return device


def test_a_device_made_ready_has_its_label_printed_with_no_click(
    printer, technician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        device = make_ready(technician)

    assert printer.read_bytes().startswith(b"%PDF")
    request = LabelRequest.objects.get(device=device)
    assert request.printed_at is not None
    assert request.history.first().history_user == technician


def test_a_printer_that_fails_leaves_the_label_in_the_queue(
    settings, technician, django_capture_on_commit_callbacks, caplog
):
    settings.LABEL_PRINT_COMMAND = f"{sys.executable} -c 'import sys; sys.exit(3)'"

    with django_capture_on_commit_callbacks(execute=True):
        device = make_ready(technician)

    assert LabelRequest.objects.get(device=device).printed_at is None
    assert f"Label printer command failed for {device.asset_tag}: exit status 3" in caplog.text


def test_a_missing_printer_command_leaves_the_label_in_the_queue(
    settings, technician, django_capture_on_commit_callbacks
):
    settings.LABEL_PRINT_COMMAND = "/nonexistent/lp -d zebra"

    with django_capture_on_commit_callbacks(execute=True):
        device = make_ready(technician)

    assert LabelRequest.objects.get(device=device).printed_at is None


def test_without_a_printer_the_label_waits_for_print_the_queue(
    settings, technician, django_capture_on_commit_callbacks
):
    settings.LABEL_PRINT_COMMAND = ""

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        device = make_ready(technician)

    assert callbacks == []
    assert LabelRequest.objects.get(device=device).printed_at is None

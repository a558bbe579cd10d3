"""A device's label gives the organisation's phone where it fits (issue 16): whoever
finds the device, or has a question about it, knows whom to call."""

import pypdfium2 as pdfium
import pytest
from django.utils import translation

from inventory.models import Organisation
from labels.content import device_labels
from labels.sheets import build_pdf
from tests.factories import DeviceFactory
from tests.labels.test_label_pdfs import A4_2X7, layout_named

pytestmark = pytest.mark.django_db


def label_text(pdf):
    return " ".join(
        " ".join(page.get_textpage().get_text_range().split()) for page in pdfium.PdfDocument(pdf)
    )


def test_the_device_label_prints_the_organisation_and_its_phone():
    Organisation.objects.create(name="Ressourcerie numérique", phone="05 56 00 00 00")
    device = DeviceFactory(manufacturer="Dell", model="Latitude 5490")

    with translation.override("fr"):
        (label,) = device_labels([device])
        text = label_text(build_pdf(layout_named(A4_2X7), [label]))

    assert label.lines[-2] == "Ressourcerie numérique"
    assert label.lines[-1].endswith("05 56 00 00 00")
    assert "Ressourcerie numérique" in text
    assert "05 56 00 00 00" in text
    assert device.asset_tag in text


def test_without_a_phone_the_label_has_no_empty_line():
    Organisation.objects.create(name="Ressourcerie numérique")

    (label,) = device_labels([DeviceFactory()])

    assert label.lines[-1] == "Ressourcerie numérique"

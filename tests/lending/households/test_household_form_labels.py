"""The household form speaks French: every label, the social worker's included."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_social_worker_field_is_labelled_in_french(social_worker_client, structure):
    html = social_worker_client.get("/households/new/").content.decode()

    assert "Travailleur social" in html
    assert "Social worker" not in html

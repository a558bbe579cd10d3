from decimal import Decimal

import pytest

from inventory.models import Category, WeightDefault

pytestmark = pytest.mark.django_db


def test_default_weights_are_listed_with_their_source(superuser_client):
    response = superuser_client.get("/admin/inventory/weightdefault/")

    assert response.status_code == 200
    assert "pesées" in response.content.decode()


def test_a_coordinator_replaces_a_default_with_her_own_average(superuser_client):
    row = WeightDefault.objects.get(category=Category.LAPTOP)

    response = superuser_client.post(
        f"/admin/inventory/weightdefault/{row.pk}/change/",
        {"category": Category.LAPTOP, "kg": "2.25", "source": "Moyenne de 40 pesées, 2026"},
    )

    row.refresh_from_db()
    assert response.status_code == 302
    assert row.kg == Decimal("2.25")
    assert row.history.latest().history_user.is_superuser


def test_the_exits_ledger_is_read_only_in_the_admin(superuser_client):
    assert superuser_client.get("/admin/inventory/stockexit/").status_code == 200
    assert superuser_client.get("/admin/inventory/stockexit/add/").status_code == 403

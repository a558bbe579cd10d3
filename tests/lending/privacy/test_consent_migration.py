"""The data migration from the household's former consent fields to Consent rows."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("lending", "0006_leaks_lending_comments_social")]
AFTER = [("lending", "0007_consent_consents")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_only_the_sms_consent_becomes_a_consent_row(social_worker):
    old = _migrate(BEFORE)
    try:
        Structure = old.get_model("lending", "Structure")
        Household = old.get_model("lending", "Household")
        structure = Structure.objects.create(name="CCAS de Bruay")
        common = {
            "structure": structure,
            "social_worker_id": social_worker.pk,
            "consent_recorded_by_id": social_worker.pk,
            "consent_given_on": datetime.date(2026, 3, 2),
            "postcode": "62700",
            "commune": "Bruay",
        }
        Household.objects.create(
            code="F-0001", consent_purposes=["follow_up", "sms", "statistics"], **common
        )
        Household.objects.create(code="F-0002", consent_purposes=["follow_up"], **common)

        new = _migrate(AFTER)
    finally:
        _migrate(_latest())

    Consent = new.get_model("lending", "Consent")
    rows = list(Consent.objects.values_list("household__code", "purpose", "given_on"))
    assert rows == [("F-0001", "sms", datetime.date(2026, 3, 2))]
    history = new.get_model("lending", "HistoricalConsent").objects.get()
    assert history.history_type == "+"


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()

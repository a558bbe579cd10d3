"""The export in the columns of la Coop de la médiation numérique: who may download it,
what it holds (never an anonymised household's name, never a household the user may not
see), and its columns."""

import pytest

from lending.activity.coop_export import ACTIVITY_COLUMNS, BENEFICIARY_COLUMNS
from lending.models import HouseholdAccess
from lending.privacy.anonymise import anonymise_household
from spreadsheets.reading import read_sheet

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MARCH = "start=2026-03-01&end=2026-03-31"
BENEFICIARIES = "/activity/coop/beneficiaries/"
ACTIVITIES = "/activity/coop/activities/"

# The Coop's lists, written out: its beneficiary import (analyseImportBeneficiairesExcel.ts,
# columns 1 to 10) and its table of activities (buildActivitesWorksheet.ts).
COOP_BENEFICIARY_IMPORT = [
    "Nom",
    "Prénom",
    "Année de naissance",
    "Commune",
    "Code INSEE",
    "Code postal",
    "Numéro de téléphone",
    "E-mail",
    "Genre",
    "Notes supplémentaires",
]
COOP_ACTIVITIES = [
    "Date",
    "Type",
    "Nombre de participants",
    "Bénéficiaire",
    "Canaux d’accompagnement",
    "Lieu",
    "Durée (min)",
    "Nom de l’atelier",
    "Matériel numérique utilisé",
    "Thématique(s) d’accompagnement",
    "Nom de la démarche administrative",
    "Niveau d’autonomie du bénéficiaire",
    "Niveau de l’atelier",
    "Le bénéficiaire est-il orienté vers une autre structure ?",
    "La démarche est-elle finalisée ?",
    "Structure de redirection",
    "Commune de résidence du bénéficiaire",
    "Genre du bénéficiaire",
    "Tranche d’âge du bénéficiaire",
    "Statut du bénéficiaire",
    "Notes supplémentaires",
]


def _sheet(response, fmt="csv"):
    assert response.status_code == 200, response.content[:500]
    sheet = read_sheet(f"x.{fmt}", response.content)
    return sheet.headers, [cells for _line, cells in sheet.rows]


def test_the_columns_are_the_coops():
    assert BENEFICIARY_COLUMNS == COOP_BENEFICIARY_IMPORT
    assert ACTIVITY_COLUMNS == COOP_ACTIVITIES


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_files_have_the_coops_columns(march, coordinator_client, fmt):
    beneficiaries = coordinator_client.get(f"{BENEFICIARIES}?{MARCH}&export={fmt}")
    activities = coordinator_client.get(f"{ACTIVITIES}?{MARCH}&export={fmt}")

    assert _sheet(beneficiaries, fmt)[0] == COOP_BENEFICIARY_IMPORT
    assert _sheet(activities, fmt)[0] == COOP_ACTIVITIES
    assert beneficiaries["Content-Disposition"].endswith(
        f'coop-beneficiaires-2026-03-01-2026-03-31.{fmt}"'
    )


def test_the_coordinator_gets_the_households_reached_in_the_period(march, coordinator_client):
    _headers, rows = _sheet(coordinator_client.get(f"{BENEFICIARIES}?{MARCH}&export=csv"))

    # Equipped (A1, A2, B1) or present at a workshop (A1, B1); B2 and A3 were neither.
    names = {(row[0], row[1]) for row in rows}
    expected = {(h.last_name, h.first_name) for h in (march.a1, march.a2, march.b1)}
    assert names == expected
    by_name = {row[0]: row for row in rows}
    b1 = by_name[march.b1.last_name]
    assert (b1[3], b1[4], b1[5]) == ("Bruay-La-Buissière", "2A004", "62700")
    # Phone, e-mail, year of birth, gender, notes: never sent.
    assert all(not any(row[i] for i in (2, 6, 7, 8, 9)) for row in rows)


def test_the_export_is_written_in_the_access_log(march, coordinator, coordinator_client):
    coordinator_client.get(f"{BENEFICIARIES}?{MARCH}&export=csv")

    logged = HouseholdAccess.objects.filter(user=coordinator, detail="coop")
    assert {entry.household_id for entry in logged} == {march.a1.pk, march.a2.pk, march.b1.pk}


def test_a_social_worker_exports_her_structures_households_only(march, social_worker_client):
    _headers, rows = _sheet(social_worker_client.get(f"{BENEFICIARIES}?{MARCH}&export=csv"))
    assert {row[0] for row in rows} == {march.a1.last_name, march.a2.last_name}

    _headers, rows = _sheet(social_worker_client.get(f"{ACTIVITIES}?{MARCH}&export=csv"))
    workshops = [row for row in rows if row[1] == "Collectif"]
    hand_overs = [row for row in rows if row[1] == "Individuel"]
    # The 2 March workshop with A1 only (B1 is another structure's, A2 was absent), the
    # 16 March one with A1; the hand-overs of A1 and A2.
    assert [row[2] for row in workshops] == ["1", "1"]
    assert len(hand_overs) == 2
    assert all(row[19] in {"Sans emploi", "Retraité"} for row in hand_overs)


def test_the_activities_carry_categories_never_names(march, coordinator_client):
    _headers, rows = _sheet(coordinator_client.get(f"{ACTIVITIES}?{MARCH}&export=csv"))

    first = rows[0]
    assert first[1] == "Collectif"
    assert first[2] == "2"  # A1 and B1 present on 2 March
    assert first[6] == "90"
    assert first[18].split("\n") == ["25 - 39 ans", "40 - 59 ans"]
    assert first[19].split("\n") == ["Sans emploi", "En emploi"]
    text = "\n".join(str(cell) for row in rows for cell in row)
    for household in (march.a1, march.a2, march.b1, march.b2):
        assert household.last_name not in text
        assert household.first_name not in text


def test_an_anonymised_household_is_left_out_of_the_beneficiaries(march, coordinator_client):
    last_name = march.a1.last_name
    anonymise_household(march.a1, by=None, reason="retention")

    _headers, rows = _sheet(coordinator_client.get(f"{BENEFICIARIES}?{MARCH}&export=csv"))
    assert last_name not in {row[0] for row in rows}
    assert len(rows) == 2
    # Its categories still count in the activities.
    _headers, rows = _sheet(coordinator_client.get(f"{ACTIVITIES}?{MARCH}&export=csv"))
    assert rows[0][2] == "2"


@pytest.mark.parametrize("url", ["/activity/coop/", BENEFICIARIES, ACTIVITIES])
def test_a_technician_is_refused(march, technician_client, url):
    assert technician_client.get(f"{url}?{MARCH}&export=csv").status_code == 403


def test_the_page_offers_the_two_files(coordinator_client):
    response = coordinator_client.get("/activity/coop/")

    assert response.status_code == 200
    assert BENEFICIARIES.encode() in response.content
    assert ACTIVITIES.encode() in response.content


def test_a_wrong_period_is_a_message_not_an_error(coordinator_client):
    response = coordinator_client.get(f"{BENEFICIARIES}?start=2026-03-31&end=2026-03-01")

    assert response.status_code == 400
    assert b"The end of the period cannot come before its start." in response.content
    response = coordinator_client.get(f"{ACTIVITIES}?start=hier&end=")
    assert response.status_code == 400


@pytest.mark.parametrize("households", [5, 50])
def test_the_activities_export_costs_a_constant_number_of_queries(
    households, march, coordinator_client, django_assert_max_num_queries
):
    from tests.lending.activity.conftest import at
    from tests.lending.activity.test_figures import _equip

    _equip(households, march.programme, at(15))
    with django_assert_max_num_queries(20):
        coordinator_client.get(f"{ACTIVITIES}?{MARCH}&export=csv")

"""The coordinators' page of impact factors and the form of a new version."""

import pytest

from inventory.models import FactorSet

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LIST = "/impact/factors/"
NEW = "/impact/factors/new/"


def form_data(**changes):
    factors = FactorSet.latest().factors.all()
    data = {"reason": "Corrected figures"}
    for f in factors:
        prefix = f"{f.category}__{f.method}__"
        data[prefix + "kg_co2e"] = str(f.kg_co2e)
        data[prefix + "source_title"] = f.source_title
        data[prefix + "source_url"] = f.source_url
        data[prefix + "year"] = str(f.year)
        if f.assumed_second_life_years is not None:
            data[prefix + "assumed_second_life_years"] = str(f.assumed_second_life_years)
    data.update(changes)
    return data


def test_the_page_lists_every_factor_with_its_source(
    coordinator_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = coordinator_client.get(LIST)

    page = response.content.decode()
    assert response.status_code == 200
    assert "librairie.ademe.fr/dechets-economie-circulaire/5241-" in page
    assert "librairie.ademe.fr/consommer-autrement/5226-" in page
    assert "182.6" in page and "24.6" in page


def test_a_coordinator_publishes_a_new_version(coordinator_client, coordinator):
    response = coordinator_client.post(NEW, form_data(laptop__yearly__kg_co2e="30"))

    assert response.status_code == 302 and response["Location"] == LIST
    v2 = FactorSet.latest()
    assert v2.version == 2 and v2.notes == "Corrected figures"
    assert v2.factors.get(category="laptop", method="yearly").kg_co2e == 30


def test_an_unchanged_form_says_so(coordinator_client):
    response = coordinator_client.post(NEW, form_data())

    assert response.status_code == 200
    assert "Nothing changed" in response.content.decode()
    assert FactorSet.objects.count() == 1


def test_a_bad_number_is_shown_beside_its_field(coordinator_client):
    response = coordinator_client.post(NEW, form_data(laptop__yearly__kg_co2e="lots"))

    assert response.status_code == 200
    assert "Enter a number." in response.content.decode()


@pytest.mark.parametrize("role", ["technician", "social_worker"])
def test_other_roles_may_not_see_or_change_factors(client_for, role):
    client = client_for(role)

    assert client.get(LIST).status_code == 403
    assert client.post(NEW, form_data(laptop__yearly__kg_co2e="30")).status_code == 403
    assert FactorSet.objects.count() == 1


def test_the_page_says_which_categories_have_no_factor(coordinator_client):
    page = coordinator_client.get(LIST).content.decode()

    assert "4G router · Avoided per year of second life — no published factor" in page
    assert "4G router · Manufacturing footprint (upper bound) — no published factor" in page
    assert "Laptop · Avoided per year of second life — no published factor" not in page

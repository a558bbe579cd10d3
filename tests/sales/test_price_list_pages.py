"""The price list (category × grade) and the proofs of eligibility: coordinators edit
them, each price change is a history row, bad prices are refused with nothing saved,
technicians only read."""

from decimal import Decimal

import pytest

from inventory.models import Category, Grade
from sales.models import EligibilityProof, Price
from tests.sales_factories import EligibilityProofFactory, PriceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def laptop_b(db):
    return PriceFactory(price=Decimal("50.00"), solidarity_price=Decimal("20.00"))


def grid(client, **changes):
    """The grid as the page shows it, with `changes` ({"laptop-B-price": "60"}) typed in."""
    fields = client.get("/sales/prices/").context["form"].fields
    data = {
        name: "" if field.initial is None else str(field.initial) for name, field in fields.items()
    }
    return {**data, **changes}


def prices():
    return {(p.category, p.grade): (p.price, p.solidarity_price) for p in Price.objects.all()}


def test_a_coordinator_changes_a_price_and_the_history_says_who(
    coordinator, coordinator_client, laptop_b
):
    data = grid(coordinator_client, **{"laptop-B-price": "60", "laptop-B-solidarity": "25"})

    response = coordinator_client.post("/sales/prices/", data)

    assert response.status_code == 302
    assert prices() == {("laptop", "B"): (Decimal("60.00"), Decimal("25.00"))}
    latest = laptop_b.history.order_by("-history_date", "-pk").first()
    assert (latest.history_type, latest.history_user, latest.price) == (
        "~",
        coordinator,
        Decimal("60.00"),
    )
    page = coordinator_client.get("/sales/prices/")
    assert [entry.price for entry in page.context["history"]][:2] == [
        Decimal("60.00"),
        Decimal("50.00"),
    ]


def test_saving_the_grid_unchanged_writes_no_history(coordinator_client, laptop_b):
    coordinator_client.post("/sales/prices/", grid(coordinator_client))

    assert laptop_b.history.count() == 1


def test_a_new_cell_adds_a_price_and_an_emptied_cell_removes_one(
    coordinator, coordinator_client, laptop_b
):
    data = grid(
        coordinator_client,
        **{
            "desktop-A-price": "80",
            "desktop-A-solidarity": "35",
            "laptop-B-price": "",
            "laptop-B-solidarity": "",
        },
    )

    coordinator_client.post("/sales/prices/", data)

    assert prices() == {("desktop", "A"): (Decimal("80.00"), Decimal("35.00"))}
    removed = Price.history.filter(history_type="-").get()
    assert (removed.category, removed.grade, removed.history_user) == ("laptop", "B", coordinator)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"laptop-B-solidarity": "70"},
            "laptop-B-solidarity",
            "The solidarity price cannot be above the price.",
        ),
        ({"laptop-B-price": "-5"}, "laptop-B-price", "A price cannot be negative."),
        (
            {"tablet-C-price": "30"},
            "tablet-C-solidarity",
            "Give both prices, or leave both empty (the same twice for no reduction).",
        ),
        ({"laptop-B-price": "beaucoup"}, "laptop-B-price", "Enter a number."),
    ],
)
def test_a_bad_price_is_refused_on_its_cell_and_nothing_is_saved(
    coordinator_client, laptop_b, changes, field, message
):
    # Another, valid change in the same grid: it is not saved either.
    data = grid(coordinator_client, **{"desktop-A-price": "80", "desktop-A-solidarity": "30"})

    response = coordinator_client.post("/sales/prices/", {**data, **changes})

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "Nothing was saved" in response.content.decode()
    assert prices() == {("laptop", "B"): (Decimal("50.00"), Decimal("20.00"))}
    assert Price.history.count() == 1


def test_a_technician_reads_the_price_list_but_cannot_change_it(technician_client, laptop_b):
    page = technician_client.get("/sales/prices/")
    data = {"laptop-B-price": "1", "laptop-B-solidarity": "1"}

    response = technician_client.post("/sales/prices/", data)

    assert page.status_code == 200
    assert all(field.disabled for field in page.context["form"].fields.values())
    assert b"Save the price list" not in page.content
    assert response.status_code == 403
    assert prices() == {("laptop", "B"): (Decimal("50.00"), Decimal("20.00"))}


def test_the_grid_has_a_cell_for_every_category_and_grade(coordinator_client):
    form = coordinator_client.get("/sales/prices/").context["form"]

    assert len(form.rows()) == len(Category.values)
    assert [grade for grade, _price, _solidarity in form.rows()[0][1]] == [
        Grade.A,
        Grade.B,
        Grade.C,
        Grade.PARTS,
    ]


# Proofs of eligibility ---------------------------------------------------------------------


def test_a_coordinator_adds_a_proof_of_eligibility(coordinator_client):
    response = coordinator_client.post(
        "/sales/proofs/", {"new-name": " Carte  CMI ", "new-order": "5"}
    )

    assert response.status_code == 302
    proof = EligibilityProof.objects.get(name="Carte CMI")
    assert (proof.order, proof.active) == (5, True)


def test_a_proof_with_a_name_already_used_is_refused(coordinator_client):
    EligibilityProofFactory(name="Carte CMI")

    response = coordinator_client.post(
        "/sales/proofs/", {"new-name": "carte cmi", "new-order": "0"}
    )

    assert response.status_code == 200
    assert "A proof of eligibility with this name already exists." in response.content.decode()
    assert EligibilityProof.objects.filter(name__iexact="carte cmi").count() == 1


def test_a_coordinator_renames_and_deactivates_a_proof(coordinator_client):
    proof = EligibilityProofFactory(name="Bourse", order=3)
    prefix = f"p{proof.pk}"

    response = coordinator_client.post(
        f"/sales/proofs/{proof.pk}/", {f"{prefix}-name": "Bourse étudiante", f"{prefix}-order": "4"}
    )

    proof.refresh_from_db()
    assert response.url == "/sales/proofs/"
    assert (proof.name, proof.order, proof.active) == ("Bourse étudiante", 4, False)


def test_a_technician_reads_the_proofs_but_cannot_change_them(technician_client):
    proof = EligibilityProofFactory(name="Bourse")
    prefix = f"p{proof.pk}"

    page = technician_client.get("/sales/proofs/")
    added = technician_client.post("/sales/proofs/", {"new-name": "Autre", "new-order": "0"})
    edited = technician_client.post(
        f"/sales/proofs/{proof.pk}/", {f"{prefix}-name": "X", f"{prefix}-order": "0"}
    )

    assert page.status_code == 200
    assert b"/sales/proofs/%d/" % proof.pk not in page.content
    assert (added.status_code, edited.status_code) == (403, 403)
    proof.refresh_from_db()
    assert (proof.name, proof.active) == ("Bourse", True)
    assert not EligibilityProof.objects.filter(name="Autre").exists()


def test_the_shipped_proofs_are_listed(coordinator_client):
    shipped = list(EligibilityProof.objects.values_list("name", flat=True))

    response = coordinator_client.get("/sales/proofs/")

    assert [proof.name for proof, _form in response.context["rows"]] == shipped

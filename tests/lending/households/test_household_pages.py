"""The social worker's household pages: register, read, edit, comment, apply."""

import re

import pytest
from django.contrib.messages import get_messages

from inventory.models import Comment
from lending.models import Criterion, Enrolment, Household, Loan
from tests.factories import UserFactory
from tests.lending_factories import (
    AttendanceFactory,
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
    StructureFactory,
    WorkshopFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def household(structure, social_worker):
    return HouseholdFactory(structure=structure, social_worker=social_worker)


@pytest.fixture
def other_household():
    """A household of a structure the social worker does not belong to."""
    return HouseholdFactory(structure=StructureFactory(), last_name="Autrestructure")


def _form_data(structure, worker, **changes):
    data = {
        "structure": structure.pk,
        "social_worker": worker.pk,
        "first_name": "Samia",
        "last_name": "Benali",
        "phone": "06 11 22 33 44",
        "email": "",
        "postcode": "62700",
        "commune": "Bruay-La-Buissière",
        "size": "4",
        "school_age_children": "2",
        "situations": [Criterion.objects.get(name="Bénéficiaire du RSA").pk],
        "needs": ["school", "admin"],
        "consents": ["sms"],
        "notes": "",
    }
    return {**data, **changes}


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_social_worker_registers_a_household_with_a_new_code(
    social_worker_client, social_worker, structure
):
    response = social_worker_client.post("/households/new/", _form_data(structure, social_worker))

    household = Household.objects.get(last_name="Benali")
    assert re.fullmatch(r"F-\d{4}", household.code)
    assert response.status_code == 302
    assert response["Location"] == f"/households/{household.code}/"
    assert _messages(response) == [f"Household {household.code} registered."]
    assert household.consents.get().recorded_by == social_worker
    assert [c.name for c in household.situations.all()] == ["Bénéficiaire du RSA"]
    assert household.history.get().history_user == social_worker


def test_a_household_that_refuses_every_optional_consent_is_registered(
    social_worker_client, social_worker, structure
):
    data = _form_data(structure, social_worker)
    del data["consents"]

    response = social_worker_client.post("/households/new/", data)

    household = Household.objects.get(last_name="Benali")
    assert response.status_code == 302
    assert not household.consents.exists()


def test_a_postcode_of_four_digits_is_refused_on_its_field(
    social_worker_client, social_worker, structure
):
    data = _form_data(structure, social_worker, postcode="6270")

    response = social_worker_client.post("/households/new/", data)

    assert response.context["form"].errors["postcode"] == ["A French postcode has five digits."]
    assert not Household.objects.exists()


def test_more_children_than_people_is_refused_on_the_childrens_field(
    social_worker_client, social_worker, structure
):
    data = _form_data(structure, social_worker, size="2", school_age_children="2")

    response = social_worker_client.post("/households/new/", data)

    assert "count the adults" in response.context["form"].errors["school_age_children"][0]
    assert not Household.objects.exists()


def test_a_social_worker_cannot_register_a_household_for_another_structure(
    social_worker_client, social_worker
):
    data = _form_data(StructureFactory(), social_worker)

    response = social_worker_client.post("/households/new/", data)

    assert "structure" in response.context["form"].errors
    assert not Household.objects.exists()


def test_the_social_worker_must_belong_to_the_chosen_structure(
    social_worker_client, social_worker, structure
):
    outsider = StructureFactory(members=[UserFactory()]).members.get()
    StructureFactory(members=[social_worker, outsider])

    response = social_worker_client.post("/households/new/", _form_data(structure, outsider))

    assert "is not a social worker of" in response.context["form"].errors["social_worker"][0]
    assert not Household.objects.exists()


def test_the_form_preselects_the_only_structure_and_the_user(
    social_worker_client, social_worker, structure
):
    form = social_worker_client.get("/households/new/").context["form"]

    assert form["structure"].value() == structure.pk
    assert form["social_worker"].value() == social_worker.pk
    assert list(form.fields["structure"].queryset) == [structure]


def test_the_form_marks_health_data_criteria(social_worker_client, structure):
    response = social_worker_client.get("/households/new/")

    assert "Bénéficiaire de l&#x27;AAH (health data)" in response.content.decode()
    assert "explicit consent" in response.content.decode()


def test_a_coordinator_cannot_register_a_household(coordinator_client):
    assert coordinator_client.get("/households/new/").status_code == 403


def test_a_social_worker_edits_a_household_and_the_history_says_who(
    social_worker_client, social_worker, structure, household
):
    data = _form_data(structure, social_worker, commune="Houdain", postcode="62150")
    del data["consents"]

    response = social_worker_client.post(f"/households/{household.code}/edit/", data)

    household.refresh_from_db()
    assert response.status_code == 302
    assert household.commune == "Houdain"
    assert household.history.latest().history_user == social_worker


def test_the_detail_shows_the_household_its_consent_and_its_attendance(
    social_worker_client, social_worker, structure, household
):
    programme = ProgrammeFactory(structures=[structure], expected_workshops=6)
    loan = LoanFactory(enrolment=EnrolmentFactory(household=household, programme=programme))
    for _ in range(2):
        AttendanceFactory(household=household, workshop=WorkshopFactory(programme=programme))

    response = social_worker_client.get(f"/households/{household.code}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert household.last_name in page
    assert "2 of 6" in page
    assert f'href="/loans/{loan.pk}/"' in page
    assert f"recorded by {social_worker.get_full_name()}" in page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/households/{code}/"),
        ("get", "/households/{code}/edit/"),
        ("post", "/households/{code}/edit/"),
        ("post", "/households/{code}/comment/"),
        ("post", "/households/{code}/apply/"),
    ],
)
def test_another_structures_household_answers_404(
    social_worker_client, structure, other_household, method, path
):
    programme = ProgrammeFactory(structures=[other_household.structure, structure])

    url = path.format(code=other_household.code)
    response = getattr(social_worker_client, method)(
        url, {"body": "Bonjour", "programme": programme.pk}
    )

    assert response.status_code == 404
    assert "Autrestructure" not in response.content.decode()
    assert not Comment.objects.exists()
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("path", ["/households/", "/households/{code}/"])
def test_a_technician_is_refused_and_never_sees_a_name(technician_client, household, path):
    response = technician_client.get(path.format(code=household.code))

    assert response.status_code == 403
    assert household.last_name not in response.content.decode()


def test_the_list_shows_only_the_households_of_the_users_structures(
    social_worker_client, household, other_household
):
    response = social_worker_client.get("/households/")

    assert [h.code for h in response.context["page"]] == [household.code]


def test_a_coordinator_lists_the_households_of_the_programmes_they_coordinate(
    coordinator_client, coordinator, household, other_household
):
    EnrolmentFactory(household=household, programme=ProgrammeFactory(coordinators=[coordinator]))
    EnrolmentFactory(household=other_household)

    response = coordinator_client.get("/households/")

    assert [h.code for h in response.context["page"]] == [household.code]


def test_the_list_searches_by_name_and_commune(social_worker_client, structure):
    HouseholdFactory(structure=structure, last_name="Lefebvre", commune="Houdain")
    HouseholdFactory(structure=structure, last_name="Martin", commune="Béthune")

    by_name = social_worker_client.get("/households/", {"q": "lefeb"}).context["page"]
    by_commune = social_worker_client.get("/households/", {"q": "béthune"}).context["page"]

    assert [h.last_name for h in by_name] == ["Lefebvre"]
    assert [h.last_name for h in by_commune] == ["Martin"]


def test_the_list_filters_by_programme_and_enrolment_status(social_worker_client, structure):
    programme = ProgrammeFactory(structures=[structure])
    enrolled = HouseholdFactory(structure=structure)
    applied = HouseholdFactory(structure=structure)
    elsewhere = HouseholdFactory(structure=structure)
    EnrolmentFactory(household=enrolled, programme=programme)
    EnrolmentFactory(household=applied, programme=programme, status=Enrolment.Status.APPLIED)
    EnrolmentFactory(household=elsewhere, programme=ProgrammeFactory(structures=[structure]))
    loner = HouseholdFactory(structure=structure)

    def codes(**query):
        return {h.code for h in social_worker_client.get("/households/", query).context["page"]}

    assert codes(programme=programme.pk) == {enrolled.code, applied.code}
    assert codes(programme=programme.pk, status="applied") == {applied.code}
    assert codes(status="none") == {loner.code}
    assert codes(programme="not-a-number") == {
        enrolled.code,
        applied.code,
        elsewhere.code,
        loner.code,
    }


@pytest.mark.parametrize("count", [10, 200])
def test_the_list_runs_the_same_queries_whatever_the_number_of_households(
    social_worker_client, structure, count, django_assert_max_num_queries
):
    programme = ProgrammeFactory(structures=[structure])
    worker = structure.members.get()
    households = Household.objects.bulk_create(
        HouseholdFactory.build(structure=structure, social_worker=worker) for _ in range(count)
    )
    enrolments = Enrolment.objects.bulk_create(
        EnrolmentFactory.build(household=h, programme=programme, applied_by=worker)
        for h in households
    )
    Loan.objects.bulk_create(
        LoanFactory.build(
            enrolment=e, household=e.household, programme=programme, requested_by=worker
        )
        for e in enrolments
    )

    with django_assert_max_num_queries(10):
        response = social_worker_client.get("/households/", {"programme": programme.pk})

    assert len(response.context["page"]) == min(count, 50)
    assert response.content.decode().count('href="/loans/') == min(count, 50)


def test_a_comment_is_added_to_the_history_and_the_panel_redrawn_for_htmx(
    social_worker_client, social_worker, household
):
    response = social_worker_client.post(
        f"/households/{household.code}/comment/",
        {"body": "Appel de la mère : RDV mardi."},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.templates[0].name == "inventory/_chatter.html"
    assert "RDV mardi" in response.content.decode()
    assert Comment.objects.get().author == social_worker


def test_an_empty_comment_is_refused_with_a_message(social_worker_client, household):
    response = social_worker_client.post(f"/households/{household.code}/comment/", {"body": " "})

    assert response.status_code == 302
    assert _messages(response) == ["A comment cannot be empty."]
    assert not Comment.objects.exists()


def test_a_social_worker_applies_for_a_household(
    social_worker_client, social_worker, structure, household
):
    programme = ProgrammeFactory(structures=[structure], name="Atelier Bruay 2026")

    response = social_worker_client.post(
        f"/households/{household.code}/apply/", {"programme": programme.pk, "note": "Deux enfants"}
    )

    enrolment = Enrolment.objects.get()
    assert response.status_code == 302
    assert (enrolment.household, enrolment.programme) == (household, programme)
    assert enrolment.status == Enrolment.Status.APPLIED
    assert enrolment.applied_by == social_worker
    assert _messages(response) == [f"{household.code} is now “Applied” in “Atelier Bruay 2026”."]


def test_the_apply_form_offers_only_the_programmes_the_household_is_not_in(
    social_worker_client, structure, household
):
    taken = ProgrammeFactory(structures=[structure])
    free = ProgrammeFactory(structures=[structure])
    ProgrammeFactory()  # its structure is not a partner
    EnrolmentFactory(household=household, programme=taken)

    response = social_worker_client.get(f"/households/{household.code}/")

    assert list(response.context["apply_form"].fields["programme"].queryset) == [free]


def test_applying_twice_to_the_same_programme_says_why(social_worker_client, structure, household):
    programme = ProgrammeFactory(structures=[structure])
    EnrolmentFactory(household=household, programme=programme)

    response = social_worker_client.post(
        f"/households/{household.code}/apply/", {"programme": programme.pk}
    )

    assert _messages(response) == ["Choose a programme this household is not already in."]
    assert Enrolment.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "path", "expected"),
    [
        ("social_worker", "/households/", 200),
        ("social_worker", "/households/new/", 200),
        ("social_worker", "/households/{code}/", 200),
        ("social_worker", "/households/{code}/edit/", 200),
        ("coordinator", "/households/", 200),
        ("coordinator", "/households/new/", 403),
        ("coordinator", "/households/{code}/edit/", 403),
        ("superuser", "/households/", 200),
        ("superuser", "/households/new/", 200),
        ("superuser", "/households/{code}/", 200),
        ("superuser", "/households/{code}/edit/", 200),
        ("technician", "/households/new/", 403),
        ("technician", "/households/{code}/edit/", 403),
        ("anonymous", "/households/", 302),
        ("anonymous", "/households/{code}/", 302),
    ],
)
def test_who_may_open_the_household_pages(client_for, household, role, path, expected):
    response = client_for(role).get(path.format(code=household.code))

    assert response.status_code == expected


@pytest.mark.parametrize("path", ["/households/{code}/comment/", "/households/{code}/apply/"])
def test_household_actions_are_post_only(social_worker_client, household, path):
    assert social_worker_client.get(path.format(code=household.code)).status_code == 405

"""Households and applications to programmes in and out of spreadsheets: only for the
social workers who follow them, only into their own structures, with the rules of the
household form and of apply_for_programme; loans exported without a name."""

import pytest

from exchange import engine
from exchange.models import ImportJob
from lending.enrolments.resources import EnrolmentResource
from lending.households.resources import HouseholdResource
from lending.models import Criterion, Enrolment, Household, Programme
from spreadsheets.exporting import export_dataset
from spreadsheets.reading import read_sheet
from tests.factories import UserFactory
from tests.lending_factories import (
    EnrolmentFactory,
    HouseholdFactory,
    LoanFactory,
    ProgrammeFactory,
    StructureFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = (
    "Code;Prénom;Nom;Téléphone;Code postal;Commune;Personnes;Enfants;Situations;Besoins;Structure"
)


@pytest.fixture
def structure(social_worker):
    return StructureFactory(name="CCAS de Bruay", members=[social_worker])


@pytest.fixture
def household(structure, social_worker):
    return HouseholdFactory(structure=structure, social_worker=social_worker, last_name="Benali")


@pytest.fixture
def other_household():
    """A household of a structure the social worker does not belong to."""
    return HouseholdFactory(structure=StructureFactory(), last_name="Autrestructure")


def _row(code="", *, structure="CCAS de Bruay", size="4", children="2", **cells):
    values = {
        "code": code,
        "first_name": "Samia",
        "last_name": "Benali",
        "phone": "06 11 22 33 44",
        "postcode": "62700",
        "commune": "Bruay-La-Buissière",
        "size": size,
        "children": children,
        "situations": "Bénéficiaire du RSA",
        "needs": "School work",
        "structure": structure,
    }
    values.update(cells)
    return ";".join(values.values())


def _csv(*rows, header=HEADER):
    return "\r\n".join([header, *rows]).encode("utf-8")


def _job(user, content, resource="households", filename="foyers.csv"):
    return ImportJob.objects.create(
        resource=resource, filename=filename, content=content, created_by=user, options={}
    )


def _preview(user, content, resource="households"):
    """The rows of the preview of `content`."""
    job = engine.analyse(_job(user, content, resource))
    return list(job.rows.order_by("line"))


def _messages(row):
    return [(m["column"], m["message"]) for m in row.messages]


# Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "imports", "exports"),
    [
        ("technician", False, False),
        ("coordinator", False, True),
        ("social_worker", True, True),
        ("superuser", True, True),
    ],
)
def test_only_social_workers_import_households(user_for, role, imports, exports):
    user = user_for(role)

    assert HouseholdResource.may_import(user) is imports
    assert HouseholdResource.may_export(user) is exports


def test_a_technician_may_not_export_the_households(technician_client, household):
    response = technician_client.get("/households/?export=csv")

    assert response.status_code == 403
    assert household.last_name.encode() not in response.content


def test_a_social_worker_exports_only_the_households_of_their_structure(
    social_worker_client, household, other_household
):
    response = social_worker_client.get("/households/?export=csv")

    text = response.content.decode("utf-8-sig")
    assert household.code in text
    assert household.last_name in text
    assert other_household.code not in text
    assert other_household.last_name not in text


def test_the_household_export_writes_the_columns_of_the_import(social_worker, household):
    household.situations.set([Criterion.objects.get(name="Bénéficiaire du RSA")])
    content = export_dataset(
        HouseholdResource, HouseholdResource.export_queryset(social_worker), "csv", social_worker
    )

    sheet = read_sheet("x.csv", content)
    row = dict(zip(sheet.headers, next(iter(sheet.rows))[1], strict=True))
    assert row["Household code"] == household.code
    assert row["Situations"] == "Bénéficiaire du RSA"
    assert row["Structure"] == "CCAS de Bruay"
    assert row["Social worker"] == "social-worker"
    assert row["Consents"] == "Reminders by text message"


def test_the_household_export_follows_the_list_filters(social_worker_client, structure):
    HouseholdFactory(structure=structure, commune="Houdain")
    HouseholdFactory(structure=structure, commune="Bruay")

    response = social_worker_client.get("/households/?q=houdain&export=csv")

    rows = list(read_sheet("x.csv", response.content).rows)
    assert [cells[6] for _line, cells in rows] == ["Houdain"]


def test_a_technician_exports_the_loans_without_any_name(technician_client):
    loan = LoanFactory(household=HouseholdFactory(first_name="Samia", last_name="Benali"))

    response = technician_client.get("/loans/?export=csv")

    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200
    assert loan.household.code in text
    assert "Benali" not in text
    assert "Samia" not in text


# Importing households -------------------------------------------------------------------


def test_a_new_household_gets_its_code_its_situations_and_its_history(social_worker, structure):
    job = engine.apply(_job(social_worker, _csv(_row(), _row(last_name="Martin"))))

    assert job.status == ImportJob.Status.DONE
    assert job.counts == {"new": 2, "update": 0, "unchanged": 0, "error": 0}
    benali = Household.objects.get(last_name="Benali")
    assert benali.code.startswith("F-")
    assert Household.objects.get(last_name="Martin").code != benali.code
    assert [c.name for c in benali.situations.all()] == ["Bénéficiaire du RSA"]
    assert benali.structure == structure
    assert benali.social_worker == social_worker
    # Consents are ticked on the household's form with the family, never imported.
    assert not benali.consents.exists()
    assert benali.history.get().history_user == social_worker


def test_a_sensitive_situation_is_not_imported_without_the_explicit_consent(
    social_worker, structure
):
    content = _csv(_row(situations="Bénéficiaire de l'AAH"))

    (row,) = _preview(social_worker, content)

    assert row.kind == "error"
    ((column, message),) = _messages(row)
    assert column == "Situations"
    assert "explicit consent" in message
    engine.apply(_job(social_worker, content))
    assert not Household.objects.exists()


def test_there_are_fewer_school_age_children_than_people(social_worker, structure):
    (row,) = _preview(social_worker, _csv(_row(size="2", children="2")))

    assert _messages(row) == [
        (
            "School-age children",
            "2 school-age children in a household of 2 people: count the adults in the "
            "household's size too.",
        )
    ]


def test_an_unknown_situation_is_named(social_worker, structure):
    (row,) = _preview(social_worker, _csv(_row(situations="RSA, Locataire HLM")))

    assert row.kind == "error"
    ((column, message),) = _messages(row)
    assert column == "Situations"
    assert message.startswith("“RSA” is not a situation Réemploi knows (")


def test_situations_are_matched_whatever_their_case_and_accents(social_worker, structure):
    content = _csv(_row(situations="beneficiaire du rsa, HABITANT D'UN QUARTIER PRIORITAIRE (QPV)"))

    engine.apply(_job(social_worker, content))

    assert sorted(c.name for c in Household.objects.get().situations.all()) == [
        "Bénéficiaire du RSA",
        "Habitant d'un quartier prioritaire (QPV)",
    ]


def test_a_need_whose_label_holds_commas_is_read_whole(social_worker, structure):
    content = _csv(_row(needs="Online procedures (CAF, France Travail, taxes…), School work"))

    engine.apply(_job(social_worker, content))

    assert Household.objects.get().needs == ["admin", "school"]


def test_another_structure_is_refused(social_worker, structure):
    StructureFactory(name="Centre social de Houdain")

    (row,) = _preview(social_worker, _csv(_row(structure="Centre social de Houdain")))

    assert _messages(row) == [
        ("Structure", "“Centre social de Houdain” is not one of your structures (CCAS de Bruay).")
    ]


def test_the_structure_may_be_left_empty_by_a_member_of_only_one(social_worker, structure):
    engine.apply(_job(social_worker, _csv(_row(structure=""))))

    assert Household.objects.get().structure == structure


def test_the_structure_is_required_from_a_member_of_several(social_worker, structure):
    StructureFactory(name="Mission locale", members=[social_worker])

    (row,) = _preview(social_worker, _csv(_row(structure="")))

    assert _messages(row) == [
        (
            "Structure",
            "Say which structure follows the household: one of CCAS de Bruay, Mission locale.",
        )
    ]


def test_an_unknown_code_and_another_structures_code_get_the_same_answer(
    social_worker, structure, other_household
):
    rows = _preview(social_worker, _csv(_row("F-7777"), _row(other_household.code)))

    assert [_messages(row) for row in rows] == [
        [("Household code", "No household of yours has the code “F-7777”.")],
        [("Household code", f"No household of yours has the code “{other_household.code}”.")],
    ]
    other_household.refresh_from_db()
    assert other_household.first_name != "Samia"


def test_a_known_code_updates_its_household_and_says_what_changed(social_worker, household):
    content = _csv(_row(household.code, last_name=household.last_name, first_name="Nadia"))

    (row,) = _preview(social_worker, content)

    assert row.kind == "update"
    assert "First name" in row.changes
    household.refresh_from_db()
    assert household.first_name != "Nadia"


def test_a_change_of_situations_alone_is_an_update_and_is_written(social_worker, household):
    household.situations.set([Criterion.objects.get(name="Bénéficiaire du RSA")])
    content = export_dataset(
        HouseholdResource, HouseholdResource.export_queryset(social_worker), "csv", social_worker
    )
    content = content.replace("Bénéficiaire du RSA".encode(), b"Demandeur d'emploi")

    (row,) = _preview(social_worker, content)
    assert (row.kind, row.changes) == ("update", ["Situations"])
    engine.apply(_job(social_worker, content))

    assert [c.name for c in household.situations.all()] == ["Demandeur d'emploi"]
    assert household.history.count() == 2


def test_the_export_lists_the_consents_in_force_and_an_import_leaves_them(social_worker, structure):
    household = HouseholdFactory(structure=structure, social_worker=social_worker)
    content = export_dataset(
        HouseholdResource, HouseholdResource.export_queryset(social_worker), "csv", social_worker
    )
    assert "Reminders by text message" in content.decode("utf-8-sig")
    changed = content.replace(b"Reminders by text message", b"")

    engine.apply(_job(social_worker, changed))

    assert household.consented_purposes() == {"sms"}


def test_the_social_worker_is_a_member_of_the_structure(social_worker, structure):
    outsider = UserFactory(username="outsider", role="social_worker")
    StructureFactory(name="Ailleurs", members=[outsider])
    header = f"{HEADER};Travailleur social"

    rows = _preview(
        social_worker,
        _csv(_row() + ";outsider", _row() + ";social-worker@example.org", header=header),
    )

    assert [row.kind for row in rows] == ["error", "new"]
    assert _messages(rows[0]) == [
        (
            "Social worker",
            "No social worker of your structures has the user name or e-mail “outsider”.",
        )
    ]


def test_nothing_is_written_when_one_row_is_refused(social_worker, structure):
    job = engine.apply(_job(social_worker, _csv(_row(), _row(size="1", children="3"))))

    assert job.status == ImportJob.Status.FAILED
    assert not Household.objects.exists()


def test_the_preview_of_households_costs_the_same_queries_for_5_and_50_rows(
    social_worker, structure, django_assert_max_num_queries
):
    for count in (5, 50):
        job = _job(social_worker, _csv(*[_row(last_name=f"Nom{n}") for n in range(count)]))
        with django_assert_max_num_queries(14):
            engine.analyse(job)
        assert job.counts["new"] == count


# Applications to programmes -------------------------------------------------------------


ENROLMENT_HEADER = "Code du foyer;Programme"


@pytest.fixture
def programme(structure):
    return ProgrammeFactory(name="Atelier Bruay 2026", structures=[structure])


def test_an_imported_application_applies(social_worker, household, programme):
    content = _csv(f"{household.code};atelier bruay 2026", header=ENROLMENT_HEADER)

    job = engine.apply(_job(social_worker, content, "enrolments"))

    assert job.counts == {"new": 1, "update": 0, "unchanged": 0, "error": 0}
    enrolment = Enrolment.objects.get()
    assert (enrolment.household, enrolment.programme) == (household, programme)
    assert enrolment.status == Enrolment.Status.APPLIED
    assert enrolment.applied_by == social_worker
    assert enrolment.history.get().history_user == social_worker


def test_the_status_of_the_file_is_never_imported(social_worker, household, programme):
    content = _csv(f"{household.code};{programme.name};Enrolled", header="Foyer;Programme;Statut")

    engine.apply(_job(social_worker, content, "enrolments"))

    assert Enrolment.objects.get().status == Enrolment.Status.APPLIED


def test_a_household_already_applying_is_unchanged(social_worker, household, programme):
    EnrolmentFactory(household=household, programme=programme, status=Enrolment.Status.APPLIED)
    content = _csv(f"{household.code};{programme.name}", header=ENROLMENT_HEADER)

    (row,) = _preview(social_worker, content, "enrolments")

    assert row.kind == "unchanged"


def test_a_programme_that_is_not_open_refuses_applications(social_worker, household, programme):
    Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.CLOSED)
    content = _csv(f"{household.code};{programme.name}", header=ENROLMENT_HEADER)

    (row,) = _preview(social_worker, content, "enrolments")

    assert _messages(row) == [
        ("Programme", "“Atelier Bruay 2026” is not open for enrolment (it is closed).")
    ]


def test_the_households_structure_must_be_a_partner(social_worker, household):
    ProgrammeFactory(name="Ailleurs 2026")
    content = _csv(f"{household.code};Ailleurs 2026", header=ENROLMENT_HEADER)

    (row,) = _preview(social_worker, content, "enrolments")

    assert _messages(row) == [
        (
            "Household code",
            f"CCAS de Bruay, the structure of {household.code}, is not a partner of "
            "“Ailleurs 2026”.",
        )
    ]


def test_another_structures_household_cannot_apply(social_worker, programme, other_household):
    content = _csv(f"{other_household.code};{programme.name}", header=ENROLMENT_HEADER)

    (row,) = _preview(social_worker, content, "enrolments")

    assert _messages(row) == [
        ("Household code", f"No household of yours has the code “{other_household.code}”.")
    ]
    assert not Enrolment.objects.exists()


def test_applications_are_judged_without_a_query_per_row(
    social_worker, structure, programme, django_assert_max_num_queries
):
    households = HouseholdFactory.create_batch(40, structure=structure)
    for count in (4, 40):
        rows = [f"{h.code};{programme.name}" for h in households[:count]]
        job = _job(social_worker, _csv(*rows, header=ENROLMENT_HEADER), "enrolments")
        with django_assert_max_num_queries(14):
            engine.analyse(job)
        assert job.counts["new"] == count


def test_the_enrolment_export_holds_only_what_the_user_may_see(
    social_worker, household, programme, other_household
):
    EnrolmentFactory(household=household, programme=programme)
    EnrolmentFactory(household=other_household, programme=programme)

    content = export_dataset(
        EnrolmentResource, EnrolmentResource.export_queryset(social_worker), "csv", social_worker
    )

    rows = [cells for _line, cells in read_sheet("x.csv", content).rows]
    assert [cells[:3] for cells in rows] == [[household.code, "Atelier Bruay 2026", "Enrolled"]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_enrolment_export_imports_back_unchanged(social_worker, structure, programme, fmt):
    EnrolmentFactory(household=HouseholdFactory(structure=structure), programme=programme)
    withdrawn = HouseholdFactory(structure=structure)
    EnrolmentFactory(household=withdrawn, programme=programme, status=Enrolment.Status.WITHDRAWN)
    content = export_dataset(
        EnrolmentResource, EnrolmentResource.export_queryset(social_worker), fmt, social_worker
    )

    job = engine.analyse(_job(social_worker, content, "enrolments", f"x.{fmt}"))

    assert job.counts == {"new": 0, "update": 0, "unchanged": 2, "error": 0}


def test_the_household_and_loan_exports_cost_the_same_queries_for_3_and_30_rows(
    social_worker_client, structure, programme, django_assert_max_num_queries
):
    for count in (3, 27):
        for household in HouseholdFactory.create_batch(count, structure=structure):
            household.situations.set(Criterion.objects.all()[:2])
            LoanFactory(enrolment=EnrolmentFactory(household=household, programme=programme))
        # One more than the loans: the households' consents in force (one prefetch) and
        # the access log's INSERT … SELECT of the exported rows, whatever the rows.
        with django_assert_max_num_queries(10):
            households = social_worker_client.get("/households/?export=xlsx")
        with django_assert_max_num_queries(8):
            loans = social_worker_client.get("/loans/?export=xlsx")
    assert len(list(read_sheet("x.xlsx", households.content).rows)) == 30
    assert len(list(read_sheet("x.xlsx", loans.content).rows)) == 30


def test_the_structure_column_may_be_left_out_by_a_member_of_only_one(social_worker, structure):
    header = HEADER.replace(";Structure", "")
    row = _row().replace(";CCAS de Bruay", "")

    engine.apply(_job(social_worker, _csv(row, header=header)))

    assert Household.objects.get().structure == structure


def test_the_social_worker_must_be_a_member_of_the_rows_structure(social_worker, structure):
    colleague = UserFactory(username="colleague", role="social_worker")
    StructureFactory(name="Mission locale", members=[social_worker, colleague])
    header = f"{HEADER};Travailleur social"

    (row,) = _preview(social_worker, _csv(_row() + ";colleague", header=header))

    assert _messages(row) == [
        ("Social worker", "colleague is not a social worker of CCAS de Bruay.")
    ]

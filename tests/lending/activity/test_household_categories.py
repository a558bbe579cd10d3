"""The médiation-numérique categories of a household: on its form, in its import, and the
INSEE code's validation messages."""

import pytest
from django.core.exceptions import ValidationError

from exchange import engine
from exchange.models import ImportJob
from lending.households.forms import HouseholdForm
from lending.models import AgeBand, Household, Qpv, SocialStatus
from tests.lending_factories import HouseholdFactory, StructureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

INSEE_MESSAGE = (
    "An INSEE commune code has five characters: five digits, or 2A or 2B followed by "
    "three digits in Corsica (not the postcode)."
)


@pytest.mark.parametrize("code", ["62178", "2A004", "2B033", "97411", ""])
def test_valid_insee_codes(code):
    household = HouseholdFactory.build(insee_code=code, structure=StructureFactory())
    household.full_clean(exclude=["code", "social_worker"])


@pytest.mark.parametrize("code", ["6219", "621780", "2C004", "62 19", "ABCDE"])
def test_a_wrong_insee_code_names_the_field_and_says_what_is_expected(code):
    household = HouseholdFactory.build(insee_code=code, structure=StructureFactory())
    with pytest.raises(ValidationError) as error:
        household.full_clean(exclude=["code", "social_worker"])
    assert INSEE_MESSAGE in error.value.message_dict["insee_code"]


def _form_data(structure, social_worker, **extra):
    return {
        "structure": structure.pk,
        "social_worker": social_worker.pk,
        "first_name": "Samia",
        "last_name": "Benali",
        "postcode": "62700",
        "commune": "Bruay-La-Buissière",
        "size": 3,
        "school_age_children": 1,
        **extra,
    }


def test_the_form_reads_a_lower_case_corsican_code(structure, social_worker):
    form = HouseholdForm(
        _form_data(structure, social_worker, insee_code=" 2a004 "), user=social_worker
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["insee_code"] == "2A004"
    # Left out, the categories are "unknown".
    assert form.cleaned_data["age_band"] == AgeBand.UNKNOWN
    assert form.cleaned_data["social_status"] == SocialStatus.UNKNOWN
    assert form.cleaned_data["qpv"] == Qpv.UNKNOWN


def test_the_form_refuses_a_postcode_typed_as_insee_code(structure, social_worker):
    form = HouseholdForm(_form_data(structure, social_worker, insee_code="627"), user=social_worker)

    assert not form.is_valid()
    assert form.errors["insee_code"] == [INSEE_MESSAGE]


def test_the_household_page_shows_the_categories(social_worker_client, structure, social_worker):
    household = HouseholdFactory(
        structure=structure,
        social_worker=social_worker,
        insee_code="62178",
        age_band=AgeBand.FROM_25_TO_39,
        social_status=SocialStatus.UNEMPLOYED,
        qpv=Qpv.YES,
    )

    content = social_worker_client.get(household.get_absolute_url()).content.decode()

    assert "62178" in content
    assert "25 to 39" in content
    assert "Without a job" in content


HEADER = "Prénom;Nom;Code postal;Commune;Personnes;Code INSEE;QPV;Tranche d'âge;Statut social"


def _import(user, *rows):
    content = "\r\n".join([HEADER, *rows]).encode("utf-8")
    job = ImportJob.objects.create(
        resource="households", filename="foyers.csv", content=content, created_by=user, options={}
    )
    return engine.analyse(job)


def test_the_import_reads_the_coops_labels(structure, social_worker):
    job = _import(
        social_worker,
        "Samia;Benali;62700;Bruay-La-Buissière;3;62178;oui;25 - 39 ans;Sans emploi",
        "Paul;Durand;20000;Ajaccio;1;2a004;;;",
    )
    rows = list(job.rows.order_by("line"))
    assert [row.messages for row in rows] == [[], []]

    engine.apply(job)
    samia = Household.objects.get(last_name="Benali")
    assert (samia.insee_code, samia.qpv, samia.age_band, samia.social_status) == (
        "62178",
        Qpv.YES,
        AgeBand.FROM_25_TO_39,
        SocialStatus.UNEMPLOYED,
    )
    paul = Household.objects.get(last_name="Durand")
    assert (paul.insee_code, paul.qpv, paul.age_band) == ("2A004", Qpv.UNKNOWN, AgeBand.UNKNOWN)


def test_the_import_names_a_wrong_insee_code(structure, social_worker):
    job = _import(social_worker, "Samia;Benali;62700;Bruay-La-Buissière;3;627;non;;")

    (row,) = job.rows.all()
    assert any(INSEE_MESSAGE in message["message"] for message in row.messages), row.messages

"""factory-boy factories for the lending side. Defaults build a valid, boring object:
an open programme of 15 households run by a coordinator, with one partner structure."""

import datetime
import itertools

import factory
from django.utils import timezone

from accounts.roles import Role
from inventory.models import Category
from lending.households.services import format_household_code
from lending.models import (
    Attendance,
    Consent,
    ConsentPurpose,
    Enrolment,
    Funder,
    Household,
    Loan,
    Programme,
    SimCard,
    Structure,
    Workshop,
)
from tests.factories import UserFactory

# Factory codes start far above the counter register_household uses.
_codes = itertools.count(9000)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"CCAS de la commune {n}")
    kind = Structure.Kind.CCAS
    commune = "Bruay-La-Buissière"

    @factory.post_generation
    def members(structure, create, extracted, **kwargs):
        if create and extracted:
            structure.members.add(*extracted)


class FunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funder

    name = factory.Sequence(lambda n: f"Financeur {n}")
    kind = Funder.Kind.CAF


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """`ProgrammeFactory(coordinators=[user], structures=[structure])`."""

    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Atelier digital solidaire {n}")
    status = Programme.Status.OPEN
    capacity = 15
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=335))
    default_loan_days = 180
    lent_categories = factory.LazyFunction(lambda: [Category.LAPTOP])
    lends_router = True
    lends_sim = True
    data_plan_gb = 50
    expected_workshops = 6
    min_criteria = 0
    contact_name = "Accueil de l'atelier"
    contact_phone = "03 21 00 00 00"
    return_instructions = "Rapportez l'ordinateur, son chargeur et la box 4G à l'atelier."

    @factory.post_generation
    def coordinators(programme, create, extracted, **kwargs):
        if create:
            programme.coordinators.add(*(extracted or [UserFactory(role=Role.COORDINATOR)]))

    @factory.post_generation
    def structures(programme, create, extracted, **kwargs):
        if create:
            programme.structures.add(*(extracted or [StructureFactory()]))


class HouseholdFactory(factory.django.DjangoModelFactory):
    """A household of `structure`, followed by `social_worker` (a member of it)."""

    class Meta:
        model = Household
        skip_postgeneration_save = True

    code = factory.LazyFunction(lambda: format_household_code(next(_codes)))
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    phone = factory.Sequence(lambda n: f"06 12 34 {n // 100 % 100:02d} {n % 100:02d}")
    email = ""
    postcode = "62700"
    commune = "Bruay-La-Buissière"
    size = 3
    school_age_children = 1
    needs = factory.LazyFunction(lambda: ["school", "admin"])
    structure = factory.SubFactory(StructureFactory)
    social_worker = factory.LazyAttribute(
        lambda h: h.structure.members.first() or UserFactory(role=Role.SOCIAL_WORKER)
    )
    notes = ""

    @factory.post_generation
    def _social_worker_is_a_member(household, create, extracted, **kwargs):
        if create:
            household.structure.members.add(household.social_worker)

    @factory.post_generation
    def consents(household, create, extracted, **kwargs):
        """The optional purposes it consented to today: text messages unless told
        (`consents=[]` for none)."""
        if not create:
            return
        for purpose in [ConsentPurpose.SMS] if extracted is None else extracted:
            ConsentFactory(household=household, purpose=purpose)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    household = factory.SubFactory(HouseholdFactory, consents=[])
    purpose = ConsentPurpose.SMS
    given_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.LazyAttribute(lambda c: c.household.social_worker)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    household = factory.SubFactory(HouseholdFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    status = Enrolment.Status.ENROLLED
    applied_by = factory.SelfAttribute("household.social_worker")
    enrolled_at = factory.LazyFunction(timezone.now)


class SimCardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SimCard

    iccid = factory.Sequence(lambda n: f"893301{n:013d}")
    phone_number = factory.Sequence(lambda n: f"07 00 00 {n // 100 % 100:02d} {n % 100:02d}")
    operator = "Orange"
    data_plan_gb = 50
    monthly_cost = 10
    activated_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=300))


class LoanFactory(factory.django.DjangoModelFactory):
    """A requested loan of an enrolled household; workflow functions take it further."""

    class Meta:
        model = Loan

    enrolment = factory.SubFactory(EnrolmentFactory)
    household = factory.SelfAttribute("enrolment.household")
    programme = factory.SelfAttribute("enrolment.programme")
    requested_by = factory.SelfAttribute("household.social_worker")


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    programme = factory.SubFactory(ProgrammeFactory)
    topic = factory.Sequence(lambda n: f"Atelier {n} : la messagerie")
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    duration_minutes = 120
    place = "Salle du centre social"
    facilitator = "Julie, médiatrice numérique"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    workshop = factory.SubFactory(WorkshopFactory)
    household = factory.SubFactory(HouseholdFactory)
    presence = Attendance.Presence.PRESENT
    recorded_by = factory.LazyAttribute(lambda a: a.workshop.programme.coordinators.first())

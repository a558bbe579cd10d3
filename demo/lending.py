"""The lending side of the demo: the « Atelier digital solidaire — Bruay 2026 » programme.

15 households enrolled by three structures, 12 loans running (2 of them overdue, 1 due
in a few days), 1 return waiting for the coordinator's review, a loan to approve, a loan
to hand over, 4 applications left to decide, and 6 workshops. Everything goes through
the real services (programmes and workshops, SIM cards, households, enrolment and loan
workflows), each step stamped on a past day, so that every household, enrolment, loan,
SIM card and device has a believable history, and the rules those services enforce
hold in the demo too.

Called at the end of `manage.py load_demo_data`; does nothing if the programme exists.
"""

import random
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from inventory.models import Category
from lending.comments import add_lending_comment
from lending.enrolments import workflow as enrolment_workflow
from lending.households.services import register_household
from lending.loans import workflow as loan_workflow
from lending.models import (
    Accessory,
    AgeBand,
    Attendance,
    ConsentPurpose,
    Criterion,
    Funder,
    LoanDevice,
    Need,
    Programme,
    Qpv,
    SocialStatus,
    Structure,
)
from lending.programmes import services as programmes
from lending.reference import services as reference
from lending.sims.services import add_sim_card

PROGRAMME = "Atelier digital solidaire — Bruay 2026"
# The same password as the inventory demo's accounts.
PASSWORD = "demo"
CCAS, CENTRE, MISSION = "ccas", "centre", "mission"
STRUCTURES = {
    # key: name, kind, commune, phone
    CCAS: (
        "CCAS de Bruay-La-Buissière",
        Structure.Kind.CCAS,
        "Bruay-La-Buissière",
        "03 21 00 40 40",
    ),
    CENTRE: (
        "Centre social Marcel-Pagnol, Béthune",
        Structure.Kind.SOCIAL_CENTRE,
        "Béthune",
        "03 21 00 50 50",
    ),
    MISSION: (
        "Mission locale de l'Artois",
        Structure.Kind.MISSION_LOCALE,
        "Béthune",
        "03 21 00 60 60",
    ),
}
# One social worker per structure, to show that each sees only their own households;
# the CCAS's is the inventory demo's `travailleur-social` (Nadia Mercier).
ACCOUNTS = [
    # username, first name, last name, structure
    ("travailleur-social-2", "Julie", "Dufour", CENTRE),
    ("conseillere-ml", "Amandine", "Lecomte", MISSION),
]
FUNDERS = [
    ("FEDER (Union européenne)", Funder.Kind.EUROPE),
    ("CAF du Pas-de-Calais", Funder.Kind.CAF),
    ("Département du Pas-de-Calais", Funder.Kind.LOCAL),
]
# The shipped criteria (migration 0002) the programme asks for.
CRITERIA = {
    "rsa": "Bénéficiaire du RSA",
    "job": "Demandeur d'emploi",
    "qpv": "Habitant d'un quartier prioritaire (QPV)",
    "school": "Enfants scolarisés au foyer",
    "cej": "Jeune suivi par la mission locale (CEJ)",
    "none": "Sans équipement informatique au foyer",
}
POSTCODES = {
    "Bruay-La-Buissière": "62700",
    "Béthune": "62400",
    "Houdain": "62150",
    "Auchel": "62260",
    "Divion": "62460",
    "Calonne-Ricouart": "62470",
    "Marles-les-Mines": "62540",
    "Barlin": "62620",
}

# The communes' INSEE codes (code officiel géographique; checked on each commune's
# record, e.g. Bruay-La-Buissière 62178): the Coop export and the figures per commune.
INSEE_CODES = {
    "Bruay-La-Buissière": "62178",
    "Béthune": "62119",
    "Houdain": "62457",
    "Auchel": "62048",
    "Calonne-Ricouart": "62194",
    "Marles-les-Mines": "62555",
    "Barlin": "62083",
}

# Where each household ends up.
ACTIVE, OVERDUE, DUE_SOON, RETURNED = "active", "overdue", "due_soon", "returned"
REQUESTED, APPROVED = "requested", "approved"
APPLIED, ELIGIBLE, WAITLISTED = "applied", "eligible", "waitlisted"
HANDED_OVER = {ACTIVE, OVERDUE, DUE_SOON, RETURNED}


class Family(NamedTuple):
    structure: str
    first_name: str
    last_name: str
    commune: str
    size: int
    children: int
    situations: tuple
    needs: tuple
    sms: bool
    # The day the social worker registered the household, in days before today.
    registered: int
    fate: str
    # For a short loan: its due date, in days from today (negative: overdue).
    due_in: int | None = None
    notes: str = ""


N = Need
# Fictitious families, in the order their social workers registered them.
# fmt: off
FAMILIES = [
    Family(CCAS, "Sandrine", "Delattre", "Bruay-La-Buissière", 4, 2, ("rsa", "qpv", "school"),
           (N.SCHOOL, N.ADMIN), True, 118, ACTIVE,
           notes="Les enfants faisaient leurs devoirs sur le téléphone de leur mère."),
    Family(CENTRE, "Céline", "Vandenbussche", "Béthune", 3, 2, ("qpv", "school"),
           (N.SCHOOL, N.CONTACT), True, 113, ACTIVE),
    Family(CCAS, "Corinne", "Wallart", "Bruay-La-Buissière", 2, 1, ("rsa", "none"),
           (N.ADMIN, N.HEALTH), True, 108, OVERDUE, due_in=-6),
    Family(CCAS, "Mohamed", "Haddad", "Bruay-La-Buissière", 5, 3, ("rsa", "qpv", "school"),
           (N.SCHOOL, N.JOB), True, 103, ACTIVE),
    Family(CCAS, "Fatima", "Benaïssa", "Bruay-La-Buissière", 3, 2, ("qpv", "school"),
           (N.SCHOOL, N.ADMIN), True, 98, DUE_SOON, due_in=4),
    Family(MISSION, "Dylan", "Marchand", "Auchel", 1, 0, ("cej", "none"),
           (N.JOB, N.TRAINING), True, 93, ACTIVE),
    Family(CCAS, "Ludovic", "Caron", "Bruay-La-Buissière", 4, 2, ("rsa", "school"),
           (N.SCHOOL, N.JOB), True, 88, RETURNED),
    Family(CCAS, "Aurélie", "Dequidt", "Bruay-La-Buissière", 3, 1, ("rsa", "qpv"),
           (N.ADMIN, N.JOB), True, 83, REQUESTED,
           notes="Relogement récent : le prêt est demandé maintenant qu'elle est installée."),
    Family(CENTRE, "Yannick", "Douchet", "Béthune", 4, 2, ("rsa", "school"),
           (N.SCHOOL, N.ADMIN), True, 78, OVERDUE, due_in=-3),
    Family(CCAS, "Jacqueline", "Duhamel", "Bruay-La-Buissière", 1, 0, ("none",),
           (N.CONTACT, N.HEALTH, N.ADMIN), False, 73, ACTIVE,
           notes="Préfère être appelée : pas de SMS."),
    Family(MISSION, "Kévin", "Lemoine", "Houdain", 1, 0, ("cej", "job", "none"),
           (N.JOB, N.TRAINING), True, 68, ACTIVE),
    Family(CENTRE, "Mélanie", "Hochart", "Barlin", 2, 1, ("rsa",),
           (N.ADMIN, N.SCHOOL), True, 63, ACTIVE),
    Family(CENTRE, "Samira", "Ouali", "Béthune", 5, 3, ("qpv", "school"),
           (N.SCHOOL, N.CONTACT), True, 58, APPROVED),
    Family(CCAS, "Stéphane", "Leclercq", "Bruay-La-Buissière", 2, 0, ("job",),
           (N.JOB, N.ADMIN), False, 53, ACTIVE),
    Family(MISSION, "Inès", "Boukhari", "Marles-les-Mines", 2, 0, ("cej", "job"),
           (N.JOB, N.TRAINING), True, 48, ACTIVE),
    # The programme is full from here on: decisions left to the coordinator.
    Family(CCAS, "Rachid", "Amrani", "Bruay-La-Buissière", 6, 4, ("qpv", "school"),
           (N.SCHOOL,), True, 30, WAITLISTED),
    Family(CENTRE, "Patricia", "Flament", "Béthune", 1, 0, ("rsa",),
           (N.ADMIN, N.HEALTH), True, 24, WAITLISTED),
    Family(MISSION, "Théo", "Lambert", "Calonne-Ricouart", 1, 0, ("cej",),
           (N.JOB, N.TRAINING), True, 14, ELIGIBLE),
    Family(CCAS, "Nathalie", "Becquart", "Bruay-La-Buissière", 2, 1, ("rsa",),
           (N.ADMIN, N.SCHOOL), True, 5, APPLIED),
]
# The spring pilot, closed before the programme above started: two households kept
# their laptop at its end (a loan turned gift), one could not be reached (a lost loan).
PILOT = "Pilote prêt d'ordinateurs — Houdain, printemps 2026"
GIFT, LOST = "gift", "lost"
PILOT_FAMILIES = [
    Family(MISSION, "Anthony", "Delannoy", "Houdain", 1, 0, ("cej", "none"),
           (N.JOB, N.TRAINING), True, 200, GIFT),
    Family(CCAS, "Martine", "Pruvost", "Houdain", 3, 2, ("rsa", "school"),
           (N.SCHOOL, N.ADMIN), True, 198, GIFT),
    Family(CCAS, "Grégory", "Lefranc", "Divion", 2, 1, ("rsa",),
           (N.ADMIN,), True, 196, LOST),
]
# fmt: on
WORKSHOPS = [
    # topic, in days from today, place
    ("Prendre en main son ordinateur", -95, "Salle numérique du CCAS, Bruay-La-Buissière"),
    ("La messagerie électronique", -70, "Salle numérique du CCAS, Bruay-La-Buissière"),
    ("Mon espace CAF et France Travail", -45, "Centre social Marcel-Pagnol, Béthune"),
    (
        "Suivre la scolarité avec l'ENT (Pronote)",
        -20,
        "Salle numérique du CCAS, Bruay-La-Buissière",
    ),
    ("Se protéger en ligne", 8, "Centre social Marcel-Pagnol, Béthune"),
    ("Visioconférence avec ses proches", 29, "Salle numérique du CCAS, Bruay-La-Buissière"),
]
# SIM cards beyond those the loans take, left in stock.
SPARE_SIMS = 3
ACCESSORIES = [Accessory.CHARGER, Accessory.BAG, Accessory.ROUTER_CHARGER, Accessory.SIM]
SHORT_LOAN = "Prêt court à l'essai, à prolonger au point d'étape."


# The real clock, which _on() leaves alone: dates are counted from the real today.
_real_now = timezone.now


@contextmanager
def _on(days_ago, hour=10, minute=0):
    """Stamp everything written inside (history, auto_now, the services' own dates) with
    that past moment, like the inventory demo's clock."""
    moment = timezone.make_aware(datetime.combine(_in_days(-days_ago), time(hour, minute)))
    moment = min(moment, _real_now())
    with mock.patch("django.utils.timezone.now", lambda: moment):
        yield moment


def _in_days(days):
    return timezone.localtime(_real_now()).date() + timedelta(days=days)


@transaction.atomic
def load_lending_demo(*, technician, coordinator, social_worker):
    """Create the programme, its households, loans and workshops; False if it exists."""
    workers = {CCAS: social_worker, **_accounts()}
    if Programme.objects.filter(name=PROGRAMME).exists():
        return False
    structures = _structures(workers, coordinator)
    _pilot(structures, workers, coordinator, technician)
    programme = _programme(coordinator, structures)
    sims = _sims(coordinator)
    households = []
    for number, family in enumerate(FAMILIES, start=10):
        worker = workers[family.structure]
        household = _register(family, number, structures[family.structure], worker)
        enrolment = _enrol(family, household, programme, worker, coordinator)
        if family.fate in HANDED_OVER | {REQUESTED, APPROVED}:
            _lend(family, enrolment, worker, coordinator, technician, sims)
        if enrolment.status == enrolment.Status.ENROLLED:
            households.append((family, household))
    _workshops(programme, coordinator, households)
    return True


def _accounts():
    group = Group.objects.get(name=Role.SOCIAL_WORKER)
    workers = {}
    for username, first, last, structure in ACCOUNTS:
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid"},
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
        user.groups.set([group])
        workers[structure] = user
    return workers


def _structures(workers, coordinator):
    """The three referring structures (reused if they exist), each with its social worker."""
    structures = {}
    for key, (name, kind, commune, phone) in STRUCTURES.items():
        structure = Structure.objects.filter(name=name).first() or Structure(
            name=name,
            kind=kind,
            commune=commune,
            phone=phone,
            email=f"contact-{key}@demo.invalid",
        )
        members = {*structure.members.all(), workers[key]} if structure.pk else [workers[key]]
        structures[key] = reference.save_structure(
            structure=structure, by=coordinator, members=members
        )
    return structures


def _programme(coordinator, structures):
    funders = [
        Funder.objects.filter(name=name).first()
        or reference.save_funder(funder=Funder(name=name, kind=kind), by=coordinator)
        for name, kind in FUNDERS
    ]
    criteria = [
        Criterion.objects.filter(name=name).first()
        or reference.save_criterion(criterion=Criterion(name=name), by=coordinator)
        for name in CRITERIA.values()
    ]
    with _on(130, 9):
        return programmes.create_programme(
            by=coordinator,
            structures=list(structures.values()),
            funders=funders,
            criteria=criteria,
            name=PROGRAMME,
            status=Programme.Status.OPEN,
            description=(
                "Un ordinateur portable reconditionné et une connexion 4G prêtés pour six "
                "mois à 15 foyers éloignés du numérique, avec six ateliers pour apprendre à "
                "s'en servir : messagerie, démarches CAF et France Travail, suivi scolaire."
            ),
            capacity=15,
            starts_on=_in_days(-120),
            ends_on=_in_days(245),
            default_loan_days=180,
            lent_categories=[Category.LAPTOP],
            lends_router=True,
            lends_sim=True,
            data_plan_gb=50,
            expected_workshops=len(WORKSHOPS),
            min_criteria=1,
            contact_name="Sophie Lefebvre, coordinatrice",
            contact_phone="03 21 00 30 30",
            return_instructions=(
                "Rapportez l'ordinateur, son chargeur, la box 4G et sa carte SIM à la "
                "Ressourcerie de Bruay-La-Buissière, 12 rue des Ateliers, du mardi au "
                "vendredi de 9 h à 17 h. Si vous ne pouvez pas vous déplacer, appelez-nous : "
                "nous viendrons le chercher."
            ),
        )


def _pilot(structures, workers, coordinator, technician):
    """The closed spring pilot: laptops only, lent for two months; at its end two loans
    became gifts (lent → given, with the gift attestation) and one was declared lost."""
    with _on(205, 9):
        pilot = programmes.create_programme(
            by=coordinator,
            structures=[structures[CCAS], structures[MISSION]],
            name=PILOT,
            status=Programme.Status.OPEN,
            description="Trois ordinateurs portables prêtés deux mois, puis donnés aux foyers.",
            capacity=3,
            starts_on=_in_days(-200),
            ends_on=_in_days(-135),
            default_loan_days=60,
            lent_categories=[Category.LAPTOP],
            contact_name="Sophie Lefebvre, coordinatrice",
            contact_phone="03 21 00 30 30",
        )
    for number, family in enumerate(PILOT_FAMILIES, start=40):
        worker = workers[family.structure]
        household = _register(family, number, structures[family.structure], worker)
        enrolment = _enrol(family, household, pilot, worker, coordinator)
        day = family.registered
        with _on(day - 2, 11):
            loan = loan_workflow.request_loan(enrolment=enrolment, by=worker)
        with _on(day - 4, 15) as moment:
            loan_workflow.approve_loan(
                loan=loan,
                by=coordinator,
                devices=[_ready(loan, Category.LAPTOP, moment)],
                starts_on=_in_days(-(day - 6)),
            )
        with _on(day - 6, 10, 30):
            loan_workflow.hand_over_loan(
                loan=loan,
                by=technician,
                signed_on=timezone.localdate(),
                accessories=ACCESSORIES[:2],
            )
        if family.fate == GIFT:
            with _on(136, 11):
                loan_workflow.convert_to_gift(
                    loan=loan, by=coordinator, note="Fin du pilote : le foyer garde l'ordinateur."
                )
        else:
            with _on(150, 11):
                loan_workflow.declare_loan_lost(
                    loan=loan, by=coordinator, note="Foyer parti sans adresse, injoignable."
                )
        with _on(135, 17):
            enrolment_workflow.complete_enrolment(enrolment=enrolment, by=coordinator)
    with _on(134, 9):
        pilot.status = Programme.Status.CLOSED
        programmes.update_programme(programme=pilot, by=coordinator, note="Pilote terminé.")


def _sims(coordinator):
    """The programme's SIM cards, bought in one batch before it started; the first one,
    taken over from last year's programme, has a plan ending within a month."""
    lent = sum(f.fate in HANDED_OVER | {APPROVED} for f in FAMILIES)
    sims = []
    with _on(126, 11):
        for number in range(1, lent + SPARE_SIMS + 1):
            orange = number % 2
            activated = _in_days(-345 if number == 1 else -126) if number <= lent else None
            notes = "Reprise du programme 2025 : forfait à renouveler." if number == 1 else ""
            sims.append(
                add_sim_card(
                    by=coordinator,
                    iccid=f"893301261{number:010d}",
                    phone_number=f"07 00 00 26 {number:02d}",
                    operator="Orange" if orange else "Bouygues Telecom",
                    data_plan_gb=50,
                    monthly_cost=Decimal("9.99" if orange else "10.49"),
                    activated_on=activated,
                    ends_on=activated and activated + timedelta(days=365),
                    notes=notes,
                )
            )
    return sims


def _categories(family):
    """The médiation-numérique categories a social worker would tick for this family:
    plausible from its situation, some left "not given" as they are in real files."""
    if family.fate == APPLIED:
        # Registered this week: the social worker has not asked yet.
        return {}
    young = "cej" in family.situations
    alone = family.size == 1 and not young
    if young:
        age = AgeBand.FROM_18_TO_24
    elif alone:
        age = AgeBand.FROM_60_TO_69 if family.sms else AgeBand.FROM_70
    else:
        age = AgeBand.FROM_25_TO_39 if family.children <= 2 else AgeBand.FROM_40_TO_59
    if alone:
        status = SocialStatus.RETIRED
    elif {"rsa", "job", "cej"} & set(family.situations):
        status = SocialStatus.UNEMPLOYED
    else:
        status = SocialStatus.EMPLOYED
    if "qpv" in family.situations:
        qpv = Qpv.YES
    else:
        qpv = Qpv.NO if family.commune == "Bruay-La-Buissière" else Qpv.UNKNOWN
    return {"age_band": age, "social_status": status, "qpv": qpv}


def _register(family, number, structure, worker):
    # Follow-up and statistics rest on the agreement and the association's mission:
    # only text messages are asked for, and some families say no.
    consents = [ConsentPurpose.SMS.value] if family.sms else []
    situations = Criterion.objects.filter(name__in=[CRITERIA[s] for s in family.situations])
    with _on(family.registered, 10):
        return register_household(
            by=worker,
            situations=situations,
            structure=structure,
            social_worker=worker,
            first_name=family.first_name,
            last_name=family.last_name,
            phone=f"06 00 00 {number:02d} {number * 7 % 100:02d}",
            postcode=POSTCODES[family.commune],
            commune=family.commune,
            insee_code=INSEE_CODES.get(family.commune, ""),
            **_categories(family),
            size=family.size,
            school_age_children=family.children,
            needs=[need.value for need in family.needs],
            consents=consents,
            notes=family.notes,
        )


def _enrol(family, household, programme, worker, coordinator):
    day = family.registered
    with _on(day, 10, 20):
        enrolment = enrolment_workflow.apply_for_programme(
            household=household, programme=programme, by=worker
        )
    if family.fate == APPLIED:
        return enrolment
    with _on(day - 1, 14):
        enrolment_workflow.mark_eligible(enrolment=enrolment, by=coordinator)
    if family.fate == ELIGIBLE:
        return enrolment
    with _on(day - 1, 14, 5):
        if family.fate == WAITLISTED:
            return enrolment_workflow.waitlist_household(
                enrolment=enrolment, by=coordinator, note="Programme complet."
            )
        return enrolment_workflow.enrol_household(enrolment=enrolment, by=coordinator)


def _lend(family, enrolment, worker, coordinator, technician, sims):
    """Request, approve and hand over a loan, dated from the household's enrolment."""
    day = family.registered
    requested, approved, handed = day - 2, day - 5, day - 7
    if family.fate == REQUESTED:
        requested = 2
    if family.fate == APPROVED:
        requested, approved = 9, 2
    with _on(requested, 11):
        loan = loan_workflow.request_loan(
            enrolment=enrolment,
            by=worker,
            note="Ordinateur portable et box 4G pour le foyer.",
        )
    if family.fate == REQUESTED:
        return loan
    starts_on = _in_days(3 if family.fate == APPROVED else -handed)
    with _on(approved, 15) as moment:
        loan_workflow.approve_loan(
            loan=loan,
            by=coordinator,
            devices=[
                _ready(loan, Category.LAPTOP, moment),
                _ready(loan, Category.ROUTER_4G, moment),
            ],
            starts_on=starts_on,
            due_on=_in_days(family.due_in) if family.due_in else None,
            sim=sims.pop(0),
            note=SHORT_LOAN if family.due_in else "",
        )
    if family.fate == APPROVED:
        return loan
    with _on(handed, 10, 30):
        accessories = ACCESSORIES + ([Accessory.MOUSE] if family.fate == RETURNED else [])
        loan_workflow.hand_over_loan(
            loan=loan, by=technician, signed_on=timezone.localdate(), accessories=accessories
        )
    if family.fate == OVERDUE:
        with _on(1, 16):
            add_lending_comment(
                subject=loan,
                by=worker,
                body="Foyer joint par téléphone : il rapporte le matériel la semaine prochaine.",
            )
    if family.fate == RETURNED:
        _inspect(loan, technician)
    return loan


def _ready(loan, category, moment):
    """The device of `category` ready the longest, and ready before `moment`."""
    device = (
        loan_workflow.ready_devices_for(loan.programme)
        .filter(category=category, status_changed_at__lt=moment)
        .order_by("status_changed_at", "pk")
        .first()
    )
    if device is None:
        raise RuntimeError(f"The lending demo found no ready {category}: load the inventory first.")
    return device


def _inspect(loan, technician):
    """An early return, inspected by the workshop; the mouse did not come back."""
    conditions = {}
    for item in loan.items.select_related("device"):
        if item.device.category == Category.LAPTOP:
            conditions[item.device_id] = (LoanDevice.Condition.WORN, "Rayures sur le capot.")
        else:
            conditions[item.device_id] = (LoanDevice.Condition.GOOD, "")
    with _on(3, 15):
        loan_workflow.inspect_return(
            loan=loan,
            by=technician,
            conditions=conditions,
            accessories_back=ACCESSORIES,
            sim_back=True,
            notes="Retour anticipé : le foyer déménage. La souris n'a pas été rendue.",
        )


def _workshops(programme, coordinator, households):
    """The six workshops, planned at the start; attendance taken at the past ones for
    the households enrolled by then."""
    rng = random.Random(62400)
    presences = [
        Attendance.Presence.PRESENT,
        Attendance.Presence.ABSENT,
        Attendance.Presence.EXCUSED,
    ]
    for topic, days, place in WORKSHOPS:
        with _on(125, 16):
            workshop = programmes.schedule_workshop(
                programme=programme,
                by=coordinator,
                topic=topic,
                starts_at=timezone.make_aware(datetime.combine(_in_days(days), time(14))),
                duration_minutes=120,
                place=place,
                facilitator="Thomas Garnier, conseiller numérique",
                capacity=programme.capacity,
            )
        if days >= 0:
            continue
        came = {
            household.code: rng.choices(presences, weights=[80, 12, 8])[0]
            for family, household in households
            if family.registered - 1 > -days
        }
        with _on(-days, 16, 30):
            programmes.record_attendance(workshop=workshop, by=coordinator, presences=came)

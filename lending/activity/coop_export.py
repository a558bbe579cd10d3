"""The programme's beneficiaries and activities in the columns of la Coop de la médiation
numérique (inclusion-numerique/coop-mediation-numerique), so that a conseiller numérique
who also reports there does not type them twice. Sources in docs/activity.md.

What goes out is what the information notice allows for the purpose "coop_report"
(lending/privacy/purposes.py), and only for the households the user may see
(lending.access):
- beneficiaries: the reference person's first and last name (the Coop's import refuses a
  row without them), commune, INSEE code and postcode. Phone, e-mail, year of birth,
  gender and notes stay empty: not needed there, or not collected here. Anonymised
  households are left out: they have no name any more, and the Coop's own anonymous
  beneficiaries come from its activities, not from its import.
- activities: one row per workshop (« Collectif ») and per hand-over of a loan
  (« Individuel »), with the participants' categories (age band, social status, commune):
  never a name.
"""

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import require
from lending import access
from lending.activity.coop_values import COOP_AGE_BANDS, COOP_SOCIAL_STATUSES
from lending.models import Attendance, Household, Loan, Workshop

# Columns of the Coop's beneficiary import, in its order: the model file
# public/modeles/coop-numerique_import-beneficiaires.xlsx, sheet « Bénéficiaires », read
# column by column by apps/web/src/features/beneficiaire/abilities/importer-beneficiaires/
# analyse/analyseImportBeneficiairesExcel.ts (nom, prénom, année de naissance, commune,
# code INSEE, code postal, téléphone, e-mail, genre, notes).
BENEFICIARY_COLUMNS = [
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

# Columns of the Coop's table of activities (apps/web/src/cra/buildActivitesWorksheet.ts,
# the file a médiateur downloads from « Mes activités »). The Coop has no import of
# activities: these are the columns it uses for them.
ACTIVITY_COLUMNS = [
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

COOP_GENDER_NOT_GIVEN = "Non communiqué"
COLLECTIVE, INDIVIDUAL = "Collectif", "Individuel"
# Several participants in one cell, one a line, as the Coop writes them.
LINE = "\n"
EXPORT_PERMISSION = "lending.view_household"


def _in(period, lookup):
    return Q(**{f"{lookup}__date__gte": period.start, f"{lookup}__date__lte": period.end})


def _visible(user):
    require(user, EXPORT_PERMISSION)
    return access.households_visible_to(user)


def _loans(user, period, programme):
    loans = Loan.objects.filter(_in(period, "handed_over_at"), household__in=_visible(user))
    return loans if programme is None else loans.filter(programme=programme)


def _attendances(user, period, programme):
    attendances = Attendance.objects.filter(
        _in(period, "workshop__starts_at"), household__in=_visible(user)
    )
    return attendances if programme is None else attendances.filter(workshop__programme=programme)


def beneficiaries(user, period, *, programme=None):
    """The households `user` may see that were equipped or came to a workshop in
    `period`, not anonymised, in code order (a Household queryset)."""
    reached = Q(pk__in=_loans(user, period, programme).values("household")) | Q(
        pk__in=_attendances(user, period, programme).values("household")
    )
    return (
        _visible(user)
        .filter(reached, anonymised_on__isnull=True)
        .order_by("code")
        .only("code", "first_name", "last_name", "commune", "insee_code", "postcode")
    )


def beneficiary_rows(households):
    for household in households:
        yield [
            household.last_name,
            household.first_name,
            None,
            household.commune,
            household.insee_code,
            household.postcode,
            "",
            "",
            "",
            "",
        ]


def _categories(households):
    """The four per-participant cells: commune, gender, age band, social status."""
    return [
        LINE.join(f"{h.postcode} {h.commune}".strip() for h in households),
        LINE.join(COOP_GENDER_NOT_GIVEN for _ in households),
        LINE.join(COOP_AGE_BANDS.get(h.age_band, "") for h in households),
        LINE.join(COOP_SOCIAL_STATUSES.get(h.social_status, "") for h in households),
    ]


def _row(*, date, kind, participants, place="", minutes=None, title="", notes=""):
    # Columns without a counterpart here (channel, topics, autonomy…) stay empty: the
    # conseiller completes them in the Coop if they report them there.
    commune, gender, age, status = _categories(participants)
    return [
        date,
        kind,
        len(participants),
        "",
        "",
        place,
        minutes,
        title,
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        commune,
        gender,
        age,
        status,
        notes,
    ]


def activities(user, period, *, programme=None):
    """The workshops of `period` that households `user` may see came to (with only those
    households as participants), then the hand-overs of their loans: two lists of
    model instances, fetched in a constant number of queries."""
    present = _attendances(user, period, programme).filter(presence=Attendance.Presence.PRESENT)
    participants = Household.objects.filter(pk__in=present.values("household")).only(
        "postcode", "commune", "age_band", "social_status"
    )
    workshops = (
        Workshop.objects.filter(pk__in=present.values("workshop"))
        .order_by("starts_at", "pk")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=present.select_related(None)
                .order_by("household__code")
                .prefetch_related(Prefetch("household", queryset=participants)),
                to_attr="present",
            )
        )
    )
    loans = (
        _loans(user, period, programme)
        .order_by("handed_over_at", "pk")
        .select_related("household")
        .only(
            "pk",
            "handed_over_at",
            "household__postcode",
            "household__commune",
            "household__age_band",
            "household__social_status",
        )
    )
    return list(workshops), list(loans)


def activity_rows(workshops, loans):
    for workshop in workshops:
        yield _row(
            date=timezone.localdate(workshop.starts_at),
            kind=COLLECTIVE,
            participants=[attendance.household for attendance in workshop.present],
            place=workshop.place,
            minutes=workshop.duration_minutes,
            title=workshop.topic,
        )
    for loan in loans:
        yield _row(
            date=timezone.localdate(loan.handed_over_at),
            kind=INDIVIDUAL,
            participants=[loan.household],
            notes=_("Hand-over of the lent devices (loan no. %(number)s)") % {"number": loan.pk},
        )

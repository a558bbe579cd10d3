"""Enrolments in spreadsheets: households applied to a programme from a file."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lending import access
from lending.models import (
    Enrolment,
    Programme,
)
from lending.widgets import (
    LocalDateWidget,
    NamedWidget,
    _unknown_household,
)
from spreadsheets.columns import Column
from spreadsheets.resources import ExchangeResource
from spreadsheets.values import choice_map, is_empty, parse_choice, plain
from spreadsheets.widgets import (
    ChoiceWidget,
    IntegerWidget,
)

E = Enrolment.Status
# Statuses a row may set on an enrolment that is over.
CLOSED = [E.REJECTED, E.WITHDRAWN, E.COMPLETED]


class EnrolmentResource(ExchangeResource):
    """Applications of households to programmes: each new row applies, as
    enrolment_workflow.apply_for_programme does (an open programme, a household of
    one's own, its structure a partner of the programme). The status is never read:
    the programme's coordinators decide; a household already applying to (or in) the
    programme is "unchanged"."""

    record_name = gettext_lazy("enrolment")
    natural_keys = (("household", "programme"),)

    household = Column(
        "household",
        label=gettext_lazy("Household code"),
        aliases=["code", "code foyer", "foyer", "household code"],
        widget=NamedWidget("household_coded", "code"),
        required=True,
    )
    programme = Column(
        "programme",
        label=gettext_lazy("Programme"),
        aliases=["programme", "dispositif", "program"],
        widget=NamedWidget("programme_named", "name"),
        required=True,
    )
    # Exported, never imported: they change through the coordinators' decisions.
    status = Column(
        "status",
        label=gettext_lazy("Status"),
        aliases=["statut", "etat"],
        widget=ChoiceWidget(E.choices),
        readonly=True,
    )
    applied_on = Column(
        "applied_on",
        attribute="applied_at",
        label=gettext_lazy("Applied on"),
        aliases=["candidature", "date de candidature"],
        widget=LocalDateWidget(),
        readonly=True,
    )
    waitlist = Column(
        "waitlist_position",
        label=gettext_lazy("Position on the waiting list"),
        aliases=["liste d attente", "rang"],
        widget=IntegerWidget(),
        readonly=True,
    )
    enrolled_on = Column(
        "enrolled_on",
        attribute="enrolled_at",
        label=gettext_lazy("Enrolled on"),
        aliases=["inscription", "date d inscription"],
        widget=LocalDateWidget(),
        readonly=True,
    )

    class Meta(ExchangeResource.Meta):
        model = Enrolment

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name in ("household", "programme"):
            self.fields[name].widget.resource = self
        self._programmes = None
        self._statuses = choice_map(E.choices)
        self.households, self.active, self.closed = {}, {}, {}

    def normalise(self, key, value):
        if key == "programme":
            return plain(value or "")
        return super().normalise(key, value)

    def describe(self, row):
        return " · ".join(str(row.get(key) or "").strip() for key in ("household", "programme"))

    # What the rows refer to, a few queries a chunk ------------------------------------

    def programmes(self):
        if self._programmes is None:
            found = Programme.objects.prefetch_related("structures")
            self._programmes = {plain(p.name): p for p in found}
            self._partners = {
                p.pk: {s.pk for s in p.structures.all()} for p in self._programmes.values()
            }
        return self._programmes

    def prepare(self, rows):
        codes = {self.normalise("household", row.get("household")) for row in rows} - {""}
        visible = access.households_visible_to(self.user).filter(code__in=codes)
        self.households = {h.code: h for h in visible.select_related("structure")}
        by_pk = {h.pk: h for h in self.households.values()}
        programmes = {p.pk: p for p in self.programmes().values()}
        self.active, self.closed = {}, {}
        for enrolment in Enrolment.objects.filter(household__in=list(by_pk)).order_by("pk"):
            enrolment.household = by_pk[enrolment.household_id]
            enrolment.programme = programmes[enrolment.programme_id]
            key = (enrolment.household.code, plain(enrolment.programme.name))
            if enrolment.status in Enrolment.ACTIVE:
                self.active[key] = enrolment
            else:
                self.closed[(key, enrolment.status)] = enrolment

    def household_coded(self, value):
        if is_empty(value):
            raise ValueError(_("Give the household's code (e.g. F-0042)."))
        household = self.households.get(self.normalise("household", value))
        if household is None:
            raise ValueError(_unknown_household(str(value).strip()))
        return household

    def programme_named(self, value):
        programme = None if is_empty(value) else self.programmes().get(plain(value))
        if programme is None:
            raise ValueError(
                _("No programme is named “%(value)s”.") % {"value": "" if value is None else value}
            )
        return programme

    # Rows ---------------------------------------------------------------------------

    def get_instance(self, instance_loader, row):
        key = self.key_of(row, ("household", "programme"))
        if key is None:
            return None
        if key in self.active:
            return self.active[key]
        # A closed enrolment of an export (withdrawn, rejected, completed) is the same
        # row again, not a new application.
        try:
            status = parse_choice(row.get("status"), self._statuses, E.choices)
        except ValueError:
            return None
        return self.closed.get((key, status)) if status in CLOSED else None

    def init_instance(self, row=None):
        return Enrolment(applied_by=self.user, status=E.APPLIED)

    def check_row(self, instance, errors):
        if instance.pk or "household" in errors or "programme" in errors:
            return
        household, programme = instance.household, instance.programme
        if programme.status != Programme.Status.OPEN:
            errors["programme"] = [
                _("“%(programme)s” is not open for enrolment (it is %(status)s).")
                % {"programme": programme, "status": programme.get_status_display().lower()}
            ]
        elif household.structure_id not in self._partners[programme.pk]:
            errors["household"] = [
                _(
                    "%(structure)s, the structure of %(household)s, is not a partner of "
                    "“%(programme)s”."
                )
                % {
                    "structure": household.structure,
                    "household": household.code,
                    "programme": programme,
                }
            ]

    @classmethod
    def may_import(cls, user):
        return user.has_perm("lending.add_enrolment")

    @classmethod
    def export_queryset(cls, user):
        enrolments = access.enrolments_visible_to(user).select_related("household", "programme")
        return enrolments.order_by("programme__name", "household__code", "pk")

"""What the lending side imports and exports (django-import-export resources): SIM
cards; households and applications to programmes, for the social workers who follow
them; loans and programmes, exported as their list pages show them.

Households and enrolments go through lending.access like the pages do: a household of
another structure is "unknown" to an import (its existence never leaks) and absent
from an export.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from import_export import widgets

from inventory.services import reserve_sequence_values
from lending import access
from lending.households.services import (
    HOUSEHOLD_CODE_SEQUENCE,
    _check_children,
    _check_consent,
    format_household_code,
)
from lending.models import (
    ConsentPurpose,
    Criterion,
    Enrolment,
    Household,
    Loan,
    LoanDevice,
    Need,
    Programme,
    SimCard,
    Structure,
)
from lending.programmes import services as programmes
from spreadsheets.columns import Column
from spreadsheets.exporting import ExportOnlyResource
from spreadsheets.resources import ExchangeResource
from spreadsheets.values import choice_map, is_empty, parse_choice, plain
from spreadsheets.widgets import (
    ChoiceListWidget,
    ChoiceWidget,
    DateWidget,
    DecimalWidget,
    IntegerWidget,
    NotesWidget,
    TextWidget,
    tidy_notes,
)

# Cells as people write them -------------------------------------------------------------


def _parts(text):
    return [part.strip() for part in re.split(r"[,;]", str(text)) if part.strip()]


def _names_in(text, names, unknown):
    """The values that `names` (plain name → value) gives to the comma-separated names
    of `text`. A name may hold commas itself ("Online procedures (CAF, France Travail,
    taxes…)"): the longest run of parts that is a name wins. `unknown(part)` raises."""
    parts, found, start = _parts(text), [], 0
    while start < len(parts):
        for end in range(len(parts), start, -1):
            value = names.get(plain(" ".join(parts[start:end])))
            if value is not None:
                found.append(value)
                start = end
                break
        else:
            unknown(parts[start])
    return found


class ChoiceSetWidget(ChoiceListWidget):
    """Several choices in one cell, read even when their labels hold commas."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return []
        if self._names is None:
            self._names = choice_map(self.choices, self.aliases)

        def unknown(part):
            parse_choice(part, self._names, self.choices)

        return sorted(set(_names_in(value, self._names, unknown)))


class SituationsWidget(widgets.Widget):
    """Eligibility criteria by their names (case and accents ignored), as sorted ids."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._names = None

    def clean(self, value, row=None, **kwargs):
        if self._names is None:
            # A short reference list: read once an import.
            criteria = list(Criterion.objects.all())
            self._names = {plain(c.name): c.pk for c in criteria}
            self._shown = ", ".join(c.name for c in criteria if c.active)
        if is_empty(value):
            return ()

        def unknown(part):
            raise ValueError(
                _("“%(name)s” is not a situation Réemploi knows (%(names)s).")
                % {"name": part, "names": self._shown}
            )

        return tuple(sorted(set(_names_in(value, self._names, unknown))))

    def render(self, value, obj=None, **kwargs):
        # Exports read a household's situations (HouseholdResource.dehydrate_situations);
        # this writes the ids a row was read into (a template's example, a test).
        if not value:
            return ""
        names = dict(Criterion.objects.filter(pk__in=value).values_list("pk", "name"))
        return ", ".join(names[pk] for pk in value if pk in names)


class NamedWidget(widgets.Widget):
    """A cell the resource reads itself (it knows the importing user and what this
    chunk of rows refers to): `resource.<find>(value)` returns the object."""

    def __init__(self, find, attribute, **kwargs):
        super().__init__(**kwargs)
        self.find = find
        self.attribute = attribute
        self.resource = None

    def clean(self, value, row=None, **kwargs):
        return getattr(self.resource, self.find)(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else getattr(value, self.attribute)


class PostcodeWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, int | float) and float(value).is_integer():
            # A spreadsheet that took the postcode for a number dropped its leading zero.
            return f"{int(value):05d}"
        return super().clean(value, row, **kwargs).replace(" ", "")


class CountWidget(IntegerWidget):
    """A number of people: an empty cell is none."""

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row, **kwargs)
        return 0 if value is None else value


class LocalDateWidget(DateWidget):
    """The day (in the association's time zone) of a moment."""

    def render(self, value, obj=None, **kwargs):
        if isinstance(value, datetime.datetime):
            value = timezone.localdate(value)
        return super().render(value, obj, **kwargs)


def _unknown_household(code):
    # The same sentence for a code that does not exist and for another structure's
    # household: an import must not tell that a household exists.
    return _("No household of yours has the code “%(code)s”.") % {"code": code}


# SIM cards ------------------------------------------------------------------------------


class SimCardResource(ExchangeResource):
    """The operator's list of SIM cards: a known ICCID updates its card."""

    record_name = gettext_lazy("SIM card")
    natural_keys = (("iccid",),)

    iccid = Column(
        "iccid",
        label=gettext_lazy("ICCID"),
        aliases=["iccid", "numero de carte", "n° sim", "sim"],
        widget=TextWidget(),
        required=True,
    )
    phone_number = Column(
        "phone_number",
        label=gettext_lazy("Phone number"),
        aliases=["numero", "telephone", "msisdn", "ligne", "numero de ligne"],
        widget=TextWidget(),
    )
    operator = Column(
        "operator",
        label=gettext_lazy("Operator"),
        aliases=["operateur", "fournisseur", "operator"],
        widget=TextWidget(),
        required=True,
    )
    data_plan_gb = Column(
        "data_plan_gb",
        label=gettext_lazy("Data plan (GB a month)"),
        aliases=["forfait", "data", "go", "forfait go", "data gb", "enveloppe data"],
        widget=IntegerWidget(),
        required=True,
    )
    monthly_cost = Column(
        "monthly_cost",
        label=gettext_lazy("Monthly cost (€)"),
        aliases=["cout", "cout mensuel", "prix", "tarif", "monthly cost"],
        widget=DecimalWidget(),
    )
    activated_on = Column(
        "activated_on",
        label=gettext_lazy("Activated on"),
        aliases=["activation", "date d activation", "mise en service"],
        widget=DateWidget(),
    )
    ends_on = Column(
        "ends_on",
        label=gettext_lazy("Plan ends on"),
        aliases=["fin", "fin de forfait", "date de fin", "echeance", "end date"],
        widget=DateWidget(),
    )
    notes = Column(
        "notes", label=gettext_lazy("Notes"), aliases=["remarques"], widget=NotesWidget()
    )

    class Meta(ExchangeResource.Meta):
        model = SimCard

    def normalise(self, key, value):
        return "".join(ch for ch in str(value or "") if ch.isdigit())

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            # Compared as a file gives them back: line ends tidied.
            instance.notes = tidy_notes(instance.notes)
        super().after_init_instance(instance, new, row, **kwargs)


# Households -----------------------------------------------------------------------------

# Where an imported row's situations wait for the bulk write (a many-to-many cannot be
# set on an unsaved household): a sorted tuple of criterion ids.
SITUATIONS = "imported_situations"


class HouseholdResource(ExchangeResource):
    """A structure's households, for its social workers: a known code updates that
    household, a row without code registers a new one (Réemploi gives its code). The
    rules are register_household's: a structure of the importing user, a consent to
    the follow-up, fewer school-age children than people."""

    record_name = gettext_lazy("household")
    natural_keys = (("code",),)

    code = Column(
        "code",
        label=gettext_lazy("Household code"),
        aliases=["code", "code foyer", "code du foyer", "n° foyer", "household"],
        widget=TextWidget(upper=True),
        help_text=gettext_lazy("Empty for a new household: Réemploi gives it its code."),
    )
    first_name = Column(
        "first_name",
        label=gettext_lazy("First name"),
        aliases=["prenom", "first name", "given name"],
        widget=TextWidget(),
        required=True,
    )
    last_name = Column(
        "last_name",
        label=gettext_lazy("Last name"),
        aliases=["nom", "nom de famille", "surname", "family name"],
        widget=TextWidget(),
        required=True,
    )
    phone = Column(
        "phone",
        label=gettext_lazy("Phone"),
        aliases=["telephone", "tel", "portable", "mobile"],
        widget=TextWidget(),
    )
    email = Column(
        "email",
        label=gettext_lazy("E-mail"),
        aliases=["mail", "courriel", "email", "adresse mail"],
        widget=TextWidget(),
    )
    postcode = Column(
        "postcode",
        label=gettext_lazy("Postcode"),
        aliases=["code postal", "cp", "postal code", "zip"],
        widget=PostcodeWidget(),
        required=True,
    )
    commune = Column(
        "commune",
        label=gettext_lazy("Commune"),
        aliases=["ville", "city", "town", "localite"],
        widget=TextWidget(),
        required=True,
    )
    size = Column(
        "size",
        label=gettext_lazy("People in the household"),
        aliases=["taille du foyer", "personnes", "nombre de personnes", "household size"],
        widget=IntegerWidget(),
        required=True,
    )
    school_age_children = Column(
        "school_age_children",
        label=gettext_lazy("School-age children"),
        aliases=["enfants", "enfants scolarises", "children"],
        widget=CountWidget(),
    )
    situations = Column(
        "situations",
        attribute=SITUATIONS,
        label=gettext_lazy("Situations"),
        aliases=["situation", "criteres", "criteria"],
        widget=SituationsWidget(),
    )
    needs = Column(
        "needs",
        label=gettext_lazy("Needs"),
        aliases=["besoins", "besoin"],
        widget=ChoiceSetWidget(Need.choices),
    )
    structure = Column(
        "structure",
        label=gettext_lazy("Structure"),
        aliases=["structure referente", "referring structure"],
        widget=NamedWidget("structure_named", "name"),
    )
    social_worker = Column(
        "social_worker",
        label=gettext_lazy("Social worker"),
        aliases=["travailleur social", "travailleuse sociale", "referent", "referente"],
        widget=NamedWidget("social_worker_named", "username"),
        help_text=gettext_lazy("User name or e-mail; empty: you."),
    )
    consent_given_on = Column(
        "consent_given_on",
        label=gettext_lazy("Consent given on"),
        aliases=["consentement", "date du consentement", "consent date"],
        widget=DateWidget(),
        required=True,
    )
    consent_purposes = Column(
        "consent_purposes",
        label=gettext_lazy("Consent for"),
        aliases=["finalites", "consentement pour", "consent purposes"],
        widget=ChoiceSetWidget(ConsentPurpose.choices),
        required=True,
    )
    notes = Column(
        "notes",
        label=gettext_lazy("Notes"),
        aliases=["remarques", "commentaire", "observations"],
        widget=NotesWidget(),
    )

    class Meta(ExchangeResource.Meta):
        model = Household

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name in ("structure", "social_worker"):
            self.fields[name].widget.resource = self
        self._structures = None
        self._consent_changed = False

    # The importing user's structures and their social workers, read once an import.

    def structures(self):
        if self._structures is None:
            mine = Structure.objects.all()
            if not self.user.is_superuser:
                mine = mine.filter(members=self.user)
            self._structures = {s.pk: s for s in mine.order_by("name")}
            self._members, self._people = {}, {}
            links = Structure.members.through.objects.filter(structure__in=list(self._structures))
            for link in links.select_related("user"):
                self._members.setdefault(link.structure_id, set()).add(link.user_id)
                self._know(link.user)
        return self._structures

    def _know(self, user):
        for name in (user.get_username(), user.email):
            if name:
                self._people.setdefault(name.strip().lower(), user)

    def _which_structure(self):
        names = ", ".join(s.name for s in self.structures().values())
        if not names:
            return _("You are a member of no structure: a coordinator can add you to yours.")
        return _("Say which structure follows the household: one of %(names)s.") % {"names": names}

    def structure_named(self, value):
        structures = self.structures()
        if is_empty(value):
            if len(structures) == 1:
                return next(iter(structures.values()))
            raise ValueError(self._which_structure())
        for structure in structures.values():
            if plain(structure.name) == plain(value):
                return structure
        raise ValueError(
            _("“%(value)s” is not one of your structures (%(names)s).")
            % {"value": value, "names": ", ".join(s.name for s in structures.values())}
        )

    def social_worker_named(self, value):
        if is_empty(value):
            return None
        self.structures()
        person = self._people.get(str(value).strip().lower())
        if person is None:
            raise ValueError(
                _("No social worker of your structures has the user name or e-mail “%(value)s”.")
                % {"value": value}
            )
        return person

    # Rows ---------------------------------------------------------------------------

    def existing_queryset(self, keys, values):
        codes = {value[0] for value in values}
        households = access.households_visible_to(self.user).filter(code__in=codes)
        return households.select_related("structure", "social_worker").prefetch_related(
            "situations"
        )

    def prepare(self, rows):
        super().prepare(rows)
        # Who follows a household now may have left its structure since: still known.
        self.structures()
        for household in self.existing.values():
            self._know(household.social_worker)

    def init_instance(self, row=None):
        return Household(consent_recorded_by=self.user)

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            # Compared as a file writes them: choices sorted, notes' line ends tidied.
            instance.needs = sorted(instance.needs or [])
            instance.consent_purposes = sorted(instance.consent_purposes or [])
            instance.notes = tidy_notes(instance.notes)
            setattr(instance, SITUATIONS, tuple(sorted(c.pk for c in instance.situations.all())))
            instance._import_social_worker = instance.social_worker
        super().after_init_instance(instance, new, row, **kwargs)
        code = row.get("code")
        if new and not is_empty(code):
            raise ValidationError({"code": _unknown_household(str(code).strip())})

    def after_import_values(self, instance, row):
        new = instance.pk is None
        if "structure" not in row and not instance.structure_id:
            # No such column: the only structure of the user (an empty cell, the same).
            try:
                instance.structure = self.structure_named("")
            except ValueError as error:
                raise ValidationError({"structure": str(error)}) from None
        if instance.social_worker_id is None:
            instance.social_worker = self.user if new else instance._import_social_worker
        before = instance._import_before
        if not new and (
            before["consent_given_on"] != instance.consent_given_on
            or before["consent_purposes"] != instance.consent_purposes
        ):
            # As on the household's form: whoever changes the consent records it.
            instance.consent_recorded_by = self.user
            self._consent_changed = True

    def validate_instance(self, instance, errors):
        # Before the model's own checks, which would only say "cannot be null".
        if instance.size is None and "size" not in errors:
            errors["size"] = [_("Say how many people live in the household.")]
        if instance.consent_given_on is None and "consent_given_on" not in errors:
            errors["consent_given_on"] = [
                _("Say on which day the household gave its consent (e.g. 31/12/2026).")
            ]
        if "consent_purposes" not in errors:
            _add_rule(_check_consent, instance, errors)
        super().validate_instance(instance, errors)

    def check_row(self, instance, errors):
        if "size" not in errors and "school_age_children" not in errors:
            _add_rule(_check_children, instance, errors)
        if "structure" in errors:
            return
        if instance.structure_id not in self.structures():
            # A household seen through a programme one coordinates stays its structure's.
            errors["structure"] = [_("You can only import households of your own structures.")]
            return
        chosen = instance.social_worker_id
        if (
            "social_worker" not in errors
            and chosen not in (self.user.pk, instance._import_before.get("social_worker"))
            and chosen not in self._members.get(instance.structure_id, set())
        ):
            errors["social_worker"] = [
                _("%(person)s is not a social worker of %(structure)s.")
                % {"person": instance.social_worker.get_username(), "structure": instance.structure}
            ]

    # Writing ------------------------------------------------------------------------

    def before_bulk_create(self, instances):
        first = reserve_sequence_values(HOUSEHOLD_CODE_SEQUENCE, len(instances))
        for number, household in enumerate(instances, start=first):
            household.code = format_household_code(number)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        created = [] if dry_run else list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)
        self._write_situations(created)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        moved = [
            household
            for household in ([] if dry_run else self.update_instances)
            if household._import_before.get(SITUATIONS) != getattr(household, SITUATIONS)
        ]
        self.changed_fields.discard(SITUATIONS)
        if self._consent_changed:
            self.changed_fields.add("consent_recorded_by_id")
        if moved and not self.changed_fields:
            # Only situations changed: still write each household's history row (who,
            # when, through which import). simple-history keeps no many-to-many in it,
            # so the row cannot say which situations changed; the import's report does.
            self.changed_fields.add("notes")
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size, result)
        self._consent_changed = False
        self._write_situations(moved, replace=True)

    def _write_situations(self, households, replace=False):
        """The situations of `households` (saved), in two queries whatever their number."""
        links = Household.situations.through
        if replace and households:
            links.objects.filter(household__in=[h.pk for h in households]).delete()
        links.objects.bulk_create(
            [
                links(household_id=household.pk, criterion_id=criterion)
                for household in households
                for criterion in getattr(household, SITUATIONS, None) or ()
            ],
            batch_size=self._meta.batch_size,
        )

    # Exporting ----------------------------------------------------------------------

    def dehydrate_situations(self, household):
        return ", ".join(criterion.name for criterion in household.situations.all())

    @classmethod
    def export_queryset(cls, user):
        households = access.households_visible_to(user)
        return households.select_related("structure", "social_worker").prefetch_related(
            "situations"
        )


def _add_rule(check, instance, errors):
    """Run one of lending.households.services' checks; its messages go beside their columns."""
    try:
        check(instance)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)


# Enrolments -----------------------------------------------------------------------------

E = Enrolment.Status
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


# Exports of the loan and programme pages ------------------------------------------------


class LoanExportResource(ExportOnlyResource):
    """The loans page: a household is its code only (technicians export it too)."""

    # Named like the model's fields so that the columns come in this order.
    id = Column("number", attribute="pk", label=gettext_lazy("Loan"), widget=IntegerWidget())
    household = Column(
        "household",
        attribute="household__code",
        label=gettext_lazy("Household code"),
        widget=TextWidget(),
    )
    programme = Column(
        "programme",
        attribute="programme__name",
        label=gettext_lazy("Programme"),
        widget=TextWidget(),
    )
    status = Column(
        "status", label=gettext_lazy("Status"), widget=ChoiceWidget(Loan.Status.choices)
    )
    starts_on = Column("starts_on", label=gettext_lazy("Starts on"), widget=DateWidget())
    due_on = Column("due_on", label=gettext_lazy("Due back on"), widget=DateWidget())
    days_late = Column("days_late", label=gettext_lazy("Days overdue"), widget=IntegerWidget())
    devices = Column("devices", label=gettext_lazy("Devices"), widget=TextWidget())
    sim_iccid = Column(
        "sim", attribute="sim__iccid", label=pgettext_lazy("loan", "SIM card"), widget=TextWidget()
    )

    class Meta(ExchangeResource.Meta):
        model = Loan

    def dehydrate_days_late(self, loan):
        today = timezone.localdate()
        return (today - loan.due_on).days if loan.is_overdue(today) else None

    def dehydrate_devices(self, loan):
        return ", ".join(item.device.asset_tag for item in loan.items.all())

    @classmethod
    def export_queryset(cls, user):
        items = LoanDevice.objects.select_related("device").order_by("pk")
        loans = access.loans_visible_to(user).select_related("household", "programme", "sim")
        return loans.prefetch_related(Prefetch("items", queryset=items)).order_by("-pk")


class ProgrammeExportResource(ExportOnlyResource):
    name = Column("name", label=gettext_lazy("Programme"), widget=TextWidget())
    status = Column(
        "status", label=gettext_lazy("Status"), widget=ChoiceWidget(Programme.Status.choices)
    )
    starts_on = Column("starts_on", label=gettext_lazy("Starts on"), widget=DateWidget())
    ends_on = Column("ends_on", label=gettext_lazy("Ends on"), widget=DateWidget())
    capacity = Column("capacity", label=gettext_lazy("Capacity"), widget=IntegerWidget())
    enrolled = Column("enrolled", label=gettext_lazy("Enrolled"), widget=IntegerWidget())
    places_left = Column("places_left", label=gettext_lazy("Places left"), widget=IntegerWidget())
    waiting = Column("waiting", label=gettext_lazy("Waiting list"), widget=IntegerWidget())
    # Not named like the model's many-to-many fields, which would put them first.
    partners = Column("structures", label=gettext_lazy("Partner structures"), widget=TextWidget())
    funded_by = Column("funders", label=gettext_lazy("Funders"), widget=TextWidget())
    coordinated_by = Column("coordinators", label=gettext_lazy("Coordinators"), widget=TextWidget())

    class Meta(ExchangeResource.Meta):
        model = Programme

    def dehydrate_partners(self, programme):
        return ", ".join(structure.name for structure in programme.structures.all())

    def dehydrate_funded_by(self, programme):
        return ", ".join(funder.name for funder in programme.funders.all())

    def dehydrate_coordinated_by(self, programme):
        people = programme.coordinators.all()
        return ", ".join(user.get_full_name() or user.get_username() for user in people)

    @classmethod
    def export_queryset(cls, user):
        found = programmes.with_places(Programme.objects.all())
        found = found.prefetch_related("structures", "funders", "coordinators")
        return found.order_by("-starts_on", "name")

"""Households in spreadsheets: a structure's households imported and exported."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory.services import reserve_sequence_values
from lending import access
from lending.activity.coop_values import COOP_AGE_BANDS, COOP_QPV, COOP_SOCIAL_STATUSES, aliases
from lending.households.services import (
    HOUSEHOLD_CODE_SEQUENCE,
    _check_children,
    format_household_code,
)
from lending.models import (
    AgeBand,
    ConsentPurpose,
    Criterion,
    Household,
    Need,
    Qpv,
    SocialStatus,
    Structure,
)
from lending.models.consents import active_consents_prefetch
from lending.widgets import (
    ChoiceSetWidget,
    CountWidget,
    InseeCodeWidget,
    NamedWidget,
    PostcodeWidget,
    SituationsWidget,
    UnknownByDefaultWidget,
    _unknown_household,
)
from spreadsheets.columns import Column
from spreadsheets.resources import ExchangeResource
from spreadsheets.values import is_empty, plain
from spreadsheets.widgets import (
    IntegerWidget,
    NotesWidget,
    TextWidget,
    tidy_notes,
)

# Households -----------------------------------------------------------------------------
# Where an imported row's situations wait for the bulk write (a many-to-many cannot be
# set on an unsaved household): a sorted tuple of criterion ids.
SITUATIONS = "imported_situations"


def _add_rule(check, instance, errors):
    """Run one of lending.households.services' checks; its messages go beside their columns."""
    try:
        check(instance)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)


class HouseholdResource(ExchangeResource):
    """A structure's households, for its social workers: a known code updates that
    household, a row without code registers a new one (Réemploi gives its code). The
    rules are register_household's: a structure of the importing user, fewer school-age
    children than people, no sensitive situation without the household's explicit consent.

    Consents are not imported: each is ticked on the household's form, on the day the
    family gives it, by who records it (the export lists those in force)."""

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
        widget=TextWidget(identifier=True),
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
    insee_code = Column(
        "insee_code",
        label=gettext_lazy("INSEE code"),
        aliases=["code insee", "code commune", "code insee commune", "insee", "code officiel"],
        widget=InseeCodeWidget(),
        help_text=gettext_lazy("The commune's INSEE code (2A or 2B in Corsica), not the postcode."),
    )
    qpv = Column(
        "qpv",
        label=gettext_lazy("QPV"),
        aliases=["quartier prioritaire", "quartier prioritaire de la ville", "priority area"],
        widget=UnknownByDefaultWidget(Qpv.choices, Qpv.UNKNOWN, COOP_QPV),
    )
    age_band = Column(
        "age_band",
        label=gettext_lazy("Age band"),
        aliases=["tranche d'age", "tranche age", "age"],
        widget=UnknownByDefaultWidget(AgeBand.choices, AgeBand.UNKNOWN, aliases(COOP_AGE_BANDS)),
    )
    social_status = Column(
        "social_status",
        label=gettext_lazy("Social status"),
        aliases=["statut social", "statut", "status"],
        widget=UnknownByDefaultWidget(
            SocialStatus.choices, SocialStatus.UNKNOWN, aliases(COOP_SOCIAL_STATUSES)
        ),
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
    consents = Column(
        "consents",
        attribute="consents_in_force",
        label=gettext_lazy("Consents"),
        readonly=True,
        help_text=gettext_lazy("Exported only: consents are recorded on the household's form."),
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
        self._sensitive = None

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
            "situations", active_consents_prefetch()
        )

    def prepare(self, rows):
        super().prepare(rows)
        # Who follows a household now may have left its structure since: still known.
        self.structures()
        for household in self.existing.values():
            self._know(household.social_worker)

    def init_instance(self, row=None):
        return Household()

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            # Compared as a file writes them: choices sorted, notes' line ends tidied.
            instance.needs = sorted(instance.needs or [])
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

    def validate_instance(self, instance, errors):
        # Before the model's own checks, which would only say "cannot be null".
        if instance.size is None and "size" not in errors:
            errors["size"] = [_("Say how many people live in the household.")]
        super().validate_instance(instance, errors)

    def check_row(self, instance, errors):
        if "size" not in errors and "school_age_children" not in errors:
            _add_rule(_check_children, instance, errors)
        if "situations" not in errors:
            self._check_sensitive(instance, errors)
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

    def _check_sensitive(self, instance, errors):
        if self._sensitive is None:
            self._sensitive = dict(
                Criterion.objects.filter(sensitive=True).values_list("pk", "name")
            )
        names = [
            self._sensitive[pk]
            for pk in getattr(instance, SITUATIONS, None) or ()
            if pk in self._sensitive
        ]
        consented = instance.consented_purposes() if instance.pk else set()
        if names and ConsentPurpose.SENSITIVE not in consented:
            errors["situations"] = [
                _(
                    "%(criteria)s reveals the household's health or disability: it can be "
                    "recorded only with the household's explicit consent, ticked on its "
                    "form. Leave it out of the file."
                )
                % {"criteria": ", ".join(names)}
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
        if moved and not self.changed_fields:
            # Only situations changed: still write each household's history row (who,
            # when, through which import). simple-history keeps no many-to-many in it,
            # so the row cannot say which situations changed; the import's report does.
            self.changed_fields.add("notes")
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size, result)
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

    def dehydrate_consents(self, household):
        labels = dict(ConsentPurpose.choices)
        return ", ".join(str(labels[purpose]) for purpose in sorted(household.consented_purposes()))

    @classmethod
    def export_queryset(cls, user):
        households = access.households_visible_to(user)
        return households.select_related("structure", "social_worker").prefetch_related(
            "situations", active_consents_prefetch()
        )

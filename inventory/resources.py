"""What the inventory imports and exports (django-import-export resources): devices from
a donor's inventory file, donors, sites, locations, drives and the parts stock.

Files from other tools (Snipe-IT, eReuse DeviceHub) are read by the DeviceResource
subclasses of inventory/migration_sources.py, listed in its SOURCE_RESOURCES.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from inventory import services
from inventory.impact import stale
from inventory.models import (
    Category,
    Device,
    Donation,
    Donor,
    Drive,
    Grade,
    Location,
    Part,
    Site,
    Status,
)
from spreadsheets.columns import Column
from spreadsheets.resources import ExchangeResource
from spreadsheets.values import choice_map, is_empty, parse_choice, parse_storage, plain
from spreadsheets.widgets import (
    BooleanWidget,
    ChoiceWidget,
    IntegerWidget,
    LookupWidget,
    NotesWidget,
    RamWidget,
    StorageWidget,
    TextWidget,
    WeightWidget,
)


class SerialWidget(TextWidget):
    identifier = True

    def clean(self, value, row=None, **kwargs):
        return services.normalise_serial(super().clean(value, row, **kwargs))


def serial_key(value):
    """A serial number cell as a natural key; a spreadsheet may hold it as a number."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return services.normalise_serial("" if value is None else str(value))


def _site_widget():
    return LookupWidget(
        Site,
        "code",
        normalise=lambda v: v.strip().upper(),
        message=gettext_lazy("No site has the code “%(value)s”."),
    )


def _location_widget():
    return LookupWidget(
        Location,
        "code",
        normalise=lambda v: v.strip().upper(),
        message=gettext_lazy("No location has the code “%(value)s”."),
    )


def _singular(text):
    """'ordinateurs portables' → 'ordinateur portable', 'laptops' → 'laptop'."""
    return " ".join(
        word[:-1] if len(word) > 3 and word[-1] in "sx" else word for word in text.split()
    )


class PluralChoiceWidget(ChoiceWidget):
    """A choice also recognised in the plural, as other tools name their categories
    ("Laptops", "Écrans", "Ordinateurs portables")."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return ""
        if self._names is None:
            self._names = choice_map(self.choices, self.aliases)
        wanted = plain(value)
        if wanted not in self._names and _singular(wanted) in self._names:
            return self._names[_singular(wanted)]
        return parse_choice(value, self._names, self.choices)


# How people and other tools name device categories (compared as `plain` text, also in
# the plural). "Computer" and "PC" say nothing of the form: most inventories mean a
# desktop by them, the usual source of laptops being named as such.
CATEGORY_ALIASES = {
    "portable": Category.LAPTOP,
    "ordinateur portable": Category.LAPTOP,
    "pc portable": Category.LAPTOP,
    "notebook": Category.LAPTOP,
    "netbook": Category.LAPTOP,
    "ultrabook": Category.LAPTOP,
    "chromebook": Category.LAPTOP,
    "laptop": Category.LAPTOP,
    "fixe": Category.DESKTOP,
    "pc fixe": Category.DESKTOP,
    "ordinateur fixe": Category.DESKTOP,
    "ordinateur de bureau": Category.DESKTOP,
    "pc de bureau": Category.DESKTOP,
    "tour": Category.DESKTOP,
    "unite centrale": Category.DESKTOP,
    "uc": Category.DESKTOP,
    "tout en un": Category.DESKTOP,
    "all in one": Category.DESKTOP,
    "mini pc": Category.DESKTOP,
    "desktop": Category.DESKTOP,
    "workstation": Category.DESKTOP,
    "station de travail": Category.DESKTOP,
    "server": Category.DESKTOP,
    "serveur": Category.DESKTOP,
    "computer": Category.DESKTOP,
    "ordinateur": Category.DESKTOP,
    "pc": Category.DESKTOP,
    "tablette": Category.TABLET,
    "ipad": Category.TABLET,
    "ecran": Category.SCREEN,
    "moniteur": Category.SCREEN,
    "monitor": Category.SCREEN,
    "computer monitor": Category.SCREEN,
    "display": Category.SCREEN,
    "telephone": Category.SMARTPHONE,
    "telephone portable": Category.SMARTPHONE,
    "mobile": Category.SMARTPHONE,
    "mobile phone": Category.SMARTPHONE,
    "phone": Category.SMARTPHONE,
    "cellphone": Category.SMARTPHONE,
    "cell phone": Category.SMARTPHONE,
    "box 4g": Category.ROUTER_4G,
    "routeur 4g": Category.ROUTER_4G,
    "4g router": Category.ROUTER_4G,
    "mifi": Category.ROUTER_4G,
    "autre": Category.OTHER,
    "imprimante": Category.OTHER,
    "printer": Category.OTHER,
    "peripherique": Category.OTHER,
}


def _same_storage(recorded, read):
    """Is `read` (a tidy summary) what `recorded` says, in other words ("1000 Go SSD",
    written by a hardware report in French, and "1000 GB SSD")?"""
    try:
        return parse_storage(recorded) == read
    except ValueError:
        return False


class DeviceResource(ExchangeResource):
    """A donor's inventory file, or our own export: one device a row. A known asset tag,
    or a known serial number (with its manufacturer), updates that device; otherwise a
    new device is registered (status "received", a new asset tag).

    A blank cell never erases what is recorded about a known device (a donor's file
    without RAM must not undo the RAM read from the machine itself)."""

    record_name = gettext_lazy("device")
    natural_keys = (("asset_tag",), ("manufacturer", "serial_number"), ("serial_number",))

    asset_tag = Column(
        "asset_tag",
        label=gettext_lazy("Asset tag"),
        aliases=["tag", "inventaire", "n° inventaire", "numero d inventaire", "asset", "etiquette"],
        widget=TextWidget(upper=True),
        help_text=gettext_lazy("Empty for a new device: Réemploi gives it its tag."),
    )
    serial_number = Column(
        "serial_number",
        label=gettext_lazy("Serial number"),
        aliases=[
            "serial",
            "serial number",
            "serial no",
            "sn",
            "s/n",
            "n° de série",
            "numéro de série",
            "num serie",
            "serie",
            "service tag",
        ],
        widget=SerialWidget(),
    )
    manufacturer = Column(
        "manufacturer",
        label=gettext_lazy("Manufacturer"),
        aliases=["make", "marque", "fabricant", "constructeur", "brand", "vendor"],
        widget=TextWidget(),
    )
    model = Column(
        "model",
        label=gettext_lazy("Model"),
        aliases=["modele", "model name", "reference", "designation"],
        widget=TextWidget(),
    )
    category = Column(
        "category",
        label=gettext_lazy("Category"),
        aliases=["type", "categorie", "device type", "type d appareil", "type de materiel"],
        widget=PluralChoiceWidget(Category.choices, CATEGORY_ALIASES),
        required=True,
    )
    cpu = Column(
        "cpu",
        label=gettext_lazy("Processor"),
        aliases=["processeur", "processor", "cpu model", "proc"],
        widget=TextWidget(),
    )
    ram_mb = Column(
        "ram_mb",
        label=gettext_lazy("RAM"),
        aliases=["ram", "memoire", "memoire vive", "memory", "mem"],
        widget=RamWidget(),
    )
    # A header that says its unit makes a bare number mean that unit: « RAM (Go) » 8 is
    # 8 GB, « Mémoire vive (Mo) » 8192 is 8192 MB. Read only: exports say "8 GB".
    ram_gb = Column(
        "ram_gb",
        attribute="ram_mb",
        label=gettext_lazy("RAM (GB)"),
        aliases=["ram go", "memoire go", "memoire vive go", "memory gb", "ram giga"],
        widget=RamWidget(unit="gb"),
        export=False,
    )
    ram_in_mb = Column(
        "ram_in_mb",
        attribute="ram_mb",
        label=gettext_lazy("RAM (MB)"),
        aliases=["ram mo", "ram mb", "memoire mo", "memoire vive mo", "memory mb"],
        widget=RamWidget(unit="mb"),
        export=False,
    )
    storage_summary = Column(
        "storage_summary",
        label=pgettext_lazy("device column", "Storage"),
        aliases=[
            "stockage",
            "stockage go",
            "disque",
            "disque go",
            "disque dur",
            "disques",
            "storage",
            "storage gb",
            "hdd",
            "ssd",
            "capacite",
            "capacite go",
        ],
        widget=StorageWidget(),
    )
    weight_kg = Column(
        "weight_kg",
        label=gettext_lazy("Weight (kg)"),
        aliases=["poids", "weight", "poids kg", "weight kg", "masse"],
        widget=WeightWidget(),
    )
    donation = Column(
        "donation",
        label=gettext_lazy("Donation"),
        aliases=["don", "donation", "n° de don", "lot"],
        widget=LookupWidget(
            Donation, "pk", message=gettext_lazy("No donation has the number “%(value)s”.")
        ),
    )
    site = Column(
        "site",
        label=gettext_lazy("Site"),
        aliases=["site", "ressourcerie", "site code", "code site"],
        widget=_site_widget(),
    )
    location = Column(
        "location",
        label=gettext_lazy("Location"),
        aliases=["emplacement", "etagere", "location", "rangement", "code emplacement"],
        widget=_location_widget(),
    )
    notes = Column(
        "notes",
        label=gettext_lazy("Notes"),
        aliases=[
            "remarque",
            "remarques",
            "commentaire",
            "commentaires",
            "observation",
            "observations",
            "notes",
        ],
        widget=NotesWidget(),
    )
    # Shown in exports, never imported: they change through the workshop's workflow.
    status = Column(
        "status",
        label=gettext_lazy("Status"),
        aliases=["statut"],
        widget=ChoiceWidget(Status.choices),
        readonly=True,
    )
    grade = Column(
        "grade",
        label=gettext_lazy("Grade"),
        widget=ChoiceWidget(Grade.choices),
        readonly=True,
    )

    class Meta(ExchangeResource.Meta):
        model = Device

    def normalise(self, key, value):
        if key == "serial_number":
            return serial_key(value)
        return super().normalise(key, value)

    def key_of(self, row, keys):
        # A serial number alone names a device only when the row gives no manufacturer.
        if keys == ("serial_number",) and row.get("manufacturer"):
            return None
        return super().key_of(row, keys)

    def existing_queryset(self, keys, values):
        field = "asset_tag" if keys == ("asset_tag",) else "serial_number"
        found = {value[-1] for value in values}
        return Device.objects.filter(**{f"{field}__in": found})

    def init_instance(self, row=None):
        device = Device(status=Status.RECEIVED)
        donation, site = self.defaults()
        if self.options.get("donation") and donation is None:
            raise ValidationError(
                {
                    "donation": _("Donation #%(number)s does not exist (any more).")
                    % {"number": self.options["donation"]}
                }
            )
        if donation:
            device.donation = donation
            device.site = donation.site
        elif site:
            device.site = site
        return device

    def defaults(self):
        """The donation and the site chosen for the whole file (options "donation" and
        "site", ids), fetched once per import rather than once per new row."""
        if not hasattr(self, "_defaults"):
            donation, site = self.options.get("donation"), self.options.get("site")
            self._defaults = (
                Donation.objects.select_related("site").filter(pk=donation).first()
                if donation
                else None,
                Site.objects.filter(pk=site).first() if site else None,
            )
        return self._defaults

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        tag = (row.get("asset_tag") or "").strip().upper()
        if new and tag:
            raise ValidationError(
                {
                    "asset_tag": _(
                        "No device has the asset tag “%(tag)s”: leave the column empty for "
                        "a new device, Réemploi gives it its tag."
                    )
                    % {"tag": tag}
                }
            )
        if not new and tag and tag != instance.asset_tag:
            raise ValidationError(
                {
                    "serial_number": _("This serial number is the one of %(other)s, not %(tag)s.")
                    % {"other": instance.asset_tag, "tag": tag}
                }
            )
        if not new:
            for key in [key for key, value in row.items() if is_empty(value)]:
                del row[key]

    def after_import_values(self, instance, row):
        donation, site = self.defaults()
        if instance.pk is None:
            # The file's donation for a new device whose "Donation" cell is empty.
            if not instance.donation_id and donation:
                instance.donation = donation
            if not row.get("site") and instance.donation_id:
                instance.site = instance.donation.site
            elif not instance.site_id and site:
                # An empty "Site" cell: the file's default site, when one was chosen.
                instance.site = site
        if instance.location_id and instance.location.site_id != instance.site_id:
            if row.get("site"):
                raise ValidationError(
                    {"location": _("This location is in another site than the row's site.")}
                )
            instance.site = instance.location.site
        before = instance._import_before.get("storage_summary")
        if before and _same_storage(before, instance.storage_summary):
            instance.storage_summary = before

    def check_row(self, instance, errors):
        if not instance.site_id and "site" not in errors:
            errors.setdefault("site", []).append(self.missing_site_message())

    def missing_site_message(self):
        return _("Say which site received the device: fill the “Site” column (its code).")

    def before_bulk_create(self, instances):
        first = services.reserve_sequence_values(services.ASSET_TAG_SEQUENCE, len(instances))
        for number, device in enumerate(instances, start=first):
            device.asset_tag = services.format_asset_tag(number)

    def after_bulk_update(self, instances):
        super().after_bulk_update(instances)
        stale.changed(instances)

    @classmethod
    def export_queryset(cls, user):
        return Device.objects.select_related("site", "location", "donation")


class SirenWidget(TextWidget):
    """A SIREN, with or without its spaces; a SIRET (14 digits) gives its SIREN."""

    identifier = True

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if not text:
            return ""
        digits = re.sub(r"[\s.\-]", "", text)
        if digits.isdigit() and len(digits) == 14:
            digits = digits[:9]
        if not (digits.isdigit() and len(digits) == 9):
            raise ValueError(
                _("“%(text)s” is not a SIREN number (9 digits, e.g. 123 456 789).") % {"text": text}
            )
        return digits


def _named(model, names):
    """Records of `model` whose name is one of `names`, case aside (exactly, and as the
    database lowers letters: all of them on PostgreSQL, ASCII ones on SQLite)."""
    return model.objects.annotate(lowered=Lower("name")).filter(
        Q(name__in=names) | Q(lowered__in={name.lower() for name in names})
    )


def _names_of(rows):
    return {" ".join(str(row.get("name") or "").split()) for row in rows} - {""}


class DonorResource(ExchangeResource):
    record_name = gettext_lazy("donor")
    natural_keys = (("siren",), ("name",))

    name = Column(
        "name",
        label=gettext_lazy("Name"),
        aliases=["nom", "raison sociale", "donateur", "donor", "societe", "entreprise"],
        widget=TextWidget(),
        required=True,
    )
    kind = Column(
        "kind",
        label=gettext_lazy("Kind"),
        aliases=["type", "categorie", "nature"],
        widget=ChoiceWidget(
            Donor.Kind.choices,
            {
                "entreprise": Donor.Kind.COMPANY,
                "societe": Donor.Kind.COMPANY,
                "collectivite": Donor.Kind.PUBLIC_BODY,
                "mairie": Donor.Kind.PUBLIC_BODY,
                "commune": Donor.Kind.PUBLIC_BODY,
                "administration": Donor.Kind.PUBLIC_BODY,
                "etablissement public": Donor.Kind.PUBLIC_BODY,
                "asso": Donor.Kind.ASSOCIATION,
                "particulier": Donor.Kind.INDIVIDUAL,
            },
        ),
    )
    siren = Column("siren", label=gettext_lazy("SIREN"), aliases=["siret"], widget=SirenWidget())
    contact_name = Column(
        "contact_name",
        label=gettext_lazy("Contact person"),
        aliases=["contact", "interlocuteur", "referent"],
        widget=TextWidget(),
    )
    email = Column(
        "email",
        label=gettext_lazy("E-mail"),
        aliases=["mail", "courriel", "email", "adresse mail", "adresse e mail"],
        widget=TextWidget(),
    )
    phone = Column(
        "phone",
        label=gettext_lazy("Phone"),
        aliases=["telephone", "tel", "phone"],
        widget=TextWidget(identifier=True),
    )
    address = Column(
        "address", label=gettext_lazy("Address"), aliases=["adresse"], widget=NotesWidget()
    )
    notes = Column(
        "notes",
        label=gettext_lazy("Notes"),
        aliases=["remarques", "commentaire"],
        widget=NotesWidget(),
    )

    class Meta(ExchangeResource.Meta):
        model = Donor

    def after_bulk_update(self, instances):
        super().after_bulk_update(instances)
        stale.changed(instances)

    def normalise(self, key, value):
        if key == "siren":
            digits = "".join(ch for ch in str(value or "") if ch.isdigit())
            return digits[:9] if len(digits) == 14 else digits
        return super().normalise(key, value)

    def existing_queryset(self, keys, values):
        if keys == ("name",):
            return _named(Donor, self._names)
        return Donor.objects.filter(siren__in={value[0] for value in values})

    def prepare(self, rows):
        self._names = _names_of(rows)
        super().prepare(rows)


class SiteResource(ExchangeResource):
    record_name = gettext_lazy("site")
    natural_keys = (("code",),)

    code = Column(
        "code",
        label=gettext_lazy("Code"),
        aliases=["code site"],
        widget=TextWidget(upper=True),
        required=True,
    )
    name = Column(
        "name", label=gettext_lazy("Name"), aliases=["nom"], widget=TextWidget(), required=True
    )
    kind = Column(
        "kind",
        label=gettext_lazy("Kind"),
        aliases=["type"],
        widget=ChoiceWidget(
            Site.Kind.choices,
            {
                "centre social": Site.Kind.SOCIAL_CENTRE,
                "entrepot": Site.Kind.STORAGE,
                "stockage": Site.Kind.STORAGE,
                "depot": Site.Kind.STORAGE,
            },
        ),
    )
    address = Column(
        "address", label=gettext_lazy("Address"), aliases=["adresse"], widget=NotesWidget()
    )

    class Meta(ExchangeResource.Meta):
        model = Site


class LocationResource(ExchangeResource):
    record_name = gettext_lazy("location")
    natural_keys = (("code",),)

    code = Column(
        "code",
        label=gettext_lazy("Code"),
        aliases=["code emplacement"],
        widget=TextWidget(upper=True),
        required=True,
    )
    name = Column(
        "name",
        label=gettext_lazy("Name"),
        aliases=["nom", "libelle"],
        widget=TextWidget(),
        required=True,
    )
    site = Column(
        "site",
        label=gettext_lazy("Site"),
        aliases=["code site", "ressourcerie"],
        widget=_site_widget(),
        required=True,
    )

    class Meta(ExchangeResource.Meta):
        model = Location

    @classmethod
    def export_queryset(cls, user):
        return Location.objects.select_related("site")


# Drive capacities are decimal, as printed on their labels (1 TB = 1000 GB).
_CAPACITY = re.compile(r"^(?P<number>\d[\d\s.,]*?)\s*(?P<unit>[a-z]*)$")
_CAPACITY_UNITS = {"": 1, "g": 1, "go": 1, "gb": 1, "t": 1000, "to": 1000, "tb": 1000}
_CAPACITY_UNITS.update({"m": Decimal("0.001"), "mo": Decimal("0.001"), "mb": Decimal("0.001")})


class CapacityWidget(IntegerWidget):
    """Whole gigabytes: '256', '256 Go', '500GB', '1 To' (1000 GB), '2,5 TB'."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        if isinstance(value, int | float):
            value = f"{value:g}"
        match = _CAPACITY.match(str(value).strip().lower())
        try:
            unit = _CAPACITY_UNITS[match.group("unit")] if match else None
            number = Decimal(match.group("number").replace(" ", "").replace(",", "."))
        except (KeyError, TypeError, AttributeError, InvalidOperation):
            unit = None
        if unit is None or number * unit < 1:
            raise ValueError(
                _("“%(text)s” is not a drive capacity (write e.g. 256 GB or 1 TB).")
                % {"text": value}
            )
        return int((number * unit).to_integral_value())


class DriveResource(ExchangeResource):
    record_name = gettext_lazy("drive")
    natural_keys = (("serial_number",),)

    device = Column(
        "device",
        label=gettext_lazy("Device"),
        aliases=["appareil", "asset tag", "numero d inventaire", "inventaire"],
        widget=LookupWidget(
            Device,
            "asset_tag",
            normalise=lambda v: v.strip().upper(),
            message=gettext_lazy("No device has the asset tag “%(value)s”."),
        ),
        required=True,
    )
    kind = Column(
        "kind",
        label=gettext_lazy("Type"),
        aliases=["type", "kind"],
        widget=ChoiceWidget(
            Drive.Kind.choices,
            {"disque dur": Drive.Kind.HDD, "mecanique": Drive.Kind.HDD, "autre": Drive.Kind.OTHER},
        ),
    )
    serial_number = Column(
        "serial_number",
        label=gettext_lazy("Serial number"),
        aliases=["serial", "sn", "n° de série", "numero de serie", "serial number"],
        widget=SerialWidget(),
        required=True,
    )
    model = Column("model", label=gettext_lazy("Model"), aliases=["modele"], widget=TextWidget())
    capacity_gb = Column(
        "capacity_gb",
        label=gettext_lazy("Capacity (GB)"),
        aliases=["capacite", "capacity", "taille", "capacite go"],
        widget=CapacityWidget(),
    )
    smart_passed = Column(
        "smart_passed",
        label=gettext_lazy("SMART health passed"),
        aliases=["smart"],
        widget=BooleanWidget(),
    )
    power_on_hours = Column(
        "power_on_hours",
        label=gettext_lazy("Power-on hours"),
        aliases=["heures", "heures de fonctionnement"],
        widget=IntegerWidget(),
    )

    class Meta(ExchangeResource.Meta):
        model = Drive

    def normalise(self, key, value):
        return serial_key(value)

    @classmethod
    def export_queryset(cls, user):
        return Drive.objects.select_related("device")


class PartResource(ExchangeResource):
    record_name = gettext_lazy("part")
    natural_keys = (("name",),)

    name = Column(
        "name",
        label=gettext_lazy("Name"),
        aliases=["nom", "designation", "piece", "libelle"],
        widget=TextWidget(),
        required=True,
    )
    kind = Column(
        "kind",
        label=gettext_lazy("Kind"),
        aliases=["type", "categorie"],
        widget=PluralChoiceWidget(
            Part.Kind.choices,
            {
                "barrette": Part.Kind.RAM,
                "memoire": Part.Kind.RAM,
                "barrette memoire": Part.Kind.RAM,
                "disque dur": Part.Kind.HDD,
                "hdd": Part.Kind.HDD,
                "batterie": Part.Kind.BATTERY,
                "chargeur": Part.Kind.CHARGER,
                "alimentation": Part.Kind.CHARGER,
                "clavier": Part.Kind.KEYBOARD,
                "ecran": Part.Kind.SCREEN,
                "dalle": Part.Kind.SCREEN,
                "autre": Part.Kind.OTHER,
            },
        ),
        required=True,
    )
    quantity = Column(
        "quantity",
        label=gettext_lazy("Quantity in stock"),
        aliases=["quantite", "stock", "qte", "quantity", "quantite en stock"],
        widget=IntegerWidget(),
    )

    class Meta(ExchangeResource.Meta):
        model = Part

    def existing_queryset(self, keys, values):
        return _named(Part, self._names)

    def prepare(self, rows):
        self._names = _names_of(rows)
        super().prepare(rows)


# What this app offers to import and export, by the name used in URLs and commands.
RESOURCES = {
    "devices": DeviceResource,
    "donors": DonorResource,
    "sites": SiteResource,
    "locations": LocationResource,
    "drives": DriveResource,
    "parts": PartResource,
}

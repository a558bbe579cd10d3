"""What the inventory imports and exports (django-import-export resources): devices from
a donor's inventory file, donors, sites, locations, drives and the parts stock."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from exchange.columns import Column
from exchange.resources import ExchangeResource
from exchange.widgets import (
    BooleanWidget,
    ChoiceWidget,
    IntegerWidget,
    LookupWidget,
    RamWidget,
    StorageWidget,
    TextWidget,
    WeightWidget,
)

from . import services
from .models import Category, Device, Donation, Donor, Drive, Grade, Location, Part, Site, Status


class SerialWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        return services.normalise_serial(super().clean(value, row, **kwargs))


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


CATEGORY_ALIASES = {
    "portable": Category.LAPTOP,
    "ordinateur portable": Category.LAPTOP,
    "pc portable": Category.LAPTOP,
    "notebook": Category.LAPTOP,
    "laptop": Category.LAPTOP,
    "fixe": Category.DESKTOP,
    "pc fixe": Category.DESKTOP,
    "ordinateur fixe": Category.DESKTOP,
    "tour": Category.DESKTOP,
    "unite centrale": Category.DESKTOP,
    "desktop": Category.DESKTOP,
    "tablette": Category.TABLET,
    "ecran": Category.SCREEN,
    "moniteur": Category.SCREEN,
    "monitor": Category.SCREEN,
    "telephone": Category.SMARTPHONE,
    "mobile": Category.SMARTPHONE,
    "box 4g": Category.ROUTER_4G,
    "routeur 4g": Category.ROUTER_4G,
    "4g router": Category.ROUTER_4G,
}


class DeviceResource(ExchangeResource):
    """A donor's inventory file, or our own export: one device a row. A known asset tag,
    or a known serial number (with its manufacturer), updates that device; otherwise a
    new device is registered (status "received", a new asset tag)."""

    record_name = gettext_lazy("device")
    natural_keys = (("asset_tag",), ("manufacturer", "serial_number"), ("serial_number",))

    asset_tag = Column(
        "asset_tag",
        label=gettext_lazy("Asset tag"),
        aliases=["tag", "inventaire", "n° inventaire", "numero d inventaire", "asset"],
        widget=TextWidget(upper=True),
        help_text=gettext_lazy("Empty for a new device: Réemploi gives it its tag."),
    )
    serial_number = Column(
        "serial_number",
        label=gettext_lazy("Serial number"),
        aliases=["serial", "sn", "s n", "n° de serie", "no de serie", "num serie", "serie"],
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
        aliases=["type", "categorie", "device type", "type d appareil"],
        widget=ChoiceWidget(Category.choices, CATEGORY_ALIASES),
        required=True,
    )
    cpu = Column(
        "cpu",
        label=gettext_lazy("Processor"),
        aliases=["processeur", "processor", "cpu model"],
        widget=TextWidget(),
    )
    ram_mb = Column(
        "ram_mb",
        label=gettext_lazy("RAM"),
        aliases=["ram", "memoire", "memoire vive", "memory", "ram go", "ram gb", "ram mb"],
        widget=RamWidget(),
    )
    storage_summary = Column(
        "storage_summary",
        label=pgettext_lazy("device column", "Storage"),
        aliases=["stockage", "disque", "disque dur", "storage", "hdd", "ssd", "capacite"],
        widget=StorageWidget(),
    )
    weight_kg = Column(
        "weight_kg",
        label=gettext_lazy("Weight (kg)"),
        aliases=["poids", "weight", "poids kg", "weight kg"],
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
        aliases=["site", "ressourcerie", "site code"],
        widget=_site_widget(),
    )
    location = Column(
        "location",
        label=gettext_lazy("Location"),
        aliases=["emplacement", "etagere", "location", "rangement"],
        widget=_location_widget(),
    )
    notes = Column(
        "notes",
        label=gettext_lazy("Notes"),
        aliases=["remarques", "commentaire", "commentaires", "observations", "notes"],
        widget=TextWidget(),
    )
    # Shown in exports, never imported: they change through the workshop's workflow.
    status = Column(
        "status",
        label=gettext_lazy("Status"),
        aliases=["statut", "etat"],
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
            return services.normalise_serial(value)
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
        donation = self.options.get("donation")
        if donation:
            device.donation = Donation.objects.select_related("site").get(pk=donation)
            device.site = device.donation.site
        return device

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

    def after_import_values(self, instance, row):
        if instance.donation_id and not row.get("site"):
            instance.site = instance.donation.site
        if instance.location_id and instance.location.site_id != instance.site_id:
            if row.get("site"):
                raise ValidationError(
                    {"location": _("This location is in another site than the row's site.")}
                )
            instance.site = instance.location.site

    def check_row(self, instance, errors):
        if not instance.site_id and "site" not in errors:
            errors.setdefault("site", []).append(
                _("Say which site received the device: fill the “Site” column (its code).")
            )

    def before_bulk_create(self, instances):
        first = services.reserve_sequence_values(services.ASSET_TAG_SEQUENCE, len(instances))
        for number, device in enumerate(instances, start=first):
            device.asset_tag = services.format_asset_tag(number)

    @classmethod
    def export_queryset(cls, user):
        return Device.objects.select_related("site", "location", "donation")


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
                "particulier": Donor.Kind.INDIVIDUAL,
            },
        ),
    )
    siren = Column("siren", label=gettext_lazy("SIREN"), widget=TextWidget())
    contact_name = Column(
        "contact_name",
        label=gettext_lazy("Contact person"),
        aliases=["contact", "interlocuteur", "referent"],
        widget=TextWidget(),
    )
    email = Column(
        "email",
        label=gettext_lazy("E-mail"),
        aliases=["mail", "courriel", "email"],
        widget=TextWidget(),
    )
    phone = Column(
        "phone",
        label=gettext_lazy("Phone"),
        aliases=["telephone", "tel", "phone"],
        widget=TextWidget(),
    )
    address = Column(
        "address", label=gettext_lazy("Address"), aliases=["adresse"], widget=TextWidget()
    )
    notes = Column(
        "notes",
        label=gettext_lazy("Notes"),
        aliases=["remarques", "commentaire"],
        widget=TextWidget(),
    )

    class Meta(ExchangeResource.Meta):
        model = Donor

    def normalise(self, key, value):
        if key == "siren":
            return "".join(ch for ch in str(value or "") if ch.isdigit())
        return super().normalise(key, value)

    def existing_queryset(self, keys, values):
        if keys == ("name",):
            return Donor.objects.filter(name__in=self._names)
        return Donor.objects.filter(siren__in={value[0] for value in values})

    def prepare(self, rows):
        self._names = {str(row.get("name") or "").strip() for row in rows}
        super().prepare(rows)


class SiteResource(ExchangeResource):
    record_name = gettext_lazy("site")
    natural_keys = (("code",),)

    code = Column("code", label=gettext_lazy("Code"), widget=TextWidget(upper=True), required=True)
    name = Column(
        "name", label=gettext_lazy("Name"), aliases=["nom"], widget=TextWidget(), required=True
    )
    kind = Column(
        "kind",
        label=gettext_lazy("Kind"),
        aliases=["type"],
        widget=ChoiceWidget(Site.Kind.choices),
    )
    address = Column(
        "address", label=gettext_lazy("Address"), aliases=["adresse"], widget=TextWidget()
    )

    class Meta(ExchangeResource.Meta):
        model = Site


class LocationResource(ExchangeResource):
    record_name = gettext_lazy("location")
    natural_keys = (("code",),)

    code = Column("code", label=gettext_lazy("Code"), widget=TextWidget(upper=True), required=True)
    name = Column(
        "name",
        label=gettext_lazy("Name"),
        aliases=["nom", "libelle"],
        widget=TextWidget(),
        required=True,
    )
    site = Column("site", label=gettext_lazy("Site"), widget=_site_widget(), required=True)

    class Meta(ExchangeResource.Meta):
        model = Location

    @classmethod
    def export_queryset(cls, user):
        return Location.objects.select_related("site")


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
        widget=ChoiceWidget(Drive.Kind.choices, {"disque dur": Drive.Kind.HDD}),
    )
    serial_number = Column(
        "serial_number",
        label=gettext_lazy("Serial number"),
        aliases=["serial", "sn", "n° de serie", "numero de serie"],
        widget=SerialWidget(),
        required=True,
    )
    model = Column("model", label=gettext_lazy("Model"), aliases=["modele"], widget=TextWidget())
    capacity_gb = Column(
        "capacity_gb",
        label=gettext_lazy("Capacity (GB)"),
        aliases=["capacite", "capacity", "taille", "capacite go"],
        widget=IntegerWidget(),
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
        return services.normalise_serial(value)

    @classmethod
    def export_queryset(cls, user):
        return Drive.objects.select_related("device")


class PartResource(ExchangeResource):
    record_name = gettext_lazy("part")
    natural_keys = (("name",),)

    name = Column(
        "name",
        label=gettext_lazy("Name"),
        aliases=["nom", "designation", "piece"],
        widget=TextWidget(),
        required=True,
    )
    kind = Column(
        "kind",
        label=gettext_lazy("Kind"),
        aliases=["type", "categorie"],
        widget=ChoiceWidget(Part.Kind.choices),
        required=True,
    )
    quantity = Column(
        "quantity",
        label=gettext_lazy("Quantity in stock"),
        aliases=["quantite", "stock", "qte", "quantity"],
        widget=IntegerWidget(),
    )

    class Meta(ExchangeResource.Meta):
        model = Part

    def existing_queryset(self, keys, values):
        return Part.objects.filter(name__in=self._names)

    def prepare(self, rows):
        self._names = {" ".join(str(row.get("name") or "").split()) for row in rows}
        super().prepare(rows)


# Other tools' exports, read into devices (see inventory/migration_sources.py).
SOURCE_RESOURCES = {}

"""Inventory: where devices are, where they came from, and what state they are in."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from inventory import specs
from inventory.querysets import DeviceQuerySet

# A tracked field that was not read (deferred): LoadedValues counts it as changed.
NOT_LOADED = object()


class LoadedValues:
    """Remembers the values of TRACKED_FIELDS as read from the database, so that a save
    can tell what it changed without reading the row again (changed_fields)."""

    TRACKED_FIELDS = ()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.remember_loaded_values()
        return instance

    def remember_loaded_values(self):
        self._loaded = {name: self.__dict__.get(name, NOT_LOADED) for name in self.TRACKED_FIELDS}

    def loaded_value(self, name):
        return getattr(self, "_loaded", {}).get(name, NOT_LOADED)

    def changed_fields(self):
        """TRACKED_FIELDS whose value differs from the loaded one (a field that was not
        loaded counts as changed); empty for a row not read from the database."""
        loaded = getattr(self, "_loaded", None)
        if loaded is None:
            return set()
        return {name for name, value in loaded.items() if self.__dict__.get(name) != value}


class Sequence(models.Model):
    """A named counter that only ever grows, so that identifiers are never reused."""

    name = models.CharField(max_length=40, primary_key=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}={self.last_value}"


# Codes are printed as barcodes and typed by scanners: upper-case letters, digits and
# hyphens only, so every keyboard layout and every scanner produces them unchanged.
CODE_VALIDATOR = RegexValidator(
    r"^[A-Z0-9]+(-[A-Z0-9]+)*$",
    _("Use upper-case letters, digits and single hyphens only, e.g. BRU-A03."),
)


class Site(models.Model):
    class Kind(models.TextChoices):
        RESSOURCERIE = "ressourcerie", _("Ressourcerie")
        SOCIAL_CENTRE = "social_centre", _("Social centre")
        STORAGE = "storage", _("Storage")

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[CODE_VALIDATOR],
        help_text=_("Short code printed on labels, e.g. BRU."),
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.RESSOURCERIE)
    address = models.TextField(_("address"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self):
        return self.name


class Location(models.Model):
    """A shelf, bin or bench inside a site; its code is printed and scanned."""

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="locations", verbose_name=_("site")
    )
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[CODE_VALIDATOR],
        help_text=_("Printable code, unique across all sites, e.g. BRU-A03."),
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self):
        return f"{self.code} · {self.name}"


class Comment(models.Model):
    """A free note in the history ("chatter") of a device, donation or donor, or of
    whatever an upper layer comments on (lending's households, enrolments and loans).

    Its audience says who reads it: everyone who may open the object, or only the social
    team (social workers, the programme's coordinators, superusers) of an object the
    workshop opens too. The chatter leaves "social" comments out unless asked
    (inventory.chatter.timeline), so an upper layer decides who is the social team.
    """

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone who may open it")
        SOCIAL = "social", _("The social team only")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("author")
    )
    body = models.TextField(_("comment"))
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience, default=Audience.EVERYONE
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return self.body[:60]


class Donor(LoadedValues, models.Model):
    # What the monthly entries depend on (inventory.impact.stale).
    TRACKED_FIELDS = ("kind",)

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        PUBLIC_BODY = "public_body", _("Public body")
        ASSOCIATION = "association", _("Association")
        INDIVIDUAL = "individual", _("Individual")

    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.COMPANY)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.TextField(_("address"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    comments = GenericRelation(Comment)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("inventory:donor_detail", args=[self.pk])


class ValuationBasis(models.TextChoices):
    """How a gift in kind was valued (inventory.donors.rules says which fits whom)."""

    COST_PRICE = "cost_price", _("Cost price (goods held in stock)")
    NET_BOOK_VALUE = "net_book_value", _("Net book value (fixed assets)")
    MARKET_VALUE = "market_value", _("Market value (second-hand price)")


class Donation(LoadedValues, models.Model):
    """A batch of devices given by one donor on one day."""

    # What the monthly entries depend on (inventory.impact.stale).
    TRACKED_FIELDS = ("received_on", "site_id", "donor_id")

    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, related_name="donations", verbose_name=_("donor")
    )
    received_on = models.DateField(_("received on"))
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="donations", verbose_name=_("site")
    )
    reference = models.CharField(
        _("donor's reference"),
        max_length=60,
        blank=True,
        help_text=_("Purchase order or inventory number given by the donor, if any."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # What a company's tax receipt (CERFA 11580, art. 238 bis CGI) needs besides the donor:
    # the association decides whether it issues one, and values gifts in kind itself.
    gift_description = models.CharField(
        _("nature of the gift"),
        max_length=200,
        default="Matériel informatique d'occasion",
        help_text=_("As it would read on a tax receipt for a gift in kind."),
    )
    valuation = models.DecimalField(
        _("valuation (€)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Entered by the coordinator: often near zero for depreciated computers."),
    )
    valued_on = models.DateField(_("valued on"), null=True, blank=True)
    # How the donor valued the gift (a company values it itself: CGI art. 238 bis 1).
    valuation_basis = models.CharField(
        _("valuation basis"), max_length=20, choices=ValuationBasis, blank=True
    )
    comments = GenericRelation(Comment)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        # A period's entries start from its donations (reports).
        indexes = [models.Index(fields=["received_on"])]
        permissions = [("value_donation", _("Can value donations for tax receipts"))]

    def __str__(self):
        return _("Donation #%(number)s from %(donor)s") % {"number": self.pk, "donor": self.donor}

    def get_absolute_url(self):
        return reverse("inventory:donation_detail", args=[self.pk])


class Status(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("device status", "Received")
    WIPING = "wiping", pgettext_lazy("device status", "Wiping")
    REFURBISHING = "refurbishing", pgettext_lazy("device status", "Refurbishing")
    READY = "ready", pgettext_lazy("device status", "Ready")
    RESERVED = "reserved", pgettext_lazy("device status", "Reserved")
    LENT = "lent", pgettext_lazy("device status", "Lent")
    RETURNED = "returned", pgettext_lazy("device status", "Returned")
    SOLD = "sold", pgettext_lazy("device status", "Sold")
    GIVEN = "given", pgettext_lazy("device status", "Given")
    PARTS = "parts", pgettext_lazy("device status", "Parts")
    RECYCLED = "recycled", pgettext_lazy("device status", "Recycled")
    LOST = "lost", pgettext_lazy("device status", "Lost")


# The statuses of a device that has left the stock (inventory.impact.ledger gives each its
# exit channel), in a fixed order: the partial index of the stock below is written with
# this list, and PostgreSQL uses it only for a query that writes the same one.
STOCK_EXIT_STATUSES = (Status.GIVEN, Status.LOST, Status.PARTS, Status.RECYCLED, Status.SOLD)


class Holder(models.TextChoices):
    """The process that holds a device (inventory.workflow names them LOAN and SALE)."""

    LOAN = "loan", _("Loan")
    SALE = "sale", _("Sale")


class Category(models.TextChoices):
    LAPTOP = "laptop", _("Laptop")
    DESKTOP = "desktop", _("Desktop")
    TABLET = "tablet", _("Tablet")
    SMARTPHONE = "smartphone", _("Smartphone")
    SCREEN = "screen", _("Screen")
    ROUTER_4G = "router_4g", _("4G router")
    OTHER = "other", _("Other")


class Grade(models.TextChoices):
    # Never « comme neuf » / « like new »: a wording forbidden for refurbished goods
    # (code de la consommation R.122-4 to R.122-6, décret 2022-190).
    A = "A", pgettext_lazy("grade", "A: very slight signs of use")
    B = "B", pgettext_lazy("grade", "B: visible wear")
    C = "C", pgettext_lazy("grade", "C: marked, fully working")
    PARTS = "parts", pgettext_lazy("grade", "For parts")


class Device(LoadedValues, models.Model):
    # What the monthly entries and exits depend on (inventory.impact.stale).
    TRACKED_FIELDS = ("category", "weight_kg", "site_id", "donation_id")

    asset_tag = models.CharField(_("asset tag"), max_length=20, unique=True, editable=False)
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category)
    manufacturer = models.CharField(_("manufacturer"), max_length=80, blank=True)
    model = models.CharField(_("model"), max_length=120, blank=True)
    cpu = models.CharField(_("processor"), max_length=120, blank=True)
    ram_mb = models.PositiveIntegerField(
        _("RAM (MB)"), null=True, blank=True, validators=[MaxValueValidator(16 * 1024 * 1024)]
    )
    storage_summary = models.CharField(
        _("storage"), max_length=120, blank=True, help_text=_("For example: 256 GB SSD.")
    )
    battery_health = models.PositiveSmallIntegerField(
        _("battery health (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    grade = models.CharField(_("grade"), max_length=10, choices=Grade, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.RECEIVED, editable=False
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="devices", verbose_name=_("site")
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("location"),
    )
    donation = models.ForeignKey(
        Donation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("donation"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("registered on"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed on"), auto_now_add=True)
    # Set when a device comes back from a household: erasures, checks and installs made
    # before it no longer count, so the next family never gets the previous one's files.
    cycle_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Written by the workflow only (transition_device): the process that holds the device
    # (a loan from the reservation to the review of the return, a sale until its credit
    # note) and its number for people (loan "12", receipt "BRU-2026-0042"). Other moves
    # are refused while it is set, without reading the loan or sale tables.
    held_by = models.CharField(
        _("held by"), max_length=10, choices=Holder, blank=True, default="", editable=False
    )
    held_ref = models.CharField(
        _("number of the loan or sale"), max_length=30, blank=True, default="", editable=False
    )
    # The load it left in as waste (inventory.recycling): set with its move to "recycled".
    recycling_shipment = models.ForeignKey(
        "inventory.RecyclingShipment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="devices",
        verbose_name=_("recycling shipment"),
    )
    battery_design_mwh = models.PositiveIntegerField(
        _("battery design capacity (mWh)"), null=True, blank=True
    )
    battery_full_mwh = models.PositiveIntegerField(
        _("battery full-charge capacity (mWh)"), null=True, blank=True
    )

    comments = GenericRelation(Comment)
    history = HistoricalRecords(excluded_fields=["status_changed_at"])
    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        permissions = [
            ("process_device", _("Can move devices through erasure and refurbishment")),
            ("hand_over_device", _("Can hand over and take back lent devices")),
            ("allocate_device", _("Can reserve, sell, give or write off devices")),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("manufacturer"),
                "serial_number",
                condition=~models.Q(serial_number=""),
                name="device_serial_unique_per_manufacturer",
                violation_error_message=_(
                    "A device with this serial number and manufacturer already exists."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "site"]),
            # Kanban columns and the "since" sort read devices by status change date.
            models.Index(fields=["status", "-status_changed_at"]),
            models.Index(fields=["status_changed_at", "id"]),
            # The list's sorts (inventory.views.SORTS), newest first within a value: read
            # the first page from the index instead of sorting 1,000,000 rows (0.5–1.5 s).
            models.Index(fields=["manufacturer", "model", "-id"]),
            models.Index(fields=["status", "-id"]),
            models.Index(fields=["category", "-id"]),
            models.Index(fields=["grade", "-id"]),
            models.Index(fields=["site", "location", "id"]),
            models.Index(fields=["serial_number"]),
            # A loan or sale that closes looks up the devices it still holds.
            models.Index(fields=["held_by", "held_ref"]),
            # The kilos in stock now (reports): summed from the index alone.
            models.Index(
                fields=["site", "category"],
                include=["id", "weight_kg"],
                condition=~models.Q(status__in=STOCK_EXIT_STATUSES),
                name="device_in_stock_kg_idx",
            ),
            # Entries of a period's donations and a period's exits (reports): what they
            # sum of each device, read from the index alone.
            models.Index(
                fields=["donation"],
                include=["id", "category", "weight_kg"],
                name="device_donation_flow_idx",
            ),
            models.Index(fields=["id"], include=["category", "weight_kg"], name="device_flow_idx"),
            # Entries of the devices registered without a donation, by date (reports).
            models.Index(
                fields=["created_at"],
                condition=models.Q(donation__isnull=True),
                name="device_loose_created_idx",
            ),
        ]

    def __str__(self):
        return f"{self.asset_tag} · {self.make_and_model or self.get_category_display()}"

    def get_absolute_url(self):
        return reverse("inventory:device_detail", args=[self.asset_tag])

    @property
    def make_and_model(self):
        """ "HP Compaq 8200": the brand once, even if the model repeats it."""
        return specs.make_and_model(self.manufacturer, self.model)

    @property
    def ram_display(self):
        """The installed memory in the active language's format (« 16 Go », « 1,5 Go »)."""
        return specs.ram_display(self.ram_mb)


class Drive(models.Model):
    """A storage device inside a device: each one must be erased before reuse."""

    class Kind(models.TextChoices):
        HDD = "hdd", "HDD"
        SSD = "ssd", "SSD"
        NVME = "nvme", "NVMe"
        EMMC = "emmc", "eMMC"
        OTHER = "other", _("Other")

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="drives", verbose_name=_("device")
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind, default=Kind.SSD)
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    model = models.CharField(_("model"), max_length=120, blank=True)
    capacity_gb = models.PositiveIntegerField(_("capacity (GB)"), null=True, blank=True)
    smart_passed = models.BooleanField(_("SMART health passed"), null=True, blank=True)
    power_on_hours = models.PositiveIntegerField(_("power-on hours"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("drive")
        verbose_name_plural = _("drives")

    def __str__(self):
        size = _("%(size)s GB") % {"size": self.capacity_gb} + " " if self.capacity_gb else ""
        return f"{size}{self.get_kind_display()} {self.serial_number}".strip()


class StockSnapshot(models.Model):
    """How many devices each site held in each status on a day: the stock over time."""

    date = models.DateField(_("date"))
    site = models.ForeignKey(Site, on_delete=models.CASCADE, verbose_name=_("site"))
    status = models.CharField(_("status"), max_length=20, choices=Status)
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        ordering = ["-date", "site", "status"]
        constraints = [
            models.UniqueConstraint(fields=["date", "site", "status"], name="one_snapshot_a_day")
        ]
        verbose_name = _("stock snapshot")
        verbose_name_plural = _("stock snapshots")

    def __str__(self):
        return f"{self.date} {self.site} {self.status}={self.count}"

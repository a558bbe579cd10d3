"""Template files to fill in: one header row (the column labels in the interface's
language) and one example row of realistic values, in CSV, XLSX or ODS.

The example row is written by the resource's own widgets, so that importing the template
as it is reads it back: one "new" row (or "unchanged" once imported). Values that must
already exist are taken from the database where they can be: the site of the device,
location and drive examples is your first site, the device of the drive example your
first device; with none registered, the example names one ("BRU", "RE-000001") and the
preview says that it is unknown.
"""

import datetime
from decimal import Decimal

import tablib
from django.utils.text import slugify
from django.utils.translation import gettext as _

from exchange.registry import resource_class
from inventory.models import Category, Device, Donor, Drive, Location, Part, Site
from lending.models import SimCard
from spreadsheets.reading import CSV, FORMATS, ODS, XLSX

CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ODS: "application/vnd.oasis.opendocument.spreadsheet",
}


def _first_site():

    return Site.objects.order_by("pk").first() or Site(code="BRU", name="Bruay-La-Buissière")


def _device():

    return Device(
        serial_number="5CG8301XYZ",
        manufacturer="HP",
        model="EliteBook 840 G5",
        category=Category.LAPTOP,
        cpu="Intel Core i5-8350U",
        ram_mb=8192,
        storage_summary="256 Go SSD",
        weight_kg=Decimal("1.48"),
        site=_first_site(),
        notes="Chargeur fourni, batterie à 80 %",
    )


def _donor():

    return Donor(
        name="Mairie de Bruay-La-Buissière",
        kind=Donor.Kind.PUBLIC_BODY,
        siren="216201784",
        contact_name="Claire Dupont",
        email="informatique@mairie.example.fr",
        phone="03 21 61 00 00",
        address="Place Henri Cadot, 62700 Bruay-La-Buissière",
        notes="Renouvellement du parc de la médiathèque",
    )


def _site():

    return Site(
        code="HOU",
        name="Ressourcerie de Houdain",
        kind=Site.Kind.RESSOURCERIE,
        address="12 rue de la République, 62150 Houdain",
    )


def _location():

    return Location(code="ETA-A1", name="Étagère A1 (portables à effacer)", site=_first_site())


def _drive():

    device = Device.objects.order_by("pk").first() or Device(asset_tag="RE-000001")
    return Drive(
        device=device,
        kind=Drive.Kind.SSD,
        serial_number="S3Z9NB0K123456A",
        model="Samsung 860 EVO",
        capacity_gb=256,
        smart_passed=True,
        power_on_hours=8760,
    )


def _part():

    return Part(name="Barrette DDR4 8 Go SO-DIMM", kind=Part.Kind.RAM, quantity=12)


def _sim_card():

    return SimCard(
        iccid="8933150319000012345",
        phone_number="06 12 34 56 78",
        operator="Orange",
        data_plan_gb=100,
        monthly_cost=Decimal("9.99"),
        activated_on=datetime.date(2026, 1, 15),
        ends_on=datetime.date(2026, 12, 31),
        notes="Forfait solidaire",
    )


EXAMPLES = {
    "devices": _device,
    "donors": _donor,
    "sites": _site,
    "locations": _location,
    "drives": _drive,
    "parts": _part,
    "sim-cards": _sim_card,
}


def template_columns(name):
    """The columns a template has: those an import reads and an export writes (not the
    exported-only ones, nor the import-only variants such as "RAM (GB)")."""
    return [
        column
        for column in resource_class(name).columns()
        if not column.readonly and column.exported
    ]


def template_dataset(name):
    columns = template_columns(name)
    dataset = tablib.Dataset(headers=[str(column.label) for column in columns])
    example = EXAMPLES.get(name)
    if example is not None:
        instance = example()
        dataset.append([column.widget.render(column.get_value(instance)) for column in columns])
    return dataset


def template_file(name, fmt):
    """(file name, bytes, content type) of the template of resource `name` in `fmt`."""
    if fmt not in FORMATS:
        raise LookupError(fmt)
    dataset = template_dataset(name)
    if fmt == CSV:
        # With a BOM and semicolons, French Excel opens it in columns, accents intact.
        content = ("\ufeff" + dataset.export("csv", delimiter=";")).encode("utf-8")
    else:
        content = dataset.export(fmt)
    filename = f"{slugify(_('import template'))}-{name}.{fmt}"
    return filename, content, CONTENT_TYPES[fmt]

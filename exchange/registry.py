"""The kinds of data that can be imported and exported, by the name used in URLs and
commands (`import_data devices FILE`)."""

from django.utils.translation import gettext_lazy as _

from inventory import resources as inventory
from inventory.migration_sources import SOURCE_RESOURCES
from lending import resources as lending


def _resources():
    # Each app declares what it offers; this registry only lists them in order.
    return {**inventory.RESOURCES, **lending.RESOURCES}


# Files exported by other tools, read into our devices (their columns mapped to ours).
SOURCES = {
    "reemploi": _("Réemploi (this application, or a file of your own)"),
    "snipeit": _("Snipe-IT (asset export)"),
    "devicehub": _("eReuse DeviceHub (device export)"),
}


def resource_names():
    return list(_resources())


def resource_class(name, source="reemploi"):
    """The resource for `name`; another tool's file gets the resource that reads it."""
    if source and source != "reemploi":
        return SOURCE_RESOURCES[source]
    try:
        return _resources()[name]
    except KeyError:
        raise LookupError(name) from None

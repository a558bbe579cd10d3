"""How a device's specs are written for people: its name and its memory size.

Plain functions, no database: the hardware report parser normalises with them on import,
and the models, labels and receipts use them again on display, for the devices recorded
before (or typed by hand) with the brand twice or the memory the kernel left.
"""

from django.utils import formats
from django.utils.translation import gettext as _

# Other names a manufacturer goes by at the start of a product name ("Hewlett-Packard
# Compaq…" on an HP), beside the short name itself.
BRAND_ALIASES = {
    "hp": ("hewlett-packard", "hewlett packard"),
    "dell": ("dell inc.",),
    "asus": ("asustek",),
    "fujitsu": ("fujitsu siemens",),
}


def without_brand(manufacturer, model):
    """The model without the manufacturer's name at its start: ("HP", "HP Compaq 8200")
    -> "Compaq 8200". A model that is only the brand stays as it is."""
    model = (model or "").strip()
    brand = (manufacturer or "").strip().lower()
    if not brand:
        return model
    names = sorted((brand, *BRAND_ALIASES.get(brand, ())), key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for name in names:
            rest = model[len(name) :]
            if model.lower().startswith(name) and rest[:1] in (" ", "-", "_") and rest.strip():
                model = rest.lstrip(" -_")
                changed = True
    return model


def make_and_model(manufacturer, model):
    """ "HP Compaq 8200", never "HP HP Compaq 8200"."""
    return " ".join(p for p in (manufacturer, without_brand(manufacturer, model)) if p)


def installed_ram_mb(ram_mb):
    """The memory as installed, from what the system reports (MiB).

    Sizes of whole banks (multiples of 512 MiB) are kept. Soldered memory has no banks:
    the firmware then reports what the kernel left after reserving some for itself and the
    graphics (16,256 MiB on a 16 GB ThinkPad X1 Carbon), read as the power of two just
    above when within 10 %, else rounded up to the half-gigabyte (12 GB = 8 + 4).
    """
    if not ram_mb or ram_mb < 1024 or ram_mb % 512 == 0:
        return ram_mb
    power = 1 << (ram_mb - 1).bit_length()
    if ram_mb >= power * 0.9:
        return power
    return -(-ram_mb // 512) * 512


def ram_display(ram_mb):
    """ "16 GB" (« 16 Go »), "1.5 GB" (« 1,5 Go ») in the active language's number format."""
    if not ram_mb:
        return ""
    gb = installed_ram_mb(ram_mb) / 1024
    value = int(gb) if gb.is_integer() else round(gb, 2)
    return _("%(size)s GB") % {"size": formats.number_format(value)}

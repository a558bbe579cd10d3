"""Values as people type them in spreadsheets, read into Python.

Every parser takes the cell's text and returns the value, or raises ValueError whose
message is a sentence in the interface's language naming what was expected ("« 8 Go »
n'est pas un nombre de Go valide"); the importer adds the row and the column.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _

EMPTY = {"", "-", "—", "n/a", "na", "none", "null", "nc", "n.c."}


def is_empty(text):
    return text is None or str(text).strip().lower() in EMPTY


def plain(text):
    """Lower case, no accents, single spaces: how headers and choices are compared."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text.lower()).split())


def _number_text(text):
    """'1 234,5' and '1,234.5' and '1234.5' → '1234.5' (French or English writing)."""
    text = str(text).strip().replace("\u00a0", " ").replace("\u202f", " ")
    text = text.replace(" ", "")
    if "," in text and "." in text:
        # The last one is the decimal separator.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    else:
        text = text.replace(",", ".")
    return text


def parse_decimal(text, *, unit=""):
    try:
        value = Decimal(_number_text(text))
    except InvalidOperation:
        raise ValueError(_("“%(text)s” is not a number.") % {"text": text}) from None
    if not value.is_finite():
        raise ValueError(_("“%(text)s” is not a number.") % {"text": text})
    return value


def parse_int(text):
    if isinstance(text, int | float) and float(text).is_integer():
        return int(text)
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise ValueError(_("“%(text)s” is not a whole number.") % {"text": text})
    return int(value)


_SIZE = re.compile(r"^\s*(?P<number>\d[\d\s.,]*)\s*(?P<unit>[a-z]*)\b", re.IGNORECASE)
# Bytes per unit, as people write them in French and English; no unit means GB.
_UNITS = {
    "": 1024**3,
    "o": 1,
    "b": 1,
    "ko": 1024,
    "kb": 1024,
    "kio": 1024,
    "kib": 1024,
    "mo": 1024**2,
    "mb": 1024**2,
    "mio": 1024**2,
    "mib": 1024**2,
    "m": 1024**2,
    "go": 1024**3,
    "gb": 1024**3,
    "gio": 1024**3,
    "gib": 1024**3,
    "g": 1024**3,
    "to": 1024**4,
    "tb": 1024**4,
    "tio": 1024**4,
    "tib": 1024**4,
    "t": 1024**4,
}


def _size_bytes(text, default_unit=""):
    match = _SIZE.match(str(text))
    if not match:
        raise ValueError
    unit = match.group("unit").lower() or default_unit
    if unit not in _UNITS:
        raise ValueError
    number = parse_decimal(match.group("number"))
    if number < 0:
        raise ValueError
    return number * _UNITS[unit]


def parse_ram_mb(text):
    """'8 Go', '8GB', '8192 Mo', '8 GiB', '8' (GB) → megabytes. A bare number above 256
    is read as megabytes: nobody lends a 512 GB-RAM laptop, many files say '8192'."""
    if isinstance(text, int | float):
        text = str(text)
    stripped = str(text).strip()
    default = "mb" if re.fullmatch(r"\d+", stripped) and int(stripped) > 256 else ""
    try:
        size = _size_bytes(stripped, default)
    except (ValueError, InvalidOperation):
        raise ValueError(
            _("“%(text)s” is not an amount of memory (write e.g. 8 GB or 8192 MB).")
            % {"text": text}
        ) from None
    megabytes = size / 1024**2
    if megabytes != int(megabytes) or megabytes <= 0:
        raise ValueError(
            _("“%(text)s” is not an amount of memory (write e.g. 8 GB or 8192 MB).")
            % {"text": text}
        )
    return int(megabytes)


_STORAGE_KINDS = ("nvme", "ssd", "hdd", "emmc")


def parse_storage(text):
    """'256 Go SSD', '500GB HDD', '1 To', 'SSD 256' → a tidy summary: '256 GB SSD'."""
    raw = str(text).strip()
    lowered = raw.lower()
    kind = next((k for k in _STORAGE_KINDS if k in lowered), "")
    numbers = re.sub(r"\b(nvme|ssd|hdd|emmc|m\.2|sata)\b", " ", lowered, flags=re.IGNORECASE)
    try:
        size = _size_bytes(numbers.strip())
    except (ValueError, InvalidOperation):
        raise ValueError(
            _("“%(text)s” is not a storage size (write e.g. 256 GB SSD).") % {"text": text}
        ) from None
    gigabytes = size / 1024**3
    amount = f"{gigabytes / 1024:g} TB" if gigabytes >= 1024 else f"{gigabytes:g} GB"
    return f"{amount} {_KIND_NAMES.get(kind, '')}".strip()


_KIND_NAMES = {"nvme": "NVMe", "ssd": "SSD", "hdd": "HDD", "emmc": "eMMC"}


def parse_weight_kg(text):
    """'1,58', '1.58 kg', '1580 g' → Decimal kilograms."""
    raw = str(text).strip().lower().replace("kg", "").strip()
    grams = raw.endswith("g")
    try:
        value = parse_decimal(raw.rstrip("g").strip())
    except ValueError:
        raise ValueError(
            _("“%(text)s” is not a weight (write e.g. 1,6 kg).") % {"text": text}
        ) from None
    value = value / 1000 if grams else value
    if value < 0 or value > 1000:
        raise ValueError(_("“%(text)s” is not a weight (write e.g. 1,6 kg).") % {"text": text})
    return value.quantize(Decimal("0.01"))


_DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d"]


def parse_date(text):
    """'31/12/2026', '31/12/26', '2026-12-31', a spreadsheet date cell → a date."""
    if isinstance(text, datetime.datetime):
        return text.date()
    if isinstance(text, datetime.date):
        return text
    raw = str(text).strip()
    # '2026-12-31 00:00:00' from a spreadsheet cell converted to text.
    raw = re.sub(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", raw)
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("“%(text)s” is not a date (write it as 31/12/2026).") % {"text": text})


_TRUE = {"oui", "o", "yes", "y", "vrai", "true", "1", "x", "ok"}
_FALSE = {"non", "n", "no", "faux", "false", "0"}


def parse_bool(text):
    value = plain(text)
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(_("“%(text)s” is neither yes nor no.") % {"text": text})


def choice_map(choices, aliases=None):
    """How each value of `choices` (a TextChoices' choices) may be written: its value, its
    label in French and in English, accents and case ignored, and `aliases`
    ({"portable": "laptop"}). Built once per column, not once per cell."""
    names = {}
    for value, label in choices:
        names[plain(value)] = value
        for language in ("fr", "en"):
            with translation.override(language):
                names[plain(str(label))] = value
    for alias, value in (aliases or {}).items():
        names[plain(alias)] = value
    return names


def parse_choice(text, names, choices):
    """The value `text` names in `names` (see choice_map)."""
    wanted = plain(text)
    if wanted in names:
        return names[wanted]
    shown = ", ".join(str(label) for _value, label in choices)
    raise ValueError(_("“%(text)s” is not one of: %(choices)s.") % {"text": text, "choices": shown})

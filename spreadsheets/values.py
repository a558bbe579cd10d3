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


# What a spreadsheet takes for the start of a formula (OWASP, "CSV injection"): a CSV
# cell starting so ("=HYPERLINK(…)", "+cmd|…", "@SUM(…)") would run when opened.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A number alone ("-3", "+2,5") is never read as a formula: it stays a number.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def needs_neutralising(text):
    """Would a spreadsheet read `text` as a formula, once its leading quotes are gone?

    Leading quotes count, so that a value which itself starts with a quote and a formula
    character ("'=A1") gets a quote too, and stripping one on import gives it back.
    """
    rest = str(text).lstrip("'")
    return rest[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(rest)


def neutralised(text):
    """`text` as a CSV cell: a quote ahead of a formula start, the OWASP way, so that a
    spreadsheet shows it as text ("'=HYPERLINK(…)", "'+33 6 12 34 56 78")."""
    text = str(text)
    return "'" + text if needs_neutralising(text) else text


def unneutralised(text):
    """The value `neutralised` wrote: the added quote removed, anything else unchanged."""
    if isinstance(text, str) and text.startswith("'") and needs_neutralising(text[1:]):
        return text[1:]
    return text


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


def _not_memory(text):
    return ValueError(
        _("“%(text)s” is not an amount of memory (write e.g. 8 GB or 8192 MB).") % {"text": text}
    )


# A bare number in a column whose header says "GB" (« RAM (Go) ») above this is a slip.
_MAX_PLAUSIBLE_RAM_GB = 1024


def parse_ram_mb(text, *, unit=""):
    """'8 Go', '8GB', '8192 Mo', '8 GiB', '8' → megabytes. `unit` ("gb" or "mb") is what a
    bare number means when the column's header says it (« RAM (Go) », « Mémoire (Mo) »).
    Without it, a bare number above 256 is read as megabytes: nobody lends a 512 GB-RAM
    laptop, many files say '8192'."""
    if isinstance(text, float) and text.is_integer():
        # A spreadsheet's number cell: 8192.0 is 8192.
        text = int(text)
    stripped = str(text).strip()
    bare = re.fullmatch(r"\d+([.,]\d+)?", stripped)
    large = re.fullmatch(r"\d+", stripped) and int(stripped) > 256
    default = unit or ("mb" if large else "")
    try:
        size = _size_bytes(stripped, default)
    except (ValueError, InvalidOperation):
        raise _not_memory(text) from None
    if bare and unit == "gb" and size > _MAX_PLAUSIBLE_RAM_GB * 1024**3:
        raise ValueError(
            _(
                "“%(text)s” GB of memory is not plausible: this column counts in GB "
                "(write e.g. 8, or 8192 MB)."
            )
            % {"text": text}
        )
    megabytes = size / 1024**2
    if megabytes != int(megabytes) or megabytes <= 0:
        raise _not_memory(text)
    return int(megabytes)


_STORAGE_KINDS = {"nvme": "NVMe", "ssd": "SSD", "hdd": "HDD", "emmc": "eMMC"}
_STORAGE_PART = re.compile(
    r"^(?:(?P<count>\d+)\s*[x×*]\s*)?(?P<size>\d[\d\s.,]*\s*[a-z]*)?\s*$", re.IGNORECASE
)
# The unit a size is written back in: the one the person used (1 To stays "1 TB",
# 2000 Go stays "2000 GB", as printed on drive labels).
_STORAGE_UNITS = {
    "": "GB",
    "g": "GB",
    "go": "GB",
    "gb": "GB",
    "gio": "GB",
    "gib": "GB",
    "t": "TB",
    "to": "TB",
    "tb": "TB",
    "tio": "TB",
    "tib": "TB",
    "m": "MB",
    "mo": "MB",
    "mb": "MB",
}


def _not_storage(text):
    return ValueError(
        _("“%(text)s” is not a storage size (write e.g. 256 GB SSD).") % {"text": text}
    )


def _storage_part(part, text):
    """'256 Go SSD', 'SSD 256', '2 × 500 GB HDD', 'SSD' → '256 GB SSD' (and so on)."""
    lowered = part.lower()
    kind = next((name for key, name in _STORAGE_KINDS.items() if key in lowered), "")
    # "drive" is how the hardware report names a drive of unknown kind.
    rest = re.sub(r"\b(nvme|ssd|hdd|emmc|m\.2|sata|drive|disk|disque|dur)\b", " ", lowered)
    rest = rest.strip()
    match = _STORAGE_PART.match(rest)
    if not match or not (match.group("size") or kind):
        raise _not_storage(text)
    words = []
    if match.group("count"):
        words.append(f"{int(match.group('count'))} ×")
    if match.group("size"):
        size = re.fullmatch(r"(?P<number>\d[\d\s.,]*?)\s*(?P<unit>[a-z]*)", match.group("size"))
        unit = _STORAGE_UNITS.get(size.group("unit")) if size else None
        if unit is None:
            raise _not_storage(text)
        number = parse_decimal(size.group("number"))
        if number <= 0:
            raise _not_storage(text)
        words.append(f"{number.normalize():f} {unit}")
    if kind:
        words.append(kind)
    return " ".join(words)


def parse_storage(text):
    """'256 Go SSD', '500GB HDD', '1 To', 'SSD 256', '512 GB NVMe + 1000 GB HDD' → a tidy
    summary ('256 GB SSD', '1 TB', …) that reads back as itself, so that an exported
    file imports as unchanged."""
    raw = " ".join(str(text).split())
    parts = [part.strip() for part in re.split(r"\s\+\s|\+|\s/\s", raw) if part.strip()]
    if not parts:
        raise _not_storage(text)
    return " + ".join(_storage_part(part, text) for part in parts)


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


# How a spreadsheet shows a long number it took for a number: "8,93301261E+018",
# "8.93301261E+18" (the digits after the first nine or so are lost).
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?\s*[eE][+-]\d+$")
# A spreadsheet's number keeps 15 significant digits: a longer identifier stored as a
# number has lost its last digits.
_EXACT_DIGITS = 15


def _mangled(text):
    return ValueError(
        _(
            "“%(text)s” looks changed by a spreadsheet (a long number shown in scientific "
            "notation, its last digits lost): format the column as text, or export as "
            "XLSX or ODS, and type the value again."
        )
        % {"text": text}
    )


def check_identifier(value, digits=None, name=""):
    """Refuse an identifier (serial, ICCID, IMEI, SIRET, phone) that a spreadsheet has
    visibly changed: a number in scientific notation, a number of more than 15 digits
    stored as a number, or fewer digits than `digits` (min, max) asks for (`name` says
    which identifier it is: "ICCID")."""
    if isinstance(value, float) and not value.is_integer():
        raise _mangled(value)
    if isinstance(value, int | float) and abs(value) >= 10**_EXACT_DIGITS:
        raise _mangled(value)
    text = str(value).strip()
    if _SCIENTIFIC.match(text):
        raise _mangled(text)
    if digits:
        compact = re.sub(r"[\s.\-]", "", text)
        low, high = digits
        if compact.isdigit() and not low <= len(compact) <= high:
            raise ValueError(_digits_message(text, len(compact), low, high, name))


def _digits_message(text, count, low, high, name):
    wanted = str(low) if low == high else _("%(low)s to %(high)s") % {"low": low, "high": high}
    return _(
        "“%(text)s” has %(count)s digits, a %(name)s has %(wanted)s: a spreadsheet may have "
        "dropped its first zeros or its last digits."
    ) % {"text": text, "count": count, "name": name, "wanted": wanted}

"""What a barcode can say to Réemploi: the vocabulary shared by labels and the scan station.

A scan is one of: an asset tag (RE-000123), a device's serial number, the URL of a
device's QR code, a location code (BRU-A03) or an action code printed on the sheet of
action barcodes (ACTION:READY). Location codes only hold upper-case letters, digits and
hyphens, so the colon keeps action codes apart from them.

Action codes are at most 14 characters ("ACTION:" and a key of up to 7 letters): the
longest Code128 that fits, at the narrowest bars that scan, on the narrowest shipped
label (57 mm at 203 dpi). The longer codes printed before (ACTION:REFURBISHING…) are
still recognised, so that sheets already taped to the benches keep working.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from inventory.models import Status

ACTION_PREFIX = "ACTION:"
PUBLIC_DEVICE_PATH = "/d/"


def device_public_url(asset_tag):
    """The address printed in a device label's QR code."""
    return f"{settings.SITE_URL}{PUBLIC_DEVICE_PATH}{asset_tag}/"


@dataclass(frozen=True)
class ScanAction:
    key: str
    label: str
    # "transition" (devices scanned next get `target`), "move", "lookup" or "undo".
    kind: str
    target: str = ""
    # Codes printed on older sheets, still recognised by the scan station.
    former_keys: tuple = ()

    @property
    def code(self):
        return f"{ACTION_PREFIX}{self.key}"

    @property
    def codes(self):
        """Every code that means this action: the printed one first, then the former ones."""
        return [self.code, *(f"{ACTION_PREFIX}{key}" for key in self.former_keys)]


# The order is the order of the printed sheet of action barcodes.
ACTIONS = [
    ScanAction("LOOKUP", _("Look up (show the device)"), "lookup"),
    ScanAction("MOVE", _("Move here (then scan a location)"), "move"),
    ScanAction("WIPING", _("Start erasure"), "transition", Status.WIPING),
    ScanAction(
        "REFURB", _("To refurbishment"), "transition", Status.REFURBISHING, ("REFURBISHING",)
    ),
    ScanAction("READY", _("Ready"), "transition", Status.READY),
    ScanAction("RETURN", _("Returned from loan"), "transition", Status.RETURNED, ("RETURNED",)),
    ScanAction("PARTS", _("For parts"), "transition", Status.PARTS),
    ScanAction("RECYCLE", _("Recycle (WEEE)"), "transition", Status.RECYCLED, ("RECYCLED",)),
    ScanAction("UNDO", _("Undo the last move"), "undo"),
]
ACTIONS_BY_CODE = {code: action for action in ACTIONS for code in action.codes}

# A USB scanner configured for a US keyboard, plugged into a computer set to French
# AZERTY, sends US key positions that the computer reads as AZERTY characters: "1"
# arrives as "&", "A" as "Q", ":" as "M". Pairs are (typed on AZERTY, meant in US).
_US_KEYS = "`1234567890-=qwertyuiop[]asdfghjkl;'\\zxcvbnm,./"
_AZERTY_KEYS = "²&é\"'(-è_çà)=azertyuiop^$qsdfghjklmù*wxcvbn,;:!"
_US_SHIFTED = '~!@#$%^&*()_+QWERTYUIOP{}ASDFGHJKL:"|ZXCVBNM<>?'
_AZERTY_SHIFTED = "³1234567890°+AZERTYUIOP¨£QSDFGHJKLM%µWXCVBN?./§"
_FROM_AZERTY = str.maketrans(_AZERTY_KEYS + _AZERTY_SHIFTED, _US_KEYS + _US_SHIFTED)


def from_azerty(text):
    """What a US-layout scanner meant, given what an AZERTY computer received."""
    return text.translate(_FROM_AZERTY)


def looks_azerty_garbled(text):
    """True when the text holds characters a scanner never sends, but AZERTY makes."""
    return any(char in "&é\"'(è_çà²°¨£%µ§" for char in text)

"""The scan station: what a scanned code is, and what scanning it does in each mode.

A technician's scanner types a code and Enter. `recognise` finds what the code names
(in a fixed, small number of queries whatever the size of the inventory); `Station`
keeps the mode the technician chose (look up, move to a location, apply an action)
and `Station.scan` does the work through the inventory's services and workflow, so
permissions, guards and history are the same as on the device page.

With ACTION:READY armed, a location scanned right after a device puts that device there:
ACTION:READY once, then for each device its tag and its shelf (two scans), one
ACTION:UNDO taking back both the status and the move. With another action armed (a device
starting its erasure stays on the bench), a location switches to move mode as always.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import PermissionRefused, Refused
from inventory import services, workflow
from inventory.models import Device, Location, Status
from inventory.scan import card
from inventory.scan.codes import ACTION_PREFIX, ACTIONS_BY_CODE, from_azerty, looks_azerty_garbled

# Longer than any label we print or serial we store: such input is a mistake.
MAX_LENGTH = 120
LOG_SIZE = 15
# The SQLite trigram index of the tags and serials (migration 0032).
CODES = "inventory_device_codes"
SUGGESTIONS = 5

DEVICE = "device"
LOCATION = "location"
ACTION = "action"
SHORTCUT = "shortcut"
AMBIGUOUS = "ambiguous"
UNKNOWN = "unknown"
INVALID = "invalid"
EMPTY = "empty"

OK = "ok"
REFUSED = "refused"
NOT_FOUND = "not-found"
INFO = "info"

_URL_TAG = re.compile(r"/D/([^/?#\s]+)/?", re.IGNORECASE)
_NUMBER = re.compile(r"^0*(\d{1,9})$")
_DIGITS = re.compile(r"\d+")


@dataclass
class Recognised:
    kind: str
    code: str = ""
    device: Device | None = None
    location: Location | None = None
    action: object = None
    shortcut: int = 0
    matches: list = field(default_factory=list)


def clean(raw):
    """The code without control characters (a scanner's CR, a stray NUL) or edge spaces."""
    text = "".join(c for c in str(raw or "") if not unicodedata.category(c).startswith("C"))
    return text.strip()


def _variants(text):
    """The text as received, then as a US-layout scanner on an AZERTY computer meant it."""
    variants = [text]
    meant = from_azerty(text)
    if meant != text:
        variants.append(meant)
    return variants


def tag_of(raw):
    """The asset tag one scan names, read as the station reads it: the tag, the tag in a
    QR code's address or a bare number (123 for RE-000123), also when a US-layout
    scanner typed it on an AZERTY computer. Without the database: for pages where only
    tags are scanned (the counter, a loan's devices)."""
    text = clean(raw)
    # Case does not matter in a tag, and lower case is what from_azerty reads.
    meant = from_azerty(text.lower()).upper()
    for up in (text.upper(), meant):
        url = _URL_TAG.search(up)
        if url:
            return url.group(1)
        number = _NUMBER.match(up)
        if number:
            return services.format_asset_tag(int(number.group(1)))
    return meant if looks_azerty_garbled(text.lower()) else text.upper()


def scanned_tags(text):
    """The asset tags of a field where they were scanned or typed one after the other
    (spaces, commas or new lines), each once, in order."""
    return list(dict.fromkeys(tag_of(part) for part in re.split(r"[\s,;]+", text or "") if part))


def _tag_candidates(up):
    """Asset tags the upper-cased text may name: itself, the tag in a QR URL, a bare number."""
    tags = {up}
    url = _URL_TAG.search(up)
    if url:
        tags.add(url.group(1))
    number = _NUMBER.match(up)
    if number:
        tags.add(services.format_asset_tag(int(number.group(1))))
    return tags


def recognise(raw):
    """Say what `raw` names: one query for a device (by its tag or serial), two for a
    location."""
    text = clean(raw)
    if not text:
        return Recognised(EMPTY)
    if len(text) > MAX_LENGTH:
        return Recognised(INVALID, code=text[:40] + "…")
    variants = _variants(text)
    for variant in variants:
        # "1" then Enter: the first action button of the device on the card.
        if len(variant) == 1 and variant in "123456789":
            return Recognised(SHORTCUT, code=variant, shortcut=int(variant))
    for variant in variants:
        action = ACTIONS_BY_CODE.get(variant.upper())
        if action is not None:
            return Recognised(ACTION, code=action.code, action=action)
        if variant.upper().startswith(ACTION_PREFIX):
            return Recognised(UNKNOWN, code=variant.upper())

    ups = [variant.upper() for variant in variants]
    tags = set().union(*(_tag_candidates(up) for up in ups))
    serials = {services.normalise_serial(variant) for variant in variants}
    devices = card.lookup(sorted(tags), sorted(serials), codes=sorted(set(ups)))
    # The text as received wins over its AZERTY reading; a tag wins over a location,
    # a location over a serial.
    for up in ups:
        for device in devices:
            if device.asset_tag in _tag_candidates(up):
                return Recognised(DEVICE, code=device.asset_tag, device=device)
    locations = {}
    if not devices or devices[0].names_a_location:
        found = Location.objects.select_related("site").filter(code__in=ups)
        locations = {loc.code: loc for loc in found}
    for up in ups:
        if up in locations:
            return Recognised(LOCATION, code=up, location=locations[up])
    for serial in serials:
        same = [device for device in devices if device.serial_number == serial]
        if len(same) == 1:
            return Recognised(DEVICE, code=same[0].asset_tag, device=same[0])
        if same:
            return Recognised(AMBIGUOUS, code=serial, matches=same)
    return Recognised(UNKNOWN, code=ups[0], matches=closest_matches(ups))


def closest_matches(ups, limit=SUGGESTIONS):
    """Asset tags, serials and location codes that look like a code nobody knows.

    Candidates share the code's last digits or a long piece of it; difflib ranks them.
    Costs two queries, only on the "not found" path.
    """
    pieces = set()
    for up in ups:
        digits = _DIGITS.findall(up)
        if digits and len(max(digits, key=len)) >= 3:
            pieces.add(max(digits, key=len)[-4:])
        elif len(up) >= 4:
            pieces.add(up[:12])
    if not pieces:
        return []
    devices = list(lookalikes(pieces)[:200])
    location_query = Q()
    for piece in pieces:
        location_query |= Q(code__icontains=piece)
    locations = list(Location.objects.filter(location_query).only("code")[:50])

    # (text compared, what the suggestion names): a serial suggests its asset tag.
    texts = [(d.asset_tag, d.asset_tag) for d in devices]
    texts += [(d.serial_number, d.asset_tag) for d in devices if d.serial_number]
    texts += [(loc.code, loc.code) for loc in locations]
    best = {}
    for ratio, code in _resembling(ups, texts):
        best[code] = max(ratio, best.get(code, 0))
    return sorted(best, key=lambda code: (-best[code], code))[:limit]


def _resembling(ups, texts, cutoff=0.5):
    """(ratio, code) for each text at least `cutoff` alike to one of `ups`.

    One matcher per scanned variant, its cheap upper bounds first: how difflib's
    get_close_matches saves the full comparison of the many texts that cannot reach
    the cutoff.
    """
    matcher = difflib.SequenceMatcher(None)
    for up in ups:
        matcher.set_seq2(up)
        for text, code in texts:
            matcher.set_seq1(text)
            if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
                continue
            ratio = matcher.ratio()
            if ratio >= cutoff:
                yield ratio, code


def lookalikes(pieces):
    """Devices whose asset tag or serial number holds one of the pieces.

    Unordered: the trigram indexes on PostgreSQL (migration 0029) then find them, where
    the list's order by descending primary key walked the whole table for a code nobody
    knows. On SQLite an FTS5 table of trigrams holds them (migration 0032). Pieces
    have three characters at least: shorter ones are in no trigram.
    """
    devices = Device.objects.order_by().only("asset_tag", "serial_number")
    if connection.vendor == "sqlite":
        # Its trigram FTS5 index of the tags and serials (migration 0032); each piece
        # is a phrase, quotes doubled. Case-insensitive, as icontains.
        phrases = " OR ".join('"{}"'.format(piece.replace('"', '""')) for piece in pieces)
        found = RawSQL(f"SELECT rowid FROM {CODES} WHERE {CODES} MATCH %s", [phrases])
        return devices.filter(pk__in=found)
    query = Q()
    for piece in pieces:
        query |= Q(asset_tag__icontains=piece) | Q(serial_number__icontains=piece)
    return devices.filter(query)


def shortcut_rules(device, user):
    """The card's actions that a number key may fire: the first nine, none destructive.

    Writing a device off (parts, recycling, lost) always takes a deliberate click or
    its own action barcode, never a stray digit.
    """
    rules = workflow.allowed_transitions(device, user)
    return [rule for rule in rules if rule.style != "danger"][:9]


class Station:
    """One technician's scanning session, kept in their web session between scans."""

    LOOKUP = "lookup"
    MOVE = "move"
    ACT = "act"

    def __init__(self, state=None):
        state = state or {}
        self.mode = state.get("mode", self.LOOKUP)
        self.action = state.get("action", "")
        self.location_code = state.get("location", "")
        self.current = state.get("current", "")
        self.log = list(state.get("log", []))
        self.undo = state.get("undo")
        # The device the armed action was just applied to: a location scanned next
        # shelves it (see _place) instead of switching to move mode.
        self.placing = state.get("placing", "")
        self.device = None  # the device on the card after this scan
        self.logged = 0  # lines this request added to the log

    def state(self):
        return {
            "mode": self.mode,
            "action": self.action,
            "location": self.location_code,
            "current": self.current,
            "log": self.log[:LOG_SIZE],
            "undo": self.undo,
            "placing": self.placing,
        }

    @property
    def action_obj(self):
        return ACTIONS_BY_CODE.get(f"{ACTION_PREFIX}{self.action}")

    # -- entry points -----------------------------------------------------------------

    def scan(self, raw, user):
        """Handle one scanned or typed code; returns the log entry (None for empty input)."""
        found = recognise(raw)
        if found.kind == EMPTY:
            return None
        placing, self.placing = self.placing, ""
        if found.kind == LOCATION and placing and self.mode == self.ACT:
            return self._place(placing, found.location, user)
        handler = getattr(self, f"_on_{found.kind}")
        return handler(found, user)

    def fire(self, tag, target, user):
        """A click (or shortcut) on one of the card's action buttons."""
        self.placing = ""
        tag, target = clean(tag)[:MAX_LENGTH], clean(target)[:MAX_LENGTH]
        if target not in Status.values:
            # Only a forged or garbled form sends a status the buttons never offer.
            return self._log(
                REFUSED,
                tag,
                _("“%(action)s” is not an action of the station.") % {"action": target},
            )
        device = card.find(tag)
        if device is None:
            return self._log(NOT_FOUND, tag, _("No device has this asset tag."))
        return self._transition(device, target, user)

    # -- what each kind of code does ------------------------------------------------

    def _on_empty(self, found, user):
        return None

    def _on_invalid(self, found, user):
        return self._log(
            REFUSED,
            found.code,
            _("This is not a code Réemploi prints: it is longer than %(max)s characters.")
            % {"max": MAX_LENGTH},
        )

    def _on_unknown(self, found, user):
        if found.matches:
            message = _("Not found. Did you mean: %(codes)s?") % {"codes": ", ".join(found.matches)}
        else:
            message = _("Not found: no device, serial number, location or action has this code.")
        return self._log(NOT_FOUND, found.code, message, matches=found.matches)

    def _on_ambiguous(self, found, user):
        tags = ", ".join(device.asset_tag for device in found.matches)
        return self._log(
            REFUSED,
            found.code,
            _("Several devices have this serial number (%(tags)s): scan the asset tag instead.")
            % {"tags": tags},
        )

    def _on_action(self, found, user):
        action = found.action
        if action.kind == "undo":
            return self._undo(user)
        if action.kind == "lookup":
            self.mode, self.action = self.LOOKUP, ""
            return self._log(INFO, action.code, _("Look-up mode: scan a device to see it."))
        if action.kind == "move":
            self.mode, self.action, self.location_code = self.MOVE, "", ""
            return self._log(INFO, action.code, _("Move mode: scan the destination location."))
        self.mode, self.action = self.ACT, action.key
        return self._log(
            INFO,
            action.code,
            _("Action “%(action)s”: scan the devices it applies to.") % {"action": action.label},
        )

    def _on_location(self, found, user):
        self.mode, self.action, self.location_code = self.MOVE, "", found.location.code
        return self._log(
            INFO,
            found.code,
            _("Move to %(location)s (%(site)s): scan the devices to put there.")
            % {"location": found.location, "site": found.location.site},
        )

    def _on_shortcut(self, found, user):
        device = self.current and card.find(self.current)
        if not device:
            return self._log(REFUSED, found.code, _("Scan a device first."))
        rules = shortcut_rules(device, user)
        if found.shortcut > len(rules):
            self.device = device
            return self._log(
                REFUSED,
                found.code,
                _("There is no action %(number)s for %(tag)s.")
                % {"number": found.shortcut, "tag": device.asset_tag},
            )
        return self._transition(device, rules[found.shortcut - 1].target, user)

    def _on_device(self, found, user):
        device = found.device
        if self.mode == self.MOVE:
            return self._move(device, user)
        if self.mode == self.ACT and self.action_obj is not None:
            return self._act(device, user)
        self._show(device)
        return self._log(
            OK,
            device.asset_tag,
            f"{device} · {Status(device.status).label}",
            tag=device.asset_tag,
        )

    # -- the work ---------------------------------------------------------------------

    def _show(self, device):
        self.device = device
        self.current = device.asset_tag

    def _act(self, device, user):
        """The armed action on a scanned device; undoable, and its shelf may be scanned next."""
        before = device.status
        entry = self._transition(device, self.action_obj.target, user)
        if self.action_obj.target == Status.READY:
            # Also when refused: the shelf scanned next then says why the device stays
            # put, rather than quietly switching to move mode.
            self.placing = device.asset_tag
        if entry["outcome"] == OK:
            self.undo = {"tag": device.asset_tag, "status": before, "became": device.status}
        return entry

    def _place(self, tag, location, user):
        """Shelve the device the armed action was just applied to (the scan after it)."""
        device = card.find(tag)
        target = self.action_obj.target
        if device is None or device.status != target:
            return self._log(
                REFUSED,
                location.code,
                _("%(tag)s is not “%(status)s”: it was not put on %(location)s.")
                % {"tag": tag, "status": Status(target).label, "location": location.code},
                tag=tag,
            )
        undo = self.undo if (self.undo or {}).get("tag") == tag else {"tag": tag}
        if "to" not in undo:
            # The place it had before this pass: a second shelf scan corrects the first.
            undo = {**undo, "location": device.location_id, "site": device.site_id}
        entry = self._move(device, user, location)
        if entry["outcome"] in {OK, INFO}:
            self.placing = tag
            self.undo = {**undo, "to": location.code}
        return entry

    def _transition(self, device, target, user):
        self._show(device)
        label = Status(target).label
        if device.status == target:
            return self._log(
                INFO,
                device.asset_tag,
                _("%(tag)s is already “%(status)s”.") % {"tag": device.asset_tag, "status": label},
                tag=device.asset_tag,
            )
        try:
            workflow.transition_device(
                device=device, target=target, by=user, note=_("Scan station")
            )
        except Refused as error:
            return self._log(REFUSED, device.asset_tag, error.message, tag=device.asset_tag)
        return self._log(
            OK,
            device.asset_tag,
            _("%(tag)s is now “%(status)s”.") % {"tag": device.asset_tag, "status": label},
            tag=device.asset_tag,
        )

    def _move(self, device, user, location=None):
        self._show(device)
        if location is None and self.location_code:
            location = Location.objects.filter(code=self.location_code).first()
        if not location:
            return self._log(REFUSED, device.asset_tag, _("Scan the destination location first."))
        if device.location_id == location.pk:
            return self._log(
                INFO,
                device.asset_tag,
                _("%(tag)s is already at %(location)s.")
                % {"tag": device.asset_tag, "location": location.code},
                tag=device.asset_tag,
            )
        before = {"location": device.location_id, "site": device.site_id}
        try:
            services.move_device(device=device, location=location, by=user, note=_("Scan station"))
        except PermissionRefused:
            return self._log(
                REFUSED,
                device.asset_tag,
                _("Your role may not move devices."),
                tag=device.asset_tag,
            )
        self.undo = {"tag": device.asset_tag, "to": location.code, **before}
        return self._log(
            OK,
            device.asset_tag,
            _("%(tag)s moved to %(location)s.")
            % {"tag": device.asset_tag, "location": location.code},
            tag=device.asset_tag,
        )

    def _undo(self, user):
        """Take back the last move and/or action of a scan, both or neither."""
        code = f"{ACTION_PREFIX}UNDO"
        undo, self.undo = self.undo, None
        if not undo:
            return self._log(REFUSED, code, _("There is nothing to undo."))
        device = card.find(undo["tag"])
        if device is None or _changed_since(device, undo):
            return self._log(REFUSED, code, _("The device has moved since: nothing to undo."))
        location = None
        try:
            with transaction.atomic():
                if "became" in undo:
                    note = _("Scan station: undone")
                    workflow.transition_device(
                        device=device, target=undo["status"], by=user, note=note
                    )
                if "to" in undo:
                    location = self._move_back(device, undo, user)
        except PermissionRefused:
            return self._log(REFUSED, code, _("Your role may not undo this."))
        except Refused as error:
            return self._log(REFUSED, code, error.message)
        self._show(device)
        return self._log(OK, code, _undone_message(device, undo, location), tag=device.asset_tag)

    def _move_back(self, device, undo, user):
        location = Location.objects.filter(pk=undo["location"]).first()
        if location is None and undo["site"]:
            device.site_id = undo["site"]  # it had no shelf: back to its site only
        services.move_device(
            device=device, location=location, by=user, note=_("Scan station: move undone")
        )
        return location

    def _log(self, outcome, code, message, tag="", matches=()):
        entry = {
            "outcome": outcome,
            "code": code,
            "message": str(message),
            "tag": tag,
            "matches": list(matches),
            "at": timezone.localtime().strftime("%H:%M:%S"),
        }
        self.log.insert(0, entry)
        del self.log[LOG_SIZE:]
        self.logged = min(self.logged + 1, LOG_SIZE)
        return entry


def _changed_since(device, undo):
    """True when someone moved the device or changed its status after the scan to undo."""
    if "to" in undo and (device.location.code if device.location else "") != undo["to"]:
        return True
    return "became" in undo and device.status != undo["became"]


def _undone_message(device, undo, location):
    where = location.code if location else _("no location")
    if "became" not in undo:
        return _("Move undone: %(tag)s is back at %(location)s.") % {
            "tag": device.asset_tag,
            "location": where,
        }
    status = Status(device.status).label
    if "to" not in undo:
        return _("Undone: %(tag)s is “%(status)s” again.") % {
            "tag": device.asset_tag,
            "status": status,
        }
    return _("Undone: %(tag)s is “%(status)s” again, back at %(location)s.") % {
        "tag": device.asset_tag,
        "status": status,
        "location": where,
    }

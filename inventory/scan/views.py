"""The scan station's pages: thin wrappers around `inventory.scan.station.Station`."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from inventory import workflow
from inventory.models import Category, Grade, Location, Status
from inventory.scan import card, state
from inventory.scan.codes import ACTIONS
from inventory.scan.station import INFO, LOG_SIZE, Station, shortcut_rules


@permission_required("inventory.view_device", raise_exception=True)
@require_http_methods(["GET", "POST"])
def station(request):
    station = Station(state.read(request))
    if request.method == "POST":
        if "reset" in request.POST:
            station = Station()
        elif "do" in request.POST:
            station.fire(request.POST.get("tag", ""), request.POST["do"], request.user)
        else:
            station.scan(request.POST.get("code", ""), request.user)
        if not request.htmx:
            # Without JavaScript: post, redirect, get (a reload does not scan twice).
            response = redirect("scan:station")
        else:
            context = _context(request, station, fresh=True)
            if "reset" in request.POST:
                context.update(log=[], log_appended=False)  # the lines shown go too
            response = render(request, "inventory/scan/_scan_panel.html", context)
        return state.save(response, request, station.state())
    if station.current:
        station.device = card.find(station.current)
    return render(request, "inventory/scan/scan.html", _context(request, station))


def _context(request, station, fresh=False):
    device = station.device
    shown = None
    if device is not None:
        rules = workflow.allowed_transitions(device, request.user)
        numbered = shortcut_rules(device, request.user)
        missing = []
        if device.status in {Status.RECEIVED, Status.WIPING, Status.REFURBISHING}:
            missing = workflow.missing_for(device, workflow.READY, checklist=device.checklist)
        shown = {
            "device": device,
            # get_FOO_display() hashes every choice of the field, each a lazy
            # translation, at every call: the enums' labels are one lookup.
            "status": Status(device.status).label,
            "category": Category(device.category).label,
            "grade": Grade(device.grade).label if device.grade else "",
            "missing": missing,
            # Typing the number then Enter in the scan field fires the button.
            "buttons": list(enumerate(numbered, start=1)),
            "other_buttons": [rule for rule in rules if rule not in numbered],
        }
    location = None
    if station.mode == Station.MOVE and station.location_code:
        locations = Location.objects.select_related("site")
        location = locations.filter(code=station.location_code).first()
    last = station.log[0] if station.log and fresh else None
    return {
        "station": station,
        # After a scan the script keeps the lines it shows and adds the new ones: the
        # answer carries only those (the whole log was most of the panel's rendering).
        "log": station.log[: station.logged] if fresh else station.log,
        "log_appended": fresh,
        "log_size": LOG_SIZE,
        "card": shown,
        "location": location,
        "action": station.action_obj if station.mode == Station.ACT else None,
        "last": last,
        "actions": ACTIONS,
        "info": INFO,
    }

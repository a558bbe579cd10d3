"""Back-office pages of the inventory. Each action view calls one service and redirects."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.http import back_or, run_action
from accounts.refusals import PermissionRefused
from inventory import services, workflow
from inventory.chatter import post_comment, timeline
from inventory.counts import (
    LIST_CAP,
    CappedPaginator,
    capped_count,
    count_donation_devices,
    count_donor_gifts,
    filtered_status_counts,
    site_counts,
)
from inventory.donors import documents as donor_documents
from inventory.donors.exports import DonationExportResource
from inventory.erasure.views import device_erasure_context
from inventory.filters import DeviceFilter
from inventory.forms import (
    DeviceForm,
    DonationForm,
    DonorForm,
    DriveForm,
    ErasureForm,
    LocationForm,
    SiteForm,
    TransitionForm,
)
from inventory.hardware.views import device_hardware_context
from inventory.impact.weights import weight_of
from inventory.models import (
    Device,
    Donation,
    Donor,
    Location,
    Site,
    Status,
)
from inventory.panel.context import device_for_page, panel_context
from inventory.panel.forms import ShelfForm
from inventory.querysets import SEARCH_CANDIDATES
from inventory.refurbishment.views import device_refurbishment_context
from inventory.resources import DeviceResource, DonorResource, LocationResource, SiteResource
from spreadsheets.exporting import export_format, export_response

PAGE_SIZE = 50
KANBAN_CARDS = 20
KANBAN_COUNT_CAP = 1000
SORTS = {
    "tag": ("asset_tag",),
    "status": ("status", "-pk"),
    "category": ("category", "-pk"),
    "model": ("manufacturer", "model", "-pk"),
    # By site then shelf, on ids: sorting on the joined names took 400 ms at 100k rows.
    "site": ("site_id", "location_id", "pk"),
    "grade": ("grade", "-pk"),
    "changed": ("status_changed_at", "pk"),
}


def _sorted(queryset, key):
    descending = key.startswith("-")
    fields = SORTS.get(key.lstrip("-"))
    if not fields:
        return queryset.order_by("-pk"), ""
    if descending:
        fields = [f[1:] if f.startswith("-") else f"-{f}" for f in fields]
    return queryset.order_by(*fields), key


@permission_required("inventory.view_device", raise_exception=True)
def device_list(request):
    devices = DeviceFilter(request.GET, queryset=Device.objects.with_relations(), request=request)
    queryset, sort = _sorted(devices.qs, request.GET.get("sort", ""))
    if export_format(request):
        return export_response(request, DeviceResource, queryset, "devices")
    # The total from the kept counts when the filter allows it: COUNT(*) over the whole
    # table took 100 ms at 1,000,000 devices.
    counts = filtered_status_counts(devices)
    total = sum(counts.values()) if counts is not None else None
    # A search is counted no further than the hits it narrows a page to: past them,
    # hits are many and counting them reads much of the table (120 ms for « T480 »).
    cap = SEARCH_CANDIDATES if request.GET.get("q", "").strip() else LIST_CAP
    paginator = CappedPaginator(queryset, PAGE_SIZE, total=total, cap=cap)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    bulk_targets = [(s.value, s.label) for s in Status if s != Status.RECEIVED]
    return render(
        request,
        "inventory/device_list.html",
        {
            "filter": devices,
            "page": page,
            "sort": sort,
            "query": query.urlencode(),
            "query_without_sort": _without(query, "sort"),
            "bulk_targets": bulk_targets,
        },
    )


def _without(query, key):
    query = query.copy()
    query.pop(key, None)
    return query.urlencode()


@permission_required("inventory.view_device", raise_exception=True)
def device_kanban(request):
    devices = DeviceFilter(request.GET, queryset=Device.objects.with_relations(), request=request)
    # Counting the columns from the devices read every row (a parallel sequential scan,
    # 130–200 ms at 1,000,000 devices): the kept counts answer, or, under a filter they
    # are not grouped by, each column is counted up to KANBAN_COUNT_CAP.
    counts = filtered_status_counts(devices)
    columns = []
    for status in Status:
        if counts is not None and not counts.get(status.value):
            columns.append({"status": status, "count": 0, "cards": [], "more": False})
            continue
        in_column = devices.qs.filter(status=status)
        # One short indexed query per column: numbering every row with a window
        # function instead sorts the whole stock (measured 1.7 s at 100,000 devices).
        cards = list(in_column.for_cards().order_by("-status_changed_at")[:KANBAN_CARDS])
        if counts is not None:
            count = counts[status.value]
        elif len(cards) < KANBAN_CARDS:
            count = len(cards)
        else:
            count = capped_count(in_column, KANBAN_COUNT_CAP)
        columns.append(
            {
                "status": status,
                "count": count if count <= KANBAN_COUNT_CAP else f"{KANBAN_COUNT_CAP}+",
                "cards": cards,
                "more": count > len(cards),
            }
        )
    return render(request, "inventory/device_kanban.html", {"filter": devices, "columns": columns})


@permission_required("inventory.view_device", raise_exception=True)
def device_detail(request, asset_tag):
    device = device_for_page(asset_tag)
    if device is None:
        # A mistyped or mis-scanned tag: say so and offer the search, even in DEBUG.
        return render(request, "404.html", {"q": asset_tag, "unknown_tag": asset_tag}, status=404)
    if request.method == "POST":
        if not request.user.has_perm("inventory.change_device"):
            raise PermissionDenied
        form = DeviceForm(request.POST, instance=device)
        if form.is_valid():
            # Only the fields the person changed on the page: neither a status (never a
            # form field) nor a field someone else changed since is written back.
            services.update_device(
                device=form.save(commit=False), by=request.user, fields=form.changed_data
            )
            messages.success(request, _("Device saved."))
            return redirect(device)
    else:
        form = DeviceForm(instance=device)
        if not request.user.has_perm("inventory.change_device"):
            for field in form.fields.values():
                field.disabled = True
    return render(request, "inventory/device_detail.html", _device_context(request, device, form))


def _device_context(request, device, form):
    rules = workflow.allowed_transitions(device, request.user)
    checklist = workflow.checklist_for(device)
    missing = {
        guard: " ".join(workflow.missing_for(device, guard, checklist))
        for guard in (workflow.ERASED, workflow.READY)
    }
    # Each button carries, as a tooltip, what its guard still lacks.
    buttons = [(rule, missing.get(rule.guard, "")) for rule in rules]
    unerased = workflow.unerased_drives(device)
    path = workflow.MAIN_PATH
    if device.status not in path:
        path = [*path, Status(device.status)]
    return {
        "device": device,
        "form": form,
        "buttons": buttons,
        "status_path": path,
        "missing_erasures": unerased,
        "checklist": checklist,
        "history": timeline(device),
        # Measured, else its category's default (read with the device), « (estimé) ».
        "weight": weight_of(device),
        "drive_form": DriveForm(),
        # Preselect the first drive still waiting for its erasure.
        "erasure_form": ErasureForm(
            device=device, initial={"drive": unerased[0].pk if unerased else None}
        ),
        "comment_url": reverse("inventory:device_comment", args=[device.asset_tag]),
        # The next step and the « what is missing » banner (inventory/panel).
        **panel_context(request, device, checklist),
        **device_erasure_context(request, device),
        **device_refurbishment_context(request, device, checklist),
        **device_hardware_context(request, device),
    }


@permission_required("inventory.add_device", raise_exception=True)
def device_create(request):
    initial = {"donation": request.GET.get("donation"), "site": request.GET.get("site")}
    form = DeviceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        device = services.register_device(by=request.user, **fields)
        messages.success(request, _("Device %(tag)s registered.") % {"tag": device.asset_tag})
        if "add_another" in request.POST:
            return redirect(f"{reverse('inventory:device_create')}?{request.GET.urlencode()}")
        return redirect(device)
    return render(request, "inventory/device_form.html", {"form": form})


@require_POST
@permission_required("inventory.view_device", raise_exception=True)
def device_transition(request, asset_tag, target):
    device = get_object_or_404(Device, asset_tag=asset_tag.upper())
    form = TransitionForm(request.POST)
    form.is_valid()
    # The status the user saw when they clicked, so a concurrent change is detected.
    device.status = form.cleaned_data.get("seen_status") or device.status
    note = form.cleaned_data.get("note", "")

    def move():
        try:
            return workflow.transition_device(
                device=device, target=target, by=request.user, note=note
            )
        except PermissionRefused as refusal:
            # The page offers only the moves the role may make: another one is a 403.
            raise PermissionDenied(refusal.message) from refusal

    def moved(device):
        return _("%(tag)s is now “%(status)s”.") % {
            "tag": device.asset_tag,
            "status": device.get_status_display(),
        }

    return run_action(request, move, success=moved, back=back_or(request, device))


@require_POST
@permission_required("inventory.change_device", raise_exception=True)
def device_shelve(request, asset_tag):
    """The ready device's next step: put it away on a shelf of its site."""
    device = get_object_or_404(Device, asset_tag=asset_tag.upper())
    form = ShelfForm(request.POST, device=device)
    if not form.is_valid():
        messages.error(request, _("Choose the shelf of %(site)s.") % {"site": device.site})
        return redirect(device)
    location = form.cleaned_data["location"]

    def shelved(device):
        return _("%(tag)s is on shelf %(shelf)s.") % {"tag": device.asset_tag, "shelf": location}

    return run_action(
        request,
        lambda: services.move_device(device=device, location=location, by=request.user),
        success=shelved,
        back=redirect(device),
    )


@require_POST
@permission_required("inventory.view_device", raise_exception=True)
def device_bulk_transition(request):
    # PostgreSQL refuses text holding a NUL byte (a 500); nobody types one on purpose.
    tags = [tag.replace("\x00", "") for tag in request.POST.getlist("tags")]
    target = request.POST.get("target", "")
    note = request.POST.get("note", "").replace("\x00", "")
    devices = list(Device.objects.filter(asset_tag__in=tags).order_by("asset_tag"))
    if not devices:
        messages.error(request, _("Select at least one device."))
    elif target not in Status.values:
        messages.error(request, _("Choose the status to move the devices to."))
    else:

        def moved(count):
            return ngettext(
                "%(count)s device is now “%(status)s”.",
                "%(count)s devices are now “%(status)s”.",
                count,
            ) % {"count": count, "status": Status(target).label}

        return run_action(
            request,
            lambda: workflow.transition_devices(
                devices=devices, target=target, by=request.user, note=note
            ),
            success=moved,
            back=back_or(request, "inventory:device_list"),
        )
    return back_or(request, "inventory:device_list")


@require_POST
@permission_required("inventory.add_comment", raise_exception=True)
def device_comment(request, asset_tag):
    device = get_object_or_404(Device, asset_tag=asset_tag.upper())
    return post_comment(request, device, services.add_comment)


@require_POST
@permission_required("inventory.add_drive", raise_exception=True)
def drive_add(request, asset_tag):
    device = get_object_or_404(Device, asset_tag=asset_tag.upper())
    form = DriveForm(request.POST)
    if form.is_valid():
        services.add_drive(device=device, by=request.user, **form.cleaned_data)
        messages.success(request, _("Drive added."))
    else:
        messages.error(
            request, _("The drive was not added: %(errors)s") % {"errors": _errors_text(form)}
        )
    return redirect(device)


@require_POST
@permission_required("inventory.add_erasure", raise_exception=True)
def erasure_add(request, asset_tag):
    device = get_object_or_404(Device, asset_tag=asset_tag.upper())
    form = ErasureForm(request.POST, device=device)
    if form.is_valid():
        erasure = services.record_erasure(by=request.user, **form.cleaned_data)
        messages.success(request, _("Erasure recorded."))
        if device.cycle_started_at and erasure.performed_at < device.cycle_started_at:
            messages.warning(
                request,
                _(
                    "This erasure predates the device's return: it does not count for the "
                    "next household. Record the erasure made since."
                ),
            )
    else:
        messages.error(
            request, _("The erasure was not recorded: %(errors)s") % {"errors": _errors_text(form)}
        )
    return redirect(device)


def _errors_text(form):
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label} : {' '.join(errors)}" if label else " ".join(errors))
    return " · ".join(parts)


# Donors and donations -----------------------------------------------------------


@permission_required("inventory.view_donor", raise_exception=True)
def donor_list(request):
    donors = Donor.objects.order_by("name", "pk")
    # PostgreSQL refuses text holding a NUL byte (a 500); nobody types one on purpose.
    q = request.GET.get("q", "").replace("\x00", "").strip()
    if q:
        donors = donors.filter(name__icontains=q)
    if export_format(request):
        # Meta.ordering is ignored once a query is grouped: order explicitly.
        donors = donors.annotate(
            donation_count=Count("donations", distinct=True),
            device_count=Count("donations__devices", distinct=True),
        ).order_by("name", "pk")
        return export_response(request, DonorResource, donors, "donors")
    page = Paginator(donors, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = count_donor_gifts(page.object_list)
    query = urlencode({"q": q}) if q else ""
    return render(request, "inventory/donor_list.html", {"page": page, "q": q, "query": query})


@permission_required("inventory.view_donor", raise_exception=True)
def donor_detail(request, pk):
    donor = get_object_or_404(Donor, pk=pk)
    donations = (
        donor.donations.select_related("site")
        .annotate(device_count=Count("devices"))
        .order_by("-received_on", "-pk")
    )
    devices = Device.objects.filter(donation__donor=donor).with_relations()[:200]
    return render(
        request,
        "inventory/donor_detail.html",
        {
            "donor": donor,
            "donations": donations,
            "devices": devices,
            "history": timeline(donor),
            "comment_url": reverse("inventory:donor_comment", args=[donor.pk]),
        },
    )


@permission_required("inventory.add_donor", raise_exception=True)
def donor_create(request):
    return _edit(request, DonorForm, None, _("New donor"))


@permission_required("inventory.change_donor", raise_exception=True)
def donor_edit(request, pk):
    return _edit(request, DonorForm, get_object_or_404(Donor, pk=pk))


@require_POST
@permission_required("inventory.add_comment", raise_exception=True)
def donor_comment(request, pk):
    return post_comment(request, get_object_or_404(Donor, pk=pk), services.add_comment)


def _edit(request, form_class, instance, new_title="", initial=None):
    """Create (instance None) or edit a donor or donation with its form."""
    form = form_class(request.POST or None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj._history_user = request.user
        obj.save()
        messages.success(request, _("Saved."))
        return redirect(obj)
    title = str(instance) if instance else new_title
    return render(request, "inventory/edit_form.html", {"form": form, "title": title})


@permission_required("inventory.view_donation", raise_exception=True)
def donation_list(request):
    donations = Donation.objects.select_related("donor", "site").order_by("-received_on", "-pk")
    if export_format(request):
        donations = donations.annotate(device_count=Count("devices"))
        return export_response(request, DonationExportResource, donations, "donations")
    page = Paginator(donations, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = count_donation_devices(page.object_list)
    return render(request, "inventory/donation_list.html", {"page": page})


@permission_required("inventory.view_donation", raise_exception=True)
def donation_detail(request, pk):
    donation = get_object_or_404(Donation.objects.select_related("donor", "site"), pk=pk)
    devices = donation.devices.with_relations()
    by_status = dict(devices.values_list("status").annotate(n=Count("pk")).order_by())
    totals = donation.devices.aggregate(count=Count("pk"), weight=Sum("weight_kg"))
    return render(
        request,
        "inventory/donation_detail.html",
        {
            "donation": donation,
            "devices": devices,
            "by_status": [(s, by_status[s.value]) for s in Status if s.value in by_status],
            "totals": totals,
            "history": timeline(donation),
            "comment_url": reverse("inventory:donation_comment", args=[donation.pk]),
            "paperwork": donor_documents.paperwork(donation),
        },
    )


@permission_required("inventory.add_donation", raise_exception=True)
def donation_create(request):
    initial = {"donor": request.GET.get("donor")}
    return _edit(request, DonationForm, None, _("Record a donation"), initial)


@permission_required("inventory.change_donation", raise_exception=True)
def donation_edit(request, pk):
    donation = get_object_or_404(Donation, pk=pk)
    return _edit(request, DonationForm, donation)


@require_POST
@permission_required("inventory.add_comment", raise_exception=True)
def donation_comment(request, pk):
    return post_comment(request, get_object_or_404(Donation, pk=pk), services.add_comment)


# Sites and locations ------------------------------------------------------------


@permission_required("inventory.view_site", raise_exception=True)
def site_list(request):
    locations = Location.objects.order_by("code")
    sites = Site.objects.order_by("name", "pk").prefetch_related(
        Prefetch("locations", queryset=locations)
    )
    if export_format(request) and request.GET.get("data") == "locations":
        locations = locations.annotate(device_count=Count("devices"))
        return export_response(request, LocationResource, locations, "locations")
    if export_format(request):
        sites = sites.annotate(device_count=Count("devices", distinct=True))
        return export_response(request, SiteResource, sites, "sites")
    may_add_site = request.user.has_perm("inventory.add_site")
    may_add_location = request.user.has_perm("inventory.add_location")
    site_form = SiteForm(prefix="site") if may_add_site else None
    location_form = LocationForm(prefix="location") if may_add_location else None
    if request.method == "POST":
        # Each form needs its own permission: a site and a shelf are not the same right.
        if "site-code" in request.POST:
            if not may_add_site:
                raise PermissionDenied
            form = site_form = SiteForm(request.POST, prefix="site")
        else:
            if not may_add_location:
                raise PermissionDenied
            form = location_form = LocationForm(request.POST, prefix="location")
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect("inventory:site_list")
    # Kept by the database (DeviceCount): counting the devices read all of them.
    by_site, by_shelf = site_counts()
    sites = list(sites)
    for site in sites:
        site.device_count = by_site.get(site.pk, 0)
        for location in site.locations.all():
            location.device_count = by_shelf.get(location.pk, 0)
    return render(
        request,
        "inventory/site_list.html",
        {"sites": sites, "site_form": site_form, "location_form": location_form},
    )

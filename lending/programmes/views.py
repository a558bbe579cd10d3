"""Pages of the programmes, their workshops and attendance. Each page fetches through
lending.access and writes through lending.programmes.services."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.http import save_form
from accounts.refusals import Refused
from inventory.models import Category
from lending.access import (
    coordinates,
    enrolments_visible_to,
    households_visible_to,
    programmes_coordinated_by,
)
from lending.models import Attendance, Enrolment, Programme, Workshop
from lending.programmes import services as programmes
from lending.programmes.forms import (
    PRESENCE_PREFIX,
    ProgrammeForm,
    WorkshopForm,
    presences_from,
)
from lending.programmes.resources import ProgrammeExportResource
from spreadsheets.exporting import export_format, export_response

E = Enrolment.Status
# The enrolments a coordinator acts on, in the order of the page; the others are closed.
OPEN_GROUPS = [E.APPLIED, E.ELIGIBLE, E.WAITLISTED, E.ENROLLED]
CLOSED_GROUPS = [E.REJECTED, E.WITHDRAWN, E.COMPLETED]


def _programmes():
    return programmes.with_places(Programme.objects.all()).prefetch_related(
        "structures", "funders", "coordinators"
    )


def _person_pks(user, programme):
    """The households of `programme` whose name `user` may read (access.can_see_person,
    for all of them in one query)."""
    return set(
        households_visible_to(user)
        .filter(enrolments__programme=programme)
        .values_list("pk", flat=True)
    )


# Programmes -------------------------------------------------------------------------


@permission_required("lending.view_programme", raise_exception=True)
def programme_list(request):
    programmes_ = _programmes().order_by("-starts_on", "name")
    if export_format(request):
        return export_response(request, ProgrammeExportResource, programmes_, "programmes")
    return render(request, "lending/programmes/programme_list.html", {"programmes": programmes_})


@permission_required("lending.view_programme", raise_exception=True)
def programme_detail(request, pk):
    programme = get_object_or_404(_programmes().prefetch_related("criteria"), pk=pk)
    user = request.user
    coordinator = coordinates(user, programme)
    decides = coordinator and user.has_perm("lending.decide_enrolment")
    enrolments = _enrolments_shown(user, programme, decides=decides)
    present = Count("attendances", filter=Q(attendances__presence=Attendance.Presence.PRESENT))
    workshops = list(programme.workshops.annotate(present=present).order_by("starts_at", "pk"))
    context = {
        "programme": programme,
        "coordinates": coordinator,
        "decides": decides,
        "lent_labels": [label for v, label in Category.choices if v in programme.lent_categories],
        **_grouped(enrolments),
        "enrolment_count": len(enrolments),
        "workshops": workshops,
        "matrix": _matrix(user, programme, enrolments, workshops),
    }
    return render(request, "lending/programmes/programme_detail.html", context)


def _enrolments_shown(user, programme, *, decides):
    """The enrolments of `programme` that `user` may see (none for a technician), each
    marked with whether the household's name may be shown."""
    enrolments = enrolments_visible_to(user).filter(programme=programme)
    enrolments = enrolments.select_related("household").order_by("applied_at", "pk")
    if decides:
        # The "eligible" form ticks the criteria the household declared.
        enrolments = enrolments.prefetch_related("household__situations")
    enrolments = list(enrolments)
    person_pks = _person_pks(user, programme) if enrolments else set()
    for enrolment in enrolments:
        enrolment.shows_person = enrolment.household_id in person_pks
    return enrolments


def _grouped(enrolments):
    groups = {status: [] for status in E}
    for enrolment in enrolments:
        groups[enrolment.status].append(enrolment)
    groups[E.WAITLISTED].sort(key=lambda e: (e.waitlist_position or 0, e.pk))
    return {
        "open_groups": [(E(status), groups[status]) for status in OPEN_GROUPS],
        "closed": [e for status in CLOSED_GROUPS for e in groups[status]],
    }


def _matrix(user, programme, enrolments, workshops):
    if not user.has_perm("lending.view_attendance"):
        return None
    attending = sorted(
        (e for e in enrolments if e.status in programmes.ATTENDING),
        key=lambda e: e.household.code,
    )
    return programmes.attendance_matrix(
        programme=programme, enrolments=attending, workshops=workshops
    )


@permission_required("lending.add_programme", raise_exception=True)
def programme_create(request):
    form = ProgrammeForm(request.POST or None)

    def create(data):
        return programmes.create_programme(
            by=request.user, **form.fields_of_programme(), **form.relations()
        )

    def created(programme):
        return _("Programme “%(name)s” created.") % {"name": programme}

    context = {"form": form, "title": _("New programme")}
    return save_form(request, form, create, success=created) or render(
        request, "lending/programmes/programme_form.html", context
    )


@permission_required("lending.change_programme", raise_exception=True)
def programme_edit(request, pk):
    programme = get_object_or_404(programmes_coordinated_by(request.user), pk=pk)
    form = ProgrammeForm(request.POST or None, instance=programme)

    def update(data):
        return programmes.update_programme(
            programme=form.save(commit=False), by=request.user, **form.relations()
        )

    context = {"form": form, "title": str(programme), "programme": programme}
    saved = _("Programme saved.")
    return save_form(request, form, update, success=saved, then=programme) or render(
        request, "lending/programmes/programme_form.html", context
    )


# Workshops --------------------------------------------------------------------------


@permission_required("lending.add_workshop", raise_exception=True)
def workshop_create(request, pk):
    programme = get_object_or_404(programmes_coordinated_by(request.user), pk=pk)
    form = WorkshopForm(request.POST or None)

    def schedule(data):
        return programmes.schedule_workshop(programme=programme, by=request.user, **data)

    context = {"form": form, "programme": programme, "title": _("New workshop")}
    return save_form(request, form, schedule, success=_("Workshop planned.")) or render(
        request, "lending/programmes/workshop_form.html", context
    )


@permission_required("lending.change_workshop", raise_exception=True)
def workshop_edit(request, pk):
    workshop = get_object_or_404(
        Workshop.objects.filter(programme__in=programmes_coordinated_by(request.user)), pk=pk
    )
    form = WorkshopForm(request.POST or None, instance=workshop)

    def update(data):
        return programmes.update_workshop(workshop=form.save(commit=False), by=request.user)

    context = {"form": form, "programme": workshop.programme, "title": str(workshop)}
    saved = _("Workshop saved.")
    return save_form(request, form, update, success=saved, then=workshop) or render(
        request, "lending/programmes/workshop_form.html", context
    )


@permission_required("lending.view_workshop", raise_exception=True)
def workshop_detail(request, pk):
    workshop = get_object_or_404(Workshop.objects.select_related("programme"), pk=pk)
    user = request.user
    programme = workshop.programme
    enrolments = list(
        enrolments_visible_to(user)
        .filter(programme=programme, status__in=programmes.ATTENDING)
        .select_related("household")
        .order_by("household__code")
    )
    may_record = bool(enrolments) and (
        user.has_perm("lending.add_attendance") and user.has_perm("lending.change_attendance")
    )
    posted = {}
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        posted = presences_from(request.POST)
        try:
            changed = programmes.record_attendance(workshop=workshop, by=user, presences=posted)
        except Refused as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Attendance saved: %(count)s change.",
                    "Attendance saved: %(count)s changes.",
                    changed,
                )
                % {"count": changed},
            )
            return redirect(workshop)
    context = {
        "workshop": workshop,
        "programme": programme,
        "coordinates": coordinates(user, programme),
        "rows": _attendance_rows(user, workshop, enrolments, posted),
        "may_record": may_record,
        "presences": Attendance.Presence.choices,
        "prefix": PRESENCE_PREFIX,
        "present": workshop.attendances.filter(presence=Attendance.Presence.PRESENT).count(),
    }
    return render(request, "lending/programmes/workshop_detail.html", context)


def _attendance_rows(user, workshop, enrolments, posted):
    """A row per household: its code, whether its name may be shown, and the presence
    to tick (what was just posted, else what is recorded)."""
    if not enrolments:
        return []
    person_pks = _person_pks(user, workshop.programme)
    recorded = dict(workshop.attendances.values_list("household_id", "presence"))
    return [
        {
            "household": e.household,
            "shows_person": e.household_id in person_pks,
            "presence": posted.get(e.household.code, recorded.get(e.household_id, "")),
        }
        for e in enrolments
    ]

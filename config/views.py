"""Pages that belong to no single app: the home page and the error pages."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from inventory.counts import status_counts
from inventory.models import Device, Status


def dashboard(request):
    context = {}
    if request.user.has_perm("inventory.view_device"):
        # Kept by the database (DeviceCount): counting the devices read all of them.
        counts = status_counts()
        context["stock"] = [(status, counts.get(status.value, 0)) for status in Status]
        context["recent"] = (
            Device.history.filter(history_type="~")
            .select_related("history_user")
            .order_by("-history_date")[:15]
        )
    return render(request, "dashboard.html", context)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "404.html", {"q": request.GET.get("q", "")}, status=404)


@login_not_required
def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


@login_not_required
def server_error(request):
    return render(request, "500.html", status=500)


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever a page's <link rel="icon"> says (for a
    bookmark, a PDF in a tab): the same icon, rather than a 404 logged at every visit."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))

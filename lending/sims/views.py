"""SIM card pages: the list (with the loan that has each card, and the plans ending
soon), and registering or editing a card through lending.sims.services."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.http import save_form
from lending.models import Loan, SimCard
from lending.sims import services as sims
from lending.sims.forms import SimCardForm, SimFilterForm
from lending.sims.resources import SimCardResource
from spreadsheets.exporting import export_format, export_response

PAGE_SIZE = 50
L = Loan.Status


@permission_required("lending.view_simcard", raise_exception=True)
def sim_list(request):
    today = timezone.localdate()
    soon = today + timedelta(days=settings.SIM_REMINDER_DAYS)
    running = SimCard.Status.STOCK, SimCard.Status.LENT
    # The loan that last took the card: still with it while it is lent (until the
    # return's review puts it back in stock), the one that lost it when it is lost.
    last = Loan.objects.filter(sim=OuterRef("pk")).exclude(status=L.CANCELLED).order_by("-pk")
    cards = SimCard.objects.annotate(last_loan=Subquery(last.values("pk")[:1]))
    form = SimFilterForm(request.GET)
    if form.is_valid():
        if form.cleaned_data["status"]:
            cards = cards.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["ending"]:
            cards = cards.filter(ends_on__gte=today, ends_on__lte=soon, status__in=running)
    cards = cards.order_by("ends_on", "iccid")
    if export_format(request):
        return export_response(request, SimCardResource, cards, "sim-cards")
    page = Paginator(cards, PAGE_SIZE).get_page(request.GET.get("page"))
    for sim in page:
        sim.ending_soon = sim.status in running and sim.ends_on and sim.ends_on <= soon
        with_loan = sim.status in (SimCard.Status.LENT, SimCard.Status.LOST)
        sim.current_loan = sim.last_loan if with_loan else None
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "today": today}
    return render(request, "lending/sims/sim_list.html", context)


def _sim_page(request, form, save, title):
    done = _("SIM card saved.")
    return save_form(request, form, save, success=done, then="lending:sim_list") or render(
        request, "lending/sims/sim_form.html", {"form": form, "title": title}
    )


@permission_required("lending.add_simcard", raise_exception=True)
def sim_create(request):
    form = SimCardForm(request.POST or None)

    def save(data):
        return sims.add_sim_card(by=request.user, **data)

    return _sim_page(request, form, save, _("New SIM card"))


@permission_required("lending.change_simcard", raise_exception=True)
def sim_edit(request, pk):
    sim = get_object_or_404(SimCard, pk=pk)
    form = SimCardForm(request.POST or None, instance=sim)

    def save(data):
        return sims.update_sim_card(sim=form.save(commit=False), by=request.user)

    return _sim_page(request, form, save, str(sim))

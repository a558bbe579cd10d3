"""The shop's pages: the counter, a sale and its receipt, its cancellation by a credit
note, the sales list, the till of a day, the price list and the proofs of eligibility.

A receipt is never edited: there is no edit page. Each action calls one service
(services.record_sale, services.cancel_sale, pricing.*) and turns its refusal into a
message; nothing is half-written.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.http import run_action, save_form
from accounts.refusals import Refused
from inventory import pdf
from inventory.forms import looks_like_id
from inventory.models import Site
from lending import access
from sales import invoicing, pricing, public_body, selectors, services
from sales.forms import (
    CancelForm,
    InvoiceForm,
    PriceListForm,
    ProofForm,
    SaleFilterForm,
    SaleForm,
    TillForm,
)
from sales.models import CreditNote, EligibilityProof, Invoice, Price, Sale
from sales.receipts import credit_note_pdf, invoice_pdf, receipt_pdf
from sales.resources import SaleResource
from spreadsheets.exporting import export_format, export_response

PAGE_SIZE = 50
HISTORY_SIZE = 30


def _site(value):
    return Site.objects.filter(pk=value).first() if looks_like_id(value or "") else None


# The counter --------------------------------------------------------------------------------


def _counter_form(request):
    """The counter's form, bound on POST, with the ready devices of its site."""
    user = request.user
    # Technicians see no household: the field is not offered to them.
    households = None
    if user.has_perm("lending.view_household"):
        households = access.households_visible_to(user)
    data = request.POST if request.method == "POST" else None
    site = _site((data or request.GET).get("site"))
    if data is None and site is None:
        site = selectors.default_site(user)
    search = request.GET.get("q", "")
    ready = selectors.ready_devices(site, search) if site else []
    initial = {"site": site, "tags": request.GET.get("tags", "")}
    form = SaleForm(data, households=households, ready=ready, initial=initial)
    return form, site, search


def _check(form):
    sale = form.sale_arguments()
    names = ("site", "devices", "solidarity", "proofs", "discounts")
    check = selectors.check_sale(**{name: sale[name] for name in names})
    check.problems.extend(public_body.counter_problems(check.lines, sale))
    return check


@permission_required("sales.add_sale", raise_exception=True)
def sale_new(request):
    """Two steps, both POST: "Check" shows the lines and the total, "Record the sale"
    records exactly what was checked (the service checks everything again)."""
    form, site, search = _counter_form(request)
    check, refused = None, False
    if request.method == "POST" and form.is_valid():
        check = _check(form)
        if "record" in request.POST and form.cleaned_data["checked"] != check.signature:
            form.add_error(
                None,
                _(
                    "The lines changed since you checked them: check the devices and the "
                    "total below, then record the sale."
                ),
            )
        elif "record" in request.POST:
            try:
                sale = services.record_sale(by=request.user, **form.sale_arguments())
            except Refused as refusal:
                form.add_error(None, refusal.message)
                refused = True
            else:
                messages.success(
                    request, _("Sale recorded: receipt %(number)s.") % {"number": sale.number}
                )
                return redirect(sale)
    lines = [(line, *form.line_fields(line.device)) for line in check.lines] if check else []
    context = {
        "form": form,
        "site": site,
        "check": check,
        "lines": lines,
        "may_record": check is not None and check.ok and not refused,
        "q": search,
    }
    return render(request, "sales/sale_new.html", context)


# A sale -------------------------------------------------------------------------------------


def _sale(pk):
    sales = Sale.objects.select_related(
        "site", "seller", "household", "credit_note__issued_by", "public_body", "invoice"
    )
    return get_object_or_404(sales, pk=pk)


@require_safe
@permission_required("sales.view_sale", raise_exception=True)
def sale_detail(request, pk):
    sale = _sale(pk)
    household = sale.household
    context = {
        "sale": sale,
        "items": sale.items.select_related("device", "public_body"),
        "proofs": sale.proofs.all(),
        "public_body": getattr(sale, "public_body", None),
        "credit_note": getattr(sale, "credit_note", None),
        "can_see_household": household is not None
        and request.user.has_perm("lending.view_household")
        and access.can_see_person(request.user, household),
        "may_cancel": sale.status == Sale.Status.COMPLETED
        and request.user.has_perm("sales.add_creditnote"),
        "cancel_form": CancelForm(initial={"refund_method": sale.payment_method}),
        "invoice": getattr(sale, "invoice", None),
        "may_invoice": sale.status == Sale.Status.COMPLETED
        and household is None
        and request.user.has_perm("sales.add_invoice"),
        "invoice_form": InvoiceForm(initial={"buyer_name": sale.buyer_name}),
    }
    return render(request, "sales/sale_detail.html", context)


@require_safe
@permission_required("sales.view_sale", raise_exception=True)
def device_sale(request, asset_tag):
    # The device page links here from the device's own state (held by a sale), so that
    # the inventory never reads the sales to find the receipt.
    sale = selectors.sale_of(asset_tag)
    if sale is None:
        raise Http404
    return redirect(sale)


@require_safe
@permission_required("sales.view_sale", raise_exception=True)
def receipt(request, pk):
    # The receipt is drawn from the stored sale: a reprint is the same document.

    sale = _sale(pk)
    return pdf.response(receipt_pdf(sale), pdf.download_name("recu", sale.number))


@require_safe
@permission_required("sales.view_creditnote", raise_exception=True)
def credit_note(request, pk):

    note = get_object_or_404(CreditNote.objects.select_related("sale__site", "issued_by"), pk=pk)
    return pdf.response(credit_note_pdf(note), pdf.download_name("avoir", note.number))


@require_POST
@permission_required("sales.add_creditnote", raise_exception=True)
def sale_cancel(request, pk):
    sale = _sale(pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _(
                "Say why the sale is cancelled and how the buyer was refunded: the credit "
                "note states both."
            ),
        )
        return redirect(sale)

    reason, refund_method = form.cleaned_data["reason"], form.cleaned_data["refund_method"]

    def cancelled(note):
        message = _(
            "Sale cancelled: credit note %(number)s; its devices are back to erasure for a "
            "new cycle."
        )
        return message % {"number": note.number}

    def cancel():
        return services.cancel_sale(
            sale=sale, by=request.user, reason=reason, refund_method=refund_method
        )

    return run_action(
        request,
        cancel,
        success=cancelled,
        back=redirect(sale),
    )


@require_POST
@permission_required("sales.add_invoice", raise_exception=True)
def invoice_issue(request, pk):
    sale = _sale(pk)
    form = InvoiceForm(request.POST)
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label}: {' '.join(found)}" for name, found in form.errors.items()
        ]
        messages.error(request, " ".join(errors))
        return redirect(sale)
    data = form.cleaned_data

    def issue():
        return invoicing.issue_invoice(sale=sale, by=request.user, **data)

    def issued(invoice):
        return _("Invoice %(number)s issued.") % {"number": invoice.number}

    return run_action(request, issue, success=issued, back=redirect(sale))


@require_safe
@permission_required("sales.view_invoice", raise_exception=True)
def invoice(request, pk):
    # Drawn from what was frozen when it was issued: a reprint is the same invoice.
    found = get_object_or_404(Invoice.objects.select_related("sale__site"), pk=pk)
    return pdf.response(invoice_pdf(found), pdf.download_name("facture", found.number))


# The sales list and the till ----------------------------------------------------------------


@require_safe
@permission_required("sales.view_sale", raise_exception=True)
def sale_list(request):
    form = SaleFilterForm(request.GET)
    sales = selectors.sales_matching(**form.filters())
    if export_format(request):
        return export_response(request, SaleResource, sales, "sales")
    totals = selectors.totals(sales)
    paginator = Paginator(selectors.with_rows(sales), PAGE_SIZE)
    # The totals counted the rows already: the paginator need not count them again.
    paginator.count = totals["count"]
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "totals": totals,
        "query": query.urlencode(),
    }
    return render(request, "sales/sale_list.html", context)


@require_safe
@permission_required("sales.view_sale", raise_exception=True)
def till(request):
    default = selectors.default_site(request.user)
    form = TillForm(request.GET or None, initial={"site": default, "day": timezone.localdate()})
    day, sites = form.chosen(default)
    context = {"form": form, "day": day, "tills": selectors.till(day=day, sites=sites)}
    return render(request, "sales/till.html", context)


# The price list and the proofs of eligibility -----------------------------------------------


@permission_required("sales.view_price", raise_exception=True)
def price_list(request):
    may_edit = request.user.has_perms(["sales.add_price", "sales.change_price"])
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    prices = selectors.price_grid()
    form = PriceListForm(request.POST or None, prices=prices)

    def saved(changed):
        return ngettext(
            "Price list saved: %(count)s price changed.",
            "Price list saved: %(count)s prices changed.",
            changed,
        ) % {"count": changed}

    def save(data):
        return pricing.save_price_list(by=request.user, cells=form.cells())

    answer = save_form(request, form, save, success=saved, then="sales:price_list")
    if answer:
        return answer
    if not may_edit:
        for field in form.fields.values():
            field.disabled = True
    history = Price.history.select_related("history_user").order_by("-history_date", "-pk")
    context = {"form": form, "may_edit": may_edit, "history": history[:HISTORY_SIZE]}
    return render(request, "sales/price_list.html", context)


@permission_required("sales.view_eligibilityproof", raise_exception=True)
def proof_list(request):
    may_add = request.user.has_perm("sales.add_eligibilityproof")
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        form = ProofForm(request.POST, prefix="new")

        def add(data):
            return pricing.add_proof(by=request.user, name=data["name"], order=data["order"])

        def added(proof):
            return _("Proof “%(name)s” added.") % {"name": proof.name}

        answer = save_form(request, form, add, success=added, then="sales:proof_list")
        if answer:
            return answer
    else:
        form = ProofForm(prefix="new", initial={"active": True})
    del form.fields["active"]
    may_edit = request.user.has_perm("sales.change_eligibilityproof")
    proofs = EligibilityProof.objects.all()
    rows = [(proof, ProofForm(instance=proof, prefix=f"p{proof.pk}")) for proof in proofs]
    context = {"form": form, "rows": rows, "may_add": may_add, "may_edit": may_edit}
    return render(request, "sales/proof_list.html", context)


@require_POST
@permission_required("sales.change_eligibilityproof", raise_exception=True)
def proof_edit(request, pk):
    proof = get_object_or_404(EligibilityProof, pk=pk)
    form = ProofForm(request.POST, instance=proof, prefix=f"p{proof.pk}")
    if not form.is_valid():
        errors = [message for messages_ in form.errors.values() for message in messages_]
        messages.error(request, " ".join(errors))
        return redirect("sales:proof_list")
    data = form.cleaned_data
    proof = EligibilityProof.objects.get(pk=pk)

    def update():
        return pricing.update_proof(
            by=request.user,
            proof=proof,
            name=data["name"],
            order=data["order"],
            active=data["active"],
        )

    def saved(proof):
        return _("Proof “%(name)s” saved.") % {"name": proof.name}

    return run_action(request, update, success=saved, back=redirect("sales:proof_list"))

"""« Journal des consultations »: who opened the households' files, for the coordinators
of their programmes and superusers (lending.privacy.access_log says why not others)."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode

from lending.privacy.access_log import PERMISSION, accesses_visible_to, households_whose_log

PAGE_SIZE = 50


@permission_required(PERMISSION, raise_exception=True)
def access_log(request):
    entries = accesses_visible_to(request.user)
    code = request.GET.get("household", "").strip().upper()
    if code:
        entries = entries.filter(household__code=code)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"household": code}) if code else ""
    context = {"page": page, "code": code, "query": query}
    return render(request, "lending/privacy/access_log.html", context)


@permission_required(PERMISSION, raise_exception=True)
def household_access_log(request, code):
    household = households_whose_log(request.user).filter(code=code.strip().upper()).first()
    if household is None:
        raise Http404
    entries = household.accesses.select_related("user")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "household": household}
    return render(request, "lending/privacy/access_log.html", context)

"""The shipped URLs plus the bench's floor: a trivial view behind the same middleware."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as shipped


def floor(request):
    """What any page costs before its own work: session, user, middleware, one response."""
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor), *shipped]

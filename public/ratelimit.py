"""A per-client limit on the public pages (a label's page, a certificate's check).

Asset tags and certificate numbers are sequential: without a limit, anyone could walk
through them all. The limit is a fixed window counted in Django's cache: at most N views
per client address per window (settings.PUBLIC_PAGE_RATE, "60/10m"). With the default
per-process memory cache, each gunicorn worker counts on its own; a shared cache
(CACHE_URL=redis://…) makes the limit exact.

Signed-in users are not counted: every account is one the association created, and the
workshop's staff, behind one shared address, scan many labels in a row.
"""

import functools
import ipaddress
import math
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

_RATE = re.compile(r"(?P<count>\d+)/(?P<length>\d*)(?P<unit>[smhd])")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate):
    """(views, window in seconds) of a rate such as "60/10m", "5/s" or "1000/d"."""
    match = _RATE.fullmatch(rate.strip())
    if not match or int(match["count"]) < 1 or int(match["length"] or 1) < 1:
        raise ImproperlyConfigured(
            f"PUBLIC_PAGE_RATE must look like 60/10m (views/window), not {rate!r}."
        )
    return int(match["count"]), int(match["length"] or 1) * _SECONDS[match["unit"]]


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


@functools.cache
def _networks(proxies):
    try:
        return [ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies]
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error


def _is_trusted_proxy(address):
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request):
    """The address of the client, as far as it can be trusted.

    REMOTE_ADDR, unless it is one of settings.TRUSTED_PROXIES (the reverse proxy): then
    the last X-Forwarded-For entry that is not itself a trusted proxy. Not the first
    entry: proxies append to the header, so its start is whatever the client wrote.
    """
    address = _address(request.META.get("REMOTE_ADDR", ""))
    if address is None or not settings.TRUSTED_PROXIES or not _is_trusted_proxy(address):
        return address
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for entry in reversed(forwarded):
        hop = _address(entry)
        if hop is None:
            # A garbled hop: the proxy's own view of the client is all that is left.
            return address
        if not _is_trusted_proxy(hop):
            return hop
    return address


def _bucket(address):
    if address is None:
        return "unknown"
    if address.version == 6:
        # One IPv6 subscriber holds a whole /64: count it as one client.
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def hit(request, scope):
    """Counts one view of `scope`; returns 0 when allowed, else the seconds to wait."""
    limit, window = parse_rate(settings.PUBLIC_PAGE_RATE)
    now = time.time()
    key = f"ratelimit:{scope}:{_bucket(client_address(request))}:{int(now // window)}"
    # add() is a no-op when the key exists, so concurrent first views do not reset it.
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:
        # The key expired between add() and incr(): this view opens a new window.
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return 0
    return max(1, math.ceil(window - now % window))


def rate_limited(scope, limited_response):
    """Decorator: past the limit, answers `limited_response(request, retry_after)`
    (a 429) with a Retry-After header, and the view does not run."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                retry_after = hit(request, scope)
                if retry_after:
                    response = limited_response(request, retry_after)
                    response.status_code = 429
                    response["Retry-After"] = str(retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

"""The client address of a request, for django-axes (settings.AXES_CLIENT_IP_CALLABLE).

The one reading of REMOTE_ADDR and X-Forwarded-For behind settings.TRUSTED_PROXIES is
public.ratelimit.client_address; this only gives axes the text it stores.
"""

from public.ratelimit import client_address


def client_ip(request):
    address = client_address(request)
    return None if address is None else str(address)

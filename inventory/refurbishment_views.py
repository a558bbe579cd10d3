"""Pages of the refurbishment part of the device lifecycle."""


def device_refurbishment_context(request, device):
    """What the refurbishment panel of the device page needs."""
    return {}

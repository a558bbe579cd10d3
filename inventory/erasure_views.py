"""Pages of the erasure part of the device lifecycle."""


def device_erasure_context(request, device):
    """What the device page's erasure panel needs (templates/inventory/_device_erasure.html)."""
    return {}

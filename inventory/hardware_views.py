"""Pages of the hardware part of the device lifecycle."""


def device_hardware_context(request, device):
    """What the device page's hardware panel needs (templates/inventory/_device_hardware.html)."""
    return {}

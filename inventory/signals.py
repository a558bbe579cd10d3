"""What the inventory tells the apps above it, without importing them.

Apps above the inventory (labels…) connect receivers in their AppConfig.ready(). Both
signals are sent inside the transaction that made the change: what a receiver writes
is saved with the change or not at all (and a receiver that raises undoes the change).
"""

from django.dispatch import Signal

# Sent by workflow.transition_device once a device has changed status.
# Arguments: device, source, target (statuses), by (the user).
device_moved = Signal()

# Sent by hardware.services.import_hardware_report when a report registers a new device.
# Arguments: device, by (the user), workstation (the WorkstationToken, or None).
device_registered = Signal()

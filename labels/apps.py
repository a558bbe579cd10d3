from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabelsConfig(AppConfig):
    name = "labels"
    verbose_name = _("Labels")

    def ready(self):
        # The inventory announces what happens to devices; the queue of labels listens.
        from inventory.signals import device_moved, device_registered
        from labels import autoprint, queue

        device_moved.connect(queue.on_device_moved, dispatch_uid="labels.queue.moved")
        # After the queue's receiver: the label it queued is printed when a printer is set.
        device_moved.connect(autoprint.on_device_moved, dispatch_uid="labels.autoprint.moved")
        device_registered.connect(
            queue.on_device_registered, dispatch_uid="labels.queue.registered"
        )

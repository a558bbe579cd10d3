"""Text messages to households, through a backend chosen in settings (SMS_BACKEND).

Like Django's e-mail backends: the default writes the message to the log, so that the
embedded demo needs no provider; an association plugs its provider's API with a class
that has a `send(phone, text)` method, and `locmem` keeps messages for tests.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("lending.sms")

# Messages sent through the locmem backend, as (phone, text), like mail.outbox.
outbox = []


class LogBackend:
    def send(self, phone, text):
        logger.info("SMS to %s: %s", phone, text)


class LocmemBackend:
    def send(self, phone, text):
        outbox.append((phone, text))


def send_sms(phone, text):
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(phone, text)

"""Text messages to households, through a backend chosen in settings (SMS_BACKEND).

Like Django's e-mail backends: the default writes to the log that a message went out, so
that the embedded demo needs no provider; an association plugs its provider's API with a
class that has a `send(phone, text, reference="")` method, and `locmem` keeps messages
for tests.

`reference` names the recipient without saying who they are (a household's code): it is
what a log may hold. A log line never holds the phone number nor the text (a reminder
names the programme, which says the family is followed): logs are read by more people,
kept longer and copied further than the households' files.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("lending.sms")

# Messages sent through the locmem backend, as (phone, text), like mail.outbox.
outbox = []


class LogBackend:
    def send(self, phone, text, reference=""):
        logger.info(
            "SMS of %d characters to %s", len(text), reference or "a recipient without code"
        )


class LocmemBackend:
    def send(self, phone, text, reference=""):
        outbox.append((phone, text))


def send_sms(phone, text, *, reference=""):
    """Send `text` to `phone`; `reference` (a household's code) is all a log may name."""
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(phone, text, reference=reference)

"""What the console shows: one line per refusal, not a traceback."""

import logging


class RefusalWithoutTraceback(logging.Filter):
    """A 403 is the permission system doing its job: Django logs it with the exception's
    traceback, which buried the console of a demo under stack traces. The line (path,
    status) stays."""

    def filter(self, record):
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True

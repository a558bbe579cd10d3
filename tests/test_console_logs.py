"""The console of a demo or a server: one line per refusal, each line once."""

import logging
import sys

from django.core.exceptions import PermissionDenied

from config.logs import RefusalWithoutTraceback


def console():
    """The root's console handler, as config.settings.LOGGING sets it up."""
    return next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RefusalWithoutTraceback) for f in handler.filters)
    )


def record(status_code, error):
    try:
        raise error
    except type(error):
        exc_info = sys.exc_info()
    return logging.getLogger("django.request").makeRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Forbidden (Permission denied): %s",
        ("/households/",),
        exc_info,
        extra={"status_code": status_code},
    )


def test_a_refusal_is_one_line_without_its_traceback():
    handler = console()
    refused = record(403, PermissionDenied("no"))

    assert handler.filter(refused)
    assert handler.format(refused) == "Forbidden (Permission denied): /households/"


def test_a_server_error_keeps_its_traceback():
    handler = console()
    failed = record(500, ValueError("boom"))

    assert handler.filter(failed)
    assert "Traceback" in handler.format(failed)


def test_django_s_lines_are_printed_once_by_the_root_s_console():
    django = logging.getLogger("django")

    # Django's own console handler printed each line a second time under DEBUG.
    assert django.handlers == [] and django.propagate
    assert logging.getLogger("django.request").handlers == []

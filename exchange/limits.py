"""The limits an imported file must keep within, checked before it is parsed: at upload
(exchange.forms) and again by the job that reads it (exchange.engine), since a job may
come from the command line or from a file uploaded before the limits were lowered.

The bytes uploaded are limited by IMPORT_MAX_BYTES (the form); an XLSX or ODS file of
that size may unzip to far more, an ODS file may repeat a cell thousands of times in a
few bytes, and a file of many rows takes minutes and a preview row each:
IMPORT_MAX_UNCOMPRESSED_MB, IMPORT_MAX_CELLS and IMPORT_MAX_ROWS bound them.
"""

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from spreadsheets.measuring import measure_sheet, unzipped_size
from spreadsheets.reading import CSV, UnreadableFile, detect_format


def max_rows():
    return settings.IMPORT_MAX_ROWS


def max_cells():
    return settings.IMPORT_MAX_CELLS


def max_unzipped_bytes():
    return settings.IMPORT_MAX_UNCOMPRESSED_MB * 1024 * 1024


def check_file(filename, content):
    """The data rows `content` holds (an estimate, for a progress bar), once it is known to
    keep within the limits; UnreadableFile saying which limit it passes otherwise."""
    if not content:
        raise UnreadableFile(_("The file is empty."))
    if detect_format(filename, content) != CSV:
        size, limit = unzipped_size(content), max_unzipped_bytes()
        if size > limit:
            raise UnreadableFile(
                _("Unzipped, this file would be %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
            )
    extent = measure_sheet(filename, content, rows_above=max_rows(), cells_above=max_cells())
    if extent.more:
        raise UnreadableFile(too_many_rows(max_rows(), at_least=True))
    if extent.rows > max_rows():
        raise UnreadableFile(too_many_rows(extent.rows))
    if extent.cells > max_cells():
        raise UnreadableFile(
            _(
                "This sheet spans %(height)s rows of %(width)s columns, %(cells)s cells; the "
                "limit is %(limit)s cells: delete the columns not imported, or split the file."
            )
            % {
                "height": _number(extent.height),
                "width": _number(extent.width),
                "cells": _number(extent.cells),
                "limit": _number(max_cells()),
            }
        )
    return extent.rows


def too_many_rows(rows, *, at_least=False):
    """The sentence refusing a file of `rows` rows (`at_least`: counted while reading)."""
    limit = max_rows()
    values = {"rows": _number(rows), "limit": _number(limit)}
    if at_least:
        text = ngettext(
            "This file has more than %(rows)s rows; the limit is %(limit)s row: split it.",
            "This file has more than %(rows)s rows; the limit is %(limit)s rows: split it.",
            limit,
        )
    else:
        text = ngettext(
            "This file has %(rows)s rows; the limit is %(limit)s row: split the file.",
            "This file has %(rows)s rows; the limit is %(limit)s rows: split the file.",
            limit,
        )
    return text % values


def _number(value):
    return number_format(value, force_grouping=True)

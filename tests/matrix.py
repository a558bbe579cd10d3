"""Helpers of the permission matrices (tests/inventory, tests/lending, tests/sales): the
table's rows as test cases, what a reader of a response sees, where a value may hide in
it, and how a refused POST is checked."""

import html
import io
import re

import pypdfium2 as pdfium
import pytest

from spreadsheets.reading import read_sheet


def cases(table, roles, columns=2):
    """One test case a row: its first `columns` cells, then {role: expected status}."""
    found = []
    for row in table:
        keys, codes = row[:columns], row[columns:]
        expected = dict(zip(roles, codes, strict=True))
        label = "".join(f"({key})" if key else "" for key in keys[1:])
        found.append(pytest.param(*keys, expected, id=f"{keys[0]}{label}"))
    return found


def text_of(response):
    """What a reader of `response` sees: the page's text, the PDF's, or the sheet's cells."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    disposition = response.get("Content-Disposition", "")
    if response.get("Content-Type", "").startswith("application/pdf"):
        document = pdfium.PdfDocument(io.BytesIO(content))
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    if exported := re.search(r'filename="?[^";]+\.(csv|xlsx|ods)', disposition):
        sheet = read_sheet(f"export.{exported[1]}", content)
        cells = [*sheet.headers, *(str(cell) for _line, row in sheet.rows for cell in row)]
        return "\n".join(cells)
    return content.decode("utf-8", errors="replace")


def variants(value):
    """The value as it may appear in HTML: raw, escaped by Django, or with &#39;."""
    return {value, html.escape(value), value.replace("'", "&#39;")}


def leaks(text, values):
    """The forms of `values` found in `text`."""
    return sorted({v for value in values for v in variants(value) if v in text})


def form_data(form, **changes):
    """What a browser would post for `form` as it is shown, with `changes`."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, (list, tuple)):
            data[field.html_name] = [str(item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif value is not None:
            formatted = field.field.widget.format_value(value)
            data[field.html_name] = "" if formatted is None else formatted
    return {**data, **changes}


def refusal_mismatches(expected, post, written):
    """{role: what went wrong} when each role's `post(role)` does not answer its expected
    status or changes what `written()` reads; roles expected None are not posted."""
    before = written()
    mismatches = {}
    for role, code in expected.items():
        if code is None:
            continue
        got = post(role).status_code
        problems = [f"expected {code}, got {got}"] if got != code else []
        if written() != before:
            problems.append("something was written")
            before = written()
        if problems:
            mismatches[role] = ", ".join(problems)
    return mismatches
